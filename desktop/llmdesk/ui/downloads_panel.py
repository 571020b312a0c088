"""The downloads list: one row per download with progress, speed, time left, controls and errors."""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import QCoreApplication, QObject, QSize, Qt, Signal, Slot
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)

from llmdesk.core.download import DownloadManager, DownloadProgress, DownloadState
from llmdesk.core.download.record import part_path
from llmdesk.ui.i18n import translate_message
from llmdesk.ui.widgets import MIB, error_label, format_bytes, format_duration, format_number, hint, show_error

log = logging.getLogger(__name__)

# Words at least this long (URLs, paths, hashes) get line-break points so a wrapped label can fit a narrow pane.
_LONG_WORD_CHARS = 24
FINAL_STATES = (DownloadState.DONE, DownloadState.FAILED, DownloadState.CANCELLED)


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


def transfer_size(size: int) -> str:
    """Format a download amount in binary units, with one decimal below 10 MiB so small files show progress."""
    if MIB <= size < 10 * MIB:
        return QCoreApplication.translate("Format", "{value} MiB").format(value=format_number(size / MIB, 1))
    return format_bytes(size)


def transfer_speed(bytes_per_s: float) -> str:
    """Format a download speed in the same binary units as ``transfer_size`` (KiB/s, MiB/s)."""
    if bytes_per_s < MIB:
        return QCoreApplication.translate("DownloadsPanel", "{value} KiB/s").format(
            value=format_number(bytes_per_s / 1024, 0))
    value = bytes_per_s / MIB
    return QCoreApplication.translate("DownloadsPanel", "{value} MiB/s").format(
        value=format_number(value, 1 if value < 10 else 0))


def breakable(text: str) -> str:
    """Return ``text`` with zero-width spaces after URL and path separators inside long words.

    A word-wrapped QLabel breaks only at spaces, so one long URL would set the label's minimum width
    and push the row wider than the pane. The zero-width space gives Qt a place to break the line.
    """
    def split_word(match: re.Match[str]) -> str:
        word = re.sub(r"([/?&=_.\\-])", "\\1\u200b", match[0])
        # Hashes and other long runs without separators get a break point every few characters.
        return re.sub(rf"([^\u200b]{{{_LONG_WORD_CHARS}}})(?=[^\u200b])", "\\1\u200b", word)

    return re.sub(rf"\S{{{_LONG_WORD_CHARS},}}", split_word, text)


class ElidedLabel(QLabel):
    """A one-line label that elides its text in the middle to fit its width; its minimum width is small."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full_text = text
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M" * 6))
        self._elide()

    def full_text(self) -> str:
        return self._full_text

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self.fontMetrics().horizontalAdvance(self._full_text), super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(self.width(), self.minimumWidth())
        self.setText(self.fontMetrics().elidedText(self._full_text, Qt.TextElideMode.ElideMiddle, width))


class DownloadRow(QFrame):
    """One download. Buttons call the manager directly; its listener updates the row.

    The row fits the width it is given: the file name is elided (the tooltip has the full path), and
    the status line and the error wrap, long URLs included.
    """

    def __init__(self, manager: DownloadManager, progress: DownloadProgress, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._manager = manager
        self.task_id = progress.task_id
        self.state = progress.state
        self._name = ElidedLabel(progress.final_path.name)
        self._name.setToolTip(str(progress.final_path))
        self._bar = QProgressBar()
        self._bar.setRange(0, 1000)
        self._detail = hint("")
        self._error = error_label()
        self._error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._pause = QPushButton(self.tr("Pause"))
        self._resume = QPushButton(self.tr("Resume"))
        self._resume.setToolTip(self.tr("Continue from the part already downloaded."))
        self._retry = QPushButton(self.tr("Retry"))
        self._retry.setToolTip(self.tr("Nothing usable was kept from the failed attempt, so the download "
                                       "starts over."))
        self._cancel = QPushButton(self.tr("Cancel"))
        # Resume with no .part left starts from the first byte, so Retry uses the same manager call.
        self._pause.clicked.connect(lambda: self._call(self._manager.pause))
        self._resume.clicked.connect(lambda: self._call(self._manager.resume))
        self._retry.clicked.connect(lambda: self._call(self._manager.resume))
        self._cancel.clicked.connect(lambda: self._call(self._manager.cancel))

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self._name, 1)
        for button in (self._pause, self._resume, self._retry, self._cancel):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self._bar)
        layout.addWidget(self._detail)
        layout.addWidget(self._error)
        self.update_progress(progress)

    def _call(self, action) -> None:
        try:
            action(self.task_id)
        except KeyError as exc:
            log.warning("Download %s is gone: %s", self.task_id, exc)

    def update_progress(self, progress: DownloadProgress) -> None:
        state = progress.state
        self.state = state
        fraction = progress.fraction
        if fraction is None and state == DownloadState.DOWNLOADING:
            self._bar.setRange(0, 0)  # busy indicator: the size is not known yet
        else:
            self._bar.setRange(0, 1000)
            self._bar.setValue(int(1000 * (fraction or (1.0 if state == DownloadState.DONE else 0.0))))
        # A failed or cancelled download makes no more progress, so its bar would only mislead.
        self._bar.setVisible(state not in (DownloadState.FAILED, DownloadState.CANCELLED))
        self._detail.setText(breakable(self._status_line(progress)))
        # While a retry waits, its reason shows where the final error would, so a failing server is
        # visible at once rather than after the last attempt.
        problem = progress.error or progress.retry
        show_error(self._error, breakable(translate_message(problem) if problem else ""))

        # The task deletes its .part after a failure that resuming cannot fix (a hash, size or header
        # mismatch, an HTML page), so such a download can only start over.
        part_left = state == DownloadState.FAILED and part_path(progress.final_path).exists()
        self._pause.setVisible(state in (DownloadState.QUEUED, DownloadState.DOWNLOADING, DownloadState.VERIFYING))
        self._resume.setVisible(state == DownloadState.PAUSED or part_left)
        self._retry.setVisible(state == DownloadState.FAILED and not part_left)
        self._cancel.setVisible(state not in (DownloadState.DONE, DownloadState.CANCELLED)
                                and not (state == DownloadState.FAILED and not part_left))

    def _status_line(self, progress: DownloadProgress) -> str:
        state = progress.state
        parts = [state_text(state)]
        if state != DownloadState.CANCELLED:  # the .part is deleted, so an amount would mean nothing
            if progress.total_bytes:
                parts.append(self.tr("{done} of {total}").format(done=transfer_size(progress.done_bytes),
                                                                total=transfer_size(progress.total_bytes)))
            else:
                parts.append(transfer_size(progress.done_bytes))
        if state == DownloadState.DOWNLOADING and progress.speed_bps > 0:
            parts.append(transfer_speed(progress.speed_bps))
            if progress.eta_s is not None:
                parts.append(self.tr("{time} left").format(time=format_duration(progress.eta_s)))
        if progress.notice is not None:
            parts.append(translate_message(progress.notice))
        return " · ".join(parts)

    def plain_error(self) -> str:
        """Return the error text as shown, without the added line-break points."""
        return self._error.text().replace("\u200b", "")

    def plain_detail(self) -> str:
        """Return the status line as shown, without the added line-break points."""
        return self._detail.text().replace("\u200b", "")


class DownloadsPanel(QWidget):
    """All downloads of one DownloadManager, newest last. ``download_finished(path)`` fires on DONE."""

    download_finished = Signal(object)  # pathlib.Path of the finished file

    def __init__(self, manager: DownloadManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self._rows: dict[str, DownloadRow] = {}
        self._cleared: set[str] = set()  # ids of cleared tasks, so a late final-state event does not add them back
        self._events = DownloadEvents(manager, self)
        self._events.progressed.connect(self.on_progress)

        self._empty = hint(self.tr("No downloads yet. Choose a model and a quantization, then Download."))
        self._clear = QPushButton(self.tr("Clear finished"))
        self._clear.setToolTip(self.tr("Remove finished, failed and cancelled downloads from this list. "
                                       "Downloaded files stay on disk."))
        self._clear.setEnabled(False)
        self._clear.clicked.connect(self.clear_finished)
        self._list = QVBoxLayout()
        self._list.setAlignment(Qt.AlignmentFlag.AlignTop)
        holder = QWidget()
        holder.setLayout(self._list)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        # Rows wrap and elide to the pane's width, so sideways scrolling would only hide the buttons.
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setWidget(holder)
        self._error = error_label()

        top = QHBoxLayout()
        top.addWidget(self._empty, 1)
        top.addStretch(0)
        top.addWidget(self._clear, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self._error)
        layout.addWidget(self._scroll, 1)

    def row(self, task_id: str) -> DownloadRow | None:
        return self._rows.get(task_id)

    def reveal(self, task_id: str) -> None:
        """Scroll the row of ``task_id`` into view."""
        row = self._rows.get(task_id)
        if row is not None:
            self._scroll.ensureWidgetVisible(row)

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
            if progress.task_id in self._cleared and progress.state in FINAL_STATES:
                return
            self._cleared.discard(progress.task_id)
            row = DownloadRow(self.manager, progress)
            self._rows[progress.task_id] = row
            self._list.addWidget(row)
            self._empty.hide()
        previous_done = row.property("done")
        row.update_progress(progress)
        if progress.state == DownloadState.DONE and not previous_done:
            row.setProperty("done", True)
            self.download_finished.emit(progress.final_path)
        self._update_clear()

    @Slot()
    def clear_finished(self) -> None:
        """Remove the rows of done, failed and cancelled downloads and drop those tasks from the manager.

        Files on disk stay as they are. A task that was resumed in the meantime keeps its row.
        """
        for task_id, row in list(self._rows.items()):
            if row.state not in FINAL_STATES:
                continue
            try:
                self.manager.remove(task_id)
            except ValueError as exc:  # resumed since its last event
                log.info("Download %s stays in the list: %s", task_id, exc)
                continue
            except KeyError:
                pass  # the manager no longer has it; the row goes all the same
            self._cleared.add(task_id)
            del self._rows[task_id]
            self._list.removeWidget(row)
            row.hide()
            row.deleteLater()
        if not self._rows:
            self._empty.show()
        self._update_clear()

    def _update_clear(self) -> None:
        self._clear.setEnabled(any(row.state in FINAL_STATES for row in self._rows.values()))

    def shutdown(self) -> None:
        self._events.detach()
