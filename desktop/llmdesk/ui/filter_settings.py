"""The output filter section of the Settings page: rule sets, the user's own rules, and a test box.

A rule is validated with ``filter.validate_rule`` as it is typed, so an invalid regular expression is
explained before it can be added. The test box runs the filter that the current settings describe on a
sample text (compiling and scanning take milliseconds, so it runs on the GUI thread, debounced).
"""

from __future__ import annotations

import html
import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QTextBrowser, QVBoxLayout, QWidget)

from llmdesk.core.filter import FilterConfig, RuleError, compile_filter, list_rule_sets, validate_rule
from llmdesk.core.settings import Settings
from llmdesk.ui.i18n import translate_marked, translate_message
from llmdesk.ui.widgets import error_label, hint, show_error

log = logging.getLogger(__name__)

_TEST_DELAY_MS = 150


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
        self._remove = QPushButton(self.tr("Remove rule"))
        self._remove.clicked.connect(self._remove_selected)
        self.kind = QComboBox()
        self.kind.addItem(self.tr("Word or phrase"), "term")
        self.kind.addItem(self.tr("Regular expression"), "regex")
        self.pattern = QLineEdit()
        self.pattern.setPlaceholderText(self.tr("e.g. project codename, or \\bID-\\d{6}\\b"))
        self.action = QComboBox()
        self.action.addItem(self.tr("Mask it (■■■)"), "mask")
        self.action.addItem(self.tr("Replace with its label"), "label")
        self.action.addItem(self.tr("Stop the reply"), "stop")
        self.whole_word = QCheckBox(self.tr("Whole words only"))
        self.add = QPushButton(self.tr("Add rule"))
        self.add.setEnabled(False)
        self.rule_error = error_label()
        for signal in (self.pattern.textChanged, self.kind.currentIndexChanged, self.whole_word.toggled,
                       self.action.currentIndexChanged):
            signal.connect(self._validate_new_rule)
        self.pattern.returnPressed.connect(self._add_rule)
        self.add.clicked.connect(self._add_rule)

        editor = QGridLayout()
        editor.addWidget(self.kind, 0, 0)
        editor.addWidget(self.pattern, 0, 1)
        editor.addWidget(self.action, 0, 2)
        editor.addWidget(self.whole_word, 1, 0)
        editor.addWidget(self.add, 1, 2)
        editor.addWidget(self.rule_error, 2, 0, 1, 3)
        editor.setColumnStretch(1, 1)

        rules_row = QHBoxLayout()
        rules_row.addWidget(self.rules, 1)
        rules_row.addWidget(self._remove)

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

    # -- rule sets and rules ----------------------------------------------------------------------

    def _fill_rules(self) -> None:
        self.rules.clear()
        for rule in self.settings.get("filter_custom_rules"):
            item = QListWidgetItem(self._describe(rule))
            item.setData(Qt.ItemDataRole.UserRole, rule.get("id"))
            self.rules.addItem(item)
        self._remove.setEnabled(self.rules.count() > 0)

    def _describe(self, rule: dict[str, Any]) -> str:
        kind = self.tr("regex") if rule.get("kind") == "regex" else self.tr("term")
        actions = {"mask": self.tr("mask"), "label": self.tr("label"), "replace": self.tr("replace"),
                   "stop": self.tr("stop")}
        return self.tr("{kind}: {pattern} → {action}").format(
            kind=kind, pattern=rule.get("pattern", ""), action=actions.get(rule.get("action", "mask"), "?"))

    def new_rule(self) -> dict[str, Any]:
        """Return the rule that the editor row describes, with a fresh id."""
        taken = {rule.get("id") for rule in self.settings.get("filter_custom_rules")}
        number = 1
        while f"custom-{number}" in taken:
            number += 1
        rule: dict[str, Any] = {"id": f"custom-{number}", "kind": self.kind.currentData(),
                                "pattern": self.pattern.text(), "action": self.action.currentData()}
        if self.whole_word.isChecked():
            rule["whole_word"] = True
        return rule

    @Slot()
    def _validate_new_rule(self) -> bool:
        if not self.pattern.text():
            show_error(self.rule_error, "")
            self.add.setEnabled(False)
            return False
        try:
            validate_rule(self.new_rule())
        except RuleError as exc:
            show_error(self.rule_error, translate_message(exc.reason))
            self.add.setEnabled(False)
            return False
        show_error(self.rule_error, "")
        self.add.setEnabled(True)
        return True

    @Slot()
    def _add_rule(self) -> None:
        if not self._validate_new_rule():
            return
        rules = self.settings.get("filter_custom_rules") + [self.new_rule()]
        if self._save("filter_custom_rules", rules):
            self.pattern.clear()
            self._fill_rules()

    @Slot()
    def _remove_selected(self) -> None:
        selected = {item.data(Qt.ItemDataRole.UserRole) for item in self.rules.selectedItems()}
        if not selected:
            return
        rules = [rule for rule in self.settings.get("filter_custom_rules") if rule.get("id") not in selected]
        if self._save("filter_custom_rules", rules):
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
            compiled = compile_filter(FilterConfig.from_settings(self.settings))
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
