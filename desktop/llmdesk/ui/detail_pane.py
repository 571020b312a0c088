"""The detail pane of the Models page: one build's quantizations, the working behind the verdict,
benchmark scores with sources, and fine-tuning advice."""

from __future__ import annotations

import html
import logging
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget)

from llmdesk.core.hardware.profile import MachineProfile
from llmdesk.ui.catalog_view import memory_breakdown_text, verdict_text
from llmdesk.ui.fit_compute import BuildFit
from llmdesk.ui.i18n import translate_marked, translate_message
from llmdesk.ui.widgets import (format_bytes, format_number, format_tokens_per_s, heading, hint, verdict_color,
                                verdict_icon, verdict_key)

log = logging.getLogger(__name__)

# The Download button sits next to the quant name so it stays visible in a narrow pane.
(QCOL_NAME, QCOL_DOWNLOAD, QCOL_VERDICT, QCOL_MEMORY, QCOL_SIZE, QCOL_SPEED, QCOL_LAYERS, QCOL_QUALITY) = range(8)
# The verdict column is never narrowed below this many average character widths, icon included.
_MIN_VERDICT_CHARS = 10


class DetailPane(QWidget):
    """Shows one BuildFit. ``download_requested(build_id, quant_name)`` fires from a Download button."""

    download_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fit: BuildFit | None = None
        self._profile: MachineProfile | None = None
        self._selected_quant: str | None = None

        self._title = heading(self.tr("No model selected"))
        self._title.setWordWrap(True)
        self._summary = hint(self.tr("Select a model in the table to see how it fits this machine."))
        self._summary.setTextFormat(Qt.TextFormat.RichText)
        self._summary.setOpenExternalLinks(True)
        self._quants = QTableWidget(0, 8)
        headers = {QCOL_NAME: self.tr("Quant"), QCOL_DOWNLOAD: "", QCOL_VERDICT: self.tr("Verdict"),
                   QCOL_MEMORY: self.tr("Memory"), QCOL_SIZE: self.tr("File size"),
                   QCOL_SPEED: self.tr("Est. speed"), QCOL_LAYERS: self.tr("GPU layers"),
                   QCOL_QUALITY: self.tr("Quality loss")}
        self._quants.setHorizontalHeaderLabels([headers[column] for column in range(len(headers))])
        self._quants.horizontalHeaderItem(QCOL_MEMORY).setToolTip(
            self.tr("Memory needed to run this quantization: weights, KV cache, compute buffers and a margin"))
        self._quants.horizontalHeaderItem(QCOL_SPEED).setToolTip(self.tr("Estimated decoding speed"))
        self._quants.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self._quants.setWordWrap(False)
        self._quants.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._quants.verticalHeader().hide()
        self._quants.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._quants.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._quants.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Columns start at their contents' width (_size_columns); the verdict column is then narrowed so
        # the memory column stays in view. An elided verdict has its full text in the tooltip.
        self._quants.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._quants.horizontalHeader().setStretchLastSection(True)
        self._quants.currentCellChanged.connect(self._on_quant_row_changed)
        self._quants.viewport().installEventFilter(self)
        self._working = QTextBrowser()
        self._working.setOpenExternalLinks(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._title)
        layout.addWidget(self._summary)
        layout.addWidget(self._quants, 2)
        layout.addWidget(QLabel(self.tr("How this was worked out")))
        layout.addWidget(self._working, 3)

    def set_profile(self, profile: MachineProfile | None) -> None:
        self._profile = profile

    def current_fit(self) -> BuildFit | None:
        return self._fit

    def selected_quant(self) -> str | None:
        return self._selected_quant

    def clear(self) -> None:
        self._fit = None
        self._title.setText(self.tr("No model selected"))
        self._summary.setText(self.tr("Select a model in the table to see how it fits this machine."))
        self._quants.setRowCount(0)
        self._working.clear()

    def show_fit(self, fit: BuildFit) -> None:
        """Show ``fit``; keeps the selected quantization when the same build is shown again."""
        keep = self._selected_quant if self._fit and self._fit.build.id == fit.build.id else None
        self._fit = fit
        build = fit.build
        self._title.setText(build.name)
        summary = [html.escape(translate_marked("Catalog", build.description))] if build.description else []
        if fit.recommendation is not None:
            summary.append("<b>" + html.escape(translate_message(fit.recommendation.reason)) + "</b>")
        if fit.error:
            summary.append(html.escape(self.tr("No estimate: {error}").format(error=fit.error)))
        if build.homepage:
            link_text = self.tr("Model page")
            summary.append(f'<a href="{html.escape(build.homepage)}">{html.escape(link_text)}</a>')
        self._summary.setText("<br>".join(summary))
        self._fill_quants(fit)
        chosen = keep if keep in fit.quant_fits else fit.recommended
        row = list(fit.quant_fits).index(chosen) if chosen in fit.quant_fits else -1
        self._selected_quant = None
        if row >= 0:
            self._quants.setCurrentCell(row, 0)
            self._on_quant_row_changed(row, 0, -1, -1)
        else:
            self._show_working(None)

    def _fill_quants(self, fit: BuildFit) -> None:
        palette = QGuiApplication.palette()
        self._quants.setRowCount(len(fit.quant_fits))
        for row, (name, estimate) in enumerate(fit.quant_fits.items()):
            variant = fit.build.quant(name)
            label = name + ("  ★" if name == fit.recommended else "")
            name_item = QTableWidgetItem(label)
            if name == fit.recommended:
                name_item.setToolTip(self.tr("Recommended for this machine"))
            size_text = format_bytes(estimate.file_size)
            if variant is not None and variant.size_is_estimate:
                size_text = self.tr("≈ {size}").format(size=size_text)
            items = {
                QCOL_NAME: name_item,
                QCOL_SIZE: QTableWidgetItem(size_text),
                QCOL_MEMORY: QTableWidgetItem(format_bytes(estimate.memory.total)),
                QCOL_VERDICT: QTableWidgetItem(verdict_text(estimate.placement.value)),
                QCOL_SPEED: QTableWidgetItem(format_tokens_per_s(estimate.decode_tps)),
                QCOL_LAYERS: QTableWidgetItem(f"{estimate.n_gpu_layers}/{estimate.n_layers_total}"),
                QCOL_QUALITY: QTableWidgetItem(self._quality_text(variant)),
            }
            key = verdict_key(estimate.placement)
            items[QCOL_VERDICT].setIcon(verdict_icon(key))
            items[QCOL_VERDICT].setForeground(verdict_color(key, palette))
            items[QCOL_MEMORY].setToolTip(memory_breakdown_text(estimate))
            items[QCOL_VERDICT].setToolTip("\n".join([items[QCOL_VERDICT].text()]
                                                     + [translate_message(m) for m in estimate.explanation]))
            if variant is not None and variant.ppl_source:
                items[QCOL_QUALITY].setToolTip(self.tr("Perplexity increase versus F16. Source: {source}")
                                               .format(source=translate_marked("Catalog", variant.ppl_source)))
            for column, item in items.items():
                self._quants.setItem(row, column, item)
            button = QPushButton(self.tr("Download"))
            button.setToolTip(self.tr("Download {file} from {repo}").format(
                file=variant.filename if variant else name, repo=variant.repo if variant else ""))
            button.clicked.connect(lambda _checked=False, q=name: self._request_download(q))
            self._quants.setCellWidget(row, QCOL_DOWNLOAD, button)
        self._size_columns()

    def _size_columns(self) -> None:
        """Size the columns to their contents, then narrow the verdict column (to no less than
        _MIN_VERDICT_CHARS average characters) until the memory column fits the table's width."""
        self._quants.resizeColumnsToContents()
        key_columns = (QCOL_NAME, QCOL_DOWNLOAD, QCOL_VERDICT, QCOL_MEMORY)
        needed = sum(self._quants.columnWidth(column) for column in key_columns)
        excess = needed - self._quants.viewport().width()
        if excess > 0:
            narrowest = _MIN_VERDICT_CHARS * self._quants.fontMetrics().averageCharWidth()
            width = self._quants.columnWidth(QCOL_VERDICT)
            self._quants.setColumnWidth(QCOL_VERDICT, max(narrowest, width - excess))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # The viewport's resizes drive the sizing, because a table in a hidden tab is laid out only when
        # the tab is first shown, without a resize of this widget.
        if watched is self._quants.viewport() and event.type() == QEvent.Type.Resize and self._quants.rowCount():
            self._size_columns()
        return super().eventFilter(watched, event)

    def _quality_text(self, variant: Any) -> str:
        if variant is None or variant.ppl_delta_pct is None:
            return "–"
        return self.tr("+{value} % perplexity").format(value=format_number(variant.ppl_delta_pct, 1))

    def _request_download(self, quant: str) -> None:
        if self._fit is not None:
            self.download_requested.emit(self._fit.build.id, quant)

    @Slot(int, int, int, int)
    def _on_quant_row_changed(self, row: int, _column: int, _previous_row: int, _previous_column: int) -> None:
        if self._fit is None or row < 0 or row >= len(self._fit.quant_fits):
            return
        name = list(self._fit.quant_fits)[row]
        if name == self._selected_quant:
            return
        self._selected_quant = name
        self._show_working(self._fit.quant_fits[name])

    def _show_working(self, estimate: Any) -> None:
        parts: list[str] = []
        if estimate is not None:
            key = verdict_key(estimate.placement)
            color = verdict_color(key, QGuiApplication.palette()).name()
            parts.append(f'<h3 style="color:{color}">{html.escape(estimate.quant or "")}: '
                         f'{html.escape(verdict_text(estimate.placement.value))}</h3>')
            parts.append("<ul>" + "".join(f"<li>{html.escape(translate_message(line))}</li>"
                                          for line in estimate.explanation) + "</ul>")
            parts.append("<h4>" + html.escape(self.tr("Memory")) + "</h4>")
            parts.append("<br>".join(html.escape(line) for line in memory_breakdown_text(estimate).split("\n")))
        if self._fit is not None:
            parts.append(self._benchmarks_html())
            parts.append(self._finetune_html())
        self._working.setHtml("".join(parts))

    def _benchmarks_html(self) -> str:
        assert self._fit is not None
        scores = self._fit.build.benchmarks
        if not scores:
            return ""
        rows = []
        for score in scores:
            setting = f" ({html.escape(score.setting)})" if score.setting else ""
            rows.append(f"<li>{html.escape(score.name)}{setting}: {format_number(score.value, 1)} "
                        f"<small>— {html.escape(score.source)}</small></li>")
        return ("<h4>" + html.escape(self.tr("Published scores of the original model")) + "</h4><ul>"
                + "".join(rows) + "</ul>")

    def _finetune_html(self) -> str:
        assert self._fit is not None
        if self._profile is None:
            return ""
        from llmdesk.core import fit

        try:
            estimates = fit.finetune_advice(self._fit.build, self._profile)
        except ValueError as exc:
            log.warning("No fine-tuning advice for %s: %s", self._fit.build.id, exc)
            return ""
        rows = []
        for entry in estimates:
            if entry.fits_gpu:
                where = self.tr("fits on the GPU")
            elif entry.fits_cpu:
                where = self.tr("only in system RAM (very slow)")
            else:
                where = self.tr("does not fit")
            details = "".join(f"<li>{html.escape(translate_message(line))}</li>" for line in entry.explanation)
            rows.append(f"<li><b>{html.escape(translate_marked('Fit', entry.label))}</b>: "
                        f"{html.escape(format_bytes(entry.total))}, {html.escape(where)}<ul>{details}</ul></li>")
        return "<h4>" + html.escape(self.tr("Fine-tuning")) + "</h4><ul>" + "".join(rows) + "</ul>"
