"""Models page: the catalog table sorts, filters and recomputes verdicts when the context changes."""

from __future__ import annotations

import logging
import re

import pytest
from PySide6.QtCore import QThreadPool, Qt

from llmdesk.core.catalog import load_catalog
from llmdesk.app import install_translators
from llmdesk.core.settings import Settings
from llmdesk.ui.catalog_view import (BUILD_ID_ROLE, COL_FAMILY, COL_MEMORY, COL_PARAMS, COL_VERDICT, SORT_ROLE,
                                     VERDICT_ROLE)
from llmdesk.ui.fit_compute import FitParams, compute_fits
from llmdesk.ui.main_window import MainWindow
from llmdesk.ui.widgets import VERDICT_KEYS, verdict_color
from ui_support import OFFSCREEN_NOISE, gaming_pc, laptop_without_gpu, services_for
from ui_support import no_threads_left, no_logged_errors, QT_LOG_MARKS  # noqa: F401 - fixtures and marks used by pytest


pytestmark = QT_LOG_MARKS


@pytest.fixture(autouse=True)
def english(qapp):
    install_translators(qapp, "en")


def open_models_page(qtbot, profile):
    window = MainWindow(Settings(), services_for(profile))
    qtbot.addWidget(window)
    page = window.models_page
    with qtbot.waitSignal(page.fits_updated, timeout=20_000):
        window.show()
    window.show_page("models")
    return window, page


def column_values(page, column, role=Qt.ItemDataRole.DisplayRole):
    proxy = page.catalog_view.proxy
    return [proxy.index(row, column).data(role) for row in range(proxy.rowCount())]


def test_table_lists_whole_catalog(qtbot):
    _window, page = open_models_page(qtbot, gaming_pc())
    catalog = load_catalog()
    assert sorted(page.catalog_view.visible_build_ids()) == sorted(build.id for build in catalog.builds)
    assert all(value for value in column_values(page, COL_VERDICT))
    assert "not estimated yet" not in column_values(page, COL_VERDICT)


def test_sort_by_parameters(qtbot):
    _window, page = open_models_page(qtbot, gaming_pc())
    table = page.catalog_view.table
    table.sortByColumn(COL_PARAMS, Qt.SortOrder.DescendingOrder)
    keys = column_values(page, COL_PARAMS, SORT_ROLE)
    assert keys == sorted(keys, reverse=True)
    table.sortByColumn(COL_PARAMS, Qt.SortOrder.AscendingOrder)
    keys = column_values(page, COL_PARAMS, SORT_ROLE)
    assert keys == sorted(keys)


def test_sort_by_verdict_puts_best_first(qtbot):
    _window, page = open_models_page(qtbot, gaming_pc())
    page.catalog_view.table.sortByColumn(COL_VERDICT, Qt.SortOrder.AscendingOrder)
    verdicts = column_values(page, COL_VERDICT, VERDICT_ROLE)
    order = ["full_gpu", "partial_gpu", "cpu_only", "tight", "no_fit"]
    ranks = [order.index(verdict) for verdict in verdicts]
    assert ranks == sorted(ranks)


def test_filter_by_family_and_text(qtbot):
    _window, page = open_models_page(qtbot, gaming_pc())
    view = page.catalog_view
    view.family.setCurrentIndex(view.family.findData("Mistral"))
    families = column_values(page, COL_FAMILY)
    assert families
    assert set(families) == {"Mistral"}

    view.family.setCurrentIndex(0)
    view.search.setText("distill qwen")
    names = [load_catalog().get(build_id).name for build_id in view.visible_build_ids()]
    assert names
    assert all("Distill Qwen" in name for name in names)
    assert view.count.text() == f"{len(names)} of {len(load_catalog().builds)} models shown"


def test_fits_only_hides_models_that_do_not_run(qtbot):
    _window, page = open_models_page(qtbot, laptop_without_gpu())
    view = page.catalog_view
    total = view.proxy.rowCount()
    view.fits_only.setChecked(True)
    shown = view.visible_build_ids()
    assert 0 < len(shown) < total
    assert all(page.fits[build_id].fits for build_id in shown)


def test_context_change_recomputes_verdicts(qtbot):
    _window, page = open_models_page(qtbot, gaming_pc())
    view = page.catalog_view
    before = {build_id: fit.best.memory.kv_cache for build_id, fit in page.fits.items()}
    verdicts_before = {build_id: fit.placement_value for build_id, fit in page.fits.items()}

    with qtbot.waitSignal(page.fits_updated, timeout=20_000):
        view.context.setCurrentIndex(view.context.findData(131072))

    after = {build_id: fit.best for build_id, fit in page.fits.items()}
    assert all(result.n_ctx == 131072 for result in after.values())
    assert any(after[build_id].memory.kv_cache > before[build_id] for build_id in before)
    verdicts_after = {build_id: fit.placement_value for build_id, fit in page.fits.items()}
    assert verdicts_after != verdicts_before
    shown = dict(zip(view.visible_build_ids(), column_values(page, COL_VERDICT, VERDICT_ROLE)))
    assert shown == verdicts_after


def test_kv_cache_type_changes_memory(qtbot):
    _window, page = open_models_page(qtbot, gaming_pc())
    view = page.catalog_view
    build_id = "llama-3.1-8b-instruct"
    f16 = page.fits[build_id].quant_fits["Q4_K_M"].memory.kv_cache
    with qtbot.waitSignal(page.fits_updated, timeout=20_000):
        view.kv_type.setCurrentIndex(view.kv_type.findData("q4_0"))
    q4 = page.fits[build_id].quant_fits["Q4_K_M"].memory.kv_cache
    assert q4 < f16


def test_detail_pane_shows_working(qtbot):
    _window, page = open_models_page(qtbot, gaming_pc())
    page.catalog_view.select_build("llama-3.1-8b-instruct")
    detail = page.detail
    assert detail._title.text() == "Llama 3.1 8B Instruct"
    assert detail._quants.rowCount() == len(load_catalog().get("llama-3.1-8b-instruct").quants)
    working = detail._working.toPlainText()
    assert "KV cache" in working
    assert "Weights" in working
    assert detail.selected_quant() == page.fits["llama-3.1-8b-instruct"].recommended


def test_memory_tooltip_lists_breakdown(qtbot):
    _window, page = open_models_page(qtbot, gaming_pc())
    tooltip = column_values(page, COL_MEMORY, Qt.ItemDataRole.ToolTipRole)[0]
    assert "Weights:" in tooltip
    assert "KV cache:" in tooltip
    assert "Total:" in tooltip


def test_verdict_column_has_icon_and_text(qtbot):
    _window, page = open_models_page(qtbot, gaming_pc())
    proxy = page.catalog_view.proxy
    index = proxy.index(0, COL_VERDICT)
    assert index.data(Qt.ItemDataRole.DisplayRole)
    assert not index.data(Qt.ItemDataRole.DecorationRole).isNull()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_verdict_colours_contrast_with_base(qtbot, theme):
    from llmdesk.ui.theme import build_palette

    palette = build_palette(theme)
    base = palette.color(palette.ColorRole.Base)

    def luminance(color):
        def channel(value):
            value /= 255
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(color.red()) + 0.7152 * channel(color.green()) + 0.0722 * channel(color.blue())

    for key in VERDICT_KEYS:
        color = verdict_color(key, palette)
        lighter, darker = sorted((luminance(color), luminance(base)), reverse=True)
        ratio = (lighter + 0.05) / (darker + 0.05)
        assert ratio >= 4.5, f"{key} in the {theme} theme has contrast {ratio:.1f}"


def test_compute_fits_matches_table_rows():
    catalog = load_catalog()
    fits = compute_fits(catalog.builds, gaming_pc(), FitParams(n_ctx=4096, kv_type="f16", preference="balanced"))
    assert set(fits) == {build.id for build in catalog.builds}
    for fit in fits.values():
        assert fit.recommended in fit.quant_fits
