"""The Library tab: models on disk with their fit verdict; import, add a folder, delete, reveal.

Scanning reads GGUF headers and importing copies gigabytes, so both run as ``qt_workers`` tasks. A file
dropped on the panel or chosen in a dialog is either copied into the app's model folder or referenced
where it is, as the user chooses.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, QProcess, Qt, Signal, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QHeaderView, QMessageBox,
                               QProgressBar, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from llmdesk.core.hardware.profile import MachineProfile
from llmdesk.core.settings import Settings
from llmdesk.ui.catalog_view import memory_breakdown_text, verdict_text
from llmdesk.ui.fit_compute import FitParams
from llmdesk.ui.i18n import translate_message
from llmdesk.ui.qt_workers import TaskRunner, TaskState, user_action_errors
from llmdesk.ui.widgets import error_label, format_bytes, hint, show_error, verdict_color, verdict_icon, verdict_key

log = logging.getLogger(__name__)

IMPORT_COPY = "copy"
IMPORT_REFERENCE = "reference"
# The verdict comes right after the file name so both stay in view in the narrow Models tab.
(LCOL_NAME, LCOL_VERDICT, LCOL_QUANT, LCOL_SIZE, LCOL_WHERE) = range(5)
# Widest share of the table's visible width that the file name and the verdict columns start at.
_NAME_SHARE = 0.4
_VERDICT_SHARE = 0.45


def _scan(library: Any, profile: MachineProfile | None, params: FitParams,
          state: TaskState) -> list[tuple[Any, Any]]:
    """Scan the library and estimate each model (pool thread)."""
    rows = []
    for model in library.scan():
        state.raise_if_interrupted()
        estimate = None
        if profile is not None and model.header is not None:
            try:
                estimate = model.fit(profile, params.n_ctx, params.kv_type, params.flash_attn)
            except ValueError as exc:
                log.info("No fit estimate for %s: %s", model.path, exc)
        rows.append((model, estimate))
    return rows


class LibraryPanel(QWidget):
    """Models on disk. ``models_changed(list)`` fires after each scan with the LibraryModel list."""

    models_changed = Signal(object)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from llmdesk.core.library import Library

        self.settings = settings
        self.library = Library(settings)
        self.profile: MachineProfile | None = None
        self.fit_params: Callable[[], FitParams] = lambda: FitParams(
            n_ctx=int(settings.get("default_context")), kv_type=str(settings.get("kv_cache_type")),
            preference=str(settings.get("fit_preference")))
        self.rows: list[tuple[Any, Any]] = []
        self.setAcceptDrops(True)

        self._scanner = TaskRunner("library scan", self, expected_errors=user_action_errors())
        self._scanner.succeeded.connect(self._on_scanned)
        self._scanner.failed.connect(self._on_failed)
        self._importer = TaskRunner("model import", self, expected_errors=user_action_errors())
        self._importer.progressed.connect(self._on_import_progress)
        self._importer.succeeded.connect(self._on_imported)
        self._importer.failed.connect(self._on_import_failed)

        self.table = QTableWidget(0, 5)
        headers = {LCOL_NAME: self.tr("File"), LCOL_VERDICT: self.tr("Verdict"), LCOL_QUANT: self.tr("Quant"),
                   LCOL_SIZE: self.tr("Size"), LCOL_WHERE: self.tr("Folder")}
        self.table.setHorizontalHeaderLabels([headers[column] for column in range(len(headers))])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # _size_columns caps the file name and verdict columns. Their cells are elided in the middle, and
        # their tooltips have the full text.
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.viewport().installEventFilter(self)

        self._import = QPushButton(self.tr("Import…"))
        self._import.setToolTip(self.tr("Add a GGUF file: copy it into LLM Desk's folder or use it where it is. "
                                        "You can also drop files here."))
        self._import.clicked.connect(self._choose_import)
        self._add_folder = QPushButton(self.tr("Add folder…"))
        self._add_folder.setToolTip(self.tr("Scan another folder for GGUF files, e.g. LM Studio's models."))
        self._add_folder.clicked.connect(self._choose_folder)
        self._reveal = QPushButton(self.tr("Show in folder"))
        self._reveal.clicked.connect(self._reveal_selected)
        self._delete = QPushButton(self.tr("Delete…"))
        self._delete.clicked.connect(self._confirm_delete)
        self._progress = QProgressBar()
        self._progress.setRange(0, 1000)
        self._progress.hide()
        self._cancel_import = QPushButton(self.tr("Cancel import"))
        self._cancel_import.hide()
        self._cancel_import.clicked.connect(self._importer.cancel)
        self._cancel_import.clicked.connect(self._end_import)
        self._status = hint(self.tr("Scanning the model folders…"))
        self._error = error_label()

        # Adding files goes above the table and actions on the selected file below it, so the panel
        # fits a narrow Models tab.
        buttons = QHBoxLayout()
        for button in (self._import, self._add_folder):
            buttons.addWidget(button)
        buttons.addStretch(1)
        selection_buttons = QHBoxLayout()
        for button in (self._reveal, self._delete):
            selection_buttons.addWidget(button)
        selection_buttons.addStretch(1)
        importing = QHBoxLayout()
        importing.addWidget(self._progress, 1)
        importing.addWidget(self._cancel_import)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addLayout(importing)
        layout.addWidget(self._status)
        layout.addWidget(self._error)
        layout.addWidget(self.table, 1)
        layout.addLayout(selection_buttons)
        self._update_buttons()
        self.rescan()

    # -- data -------------------------------------------------------------------------------------

    def set_profile(self, profile: MachineProfile) -> None:
        self.profile = profile
        self.rescan()

    def set_catalog(self, catalog: Any) -> None:
        from llmdesk.core.library import Library

        self.library = Library(self.settings, catalog)
        self.rescan()

    @Slot()
    def rescan(self) -> None:
        library, profile, params = self.library, self.profile, self.fit_params()
        self._scanner.start(lambda state: _scan(library, profile, params, state))

    def selected_model(self) -> Any:
        row = self.table.currentRow()
        return self.rows[row][0] if 0 <= row < len(self.rows) else None

    @Slot(object)
    def _on_scanned(self, rows: list[tuple[Any, Any]]) -> None:
        self.rows = rows
        palette = QGuiApplication.palette()
        self.table.setRowCount(len(rows))
        for row, (model, estimate) in enumerate(rows):
            name = QTableWidgetItem(model.path.name)
            name.setToolTip(str(model.path))
            if model.build is not None:
                name.setToolTip(f"{model.path}\n{model.build.name}")
            where = self.tr("referenced in place") if model.referenced else str(model.folder or "")
            items = {
                LCOL_NAME: name,
                LCOL_QUANT: QTableWidgetItem(model.quantization or "–"),
                LCOL_SIZE: QTableWidgetItem(format_bytes(model.size_bytes)),
                LCOL_WHERE: QTableWidgetItem(where),
            }
            if model.problem is not None:
                verdict = QTableWidgetItem(translate_message(model.problem))
                verdict.setToolTip(verdict.text())
                verdict.setIcon(verdict_icon("no_fit"))
                verdict.setForeground(verdict_color("no_fit", palette))
            elif estimate is None:
                verdict = QTableWidgetItem(verdict_text(None))
            else:
                key = verdict_key(estimate.placement)
                verdict = QTableWidgetItem(verdict_text(estimate.placement.value))
                verdict.setIcon(verdict_icon(key))
                verdict.setForeground(verdict_color(key, palette))
                # The tooltip starts with the verdict itself, because a narrow column elides it.
                verdict.setToolTip("\n".join([verdict.text()] + [translate_message(m) for m in estimate.explanation])
                                   + "\n\n" + memory_breakdown_text(estimate))
            items[LCOL_VERDICT] = verdict
            for column, item in items.items():
                self.table.setItem(row, column, item)
        self._size_columns()
        self._status.setText(self.tr("%n model(s) on disk", "", len(rows)))
        self._update_buttons()
        self.models_changed.emit([model for model, _ in rows])

    def _size_columns(self) -> None:
        """Size the columns to their contents, but cap the file name and verdict columns at a share of
        the visible width so the verdict stays in view in the narrow Models tab."""
        self.table.resizeColumnsToContents()
        visible = self.table.viewport().width()
        for column, share in ((LCOL_NAME, _NAME_SHARE), (LCOL_VERDICT, _VERDICT_SHARE)):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), int(visible * share)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # The viewport's resizes drive the sizing, because a table in a hidden tab is laid out only when
        # the tab is first shown, without a resize of this widget.
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize and self.table.rowCount():
            self._size_columns()
        return super().eventFilter(watched, event)

    @Slot(object)
    def _on_failed(self, error: Exception) -> None:
        show_error(self._error, self.tr("Scanning the model folders failed: {error}").format(error=error))

    @Slot()
    def _update_buttons(self) -> None:
        selected = self.selected_model() is not None
        self._reveal.setEnabled(selected)
        self._delete.setEnabled(selected)

    # -- import -----------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if any(url.toLocalFile().lower().endswith(".gguf") for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        files = [Path(url.toLocalFile()) for url in event.mimeData().urls()
                 if url.toLocalFile().lower().endswith(".gguf")]
        event.acceptProposedAction()
        mode = self._ask_import_mode(files)
        if mode is not None:
            self.import_files(files, mode)

    @Slot()
    def _choose_import(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, self.tr("Import GGUF models"), "",
                                                self.tr("GGUF models (*.gguf)"))
        files = [Path(name) for name in names]
        mode = self._ask_import_mode(files) if files else None
        if mode is not None:
            self.import_files(files, mode)

    def _ask_import_mode(self, files: list[Path]) -> str | None:
        if not files:
            return None
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Import models"))
        box.setText(self.tr("Copy %n file(s) into LLM Desk's model folder, or use them where they are?", "",
                            len(files)))
        box.setInformativeText(self.tr("Copying needs free disk space but keeps working when the original is "
                                       "moved. Using a file in place takes no space."))
        copy = box.addButton(self.tr("Copy"), QMessageBox.ButtonRole.AcceptRole)
        reference = box.addButton(self.tr("Use in place"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is copy:
            return IMPORT_COPY
        if box.clickedButton() is reference:
            return IMPORT_REFERENCE
        return None

    def import_files(self, files: list[Path], mode: str) -> None:
        """Copy (on a pool thread, with progress) or reference ``files``; errors are shown in words."""
        from llmdesk.core.library import LibraryError

        show_error(self._error, "")
        if mode == IMPORT_REFERENCE:
            problems = []
            for path in files:
                try:
                    self.library.add_reference(path)
                except LibraryError as exc:
                    problems.append(translate_message(exc.message))
            show_error(self._error, "\n".join(problems))
            self.rescan()
            return
        library = self.library

        def copy_all(state: TaskState) -> int:
            for index, path in enumerate(files):
                def progress(done: int, total: int, index: int = index) -> None:
                    state.set_progress((index + done / max(total, 1)) / len(files), path.name)

                library.import_file(path, progress=progress, cancelled=state.is_interruption_requested)
            return len(files)

        self._progress.setValue(0)
        self._progress.show()
        self._cancel_import.show()
        self._importer.start(copy_all)

    @Slot(object, object)
    def _on_import_progress(self, fraction: float | None, name: Any) -> None:
        self._progress.setValue(int(1000 * (fraction or 0)))
        self._progress.setFormat(self.tr("Copying {name}… %p%").format(name=name))

    @Slot(object)
    def _on_imported(self, _count: int) -> None:
        self._end_import()
        self.rescan()

    @Slot(object)
    def _on_import_failed(self, error: Exception) -> None:
        self._end_import()
        message = getattr(error, "message", None)
        show_error(self._error, translate_message(message) if message is not None else str(error))
        self.rescan()

    @Slot()
    def _end_import(self) -> None:
        self._progress.hide()
        self._cancel_import.hide()

    @Slot()
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a folder with GGUF files"))
        if folder:
            self.add_folder(Path(folder))

    def add_folder(self, folder: Path) -> None:
        folders = self.settings.get("model_folders")
        if str(folder) not in folders:
            self.settings.set("model_folders", folders + [str(folder)])
            try:
                self.settings.save()
            except OSError as exc:
                show_error(self._error, self.tr("Saving the settings failed: {error}").format(error=exc))
        self.rescan()

    # -- delete, reveal ---------------------------------------------------------------------------

    @Slot()
    def _confirm_delete(self) -> None:
        model = self.selected_model()
        if model is None:
            return
        if model.referenced:
            question = self.tr("Remove {name} from the library? The file stays where it is.")
        else:
            question = self.tr("Delete {name} from the disk ({size})? This cannot be undone.")
        answer = QMessageBox.question(self, self.tr("Delete model"),
                                      question.format(name=model.path.name, size=format_bytes(model.size_bytes)))
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_model(model)

    def delete_model(self, model: Any) -> None:
        """Delete a model in a model folder, or forget one referenced in place."""
        from llmdesk.core.library import LibraryError

        try:
            if model.referenced:
                self.library.forget(model.path)
            else:
                self.library.delete(model)
        except LibraryError as exc:
            show_error(self._error, translate_message(exc.message))
        self.rescan()

    @Slot()
    def _reveal_selected(self) -> None:
        from llmdesk.core.library import reveal_command

        model = self.selected_model()
        if model is None:
            return
        program, *arguments = reveal_command(model.path)
        if not QProcess.startDetached(program, arguments):
            show_error(self._error, self.tr("Could not open the file manager ({program}).").format(program=program))

    def shutdown(self) -> None:
        self._scanner.cancel()
        self._importer.cancel()
        self._scanner.wait_for_done(10.0)
        self._importer.wait_for_done(30.0)
