"""Live performance panel: decode tokens/s, engine memory and context use while the model replies.

Samples arrive from the engine a few times a second and go into fixed-size ring buffers; a QTimer
redraws the persistent curves at most ``REDRAW_HZ`` times a second, so a fast stream never makes the
GUI thread repaint per token. pyqtgraph is imported here only, so the window starts without it.
"""

from __future__ import annotations

import os
import time
from collections import deque

os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import Qt, QTimer, Slot  # noqa: E402
from PySide6.QtGui import QColor, QPalette  # noqa: E402
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget  # noqa: E402

REDRAW_HZ = 10
HISTORY_SECONDS = 300  # the x axis shows at most the last five minutes
MAX_SAMPLES = 4096
MAX_MARKERS = 256


class PerfPanel(QWidget):
    """Three stacked plots sharing a time axis, plus the figures of the last reply as text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._t0 = time.monotonic()
        self._times: deque[float] = deque(maxlen=MAX_SAMPLES)
        self._rates: deque[float] = deque(maxlen=MAX_SAMPLES)
        self._memory_mib: deque[float] = deque(maxlen=MAX_SAMPLES)
        self._context_pct: deque[float] = deque(maxlen=MAX_SAMPLES)
        self._markers: deque[pg.InfiniteLine] = deque()
        self._dirty = False

        pg.setConfigOptions(antialias=False, foreground=self.palette().color(QPalette.WindowText))
        self._graphs = pg.GraphicsLayoutWidget()
        # Units go in the titles: a rotated axis label garbles CJK text.
        self._rate_plot = self._add_plot(0, self.tr("Decode speed (tokens/s)"), min_span=10)
        self._memory_plot = self._add_plot(1, self.tr("Engine memory (MiB)"), min_span=64)
        self._context_plot = self._add_plot(2, self.tr("Context used (%)"), min_span=10)
        self._context_plot.setYRange(0, 100, padding=0)
        self._memory_plot.setXLink(self._rate_plot)
        self._context_plot.setXLink(self._rate_plot)
        self._context_plot.setLabel("bottom", self.tr("seconds"))

        # connect="finite" breaks each line at the NaN sample added between replies.
        self._rate_curve = self._rate_plot.plot(pen=pg.mkPen("#2f80ed", width=2), connect="finite")
        self._memory_curve = self._memory_plot.plot(pen=pg.mkPen("#9b51e0", width=2), connect="finite")
        self._context_curve = self._context_plot.plot(pen=pg.mkPen("#27ae60", width=2), connect="finite")

        self._summary = {
            "ttft": QLabel("–"), "prompt": QLabel("–"), "decode": QLabel("–"), "tokens": QLabel("–"),
        }
        figures = QGridLayout()
        captions = {
            "ttft": self.tr("Time to first token"), "prompt": self.tr("Prompt speed"),
            "decode": self.tr("Decode speed"), "tokens": self.tr("Generated"),
        }
        for row, (key, caption) in enumerate(captions.items()):
            figures.addWidget(QLabel(caption), row, 0)
            self._summary[key].setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self._summary[key].setTextInteractionFlags(Qt.TextSelectableByMouse)
            figures.addWidget(self._summary[key], row, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(figures)
        layout.addWidget(self._graphs, 1)

        self._timer = QTimer(self)
        self._timer.setInterval(1000 // REDRAW_HZ)
        self._timer.timeout.connect(self._redraw)
        self._timer.start()
        self._apply_palette()

    def _add_plot(self, row: int, title: str, min_span: float) -> pg.PlotItem:
        plot = self._graphs.addPlot(row=row, col=0)
        # A smaller title than pyqtgraph's default fits the narrow side column without being clipped.
        plot.setTitle(title, size="9pt")
        plot.getViewBox().setLimits(minYRange=min_span)
        plot.showGrid(x=False, y=False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        return plot

    def _apply_palette(self) -> None:
        palette = self.palette()
        self._graphs.setBackground(palette.color(QPalette.Base))
        text = palette.color(QPalette.WindowText)
        for plot in (self._rate_plot, self._memory_plot, self._context_plot):
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setPen(text)
                plot.getAxis(axis).setTextPen(text)
            plot.titleLabel.setText(plot.titleLabel.text, color=text.name())

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.type() == event.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    def now(self) -> float:
        """Seconds since the panel was created, the x coordinate of new samples."""
        return time.monotonic() - self._t0

    @Slot(float, float, int, int)
    def add_sample(self, decode_tps: float, rss_bytes: float, context_used: int, context_size: int) -> None:
        self._times.append(self.now())
        self._rates.append(decode_tps)
        self._memory_mib.append(rss_bytes / 2**20)
        self._context_pct.append(100.0 * context_used / context_size if context_size else 0.0)
        self._dirty = True

    def mark_reply_start(self) -> None:
        """Draw a vertical marker where a reply starts."""
        if self._times:
            self._times.append(self.now())
            for buffer in (self._rates, self._memory_mib, self._context_pct):
                buffer.append(float("nan"))
        line = pg.InfiniteLine(pos=self.now(), angle=90, movable=False,
                               pen=pg.mkPen(QColor(128, 128, 128), width=1, style=Qt.DashLine))
        self._rate_plot.addItem(line)
        self._markers.append(line)
        if len(self._markers) > MAX_MARKERS:
            self._rate_plot.removeItem(self._markers.popleft())

    def show_reply_stats(self, stats: dict) -> None:
        """Show the per-reply figures (the engine's ReplyStats as a dict: seconds and tokens/s)."""
        ttft = stats.get("time_to_first_token")
        prompt_tps = stats.get("prompt_tps")
        if (stats.get("prompt_tokens_evaluated") or 0) <= 1 or not stats.get("prompt_seconds"):
            prompt_tps = None  # the prompt came from the cache: there is no speed to show
        decode_tps = stats.get("decode_tps")
        generated = stats.get("generated_tokens")
        self._summary["ttft"].setText(self.tr("{value} ms").format(value=f"{ttft * 1000:.0f}") if ttft is not None else "–")
        self._summary["prompt"].setText(self.tr("{value} tokens/s").format(value=f"{prompt_tps:.1f}")
                                        if prompt_tps is not None else "–")
        self._summary["decode"].setText(self.tr("{value} tokens/s").format(value=f"{decode_tps:.1f}")
                                        if decode_tps is not None else "–")
        self._summary["tokens"].setText(self.tr("%n token(s)", "", int(generated))
                                        if generated is not None else "–")

    def clear(self) -> None:
        for buffer in (self._times, self._rates, self._memory_mib, self._context_pct):
            buffer.clear()
        while self._markers:
            self._rate_plot.removeItem(self._markers.popleft())
        for label in self._summary.values():
            label.setText("–")
        self._t0 = time.monotonic()
        self._dirty = True

    @Slot()
    def _redraw(self) -> None:
        if not self._dirty or not self.isVisible():
            return
        self._dirty = False
        times = np.fromiter(self._times, dtype=float, count=len(self._times))
        if times.size:
            keep = times >= times[-1] - HISTORY_SECONDS
            times = times[keep]
            start = len(self._times) - times.size
        else:
            start = 0
        for curve, buffer in ((self._rate_curve, self._rates), (self._memory_curve, self._memory_mib),
                              (self._context_curve, self._context_pct)):
            values = np.fromiter(buffer, dtype=float, count=len(buffer))[start:]
            curve.setData(times, values)
            if curve is self._rate_curve and np.isfinite(values).any():
                # Speed starts at 0 so a drop from 350 to 180 tokens/s does not look like a collapse.
                self._rate_plot.setYRange(0, max(10.0, float(np.nanmax(values)) * 1.1), padding=0)

    @property
    def sample_count(self) -> int:
        return len(self._times)
