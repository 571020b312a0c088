"""Screenshots of the main pages in English and Chinese, light and dark.

Each test renders the window offscreen with a fixed machine (an 8 GiB GPU, 32 GiB RAM) and checks the
image is not blank. Set LLMDESK_SCREENSHOTS_DIR=docs/screenshots to refresh the README images.
"""

from __future__ import annotations

import os
import logging
import re
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from llmdesk.app import install_translators
from llmdesk.core.settings import Settings
from llmdesk.ui.main_window import PAGE_MACHINE, PAGE_MODELS, PAGE_SETTINGS, MainWindow
from llmdesk.ui.theme import apply_theme
from ui_support import OFFSCREEN_NOISE, gaming_pc, services_for
from ui_support import no_logged_errors, QT_LOG_MARKS  # noqa: F401 - fixtures and marks used by pytest


pytestmark = QT_LOG_MARKS


@pytest.fixture
def restore_look(qapp):
    yield
    install_translators(qapp, "en")
    apply_theme(qapp, "light")


def distinct_colors(image: QImage, step: int = 23) -> int:
    colors = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            colors.add(image.pixel(x, y))
    return len(colors)


@pytest.mark.parametrize("language,theme", [("en", "light"), ("zh_CN", "light"), ("en", "dark")])
def test_screenshots(qtbot, qapp, tmp_path, restore_look, language, theme):
    install_translators(qapp, language)
    apply_theme(qapp, theme)
    window = MainWindow(Settings(), services_for(gaming_pc()))
    qtbot.addWidget(window)
    window.resize(1440, 860)
    with qtbot.waitSignal(window.llama_probed, timeout=20_000):
        window.show()
    with qtbot.waitSignal(window.models_page.fits_updated, timeout=20_000):
        window.show_page(PAGE_MODELS)
    window.models_page.catalog_view.select_build("llama-3.1-8b-instruct")
    QApplication.processEvents()

    out_dirs = [tmp_path]
    if os.environ.get("LLMDESK_SCREENSHOTS_DIR"):
        out_dirs.append(Path(os.environ["LLMDESK_SCREENSHOTS_DIR"]))
    suffix = f"{language}" + ("" if theme == "light" else f"-{theme}")
    for key in (PAGE_MODELS, PAGE_MACHINE, PAGE_SETTINGS):
        window.show_page(key)
        QApplication.processEvents()
        pixmap = window.grab()
        for folder in out_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            assert pixmap.save(str(folder / f"{key}-{suffix}.png"))
        image = QImage(str(tmp_path / f"{key}-{suffix}.png"))
        assert image.width() == 1440
        assert distinct_colors(image) > 8, f"the {key} page rendered blank"
