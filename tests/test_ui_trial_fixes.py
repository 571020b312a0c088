"""Window fixes from a new-user trial: download rows in a narrow pane, Retry and Clear finished, column
headers at 1280x800, a fresh result per Hugging Face check, and the filter rule editor."""

from __future__ import annotations

import gguf_factory
import http_fault_server as hfs
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from llmdesk.app import install_translators
from llmdesk.core import paths
from llmdesk.core.download import DownloadManager, DownloadProgress, DownloadState, TransferOptions
from llmdesk.core.download.record import part_path
from llmdesk.core.settings import Settings
from llmdesk.ui.detail_pane import QCOL_DOWNLOAD, QCOL_MEMORY, QCOL_NAME, QCOL_VERDICT
from llmdesk.ui.downloads_panel import DownloadsPanel, transfer_size, transfer_speed
from llmdesk.ui.library_panel import LCOL_NAME, LCOL_VERDICT
from llmdesk.ui.main_window import PAGE_MODELS, MainWindow
from ui_support import gaming_pc, services_for
from ui_support import QT_LOG_MARKS, no_threads_left  # noqa: F401 - fixtures and marks used by pytest

pytestmark = QT_LOG_MARKS

MIB = 1 << 20
PANE_WIDTH = 366  # the Downloads tab's width in the 1280x800 window
FAST = TransferOptions(stall_timeout=1.0, max_attempts=3, backoff_base=0.01, backoff_max=0.05,
                       progress_interval=0.02, chunk_size=64 << 10)
LONG_PATH = "/bartowski/Llama-3.2-1B-Instruct-GGUF/resolve/main/Llama-3.2-1B-Instruct-Q4_K_M.gguf"
HTML_PAGE = b"<!DOCTYPE html><html>Sign in to continue</html>" * 40


@pytest.fixture(autouse=True)
def english(qapp):
    install_translators(qapp, "en")


@pytest.fixture
def tiny_model(tmp_path):
    path = tmp_path / "served" / "tiny-Q8_0.gguf"
    path.parent.mkdir(parents=True)
    return gguf_factory.write_tiny_llama(path)


@pytest.fixture
def manager():
    running = DownloadManager(Settings(), options=FAST)
    yield running
    running.shutdown()


@pytest.fixture
def panel(qtbot, manager):
    widget = DownloadsPanel(manager)
    qtbot.addWidget(widget)
    widget.resize(PANE_WIDTH, 640)
    widget.show()
    yield widget
    widget.shutdown()


def progress(task_id: str, state: DownloadState, tmp_path, **fields) -> DownloadProgress:
    values = {"done_bytes": 3 * MIB, "total_bytes": 48 * MIB, "speed_bps": 0.0, "eta_s": None, "error": None,
              "final_path": tmp_path / f"{task_id}-Llama-3.2-1B-Instruct-Q4_K_M.gguf"}
    values.update(fields)
    return DownloadProgress(task_id, state, **values)


def serve_html(server, path: str) -> str:
    """Serve a login page where a GGUF file is expected, so the download fails and its .part is deleted."""
    url = server.add_file(path, HTML_PAGE)
    server.add_fault(path, hfs.body(HTML_PAGE, "text/html"))
    return url


def run_to_failure(qtbot, manager, panel, url: str):
    task = manager.enqueue(url=url)
    panel.add_tasks([task])
    qtbot.waitUntil(lambda: task.state == DownloadState.FAILED, timeout=20_000)
    qtbot.waitUntil(lambda: panel.row(task.id).state == DownloadState.FAILED, timeout=5_000)
    return task, panel.row(task.id)


# -- downloads: formatting ------------------------------------------------------------------------

def test_transfer_size_one_decimal_below_10_mib():
    assert transfer_size(int(6.3 * MIB)) == "6.3 MiB"
    assert transfer_size(48 * MIB) == "48 MiB"
    assert transfer_size(98 * 1024) == "98 KiB"


def test_transfer_speed_uses_binary_units():
    assert transfer_speed(1.5 * MIB) == "1.5 MiB/s"
    assert transfer_speed(25 * MIB) == "25 MiB/s"
    assert transfer_speed(300 * 1024) == "300 KiB/s"


def test_row_detail_uses_same_units(qtbot, panel, tmp_path):
    panel.on_progress(progress("a", DownloadState.DOWNLOADING, tmp_path, done_bytes=int(6.3 * MIB),
                               speed_bps=1.5 * MIB, eta_s=28.0))
    assert panel.row("a").plain_detail() == "Downloading · 6.3 MiB of 48 MiB · 1.5 MiB/s · 28 s left"


# -- downloads: layout ----------------------------------------------------------------------------

def test_rows_fit_narrow_pane(qtbot, panel, tmp_path):
    panel.on_progress(progress("a", DownloadState.DOWNLOADING, tmp_path, speed_bps=2e6, eta_s=30.0))
    panel.on_progress(progress("b", DownloadState.PAUSED, tmp_path))
    QApplication.processEvents()
    for task_id in ("a", "b"):
        row = panel.row(task_id)
        for button in (row._pause, row._resume, row._retry, row._cancel):
            if not button.isVisibleTo(panel):
                continue
            assert button.width() >= button.sizeHint().width(), f"{task_id}: {button.text()!r} is cut"
            right_edge = button.mapTo(panel, button.rect().topRight()).x()
            assert right_edge < panel.width(), f"{task_id}: {button.text()!r} ends at {right_edge}"


def test_long_error_wraps_inside_row(qtbot, manager, panel):
    with hfs.FaultServer() as server:
        url = serve_html(server, LONG_PATH)
        _task, row = run_to_failure(qtbot, manager, panel, url)
    QApplication.processEvents()
    error = row._error
    assert error.isVisibleTo(panel)
    assert url in row.plain_error()
    assert error.mapTo(panel, error.rect().topRight()).x() < panel.width()
    assert error.height() >= error.heightForWidth(error.width()), "the error text is cut"
    assert error.mapTo(row, error.rect().topLeft()).y() >= 0, "the error starts above the row"


# -- downloads: failed rows, Retry, Clear finished -------------------------------------------------

def test_failed_without_part_offers_retry(qtbot, manager, panel):
    with hfs.FaultServer() as server:
        url = serve_html(server, "/org/repo/resolve/main/page.gguf")
        task, row = run_to_failure(qtbot, manager, panel, url)
    assert not part_path(task.final_path).exists()
    assert row._retry.isVisibleTo(panel)
    assert not row._resume.isVisibleTo(panel)
    assert not row._cancel.isVisibleTo(panel)
    assert not row._bar.isVisibleTo(panel)


def test_failed_with_part_offers_resume(qtbot, manager, panel, tiny_model):
    size = tiny_model.stat().st_size
    with hfs.FaultServer() as server:
        url = server.add_file("/org/repo/resolve/main/tiny-Q8_0.gguf", tiny_model)
        server.add_fault("/org/repo/resolve/main/tiny-Q8_0.gguf", hfs.drop(size // 2, times=None))
        task, row = run_to_failure(qtbot, manager, panel, url)
    assert part_path(task.final_path).stat().st_size == size // 2
    assert row._resume.isVisibleTo(panel)
    assert row._cancel.isVisibleTo(panel)
    assert not row._retry.isVisibleTo(panel)
    assert not row._bar.isVisibleTo(panel)


def test_retry_starts_over_and_finishes(qtbot, manager, panel, tiny_model):
    with hfs.FaultServer() as server:
        url = server.add_file("/org/repo/resolve/main/tiny-Q8_0.gguf", tiny_model)
        server.add_fault("/org/repo/resolve/main/tiny-Q8_0.gguf", hfs.status(404, times=1))
        task, row = run_to_failure(qtbot, manager, panel, url)
        assert row._retry.isVisibleTo(panel)
        with qtbot.waitSignal(panel.download_finished, timeout=20_000) as finished:
            row._retry.click()
    assert finished.args[0].read_bytes() == tiny_model.read_bytes()
    assert "Done" in row.plain_detail()
    assert not row._retry.isVisibleTo(panel)


def test_cancelled_row_hides_bar_and_amount(qtbot, panel, tmp_path):
    panel.on_progress(progress("a", DownloadState.CANCELLED, tmp_path))
    row = panel.row("a")
    assert row.plain_detail() == "Cancelled"
    assert not row._bar.isVisibleTo(panel)


def test_clear_finished_keeps_active_rows_and_files(qtbot, manager, panel, tiny_model):
    with hfs.FaultServer() as server:
        done_url = server.add_file("/org/repo/resolve/main/tiny-Q8_0.gguf", tiny_model)
        with qtbot.waitSignal(panel.download_finished, timeout=20_000) as finished:
            done = manager.enqueue(url=done_url)
            panel.add_tasks([done])
        failed, _ = run_to_failure(qtbot, manager, panel, server.url("/org/repo/resolve/main/missing.gguf"))
        slow_url = server.add_file("/org/repo/resolve/main/slow-Q8_0.gguf", tiny_model)
        server.add_fault("/org/repo/resolve/main/slow-Q8_0.gguf", hfs.stall(64, 30.0))
        paused = manager.enqueue(url=slow_url)
        panel.add_tasks([paused])
        manager.pause(paused.id)
        qtbot.waitUntil(lambda: panel.row(paused.id).state == DownloadState.PAUSED, timeout=10_000)
        assert panel._clear.isEnabled()

        panel.clear_finished()

    assert panel.row(done.id) is None
    assert panel.row(failed.id) is None
    assert panel.row(paused.id) is not None
    assert [task.id for task in manager.tasks()] == [paused.id]
    assert finished.args[0].read_bytes() == tiny_model.read_bytes()
    assert not panel._clear.isEnabled()


# -- Models page tables at the default window size ----------------------------------------------------

@pytest.fixture
def window(qtbot):
    gguf_factory.write_tiny_llama(paths.models_dir() / "Llama-3.2-1B-Instruct-Q4_K_M-imported-copy.gguf")
    window = MainWindow(Settings(), services_for(gaming_pc()))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    with qtbot.waitSignal(window.llama_probed, timeout=20_000):
        window.show()
    with qtbot.waitSignal(window.models_page.fits_updated, timeout=20_000):
        window.show_page(PAGE_MODELS)
    yield window
    window.shutdown()


def assert_columns_in_view(table, columns) -> None:
    visible = table.viewport().rect()
    header = table.horizontalHeader()
    for column in columns:
        cell = table.visualRect(table.model().index(0, column))
        assert visible.contains(cell), f"column {column}: cell {cell} outside the visible {visible}"
        title = table.model().headerData(column, Qt.Orientation.Horizontal)
        needed = header.fontMetrics().horizontalAdvance(title or "")
        assert header.sectionSize(column) >= needed, f"column {column}: header {title!r} is cut"


@pytest.mark.parametrize("build_id", ["llama-3.2-1b-instruct", "llama-3.3-70b-instruct"])
def test_quant_table_key_columns_in_view(qtbot, window, build_id):
    window.models_page.catalog_view.select_build(build_id)
    QApplication.processEvents()
    table = window.models_page.detail._quants
    assert table.rowCount() > 0
    assert_columns_in_view(table, (QCOL_NAME, QCOL_DOWNLOAD, QCOL_VERDICT, QCOL_MEMORY))


def test_library_verdict_in_view(qtbot, window):
    page = window.models_page
    qtbot.waitUntil(lambda: page.library is not None and page.library.table.rowCount() == 1, timeout=20_000)
    page.tabs.setCurrentWidget(page._library_tab)
    QApplication.processEvents()
    assert_columns_in_view(page.library.table, (LCOL_NAME, LCOL_VERDICT))


def test_second_request_for_running_download_is_told(qtbot, tiny_model):
    """Asking again for a file that is already downloading names it instead of doing nothing."""
    from llmdesk.ui.models_page import ModelsPage

    with hfs.FaultServer() as server:
        path = "/org/repo/resolve/main/tiny.gguf"
        url = server.add_file(path, tiny_model.read_bytes())
        server.add_fault(path, hfs.stall(1000, seconds=30))
        page = ModelsPage(Settings())
        qtbot.addWidget(page)
        page.start_background_work()
        page.download_file(url, "")
        page.download_file(url, "")
        text = page.downloads._error.text()
        page._download_manager.shutdown(pause=True)
        page.shutdown()
    assert "Already in the download list: tiny.gguf" in text
