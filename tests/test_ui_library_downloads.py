"""Library tab, downloads tab and the Hugging Face check, against files served from 127.0.0.1."""

from __future__ import annotations

import logging
import re

import gguf_factory
import http_fault_server as hfs
import pytest
from PySide6.QtCore import QThreadPool

from llmdesk.app import install_translators
from llmdesk.core import paths
from llmdesk.core.download import DownloadManager, DownloadState, TransferOptions
from llmdesk.core.settings import Settings
from llmdesk.ui.downloads_panel import DownloadsPanel
from llmdesk.ui.fit_compute import FitParams
from llmdesk.ui.hf_check import HfCheckDialog
from llmdesk.ui.library_panel import IMPORT_COPY, IMPORT_REFERENCE, LCOL_VERDICT, LCOL_WHERE, LibraryPanel
from ui_support import OFFSCREEN_NOISE, gaming_pc
from ui_support import no_threads_left, QT_LOG_MARKS  # noqa: F401 - fixtures and marks used by pytest

pytestmark = QT_LOG_MARKS

PARAMS = FitParams(n_ctx=2048, kv_type="f16", preference="balanced")


@pytest.fixture(autouse=True)
def english(qapp):
    install_translators(qapp, "en")


def write_model(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    return gguf_factory.write_tiny_llama(path)


@pytest.fixture
def tiny_model(tmp_path):
    return write_model(tmp_path / "outside" / "tiny-Q8_0.gguf")


@pytest.fixture
def panel(qtbot):
    widget = LibraryPanel(Settings())
    qtbot.addWidget(widget)
    widget.set_profile(gaming_pc())
    qtbot.waitUntil(lambda: not widget._scanner.is_running(), timeout=10_000)
    yield widget
    widget.shutdown()


def names(panel) -> list[str]:
    return [panel.table.item(row, 0).text() for row in range(panel.table.rowCount())]


def rescan(qtbot, panel) -> None:
    with qtbot.waitSignal(panel.models_changed, timeout=10_000):
        panel.rescan()


def test_library_lists_downloaded_model(qtbot, panel):
    write_model(paths.models_dir() / "org" / "repo" / "tiny.gguf")
    rescan(qtbot, panel)
    assert names(panel) == ["tiny.gguf"]
    verdict = panel.table.item(0, LCOL_VERDICT).text()
    assert verdict == "Runs on the GPU"
    assert "1 model on disk" == panel._status.text()


def test_import_by_reference_keeps_file_in_place(qtbot, panel, tiny_model):
    with qtbot.waitSignal(panel.models_changed, timeout=10_000):
        panel.import_files([tiny_model], IMPORT_REFERENCE)
    assert names(panel) == ["tiny-Q8_0.gguf"]
    assert panel.table.item(0, LCOL_WHERE).text() == "referenced in place"
    assert not (paths.models_dir() / "imported" / tiny_model.name).exists()


def test_import_by_copy(qtbot, panel, tiny_model):
    with qtbot.waitSignal(panel.models_changed, timeout=20_000):
        panel.import_files([tiny_model], IMPORT_COPY)
    qtbot.waitUntil(lambda: names(panel) == ["tiny-Q8_0.gguf"], timeout=10_000)
    copied = paths.models_dir() / "imported" / tiny_model.name
    assert copied.read_bytes() == tiny_model.read_bytes()
    assert tiny_model.exists()


def test_import_of_broken_file_is_explained(qtbot, panel, tmp_path):
    broken = gguf_factory.write_bad_file(tmp_path / "page.gguf", "html")
    assert broken.exists()
    with qtbot.waitSignal(panel.models_changed, timeout=10_000):
        panel.import_files([broken], IMPORT_REFERENCE)
    assert "HTML page" in panel._error.text()
    assert names(panel) == []


def test_delete_model_from_models_folder(qtbot, panel):
    target = write_model(paths.models_dir() / "org" / "repo" / "tiny.gguf")
    rescan(qtbot, panel)
    panel.table.selectRow(0)
    with qtbot.waitSignal(panel.models_changed, timeout=10_000):
        panel.delete_model(panel.selected_model())
    assert not target.exists()
    assert names(panel) == []


def test_forget_referenced_model_keeps_file(qtbot, panel, tiny_model):
    with qtbot.waitSignal(panel.models_changed, timeout=10_000):
        panel.import_files([tiny_model], IMPORT_REFERENCE)
    panel.table.selectRow(0)
    with qtbot.waitSignal(panel.models_changed, timeout=10_000):
        panel.delete_model(panel.selected_model())
    assert tiny_model.exists()
    assert names(panel) == []


def test_add_folder_is_saved_and_scanned(qtbot, panel, tiny_model):
    with qtbot.waitSignal(panel.models_changed, timeout=10_000):
        panel.add_folder(tiny_model.parent)
    assert Settings().get("model_folders") == [str(tiny_model.parent)]
    assert names(panel) == ["tiny-Q8_0.gguf"]


def test_hf_check_reads_header_from_local_server(qtbot, tiny_model):
    settings = Settings()
    dialog = HfCheckDialog(settings, gaming_pc(), PARAMS)
    qtbot.addWidget(dialog)
    with hfs.FaultServer() as server:
        settings.set("download_endpoint", "custom")
        settings.set("custom_endpoint", server.base_url)
        server.add_file("/org/repo/resolve/main/tiny-Q8_0.gguf", tiny_model)
        dialog.repo.setText("org/repo")
        dialog.filename.setText("tiny-Q8_0.gguf")
        with qtbot.waitSignal(dialog._runner.succeeded, timeout=10_000):
            dialog.start_check()
        assert all(r.headers.get("Range", "").startswith("bytes=") for r in server.requests)
    report = dialog.report.toPlainText()
    assert "llama" in report
    assert "Runs on the GPU" in report
    assert "KV cache" in report
    assert dialog._download.isEnabled()


def test_hf_check_reports_missing_file(qtbot, caplog):
    settings = Settings()
    dialog = HfCheckDialog(settings, gaming_pc(), PARAMS)
    qtbot.addWidget(dialog)
    with hfs.FaultServer() as server:
        dialog.repo.setText(server.url("/missing.gguf"))
        with qtbot.waitSignal(dialog._runner.failed, timeout=10_000):
            with caplog.at_level(logging.WARNING):
                dialog.start_check()
    assert "404" in dialog._error.text()
    (record,) = [r for r in caplog.records if "Hugging Face header check failed" in r.getMessage()]
    assert record.levelname == "WARNING"
    assert record.exc_info is None


def test_hf_check_clears_previous_report(qtbot, tiny_model, caplog):
    settings = Settings()
    dialog = HfCheckDialog(settings, gaming_pc(), PARAMS)
    qtbot.addWidget(dialog)
    with hfs.FaultServer() as server:
        settings.set("download_endpoint", "custom")
        settings.set("custom_endpoint", server.base_url)
        server.add_file("/org/repo/resolve/main/tiny-Q8_0.gguf", tiny_model)
        dialog.repo.setText("org/repo")
        dialog.filename.setText("tiny-Q8_0.gguf")
        with qtbot.waitSignal(dialog._runner.succeeded, timeout=10_000):
            dialog.start_check()
        assert "llama" in dialog.report.toPlainText()

        dialog.filename.setText("nope.gguf")
        with qtbot.waitSignal(dialog._runner.failed, timeout=10_000):
            with caplog.at_level(logging.WARNING):
                dialog.start_check()
    assert "404" in dialog._error.text()
    assert dialog.report.toPlainText() == ""
    assert dialog.result is None
    assert not dialog._download.isEnabled()


def test_hf_check_needs_file_name(qtbot):
    dialog = HfCheckDialog(Settings(), gaming_pc(), PARAMS)
    qtbot.addWidget(dialog)
    dialog.repo.setText("org/repo")
    dialog.start_check()
    assert "file name" in dialog._error.text()


def test_downloads_panel_shows_progress_and_done(qtbot, tiny_model):
    settings = Settings()
    with hfs.FaultServer() as server:
        url = server.add_file("/org/repo/resolve/main/tiny-Q8_0.gguf", tiny_model)
        manager = DownloadManager(settings)
        panel = DownloadsPanel(manager)
        qtbot.addWidget(panel)
        with qtbot.waitSignal(panel.download_finished, timeout=20_000) as finished:
            task = manager.enqueue(url=url)
            panel.add_tasks([task])
        manager.shutdown()
    assert finished.args[0].read_bytes() == tiny_model.read_bytes()
    row = panel.row(task.id)
    assert "Done" in row._detail.text()
    assert not row._pause.isVisibleTo(panel)
    panel.shutdown()


def test_downloads_panel_shows_error_in_words(qtbot):
    settings = Settings()
    with hfs.FaultServer() as server:
        manager = DownloadManager(settings)
        panel = DownloadsPanel(manager)
        qtbot.addWidget(panel)
        task = manager.enqueue(url=server.url("/org/repo/resolve/main/missing.gguf"))
        panel.add_tasks([task])
        qtbot.waitUntil(lambda: task.state == DownloadState.FAILED, timeout=20_000)
        manager.shutdown()
    qtbot.waitUntil(lambda: panel.row(task.id)._error.isVisibleTo(panel), timeout=5_000)
    assert "Not found (HTTP 404)" in panel.row(task.id)._error.text()
    panel.shutdown()


def test_downloads_panel_shows_retry_while_waiting(qtbot, tiny_model):
    """A server error that is being retried shows in the row before the retries run out."""
    with hfs.FaultServer() as server:
        url = server.add_file("/org/repo/resolve/main/tiny.gguf", tiny_model.read_bytes())
        server.add_fault("/org/repo/resolve/main/tiny.gguf", hfs.status(503, times=None))
        manager = DownloadManager(Settings(), options=TransferOptions(backoff_base=30.0, backoff_max=30.0))
        panel = DownloadsPanel(manager)
        qtbot.addWidget(panel)
        task = manager.enqueue(url=url)
        panel.add_tasks([task])
        qtbot.waitUntil(lambda: task.snapshot().retry is not None, timeout=20_000)
        qtbot.waitUntil(lambda: panel.row(task.id)._error.isVisibleTo(panel), timeout=5_000)
        row_error = panel.row(task.id).plain_error()
        manager.shutdown(pause=True)
    assert "the server answered HTTP 503" in row_error
    assert "Retry 1 of 5" in row_error
    assert task.state == DownloadState.PAUSED
    panel.shutdown()
