"""The downloads list: one row per download with progress, speed, time left, controls and errors."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (QGridLayout, QLabel, QProgressBar, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

from llmdesk.core.download import DownloadManager, DownloadProgress, DownloadState
from llmdesk.ui.i18n import translate_message
from llmdesk.ui.widgets import error_label, format_bytes, format_duration, format_speed, hint, show_error

log = logging.getLogger(__name__)


class DownloadEvents(QObject):
    """Turns DownloadManager listener calls (worker threads) into a signal on the GUI thread."""

    progressed = Signal(object)  # DownloadProgress

    def __init__(self, manager: DownloadManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._manager = manager
        manager.add_listener(self._on_progress)

    def _on_progress(self, progress: DownloadProgress) -> None:  # worker thread
        self.progressed.emit(progress)

    def detach(self) -> None:
        try:
            self._manager.remove_listener(self._on_progress)
        except ValueError:
            pass


def state_text(state: DownloadState) -> str:
    texts = {
        DownloadState.QUEUED: QCoreApplication.translate("DownloadsPanel", "Waiting"),
        DownloadState.DOWNLOADING: QCoreApplication.translate("DownloadsPanel", "Downloading"),
        DownloadState.PAUSED: QCoreApplication.translate("DownloadsPanel", "Paused"),
        DownloadState.VERIFYING: QCoreApplication.translate("DownloadsPanel", "Verifying"),
        DownloadState.DONE: QCoreApplication.translate("DownloadsPanel", "Done"),
        DownloadState.FAILED: QCoreApplication.translate("DownloadsPanel", "Failed"),
        DownloadState.CANCELLED: QCoreApplication.translate("DownloadsPanel", "Cancelled"),
    }
    return texts[state]


class DownloadRow(QWidget):
    """One download. Buttons call the manager directly; its listener updates the row."""

    def __init__(self, manager: DownloadManager, progress: DownloadProgress, parent: QWidget | None = None):
        super().__init__(parent)
        self._manager = manager
        self.task_id = progress.task_id
        self._name = QLabel(progress.final_path.name)
        self._name.setToolTip(str(progress.final_path))
        self._bar = QProgressBar()
        self._bar.setRange(0, 1000)
        self._detail = hint("")
        self._error = error_label()
        self._pause = QPushButton(self.tr("Pause"))
        self._resume = QPushButton(self.tr("Resume"))
        self._cancel = QPushButton(self.tr("Cancel"))
        self._pause.clicked.connect(lambda: self._call(self._manager.pause))
        self._resume.clicked.connect(lambda: self._call(self._manager.resume))
        self._cancel.clicked.connect(lambda: self._call(self._manager.cancel))

        grid = QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.addWidget(self._name, 0, 0)
        grid.addWidget(self._pause, 0, 1)
        grid.addWidget(self._resume, 0, 2)
        grid.addWidget(self._cancel, 0, 3)
        grid.addWidget(self._bar, 1, 0, 1, 4)
        grid.addWidget(self._detail, 2, 0, 1, 4)
        grid.addWidget(self._error, 3, 0, 1, 4)
        grid.setColumnStretch(0, 1)
        self.update_progress(progress)

    def _call(self, action) -> None:
        try:
            action(self.task_id)
        except KeyError as exc:
            log.warning("Download %s is gone: %s", self.task_id, exc)

    def update_progress(self, progress: DownloadProgress) -> None:
        state = progress.state
        fraction = progress.fraction
        if fraction is None and state == DownloadState.DOWNLOADING:
            self._bar.setRange(0, 0)  # busy indicator: the size is not known yet
        else:
            self._bar.setRange(0, 1000)
            self._bar.setValue(int(1000 * (fraction or (1.0 if state == DownloadState.DONE else 0.0))))
        if progress.total_bytes:
            amount = self.tr("{done} of {total}").format(done=format_bytes(progress.done_bytes),
                                                        total=format_bytes(progress.total_bytes))
        else:
            amount = format_bytes(progress.done_bytes)
        parts = [state_text(state), amount]
        if state == DownloadState.DOWNLOADING and progress.speed_bps > 0:
            parts.append(format_speed(progress.speed_bps))
            if progress.eta_s is not None:
                parts.append(self.tr("{time} left").format(time=format_duration(progress.eta_s)))
        if progress.notice is not None:
            parts.append(translate_message(progress.notice))
        self._detail.setText(" · ".join(parts))
        show_error(self._error, translate_message(progress.error) if progress.error else "")
        active = state in (DownloadState.QUEUED, DownloadState.DOWNLOADING, DownloadState.VERIFYING)
        self._pause.setVisible(active)
        self._resume.setVisible(state in (DownloadState.PAUSED, DownloadState.FAILED))
        self._cancel.setVisible(state not in (DownloadState.DONE, DownloadState.CANCELLED))


class DownloadsPanel(QWidget):
    """All downloads of one DownloadManager, newest last. ``download_finished(path)`` fires on DONE."""

    download_finished = Signal(object)  # pathlib.Path of the finished file

    def __init__(self, manager: DownloadManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self._rows: dict[str, DownloadRow] = {}
        self._events = DownloadEvents(manager, self)
        self._events.progressed.connect(self.on_progress)

        self._empty = hint(self.tr("No downloads yet. Choose a model and a quantization, then Download."))
        self._list = QVBoxLayout()
        self._list.setAlignment(Qt.AlignmentFlag.AlignTop)
        holder = QWidget()
        holder.setLayout(self._list)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        self._error = error_label()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._empty)
        layout.addWidget(self._error)
        layout.addWidget(scroll, 1)

    def row(self, task_id: str) -> DownloadRow | None:
        return self._rows.get(task_id)

    def show_error(self, text: str) -> None:
        show_error(self._error, text)

    def add_tasks(self, tasks) -> None:
        """Show tasks the manager already has (e.g. restored ones), without waiting for a listener call."""
        for task in tasks:
            self.on_progress(task.snapshot())

    @Slot(object)
    def on_progress(self, progress: DownloadProgress) -> None:
        row = self._rows.get(progress.task_id)
        if row is None:
            row = DownloadRow(self.manager, progress)
            self._rows[progress.task_id] = row
            self._list.addWidget(row)
            self._empty.hide()
        previous_done = row.property("done")
        row.update_progress(progress)
        if progress.state == DownloadState.DONE and not previous_done:
            row.setProperty("done", True)
            self.download_finished.emit(progress.final_path)

    def shutdown(self) -> None:
        self._events.detach()
