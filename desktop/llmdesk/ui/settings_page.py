"""The Settings page, generated from ``core.settings.SETTINGS``.

Each setting gets an editor chosen by its type. Choices get a combo box and booleans a check box.
Bounded integers get a spin box, text and optional numbers a line edit (masked for secrets), and
``model_folders`` a folder list. A change is validated, shown in words when invalid, and saved at once.
The filter settings have their own section (``filter_settings.FilterSection``).
"""

from __future__ import annotations

import logging
import math
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QListWidget, QPushButton, QScrollArea, QSpinBox,
                               QVBoxLayout, QWidget)

from llmdesk.core.settings import SETTINGS, Setting, Settings
from llmdesk.ui.i18n import translate_marked, translate_message
from llmdesk.ui.widgets import error_label, heading, hint, show_error

log = logging.getLogger(__name__)

translate = QCoreApplication.translate
# Groups in page order; "internal" settings are never shown.
GROUP_ORDER = ("appearance", "models", "hardware", "downloads", "filter")
# Settings that apply after a restart, not at once.
RESTART_KEYS = frozenset({"language"})
# Settings with an editor of their own inside a section.
_CUSTOM_EDITOR_KEYS = frozenset({"filter_rule_sets", "filter_custom_rules"})


def group_title(group: str) -> str:
    titles = {
        "appearance": translate("SettingsPage", "Appearance"),
        "models": translate("SettingsPage", "Models and fit advice"),
        "hardware": translate("SettingsPage", "Hardware overrides"),
        "downloads": translate("SettingsPage", "Downloads"),
        "filter": translate("SettingsPage", "Output filter"),
    }
    return titles.get(group, group)


def choice_label(key: str, value: Any) -> str:
    """Display text of one choice of a setting."""
    labels: dict[tuple[str, Any], str] = {
        ("language", "auto"): translate("SettingsPage", "Automatic (follow the system)"),
        ("language", "en"): "English",
        ("language", "zh_CN"): "简体中文",
        ("theme", "system"): translate("SettingsPage", "Follow the system"),
        ("theme", "light"): translate("SettingsPage", "Light"),
        ("theme", "dark"): translate("SettingsPage", "Dark"),
        ("download_endpoint", "huggingface"): translate("SettingsPage", "Hugging Face (huggingface.co)"),
        ("download_endpoint", "hf-mirror"): translate("SettingsPage", "Mirror: hf-mirror.com"),
        ("download_endpoint", "custom"): translate("SettingsPage", "Custom server"),
        ("fit_preference", "speed"): translate("SettingsPage", "Faster replies"),
        ("fit_preference", "balanced"): translate("SettingsPage", "Balanced"),
        ("fit_preference", "quality"): translate("SettingsPage", "Better answers"),
        ("kv_cache_type", "f16"): translate("SettingsPage", "f16 (full precision)"),
        ("kv_cache_type", "q8_0"): translate("SettingsPage", "q8_0 (half the memory)"),
        ("kv_cache_type", "q4_0"): translate("SettingsPage", "q4_0 (quarter of the memory)"),
    }
    return labels.get((key, value), str(value))


def parse_optional_number(setting: Setting, text: str) -> float | None:
    """Turn the text of an optional number field into a value, or raise ValueError with a translated reason."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(translate("SettingsPage", "“{text}” is not a number. Enter a number such as 16, or leave the field empty "
                             "to use the detected value.").format(text=text)) from None
    if not math.isfinite(value):
        raise ValueError(translate("SettingsPage", "“{text}” is not a finite number.").format(text=text))
    if setting.minimum is not None and value < setting.minimum:
        raise ValueError(translate("SettingsPage", "{value} is below the minimum of {minimum}.").format(
            value=text, minimum=_plain(setting.minimum)))
    if setting.maximum is not None and value > setting.maximum:
        raise ValueError(translate("SettingsPage", "{value} is above the maximum of {maximum}.").format(
            value=text, maximum=_plain(setting.maximum)))
    return value


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def validate_endpoint_text(text: str) -> str:
    """Return the custom download URL cleaned up, or raise ValueError with a translated reason."""
    if not text.strip():
        return ""
    from llmdesk.core.download.endpoint import validate_base_url
    from llmdesk.core.download.errors import DownloadError

    try:
        return validate_base_url(text)
    except DownloadError as exc:
        raise ValueError(translate_message(exc.message)) from None


class _SettingRow:
    """One editor with its error label; ``read()`` returns the value or raises ValueError."""

    def __init__(self, setting: Setting, editor: QWidget, read: Callable[[], Any],
                 write: Callable[[Any], None]) -> None:
        self.setting = setting
        self.editor = editor
        self.read = read
        self.write = write
        self.error = error_label()


class SettingsPage(QWidget):
    """Generated settings editor. ``setting_changed(key)`` fires after a valid value has been saved."""

    setting_changed = Signal(str)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._rows: dict[str, _SettingRow] = {}

        content = QWidget()
        content.setMaximumWidth(980)
        column = QVBoxLayout(content)
        column.addWidget(heading(self.tr("Settings")))
        self._status = hint("")
        column.addWidget(self._status)
        if settings.load_errors:
            problems = error_label()
            show_error(problems, "\n".join(settings.load_errors))
            column.addWidget(problems)

        for group in GROUP_ORDER:
            members = [s for s in SETTINGS if s.group == group and s.key not in _CUSTOM_EDITOR_KEYS]
            box = QGroupBox(group_title(group))
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for setting in members:
                row = self._make_row(setting)
                self._rows[setting.key] = row
                cell = QVBoxLayout()
                cell.setSpacing(2)
                cell.addWidget(row.editor)
                cell.addWidget(hint(translate_marked("Settings", setting.description)))
                cell.addWidget(row.error)
                label = QLabel(translate_marked("Settings", setting.title))
                label.setBuddy(row.editor)
                form.addRow(label, cell)
            if group == "filter":
                self.filter_section = self._make_filter_section()
                form.addRow(self.filter_section)
            column.addWidget(box)
        column.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        self._scroll = scroll
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self._update_endpoint_enabled()

    # -- editors ----------------------------------------------------------------------------------

    def _make_row(self, setting: Setting) -> _SettingRow:
        key = setting.key
        current = self.settings.get(key)
        if setting.choices is not None:
            combo = QComboBox()
            for value in setting.choices:
                combo.addItem(choice_label(key, value), value)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            row = _SettingRow(setting, combo, combo.currentData,
                              lambda v, c=combo: c.setCurrentIndex(max(0, c.findData(v))))
            combo.currentIndexChanged.connect(lambda _i, k=key: self._commit(k))
        elif isinstance(setting.default, bool):
            box = QCheckBox()
            box.setChecked(bool(current))
            row = _SettingRow(setting, box, box.isChecked, box.setChecked)
            box.toggled.connect(lambda _c, k=key: self._commit(k))
        elif isinstance(setting.default, int) and setting.minimum is not None and setting.maximum is not None:
            spin = QSpinBox()
            spin.setRange(int(setting.minimum), int(min(setting.maximum, 2**31 - 1)))
            spin.setValue(int(current))
            spin.setSingleStep(1 if setting.maximum <= 64 else 1024)
            spin.setKeyboardTracking(False)
            row = _SettingRow(setting, spin, spin.value, spin.setValue)
            spin.valueChanged.connect(lambda _v, k=key: self._commit(k))
        elif isinstance(setting.default, list):
            row = self._make_folder_list(setting, current)
        elif setting.default is None:
            edit = QLineEdit("" if current is None else _plain(current))
            edit.setPlaceholderText(self.tr("detect automatically"))
            row = _SettingRow(setting, edit, lambda s=setting, e=edit: parse_optional_number(s, e.text()),
                              lambda v, e=edit: e.setText("" if v is None else _plain(v)))
            edit.editingFinished.connect(lambda k=key: self._commit(k))
        else:
            edit = QLineEdit(str(current))
            if setting.secret:
                edit.setEchoMode(QLineEdit.EchoMode.Password)
                edit.setPlaceholderText(self.tr("not set"))
            read: Callable[[], Any] = edit.text
            if key == "custom_endpoint":
                edit.setPlaceholderText("https://example.org")
                read = lambda e=edit: validate_endpoint_text(e.text())  # noqa: E731
            row = _SettingRow(setting, edit, read, edit.setText)
            edit.editingFinished.connect(lambda k=key: self._commit(k))
        return row

    def _make_folder_list(self, setting: Setting, current: list[str]) -> _SettingRow:
        holder = QWidget()
        folders = QListWidget()
        folders.addItems(current)
        folders.setMaximumHeight(90)
        add = QPushButton(self.tr("Add folder…"))
        remove = QPushButton(self.tr("Remove"))
        buttons = QVBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QHBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(folders, 1)
        layout.addLayout(buttons)

        def read() -> list[str]:
            return [folders.item(i).text() for i in range(folders.count())]

        def write(values: list[str]) -> None:
            folders.clear()
            folders.addItems(values)

        def add_folder() -> None:
            folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder with GGUF files"))
            if folder and folder not in read():
                folders.addItem(folder)
                self._commit(setting.key)

        def remove_selected() -> None:
            for item in folders.selectedItems():
                folders.takeItem(folders.row(item))
            self._commit(setting.key)

        add.clicked.connect(add_folder)
        remove.clicked.connect(remove_selected)
        return _SettingRow(setting, holder, read, write)

    def _make_filter_section(self) -> QWidget:
        try:
            from llmdesk.ui.filter_settings import FilterSection
        except ImportError as exc:
            log.warning("The filter settings are not available: %s", exc)
            return hint(self.tr("The output filter is not available in this build."))
        section = FilterSection(self.settings, self)
        section.setting_changed.connect(self._on_section_saved)
        return section

    # -- saving -----------------------------------------------------------------------------------

    def editor(self, key: str) -> QWidget:
        """Return the editor widget of a setting."""
        return self._rows[key].editor

    def error_text(self, key: str) -> str:
        """Return the error shown under a setting, or "" when its value is valid."""
        row = self._rows[key]
        return row.error.text() if not row.error.isHidden() else ""

    @Slot(str)
    def _commit(self, key: str) -> None:
        row = self._rows[key]
        try:
            value = row.read()
            if value == self.settings.get(key):
                show_error(row.error, "")
                return
            self.settings.set(key, value)
        except ValueError as exc:
            show_error(row.error, str(exc))
            self._status.setText(self.tr("Not saved: fix the value marked in red."))
            self._scroll.ensureWidgetVisible(row.error)  # the status line may be scrolled out of view
            return
        show_error(row.error, "")
        if key == "hf_token":
            self._scope_token()
        self._save(key)

    def _scope_token(self) -> None:
        """Tie the access token to the download source in use now, so it is never sent elsewhere."""
        from llmdesk.core.download.endpoint import resolve_endpoint
        from llmdesk.core.download.errors import DownloadError
        from llmdesk.core.settings import ENDPOINT_PRESETS

        try:
            endpoint = resolve_endpoint(self.settings)
        except DownloadError:
            endpoint = ENDPOINT_PRESETS["huggingface"]
        self.settings.set("hf_token_endpoint", endpoint if self.settings.get("hf_token") else "")

    def _save(self, key: str) -> None:
        try:
            self.settings.save()
        except OSError as exc:
            log.error("Saving settings to %s failed: %s", self.settings.path, exc)
            self._status.setText(self.tr("Saving the settings to {path} failed: {error}").format(
                path=self.settings.path, error=exc.strerror or exc))
            return
        if key in RESTART_KEYS:
            self._status.setText(self.tr("Saved. The new language is used after you restart LLM Desk."))
        elif key == "hf_token" and self.settings.get("hf_token"):
            self._status.setText(self.tr("Saved. The token is sent only to {endpoint}.").format(
                endpoint=self.settings.get("hf_token_endpoint")))
        else:
            self._status.setText(self.tr("Saved."))
        if key == "download_endpoint":
            self._update_endpoint_enabled()
        if key == "theme":
            self._apply_theme(self.settings.get("theme"))
        if key == "filter_enabled" and hasattr(self.filter_section, "run_test"):
            self.filter_section.run_test()
        self.setting_changed.emit(key)

    @Slot(str)
    def _on_section_saved(self, key: str) -> None:
        self._status.setText(self.tr("Saved."))
        self.setting_changed.emit(key)

    def _update_endpoint_enabled(self) -> None:
        custom = self.settings.get("download_endpoint") == "custom"
        row = self._rows["custom_endpoint"]
        row.editor.setEnabled(custom)
        if custom and not self.settings.get("custom_endpoint"):
            # The choice is saved, but downloads fail without a URL, so the error shows under its field.
            show_error(row.error, self.tr("Enter the base URL of your server, such as https://hf-mirror.com; "
                                          "downloads fail until it is set."))
            row.editor.setFocus()
        elif not custom:
            show_error(row.error, "")

    def _apply_theme(self, choice: str) -> None:
        from PySide6.QtWidgets import QApplication

        from llmdesk.ui.theme import apply_theme

        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, choice)

