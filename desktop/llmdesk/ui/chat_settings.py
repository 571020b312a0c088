"""Per-chat settings: system prompt, sampling parameters and the output filter's rule sets."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLabel, QPlainTextEdit,
                               QSpinBox, QVBoxLayout, QWidget)

from llmdesk.engine.protocol import Sampling

log = logging.getLogger(__name__)


class ChatSettingsPanel(QWidget):
    """Edits one chat's settings; ``changed`` fires (debounced) after the user edits something."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(400)
        self._debounce.timeout.connect(self.changed)

        self.system_prompt = QPlainTextEdit()
        self.system_prompt.setPlaceholderText(self.tr("Optional instructions the model sees before the chat"))
        self.system_prompt.setFixedHeight(90)
        self.system_prompt.textChanged.connect(self._edited)

        defaults = Sampling()
        self.temperature = self._double(0.0, 2.0, 0.05, defaults.temperature,
                                        self.tr("0 picks the most likely token every time"))
        self.top_p = self._double(0.01, 1.0, 0.01, defaults.top_p, self.tr("Nucleus sampling threshold"))
        self.top_k = self._int(0, 1000, defaults.top_k, self.tr("0 disables top-k"))
        self.min_p = self._double(0.0, 1.0, 0.01, defaults.min_p,
                                  self.tr("Drop tokens less likely than this fraction of the best one"))
        self.repeat_penalty = self._double(0.5, 2.0, 0.01, defaults.repeat_penalty,
                                           self.tr("Above 1 discourages repeating recent tokens"))
        self.max_tokens = self._int(1, 131072, defaults.max_tokens, self.tr("Longest reply, in tokens"))
        self.seed = self._int(-1, 2**31 - 1, -1, self.tr("-1 picks a new random seed for every reply"))
        self.seed.setSpecialValueText(self.tr("random"))

        sampling_box = QGroupBox(self.tr("Sampling"))
        form = QFormLayout(sampling_box)
        form.addRow(self.tr("Temperature"), self.temperature)
        form.addRow(self.tr("Top-p"), self.top_p)
        form.addRow(self.tr("Top-k"), self.top_k)
        form.addRow(self.tr("Min-p"), self.min_p)
        form.addRow(self.tr("Repeat penalty"), self.repeat_penalty)
        form.addRow(self.tr("Max tokens"), self.max_tokens)
        form.addRow(self.tr("Seed"), self.seed)

        self._filter_box = QGroupBox(self.tr("Output filter"))
        self._filter_layout = QVBoxLayout(self._filter_box)
        self._rule_set_boxes: dict[str, QCheckBox] = {}
        self._filter_note = QLabel()
        self._filter_note.setWordWrap(True)
        self._filter_layout.addWidget(self._filter_note)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("System prompt")))
        layout.addWidget(self.system_prompt)
        layout.addWidget(sampling_box)
        layout.addWidget(self._filter_box)
        layout.addStretch(1)

    def _double(self, low: float, high: float, step: float, value: float, tip: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(low, high)
        box.setSingleStep(step)
        box.setDecimals(2)
        box.setValue(value)
        box.setToolTip(tip)
        box.valueChanged.connect(self._edited)
        return box

    def _int(self, low: int, high: int, value: int, tip: str) -> QSpinBox:
        box = QSpinBox()
        box.setRange(low, high)
        box.setValue(value)
        box.setToolTip(tip)
        box.valueChanged.connect(self._edited)
        return box

    def set_rule_sets(self, rule_sets: list[tuple[str, str]]) -> None:
        """Offer these ``(id, translated title)`` rule sets as checkboxes."""
        for box in self._rule_set_boxes.values():
            box.deleteLater()
        self._rule_set_boxes.clear()
        for rule_set_id, title in rule_sets:
            box = QCheckBox(title)
            box.toggled.connect(self._edited)
            self._filter_layout.addWidget(box)
            self._rule_set_boxes[rule_set_id] = box

    def set_filter_note(self, text: str) -> None:
        self._filter_note.setText(text)
        self._filter_note.setVisible(bool(text))

    @Slot()
    def _edited(self) -> None:
        if not self._loading:
            self._debounce.start()

    def load(self, system_prompt: str, sampling: dict[str, Any], rule_sets: list[str]) -> None:
        """Show a chat's stored values without emitting ``changed``."""
        self._loading = True
        try:
            self._debounce.stop()
            self.system_prompt.setPlainText(system_prompt)
            values = {**Sampling().__dict__, **sampling}
            self.temperature.setValue(float(values["temperature"]))
            self.top_p.setValue(float(values["top_p"]))
            self.top_k.setValue(int(values["top_k"]))
            self.min_p.setValue(float(values["min_p"]))
            self.repeat_penalty.setValue(float(values["repeat_penalty"]))
            self.max_tokens.setValue(int(values["max_tokens"]))
            self.seed.setValue(-1 if values.get("seed") is None else int(values["seed"]))
            for rule_set_id, box in self._rule_set_boxes.items():
                box.setChecked(rule_set_id in rule_sets)
        finally:
            self._loading = False

    def sampling_dict(self) -> dict[str, Any]:
        seed = self.seed.value()
        return {
            "temperature": round(self.temperature.value(), 3),
            "top_p": round(self.top_p.value(), 3),
            "top_k": self.top_k.value(),
            "min_p": round(self.min_p.value(), 3),
            "repeat_penalty": round(self.repeat_penalty.value(), 3),
            "max_tokens": self.max_tokens.value(),
            "seed": None if seed < 0 else seed,
        }

    def sampling(self) -> Sampling:
        return Sampling(**self.sampling_dict())

    def rule_sets(self) -> list[str]:
        return [rule_set_id for rule_set_id, box in self._rule_set_boxes.items() if box.isChecked()]

    def flush(self) -> None:
        """Emit a pending ``changed`` now (before switching chats or sending)."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.changed.emit()
