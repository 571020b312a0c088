"""Settings page: generated editors validate in words, save valid values, and drive the filter test box."""

from __future__ import annotations

import json
import logging
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLineEdit, QSpinBox

from llmdesk.app import install_translators
from llmdesk.core.settings import SETTINGS, Settings
from llmdesk.ui.settings_page import SettingsPage
from llmdesk.ui.theme import apply_theme, build_palette
from ui_support import OFFSCREEN_NOISE
from ui_support import no_logged_errors, QT_LOG_MARKS  # noqa: F401 - fixtures and marks used by pytest


pytestmark = QT_LOG_MARKS


@pytest.fixture(autouse=True)
def english(qapp):
    install_translators(qapp, "en")


@pytest.fixture
def page(qtbot):
    widget = SettingsPage(Settings())
    qtbot.addWidget(widget)
    widget.show()
    return widget


def saved_values(settings: Settings) -> dict:
    return json.loads(settings.path.read_text(encoding="utf-8")) if settings.path.exists() else {}


def enter_text(qtbot, edit: QLineEdit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)
    edit.editingFinished.emit()


def test_every_visible_setting_has_an_editor(page):
    shown = {s.key for s in SETTINGS if s.group != "internal"} - {"filter_rule_sets", "filter_custom_rules"}
    for key in shown:
        assert page.editor(key) is not None
    assert isinstance(page.editor("language"), QComboBox)
    assert isinstance(page.editor("filter_enabled"), QCheckBox)
    assert isinstance(page.editor("max_concurrent_downloads"), QSpinBox)
    assert page.editor("hf_token").echoMode() == QLineEdit.EchoMode.Password


def test_bad_number_shows_message_and_is_not_saved(qtbot, page):
    enter_text(qtbot, page.editor("override_ram_gib"), "lots")
    assert "“lots” is not a number" in page.error_text("override_ram_gib")
    assert page.settings.get("override_ram_gib") is None
    assert "override_ram_gib" not in saved_values(page.settings)


def test_number_below_minimum_names_the_limit(qtbot, page):
    enter_text(qtbot, page.editor("override_vram_gib"), "0.1")
    assert page.error_text("override_vram_gib") == "0.1 is below the minimum of 0.25."
    assert page.settings.get("override_vram_gib") is None


def test_good_number_is_saved(qtbot, page):
    with qtbot.waitSignal(page.setting_changed, timeout=2_000) as blocker:
        enter_text(qtbot, page.editor("override_ram_gib"), "24")
    assert blocker.args == ["override_ram_gib"]
    assert page.error_text("override_ram_gib") == ""
    assert saved_values(page.settings)["override_ram_gib"] == 24.0
    assert Settings(page.settings.path).get("override_ram_gib") == 24.0


def test_clearing_a_number_saves_detect(qtbot, page):
    enter_text(qtbot, page.editor("override_ram_gib"), "24")
    enter_text(qtbot, page.editor("override_ram_gib"), "")
    assert Settings(page.settings.path).get("override_ram_gib") is None


def test_custom_endpoint_is_validated(qtbot, page):
    combo = page.editor("download_endpoint")
    combo.setCurrentIndex(combo.findData("custom"))
    assert page.editor("custom_endpoint").isEnabled()
    enter_text(qtbot, page.editor("custom_endpoint"), "ftp://mirror.example")
    assert "must be an http or https base URL" in page.error_text("custom_endpoint")
    assert "Settings > Downloads" not in page.error_text("custom_endpoint")  # it is shown right there
    assert page.settings.get("custom_endpoint") == ""
    enter_text(qtbot, page.editor("custom_endpoint"), "https://mirror.example/")
    assert page.error_text("custom_endpoint") == ""
    assert Settings(page.settings.path).get("custom_endpoint") == "https://mirror.example"


def test_download_source_switch_is_saved(page):
    combo = page.editor("download_endpoint")
    combo.setCurrentIndex(combo.findData("hf-mirror"))
    assert Settings(page.settings.path).get("download_endpoint") == "hf-mirror"
    assert not page.editor("custom_endpoint").isEnabled()


def test_language_change_says_restart(page):
    combo = page.editor("language")
    combo.setCurrentIndex(combo.findData("zh_CN"))
    assert Settings(page.settings.path).get("language") == "zh_CN"
    assert "restart" in page._status.text()


def test_theme_change_applies_palette(page):
    combo = page.editor("theme")
    combo.setCurrentIndex(combo.findData("dark"))
    window = QApplication.instance().palette().color(QPalette.ColorRole.Window)
    assert window == build_palette("dark").color(QPalette.ColorRole.Window)
    apply_theme(QApplication.instance(), "light")


def test_filter_rule_sets_are_saved(page):
    section = page.filter_section
    section._set_boxes["profanity"].setChecked(False)
    assert "profanity" not in Settings(page.settings.path).get("filter_rule_sets")


def test_invalid_regex_rule_is_explained(qtbot, page):
    section = page.filter_section
    section.kind.setCurrentIndex(section.kind.findData("regex"))
    qtbot.keyClicks(section.pattern, "(a+)+")
    assert "Nested repetition" in section.rule_error.text()
    assert not section.add.isEnabled()


def test_term_rule_is_added_and_filters_sample(qtbot, page):
    section = page.filter_section
    qtbot.keyClicks(section.pattern, "bluebird")
    assert section.add.isEnabled()
    section.add.click()
    rules = Settings(page.settings.path).get("filter_custom_rules")
    assert [rule["pattern"] for rule in rules] == ["bluebird"]
    assert section.rules.count() == 1

    section.sample.setPlainText("The launch of bluebird is on Monday.")
    section.run_test()
    shown = section.result.toPlainText()
    assert "bluebird" in shown
    assert "The launch of bluebird" not in shown
    assert "1 match:" in shown


def test_sample_with_email_is_labelled(page):
    section = page.filter_section
    section.sample.setPlainText("Write to jane.roe@example.com today.")
    section.run_test()
    assert "jane.roe@example.com" in section.result.toPlainText().split("match")[1]
    assert "Write to jane.roe@example.com" not in section.result.toPlainText()


def test_disabled_filter_leaves_sample_alone(page):
    page.editor("filter_enabled").setChecked(False)
    page.filter_section.sample.setPlainText("Write to jane.roe@example.com today.")
    page.filter_section.run_test()
    assert "off" in page.filter_section.result.toPlainText()


def test_token_is_scoped_to_current_source(qtbot, page):
    combo = page.editor("download_endpoint")
    combo.setCurrentIndex(combo.findData("hf-mirror"))
    enter_text(qtbot, page.editor("hf_token"), "hf_secret_value")
    saved = Settings(page.settings.path)
    assert saved.get("hf_token") == "hf_secret_value"
    assert saved.get("hf_token_endpoint") == "https://hf-mirror.com"
    assert "https://hf-mirror.com" in page._status.text()
    assert "hf_secret_value" not in page._status.text()


def add_rule(qtbot, section, pattern: str, *, kind: str = "term", action: str = "label", label: str = "",
             replacement: str = "") -> None:
    section.kind.setCurrentIndex(section.kind.findData(kind))
    section.action.setCurrentIndex(section.action.findData(action))
    section.label.setText(label)
    section.replacement.setText(replacement)
    section.pattern.clear()
    qtbot.keyClicks(section.pattern, pattern)
    assert section.add.isEnabled(), section.rule_error.text()
    section.add.click()


def filtered(section, text: str) -> str:
    section.sample.setPlainText(text)
    section.run_test()
    return section.result.toPlainText()


def test_mask_option_matches_output(qtbot, page):
    section = page.filter_section
    mask_text = section.action.itemText(section.action.findData("mask"))
    add_rule(qtbot, section, "bluebird", action="mask")
    shown = filtered(section, "The bluebird sings.")
    assert "(****)" in mask_text
    assert "The ******** sings." in shown


def test_unnamed_rule_gets_readable_label(qtbot, page):
    section = page.filter_section
    add_rule(qtbot, section, "Project Falcon")
    add_rule(qtbot, section, r"\bID-\d{6}\b", kind="regex")
    shown = filtered(section, "Project Falcon ships ID-123456.")
    assert "[filtered term] ships [custom pattern]." in shown
    assert "filtered term: “Project Falcon”" in shown
    assert "custom pattern: “ID-123456”" in shown
    assert "custom-" not in shown
    assert all("custom-" not in section.rules.item(row).text() for row in range(section.rules.count()))


def test_named_rule_shows_its_label(qtbot, page):
    section = page.filter_section
    add_rule(qtbot, section, r"\bPX-\d{4}\b", kind="regex", label="  part number ")
    (rule,) = Settings(page.settings.path).get("filter_custom_rules")
    assert rule["label"] == "part number"
    assert "[part number]" in filtered(section, "Order PX-1234 today.")


def test_replace_rule_needs_text(qtbot, page):
    section = page.filter_section
    section.action.setCurrentIndex(section.action.findData("replace"))
    assert section.replacement.isVisibleTo(page)
    qtbot.keyClicks(section.pattern, "bluebird")
    assert "Enter the text" in section.rule_error.text()
    assert not section.add.isEnabled()

    section.replacement.setText("x" * 201)
    assert "longer than 200 characters" in section.rule_error.text()
    assert not section.add.isEnabled()

    section.replacement.setText("the project")
    assert section.add.isEnabled()
    section.add.click()
    (rule,) = Settings(page.settings.path).get("filter_custom_rules")
    assert rule["action"] == "replace"
    assert rule["replacement"] == "the project"
    assert "The launch of the project is near." in filtered(section, "The launch of bluebird is near.")


def test_replacement_field_hidden_for_other_actions(page):
    section = page.filter_section
    section.action.setCurrentIndex(section.action.findData("mask"))
    assert not section.replacement.isVisibleTo(page)


def test_overlong_label_is_explained(qtbot, page):
    section = page.filter_section
    qtbot.keyClicks(section.pattern, "bluebird")
    section.label.setText("n" * 61)
    assert "label is longer than 60 characters" in section.rule_error.text()
    assert not section.add.isEnabled()
    assert section.pattern.text() == "bluebird"


def test_rule_is_edited_in_place(qtbot, page):
    section = page.filter_section
    add_rule(qtbot, section, "bluebird", action="mask")
    add_rule(qtbot, section, "redbird", action="mask")
    before = Settings(page.settings.path).get("filter_custom_rules")

    section.rules.itemDoubleClicked.emit(section.rules.item(0))
    assert section.pattern.text() == "bluebird"
    assert section.add.text() == "Save rule"
    section.pattern.setText("greenbird")
    section.action.setCurrentIndex(section.action.findData("replace"))
    section.replacement.setText("a bird")
    section.add.click()

    after = Settings(page.settings.path).get("filter_custom_rules")
    assert [rule["id"] for rule in after] == [rule["id"] for rule in before]
    assert after[0]["pattern"] == "greenbird"
    assert after[0]["replacement"] == "a bird"
    assert after[1] == before[1]
    assert section.rules.count() == 2
    assert section.add.text() == "Add rule"
    assert section.pattern.text() == ""


def test_edit_drops_replacement_of_other_action(qtbot, page):
    section = page.filter_section
    add_rule(qtbot, section, "bluebird", action="replace", replacement="a bird")
    section.rules.setCurrentRow(0)
    section._edit.click()
    section.action.setCurrentIndex(section.action.findData("stop"))
    section.add.click()
    (rule,) = Settings(page.settings.path).get("filter_custom_rules")
    assert rule["action"] == "stop"
    assert "replacement" not in rule


def test_cancel_editing_adds_new_rule(qtbot, page):
    section = page.filter_section
    add_rule(qtbot, section, "bluebird", action="mask")
    section.edit_rule(section.rules.item(0).data(Qt.ItemDataRole.UserRole))
    section._cancel_edit.click()
    assert section.pattern.text() == ""
    add_rule(qtbot, section, "redbird", action="mask")
    rules = Settings(page.settings.path).get("filter_custom_rules")
    assert [rule["pattern"] for rule in rules] == ["bluebird", "redbird"]


def test_rule_without_label_reads_in_ui_language(qtbot, qapp):
    """A rule saved without a label (also by an older version) follows the window's language."""
    settings = Settings()
    settings.set("filter_custom_rules", [{"id": "custom-1", "kind": "term", "pattern": "Scunthorpe",
                                          "action": "label"}])
    install_translators(qapp, "zh_CN")
    try:
        page = SettingsPage(settings)
        qtbot.addWidget(page)
        section = page.filter_section
        assert section.rules.item(0).text().startswith("过滤词（")
        section.sample.setPlainText("Scunthorpe 队")
        section.run_test()
        assert "[过滤词] 队" in section.result.toPlainText()
    finally:
        install_translators(qapp, "en")
    assert "label" not in settings.get("filter_custom_rules")[0]


def test_custom_source_without_url_is_marked(qtbot, page):
    combo = page.editor("download_endpoint")
    combo.setCurrentIndex(combo.findData("custom"))
    assert "downloads fail until it is set" in page.error_text("custom_endpoint")
    enter_text(qtbot, page.editor("custom_endpoint"), "https://mirror.example")
    assert page.error_text("custom_endpoint") == ""
