"""The "Check a Hugging Face file" dialog: read a remote GGUF header over HTTP Range and show the fit.

Only the header is fetched (usually a few MiB), on a pool thread, from the download source chosen in
Settings. The dialog shows the same verdict and working as the catalog.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QPushButton, QTextBrowser,
                               QVBoxLayout, QWidget)

from llmdesk.core.hardware.profile import MachineProfile
from llmdesk.core.settings import Settings
from llmdesk.ui.catalog_view import memory_breakdown_text, verdict_text
from llmdesk.ui.fit_compute import FitParams
from llmdesk.ui.i18n import translate_message
from llmdesk.ui.qt_workers import TaskRunner, user_action_errors
from llmdesk.ui.widgets import error_label, format_bytes, format_params, hint, show_error, verdict_color, verdict_key

log = logging.getLogger(__name__)


def check_remote_file(settings: Settings, profile: MachineProfile, params: FitParams, repo_or_url: str,
                      filename: str) -> tuple[Any, Any, int]:
    """Fetch the header and estimate it (pool thread); return (header, FitResult, bytes fetched)."""
    from llmdesk.core import library
    from llmdesk.core.fit import estimate_gguf

    source = repo_or_url.strip()
    if source.startswith(("http://", "https://")):
        header, fetched = library.remote_header(url=source, settings=settings)
    else:
        header, fetched = library.remote_header(repo=source, filename=filename.strip(), settings=settings)
    estimate = estimate_gguf(header, profile, params.n_ctx, params.kv_type, params.flash_attn)
    return header, estimate, fetched


class HfCheckDialog(QDialog):
    """Asks for a repository and file (or a file URL) and shows how the file would fit.

    ``download_requested(repo_or_url, filename)`` fires from the Download button after a good check.
    """

    download_requested = Signal(str, str)

    def __init__(self, settings: Settings, profile: MachineProfile | None, params: FitParams,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.profile = profile
        self.params = params
        self.result: tuple[Any, Any, int] | None = None
        self.setWindowTitle(self.tr("Check a Hugging Face file"))
        self.resize(720, 560)

        self.repo = QLineEdit()
        self.repo.setPlaceholderText(self.tr("owner/repository, or the file's full URL"))
        self.filename = QLineEdit()
        self.filename.setPlaceholderText(self.tr("file name, e.g. model-Q4_K_M.gguf"))
        self._check = QPushButton(self.tr("Check"))
        self._check.setDefault(True)
        self._check.clicked.connect(self.start_check)
        self._download = QPushButton(self.tr("Download this file"))
        self._download.setEnabled(False)
        self._download.clicked.connect(self._request_download)
        self._status = hint(self.tr("Only the file header is read, usually a few MiB. The download source from "
                                    "Settings is used."))
        self._error = error_label()
        self.report = QTextBrowser()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self._check, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self._download, QDialogButtonBox.ButtonRole.ActionRole)

        form = QFormLayout()
        form.addRow(self.tr("Repository or URL"), self.repo)
        form.addRow(self.tr("File"), self.filename)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self._status)
        layout.addWidget(self._error)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)

        self._runner = TaskRunner("Hugging Face header check", self, expected_errors=user_action_errors())
        self._runner.succeeded.connect(self._on_checked)
        self._runner.failed.connect(self._on_failed)
        self.finished.connect(lambda _code: self._runner.cancel())

    @Slot()
    def start_check(self) -> None:
        source, filename = self.repo.text().strip(), self.filename.text().strip()
        # The previous file's report and Download button must not stay next to this check's outcome.
        show_error(self._error, "")
        self.report.clear()
        self.result = None
        self._download.setEnabled(False)
        if self.profile is None:
            show_error(self._error, self.tr("The hardware is still being detected; try again in a moment."))
            return
        if not source or (not source.startswith(("http://", "https://")) and not filename):
            show_error(self._error, self.tr("Enter a repository and a file name, or paste the file's URL."))
            return
        settings, profile, params = self.settings, self.profile, self.params
        self._status.setText(self.tr("Reading the header…"))
        self._check.setEnabled(False)
        self._runner.start(lambda state: check_remote_file(settings, profile, params, source, filename))

    @Slot(object)
    def _on_checked(self, result: tuple[Any, Any, int]) -> None:
        self.result = result
        header, estimate, fetched = result
        self._check.setEnabled(True)
        self._download.setEnabled(True)
        self._status.setText(self.tr("Read {size} of header.").format(size=format_bytes(fetched)))
        color = verdict_color(verdict_key(estimate.placement), QGuiApplication.palette()).name()
        facts = self.tr("{arch}, {params} parameters, {quant}, {size}").format(
            arch=header.architecture, params=format_params(header.n_params), quant=header.file_type_name(),
            size=format_bytes(header.weights_bytes))
        lines = "".join(f"<li>{html.escape(translate_message(line))}</li>" for line in estimate.explanation)
        memory = "<br>".join(html.escape(line) for line in memory_breakdown_text(estimate).split("\n"))
        self.report.setHtml(f"<p>{html.escape(facts)}</p>"
                            f'<h3 style="color:{color}">{html.escape(verdict_text(estimate.placement.value))}</h3>'
                            f"<ul>{lines}</ul><p>{memory}</p>")

    @Slot(object)
    def _on_failed(self, error: Exception) -> None:
        self._check.setEnabled(True)
        self._status.setText("")
        message = getattr(error, "message", None)
        text = translate_message(message) if message is not None else str(error)
        show_error(self._error, self.tr("The check failed: {error}").format(error=text))

    @Slot()
    def _request_download(self) -> None:
        self.download_requested.emit(self.repo.text().strip(), self.filename.text().strip())
