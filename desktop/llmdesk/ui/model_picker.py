"""Top bar of the chat page: which GGUF file to chat with, its fit verdict, load settings, Load/Unload.

The fit verdict for a file comes from its GGUF header (read in a few milliseconds) run through the same
estimate as catalog builds; its suggested settings become the load defaults, which the user may change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from llmdesk.core.hardware.profile import MachineProfile
from llmdesk.engine.protocol import LoadOptions
from llmdesk.ui.i18n import translate_marked, translate_message

log = logging.getLogger(__name__)


@dataclass
class FileFit:
    """What the picker shows for one file: a verdict line, its explanation and load defaults."""

    verdict: str  # translated placement label
    explanation: str
    options: LoadOptions
    problem: str = ""  # non-empty when the file cannot be loaded at all
    decode_tps: float | None = None


def assess_file(path: Path, profile: MachineProfile | None, n_ctx: int, kv_type: str) -> FileFit:
    """Check ``path`` and estimate its fit; runs on any thread (pure core calls)."""
    from llmdesk.core import fit, gguf_meta

    check = gguf_meta.check_model_file(path)
    if not check.ok:
        return FileFit("", "", LoadOptions(n_ctx=n_ctx, kv_type=kv_type),
                       problem=translate_message(check.message))
    header = check.header or gguf_meta.read_header(path)
    facts = header.arch_facts()
    n_ctx = min(n_ctx, facts.n_ctx_train) if facts.n_ctx_train else n_ctx
    if profile is None:
        return FileFit("", "", LoadOptions(n_ctx=n_ctx, kv_type=kv_type))
    result = fit.estimate_gguf(header, profile, n_ctx, kv_type, quant_name=header.file_type_name())
    options = LoadOptions.from_suggestion(result.settings)
    verdict = translate_marked("Fit", result.placement.label)
    explanation = "\n".join(translate_message(line) for line in result.explanation)
    return FileFit(verdict, explanation, options, decode_tps=result.decode_tps)


class ModelPicker(QWidget):
    """Emits ``load_requested(path, options)`` and ``unload_requested()``; never touches the engine itself."""

    load_requested = Signal(str, object)
    unload_requested = Signal()
    file_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fits: dict[str, FileFit] = {}
        self._loaded_path: str | None = None

        self.combo = QComboBox()
        self.combo.setMinimumWidth(140)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setPlaceholderText(self.tr("Choose a model…"))
        self.combo.currentIndexChanged.connect(self._on_selection_changed)
        open_button = QPushButton(self.tr("Open…"))
        open_button.setToolTip(self.tr("Open a GGUF file from disk (you can also drop one on the window)"))
        open_button.clicked.connect(self._open_file)

        self.context = QSpinBox()
        self.context.setRange(256, 1_048_576)
        self.context.setSingleStep(1024)
        self.context.setSuffix(self.tr(" tokens"))
        self.context.setToolTip(self.tr("Context length: how many tokens of the chat the model can see"))
        self.gpu_layers = QSpinBox()
        self.gpu_layers.setRange(-1, 1000)
        self.gpu_layers.setSpecialValueText(self.tr("all"))
        self.gpu_layers.setToolTip(self.tr("Layers offloaded to the GPU (0: CPU only); the fit advice "
                                           "picks the default"))

        self.load_button = QPushButton(self.tr("Load"))
        self.load_button.clicked.connect(self._on_load_clicked)
        self.load_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(120)
        self.progress.hide()
        # The verdict has its own row and wraps, so a long verdict never widens the page.
        self.verdict = QLabel()
        self.verdict.setObjectName("fitVerdict")
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        # Two rows, so the model name keeps the full width of the chat column and the page can be narrow.
        choice = QHBoxLayout()
        choice.setContentsMargins(0, 0, 0, 0)
        choice.addWidget(QLabel(self.tr("Model")))
        choice.addWidget(self.combo, 1)
        choice.addWidget(open_button)
        options = QHBoxLayout()
        options.setContentsMargins(0, 0, 0, 0)
        options.addWidget(QLabel(self.tr("Context")))
        options.addWidget(self.context)
        options.addWidget(QLabel(self.tr("GPU layers")))
        options.addWidget(self.gpu_layers)
        options.addWidget(self.load_button)
        options.addWidget(self.progress)
        options.addStretch(1)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(2)
        rows.addLayout(choice)
        rows.addLayout(options)
        rows.addWidget(self.verdict)

    # model list

    def set_models(self, models: list[tuple[str, str]]) -> None:
        """Offer ``(path, label)`` entries, keeping the current choice when it is still there."""
        current = self.current_path()
        self.combo.blockSignals(True)
        self.combo.clear()
        for path, label in models:
            self.combo.addItem(label, path)
            self.combo.setItemData(self.combo.count() - 1, path, Qt.ItemDataRole.ToolTipRole)
        self.combo.blockSignals(False)
        if current:
            self.add_file(current, select=True)
        elif self.combo.count():
            self.combo.setCurrentIndex(0)

    def add_file(self, path: str, select: bool = True) -> None:
        index = self.combo.findData(path)
        if index < 0:
            self.combo.addItem(Path(path).name, path)
            index = self.combo.count() - 1
            self.combo.setItemData(index, path, Qt.ItemDataRole.ToolTipRole)
        if select:
            self.combo.setCurrentIndex(index)

    def current_path(self) -> str | None:
        return self.combo.currentData()

    @Slot()
    def _open_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("Open a model"), "",
                                                    self.tr("GGUF models (*.gguf);;All files (*)"))
        if path:
            self.add_file(path)

    @Slot(int)
    def _on_selection_changed(self, _index: int) -> None:
        path = self.current_path()
        self.load_button.setEnabled(bool(path))
        self.verdict.clear()
        self.verdict.setToolTip("")
        if path:
            self.file_chosen.emit(path)

    # fit and load

    def show_fit(self, path: str, file_fit: FileFit) -> None:
        """Show the verdict of ``path`` and take its suggested settings as the defaults."""
        self._fits[path] = file_fit
        if path != self.current_path():
            return
        if file_fit.problem:
            self.verdict.setText(file_fit.problem)
            self.verdict.setToolTip(file_fit.problem)
            return
        text = file_fit.verdict
        if file_fit.decode_tps:
            text = self.tr("{verdict} · about {rate} tokens/s").format(
                verdict=text, rate=f"{file_fit.decode_tps:.0f}")
        self.verdict.setText(text)
        self.verdict.setToolTip(file_fit.explanation)
        self.context.setValue(file_fit.options.n_ctx)
        self.gpu_layers.setValue(file_fit.options.n_gpu_layers)

    def options(self) -> LoadOptions:
        path = self.current_path()
        base = self._fits[path].options if path in self._fits else LoadOptions()
        return LoadOptions.from_suggestion(base, n_ctx=self.context.value(),
                                           n_gpu_layers=self.gpu_layers.value())

    @Slot()
    def _on_load_clicked(self) -> None:
        path = self.current_path()
        if self._loaded_path is not None and self._loaded_path == path:
            self.unload_requested.emit()
        elif path:
            self.load_requested.emit(path, self.options())

    def set_loading(self, fraction: float | None) -> None:
        """Show load progress (``None`` hides the bar)."""
        if fraction is None:
            self.progress.hide()
            return
        self.progress.show()
        self.progress.setValue(int(fraction * 100))
        self.load_button.setEnabled(False)

    def set_loaded(self, path: str | None) -> None:
        self._loaded_path = path
        self.progress.hide()
        self.load_button.setEnabled(bool(self.current_path()))
        self.load_button.setText(self.tr("Unload") if path and path == self.current_path() else self.tr("Load"))
