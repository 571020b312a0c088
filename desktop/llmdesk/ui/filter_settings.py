"""The output filter section of the Settings page: rule sets, the user's own rules, and a test box.

A rule is validated with ``filter.validate_rule`` as it is typed, so an invalid regular expression is
explained before it can be added. The test box runs the filter that the current settings describe on a
sample text (compiling and scanning take milliseconds, so it runs on the GUI thread, debounced).
"""

from __future__ import annotations

import html
import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QTextBrowser, QVBoxLayout, QWidget)

from llmdesk.core.filter import FilterConfig, RuleError, compile_filter, list_rule_sets, validate_rule
from llmdesk.core.filter.rules import CUSTOM_RULE_SET, MAX_REPLACEMENT_LENGTH, default_label
from llmdesk.core.settings import Settings
from llmdesk.ui.i18n import filter_labels, translate_marked, translate_message
from llmdesk.ui.widgets import error_label, hint, show_error

log = logging.getLogger(__name__)

_TEST_DELAY_MS = 150
# Maximum length of a user's rule label. The label replaces matches in replies, so it stays short.
MAX_LABEL_LENGTH = 60


class FilterSection(QWidget):
    """Edits ``filter_rule_sets`` and ``filter_custom_rules``; ``setting_changed(key)`` after each save."""

    setting_changed = Signal(str)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._set_boxes: dict[str, QCheckBox] = {}

        sets_box = QVBoxLayout()
        sets_box.addWidget(QLabel(translate_marked("Settings", "Rule sets")))
        enabled = set(settings.get("filter_rule_sets"))
        for info in list_rule_sets():
            box = QCheckBox(translate_marked("Filter", info.title))
            box.setToolTip(translate_marked("Filter", info.description))
            box.setChecked(info.id in enabled)
            box.toggled.connect(self._save_rule_sets)
            self._set_boxes[info.id] = box
            sets_box.addWidget(box)
            sets_box.addWidget(hint(translate_marked("Filter", info.description)))

        self.rules = QListWidget()
        self.rules.setMaximumHeight(110)
        self.rules.setToolTip(self.tr("Double-click a rule to edit it."))
        self.rules.itemDoubleClicked.connect(self._edit_item)
        self.rules.itemSelectionChanged.connect(self._update_rule_buttons)
        self._edit = QPushButton(self.tr("Edit rule"))
        self._edit.clicked.connect(self._edit_selected)
        self._remove = QPushButton(self.tr("Remove rule"))
        self._remove.clicked.connect(self._remove_selected)
        self.kind = QComboBox()
        self.kind.addItem(self.tr("Word or phrase"), "term")
        self.kind.addItem(self.tr("Regular expression"), "regex")
        self.pattern = QLineEdit()
        self.pattern.setPlaceholderText(self.tr("e.g. project codename, or \\bID-\\d{6}\\b"))
        self.action = QComboBox()
        # core.filter.stream masks each visible character with "*", or "＊" for a wide (CJK) character.
        self.action.addItem(self.tr("Mask it (****)"), "mask")
        self.action.addItem(self.tr("Replace with its label"), "label")
        self.action.addItem(self.tr("Replace with text…"), "replace")
        self.action.addItem(self.tr("Stop the reply"), "stop")
        self.label = QLineEdit()
        self.label.setMaxLength(MAX_LABEL_LENGTH + 20)  # longer than allowed, so the error explains the limit
        self.label.setToolTip(self.tr("Shown in place of a match by \"Replace with its label\", and in the "
                                      "test results. Leave it empty for a general name."))
        self._replacement_title = QLabel(self.tr("Replacement"))
        self.replacement = QLineEdit()
        self.replacement.setPlaceholderText(self.tr("Text that replaces each match"))
        self.replacement.setMaxLength(MAX_REPLACEMENT_LENGTH + 20)
        self.whole_word = QCheckBox(self.tr("Whole words only"))
        self.add = QPushButton(self.tr("Add rule"))
        self.add.setEnabled(False)
        self._cancel_edit = QPushButton(self.tr("Cancel editing"))
        self._cancel_edit.clicked.connect(self.reset_editor)
        self._cancel_edit.hide()
        self.rule_error = error_label()
        self._editing_id: str | None = None
        for signal in (self.pattern.textChanged, self.kind.currentIndexChanged, self.whole_word.toggled,
                       self.action.currentIndexChanged, self.label.textChanged, self.replacement.textChanged):
            signal.connect(self._validate_new_rule)
        self.kind.currentIndexChanged.connect(self._update_label_hint)
        self.action.currentIndexChanged.connect(self._update_replacement_field)
        for field in (self.pattern, self.label, self.replacement):
            field.returnPressed.connect(self._add_rule)
        self.add.clicked.connect(self._add_rule)

        editor = QGridLayout()
        editor.addWidget(self.kind, 0, 0)
        editor.addWidget(self.pattern, 0, 1)
        editor.addWidget(self.action, 0, 2)
        editor.addWidget(QLabel(self.tr("Label")), 1, 0)
        editor.addWidget(self.label, 1, 1, 1, 2)
        editor.addWidget(self._replacement_title, 2, 0)
        editor.addWidget(self.replacement, 2, 1, 1, 2)
        editor.addWidget(self.whole_word, 3, 0)
        edit_buttons = QHBoxLayout()
        edit_buttons.addStretch(1)
        edit_buttons.addWidget(self._cancel_edit)
        edit_buttons.addWidget(self.add)
        editor.addLayout(edit_buttons, 3, 1, 1, 2)
        editor.addWidget(self.rule_error, 4, 0, 1, 3)
        editor.setColumnStretch(1, 1)

        rule_buttons = QVBoxLayout()
        rule_buttons.addWidget(self._edit)
        rule_buttons.addWidget(self._remove)
        rule_buttons.addStretch(1)
        rules_row = QHBoxLayout()
        rules_row.addWidget(self.rules, 1)
        rules_row.addLayout(rule_buttons)

        self.sample = QPlainTextEdit()
        self.sample.setPlaceholderText(self.tr("Type or paste a sample text to see what the filter would change."))
        self.sample.setMaximumHeight(90)
        self.result = QTextBrowser()
        self.result.setMaximumHeight(110)
        self._test_timer = QTimer(self)
        self._test_timer.setSingleShot(True)
        self._test_timer.setInterval(_TEST_DELAY_MS)
        self._test_timer.timeout.connect(self.run_test)
        self.sample.textChanged.connect(self._test_timer.start)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(sets_box)
        layout.addWidget(QLabel(translate_marked("Settings", "Your own rules")))
        layout.addLayout(rules_row)
        layout.addLayout(editor)
        layout.addWidget(QLabel(self.tr("Try the filter")))
        layout.addWidget(self.sample)
        layout.addWidget(self.result)
        self._fill_rules()
        self._update_label_hint()
        self._update_replacement_field()

    # -- rule sets and rules ----------------------------------------------------------------------

    def _fill_rules(self) -> None:
        self.rules.clear()
        for rule in self.settings.get("filter_custom_rules"):
            item = QListWidgetItem(self._describe(rule))
            item.setData(Qt.ItemDataRole.UserRole, rule.get("id"))
            self.rules.addItem(item)
        self._update_rule_buttons()

    @Slot()
    def _update_rule_buttons(self) -> None:
        self._remove.setEnabled(self.rules.count() > 0)
        self._edit.setEnabled(len(self.rules.selectedItems()) == 1)

    def default_label(self, kind: str) -> str:
        """Return the label a rule of ``kind`` gets when the user leaves the label empty."""
        return self.tr("custom pattern") if kind == "regex" else self.tr("filtered term")

    def _describe(self, rule: dict[str, Any]) -> str:
        kind = self.tr("regex") if rule.get("kind") == "regex" else self.tr("term")
        actions = {"mask": self.tr("mask"), "label": self.tr("label"), "stop": self.tr("stop"),
                   "replace": self.tr("replace with “{text}”").format(text=rule.get("replacement", ""))}
        # A rule without a label gets core's built-in one (or its own id, for a hand-written id).
        label = rule.get("label") or QCoreApplication.translate(
            "Filter", default_label(CUSTOM_RULE_SET, rule.get("kind", "term"), rule.get("id", "")))
        return self.tr("{label} ({kind}: {pattern}) → {action}").format(
            label=label, kind=kind, pattern=rule.get("pattern", ""),
            action=actions.get(rule.get("action", "mask"), "?"))

    def new_rule(self) -> dict[str, Any]:
        """Return the rule that the editor describes: the edited rule's id, or a fresh one for a new rule."""
        rule_id = self._editing_id
        if rule_id is None:
            used_ids = {rule.get("id") for rule in self.settings.get("filter_custom_rules")}
            number = 1
            while f"custom-{number}" in used_ids:
                number += 1
            rule_id = f"custom-{number}"
        kind = self.kind.currentData()
        rule: dict[str, Any] = {"id": rule_id, "kind": kind, "pattern": self.pattern.text(),
                                "action": self.action.currentData()}
        if self.label.text().strip():
            # Without one, core gives the rule a built-in label that follows the UI language.
            rule["label"] = self.label.text().strip()
        if rule["action"] == "replace":
            rule["replacement"] = self.replacement.text()
        if self.whole_word.isChecked():
            rule["whole_word"] = True
        return rule

    def _form_error(self) -> str:
        """Return why the label or replacement text cannot be used, or "" when they can."""
        if len(self.label.text().strip()) > MAX_LABEL_LENGTH:
            return self.tr("The label is longer than {limit} characters; shorten it.").format(limit=MAX_LABEL_LENGTH)
        if self.action.currentData() != "replace":
            return ""
        if not self.replacement.text().strip():
            return self.tr("Enter the text that replaces each match.")
        if len(self.replacement.text()) > MAX_REPLACEMENT_LENGTH:
            return self.tr("The replacement text is longer than {limit} characters; shorten it.").format(
                limit=MAX_REPLACEMENT_LENGTH)
        return ""

    @Slot()
    def _validate_new_rule(self) -> bool:
        if not self.pattern.text():
            show_error(self.rule_error, "")
            self.add.setEnabled(False)
            return False
        problem = self._form_error()
        if not problem:
            try:
                validate_rule(self.new_rule())
            except RuleError as exc:
                problem = translate_message(exc.reason)
        show_error(self.rule_error, problem)
        self.add.setEnabled(not problem)
        return not problem

    @Slot()
    def _update_label_hint(self) -> None:
        self.label.setPlaceholderText(self.tr("optional, e.g. {example}").format(
            example=self.default_label(self.kind.currentData())))

    @Slot()
    def _update_replacement_field(self) -> None:
        replacing = self.action.currentData() == "replace"
        self._replacement_title.setVisible(replacing)
        self.replacement.setVisible(replacing)

    @Slot()
    def _add_rule(self) -> None:
        """Add the rule in the editor, or save it in place of the rule being edited."""
        if not self._validate_new_rule():
            return
        rule = self.new_rule()
        rules = self.settings.get("filter_custom_rules")
        position = next((index for index, old in enumerate(rules) if old.get("id") == rule["id"]), None)
        if position is None:  # a new rule, or the edited rule was removed meanwhile
            rules = rules + [rule]
        else:
            rules = rules[:position] + [rule] + rules[position + 1:]
        if self._save("filter_custom_rules", rules):
            self.reset_editor()
            self._fill_rules()

    @Slot(QListWidgetItem)
    def _edit_item(self, item: QListWidgetItem) -> None:
        self.edit_rule(item.data(Qt.ItemDataRole.UserRole))

    @Slot()
    def _edit_selected(self) -> None:
        selected = self.rules.selectedItems()
        if len(selected) == 1:
            self._edit_item(selected[0])

    def edit_rule(self, rule_id: str) -> None:
        """Load the rule ``rule_id`` into the editor, so that Save rule writes it back in the same place."""
        rule = next((r for r in self.settings.get("filter_custom_rules") if r.get("id") == rule_id), None)
        if rule is None:
            return
        self._editing_id = rule_id
        self.kind.setCurrentIndex(max(0, self.kind.findData(rule.get("kind", "term"))))
        self.action.setCurrentIndex(max(0, self.action.findData(rule.get("action", "mask"))))
        self.whole_word.setChecked(bool(rule.get("whole_word")))
        self.label.setText(rule.get("label", ""))
        self.replacement.setText(rule.get("replacement", ""))
        self.pattern.setText(rule.get("pattern", ""))
        self.add.setText(self.tr("Save rule"))
        self._cancel_edit.show()
        self._validate_new_rule()
        self.pattern.setFocus()

    @Slot()
    def reset_editor(self) -> None:
        """Empty the editor and leave editing, so the next rule is added as a new one."""
        self._editing_id = None
        for field in (self.pattern, self.label, self.replacement):
            field.clear()
        self.add.setText(self.tr("Add rule"))
        self._cancel_edit.hide()
        self._validate_new_rule()

    @Slot()
    def _remove_selected(self) -> None:
        selected = {item.data(Qt.ItemDataRole.UserRole) for item in self.rules.selectedItems()}
        if not selected:
            return
        rules = [rule for rule in self.settings.get("filter_custom_rules") if rule.get("id") not in selected]
        if self._save("filter_custom_rules", rules):
            if self._editing_id in selected:
                self.reset_editor()
            self._fill_rules()

    @Slot()
    def _save_rule_sets(self) -> None:
        chosen = [set_id for set_id, box in self._set_boxes.items() if box.isChecked()]
        self._save("filter_rule_sets", chosen)

    def _save(self, key: str, value: Any) -> bool:
        try:
            self.settings.set(key, value)
            self.settings.save()
        except (ValueError, OSError) as exc:
            show_error(self.rule_error, self.tr("Saving the filter settings failed: {error}").format(error=exc))
            return False
        self.setting_changed.emit(key)
        self._test_timer.start()
        return True

    # -- test box ---------------------------------------------------------------------------------

    @Slot()
    def run_test(self) -> None:
        """Filter the sample text with the current settings and show the result and what matched."""
        text = self.sample.toPlainText()
        if not text:
            self.result.clear()
            return
        if not self.settings.get("filter_enabled"):
            self.result.setPlainText(self.tr("The output filter is off, so the text is shown unchanged."))
            return
        try:
            config = FilterConfig.from_settings(self.settings)
            config.labels = filter_labels()  # the same translated labels a chat sends to the engine
            compiled = compile_filter(config)
        except RuleError as exc:
            self.result.setPlainText(translate_message(exc.reason))
            return
        output = compiled.apply(text)
        matches = compiled.scan(text)
        parts = [f"<p>{html.escape(output.text)}</p>"]
        if matches:
            heading = self.tr("%n match(es):", "", len(matches))
            items = "".join(
                f"<li>{html.escape(match.label)}: “{html.escape(text[match.start:match.end])}”</li>"
                for match in matches)
            parts.append(f"<p>{html.escape(heading)}</p><ul>{items}</ul>")
        else:
            parts.append("<p>" + html.escape(self.tr("Nothing would be filtered.")) + "</p>")
        if output.stop:
            parts.append("<p><b>" + html.escape(self.tr("A stop rule matched: the reply would end here."))
                         + "</b></p>")
        self.result.setHtml("".join(parts))
