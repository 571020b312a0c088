"""Window layout at small sizes: every page fits 1000x640 and the Models page keeps Download in view."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QPushButton, QTreeWidgetItemIterator

from llmdesk.app import install_translators
from llmdesk.core.settings import Settings
from llmdesk.ui.catalog_view import COL_BUILD, COL_MEMORY, COL_QUANT, COL_SPEED, COL_VERDICT
from llmdesk.ui.detail_pane import QCOL_DOWNLOAD
from llmdesk.ui.main_window import PAGE_CHAT, PAGE_MACHINE, PAGE_MODELS, PAGE_SETTINGS, MainWindow
from llmdesk.ui.theme import apply_theme, build_palette, style_sheet
from llmdesk.ui.widgets import icon, icon_with_selected_color
from ui_support import OFFSCREEN_NOISE, gaming_pc, services_for
from ui_support import no_threads_left, QT_LOG_MARKS  # noqa: F401 - fixtures and marks used by pytest

pytestmark = QT_LOG_MARKS

SMALL_WIDTH, SMALL_HEIGHT = 1000, 640
LONG_OS_VERSION = "6.18.44-generic (kernel 6.18.44-1-lts #1 SMP PREEMPT_DYNAMIC Fri Nov 21 2026, glibc 2.42)"


@pytest.fixture(autouse=True)
def english(qapp):
    install_translators(qapp, "en")
    apply_theme(qapp, "light")


@pytest.fixture
def window(qtbot):
    profile = gaming_pc()
    profile.os_version = LONG_OS_VERSION
    profile.sources["os_version"] = "platform"
    window = MainWindow(Settings(), services_for(profile))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.llama_probed, timeout=20_000):
        window.show()
    yield window
    window.shutdown()


def show_models(qtbot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.models_page.fits_updated, timeout=20_000):
        window.show_page(PAGE_MODELS)
    window.models_page.catalog_view.select_build("llama-3.1-8b-instruct")
    QApplication.processEvents()


def test_every_page_fits_small_window(qtbot, window):
    show_models(qtbot, window)
    window.resize(SMALL_WIDTH, SMALL_HEIGHT)
    chat = window.page(PAGE_CHAT)
    chat.view.add_message("user", "Hello")
    chat.view.add_message("assistant", "Hi there.", status_text=" · ".join(
        ["complete", "48 tokens", "12.3 tokens/s", "first token after 0.21 s", "prompt 512 tokens/s"] * 3))

    for key in (PAGE_MACHINE, PAGE_MODELS, PAGE_CHAT, PAGE_SETTINGS):
        window.show_page(key)
        QApplication.processEvents()
        assert window.minimumSizeHint().width() <= SMALL_WIDTH, key
        assert window.width() == SMALL_WIDTH, key


def test_download_button_visible_at_default_size(qtbot, window):
    window.resize(1280, 800)
    show_models(qtbot, window)
    table = window.models_page.detail._quants
    assert table.rowCount() > 0
    button = table.cellWidget(0, QCOL_DOWNLOAD)
    assert isinstance(button, QPushButton)

    visible = table.viewport().rect()
    cell = table.visualRect(table.model().index(0, QCOL_DOWNLOAD))
    assert visible.contains(cell), f"Download cell {cell} outside the visible {visible}"


def test_catalog_key_columns_visible_at_default_size(qtbot, window):
    """At 1280x800 the catalog shows each model's verdict, quantization, memory and speed without scrolling."""
    window.resize(1280, 800)
    show_models(qtbot, window)
    table = window.models_page.catalog_view.table
    visible = table.viewport().rect()
    for column in (COL_BUILD, COL_VERDICT, COL_QUANT, COL_MEMORY, COL_SPEED):
        cell = table.visualRect(table.model().index(0, column))
        assert visible.contains(cell), f"column {column}: cell {cell} outside the visible {visible}"


def test_machine_page_wraps_long_values(window):
    window.resize(1280, 800)
    QApplication.processEvents()
    tree = window.machine_page._tree
    iterator = QTreeWidgetItemIterator(tree)
    while iterator.value() and iterator.value().text(0) != "Operating system":
        iterator += 1
    item = iterator.value()
    assert item is not None

    assert item.text(2) == "platform"
    one_line = tree.fontMetrics().height()
    assert tree.visualItemRect(item).height() >= 2 * one_line
    assert tree.visualItemRect(item).width() > 0


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_selected_sidebar_icon_uses_highlighted_text(qapp, theme):
    apply_theme(qapp, theme)
    palette = qapp.palette()
    highlighted_text = palette.color(QPalette.ColorRole.HighlightedText)
    tinted = icon_with_selected_color(icon("page-chat"), highlighted_text)

    image = tinted.pixmap(24, 24, tinted.Mode.Selected).toImage()
    painted = [image.pixelColor(x, y) for y in range(image.height()) for x in range(image.width())
               if image.pixelColor(x, y).alpha() == 255]
    assert painted, "the selected icon has no opaque pixels"
    assert all(color.rgb() == highlighted_text.rgb() for color in painted)
    normal = tinted.pixmap(24, 24, tinted.Mode.Normal).toImage()
    normal_colors = {normal.pixelColor(x, y).rgb() for y in range(normal.height()) for x in range(normal.width())
                     if normal.pixelColor(x, y).alpha() == 255}
    assert highlighted_text.rgb() not in normal_colors


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_check_box_frame_contrasts_with_window(theme):
    qss = style_sheet(theme)
    match = re.search(r"QCheckBox::indicator \{[^}]*border: 1px solid (#[0-9a-fA-F]{6})", qss)
    assert match, "the theme has no check box frame colour"
    border = QColor(match.group(1))
    window = build_palette(theme).color(QPalette.ColorRole.Window)
    assert abs(border.lightness() - window.lightness()) >= 80
    assert "check.svg" in qss
