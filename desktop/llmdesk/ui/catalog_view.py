"""The catalog table: one row per build with its recommended quantization and fit verdict.

``CatalogTableModel`` holds builds and their ``BuildFit``; ``CatalogFilterProxy`` filters by family, text
and "fits only" and sorts by typed keys; ``CatalogView`` puts the controls above the table.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt,
                            Signal, Slot)
from PySide6.QtGui import QGuiApplication

from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QTableView, QVBoxLayout, QWidget)

from llmdesk.core.catalog_types import BenchmarkScore, ModelBuild
from llmdesk.core.settings import Settings
from llmdesk.ui.fit_compute import PLACEMENT_ORDER, BuildFit, FitParams
from llmdesk.ui.i18n import translate_marked, translate_message
from llmdesk.ui.settings_page import choice_label
from llmdesk.ui.widgets import (format_bytes, format_context, format_number, format_params, format_tokens_per_s,
                                verdict_color, verdict_icon, verdict_key)

translate = QCoreApplication.translate

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
BUILD_ID_ROLE = Qt.ItemDataRole.UserRole + 2
VERDICT_ROLE = Qt.ItemDataRole.UserRole + 3

CONTEXT_CHOICES = (2048, 4096, 8192, 16384, 32768, 131072)
KV_CHOICES = ("f16", "q8_0", "q4_0")
PREFERENCE_CHOICES = ("speed", "balanced", "quality")

(COL_BUILD, COL_VERDICT, COL_QUANT, COL_MEMORY, COL_SPEED, COL_SIZE, COL_PARAMS, COL_FAMILY,
 COL_MMLU, COL_GSM8K, COL_HUMANEVAL, COL_LICENSE) = range(12)
_BENCH_COLUMNS = {COL_MMLU: "MMLU", COL_GSM8K: "GSM8K", COL_HUMANEVAL: "HumanEval"}
# Widest the model and verdict columns start at, in average character widths: enough for names such
# as "DeepSeek R1 Distill Qwen 1.5B" and for the verdict "Split between GPU and CPU" with its icon.
_LONG_COLUMN_CHARS = {COL_BUILD: 36, COL_VERDICT: 35}


def verdict_text(placement_value: str | None) -> str:
    """Translated verdict for a placement value ("full_gpu", ...), or "not estimated yet"."""
    if placement_value is None:
        return translate("CatalogTableModel", "not estimated yet")
    from llmdesk.core.fit.results import PLACEMENT_LABELS, Placement

    return translate_marked("Fit", PLACEMENT_LABELS[Placement(placement_value)])


def _score(build: ModelBuild, name: str) -> BenchmarkScore | None:
    for score in build.benchmarks:
        if score.name == name:
            return score
    return None


class CatalogTableModel(QAbstractTableModel):
    """Builds and their fit advice. GUI thread only; ``set_fits`` replaces the advice in one step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._builds: list[ModelBuild] = []
        self._fits: dict[str, BuildFit] = {}

    def headers(self) -> list[str]:
        names = {
            COL_BUILD: self.tr("Model"), COL_VERDICT: self.tr("Verdict"), COL_QUANT: self.tr("Quant"),
            COL_MEMORY: self.tr("Memory"), COL_SPEED: self.tr("Est. speed"), COL_SIZE: self.tr("File size"),
            COL_PARAMS: self.tr("Parameters"), COL_FAMILY: self.tr("Family"), COL_MMLU: "MMLU",
            COL_GSM8K: "GSM8K", COL_HUMANEVAL: "HumanEval", COL_LICENSE: self.tr("Licence"),
        }
        return [names[column] for column in range(len(names))]

    def set_builds(self, builds: list[ModelBuild]) -> None:
        self.beginResetModel()
        self._builds = list(builds)
        self._fits = {}
        self.endResetModel()

    def set_fits(self, fits: dict[str, BuildFit]) -> None:
        self._fits = dict(fits)
        if self._builds:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._builds) - 1, self.columnCount() - 1))

    def build_at(self, row: int) -> ModelBuild:
        return self._builds[row]

    def fit_for(self, build_id: str) -> BuildFit | None:
        return self._fits.get(build_id)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._builds)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else 12

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            if section == COL_QUANT:
                return self.tr("The quantization recommended for this machine; the Details tab lists all of them.")
            if section == COL_SPEED:
                return self.tr("Estimated decoding speed in tokens per second for the recommended quant.")
            if section == COL_MEMORY:
                return self.tr("Memory the recommended quant needs at the chosen context length: weights, "
                               "KV cache, compute buffers, overhead and a safety margin.")
            if section in _BENCH_COLUMNS:
                return self.tr("Published score of the original model; hover a cell for its source.")
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        build = self._builds[index.row()]
        column = index.column()
        fit = self._fits.get(build.id)
        best = fit.best if fit else None
        if role == BUILD_ID_ROLE:
            return build.id
        if role == VERDICT_ROLE:
            return fit.placement_value if fit else None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(build, column, fit, best)
        if role == SORT_ROLE:
            return self._sort_key(build, column, fit, best)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = self._tooltip(build, column, fit, best)
            if column in (COL_BUILD, COL_VERDICT):  # these cells may be elided (CatalogView._size_columns)
                cell_text = self._display(build, column, fit, best)
                return f"{cell_text}\n\n{tip}" if tip else cell_text
            return tip
        if column == COL_VERDICT and role == Qt.ItemDataRole.DecorationRole:
            return verdict_icon(verdict_key(fit.placement_value if fit else None))
        if column == COL_VERDICT and role == Qt.ItemDataRole.ForegroundRole:
            return verdict_color(verdict_key(fit.placement_value if fit else None), QGuiApplication.palette())
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COL_PARAMS, COL_SIZE, COL_MEMORY, COL_SPEED,
                                                                     COL_MMLU, COL_GSM8K, COL_HUMANEVAL):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, build: ModelBuild, column: int, fit: BuildFit | None, best: Any) -> Any:
        if column == COL_BUILD:
            return build.name
        if column == COL_FAMILY:
            return build.family
        if column == COL_PARAMS:
            return format_params(build.arch.n_params)
        if column == COL_QUANT:
            return fit.recommended if fit and fit.recommended else "–"
        if column == COL_SIZE:
            return format_bytes(best.file_size) if best else "–"
        if column == COL_MEMORY:
            return format_bytes(best.memory.total) if best else "–"
        if column == COL_VERDICT:
            return verdict_text(fit.placement_value if fit else None)
        if column == COL_SPEED:
            return format_tokens_per_s(best.decode_tps) if best else "–"
        if column in _BENCH_COLUMNS:
            score = _score(build, _BENCH_COLUMNS[column])
            return format_number(score.value, 1) if score else ""
        if column == COL_LICENSE:
            return build.license
        return None

    def _sort_key(self, build: ModelBuild, column: int, fit: BuildFit | None, best: Any) -> Any:
        # Missing values sort last in ascending order.
        if column in (COL_BUILD, COL_FAMILY, COL_LICENSE, COL_QUANT):
            return str(self._display(build, column, fit, best)).casefold()
        if column == COL_PARAMS:
            return float(build.arch.n_params)
        if column == COL_SIZE:
            return float(best.file_size) if best else float("inf")
        if column == COL_MEMORY:
            return float(best.memory.total) if best else float("inf")
        if column == COL_VERDICT:
            value = fit.placement_value if fit else None
            return float(PLACEMENT_ORDER.index(value)) if value in PLACEMENT_ORDER else float(len(PLACEMENT_ORDER))
        if column == COL_SPEED:
            return float(best.decode_tps) if best and best.decode_tps is not None else -1.0
        if column in _BENCH_COLUMNS:
            score = _score(build, _BENCH_COLUMNS[column])
            return score.value if score else -1.0
        return 0.0

    def _tooltip(self, build: ModelBuild, column: int, fit: BuildFit | None, best: Any) -> str | None:
        if column in _BENCH_COLUMNS:
            score = _score(build, _BENCH_COLUMNS[column])
            if score is None:
                return self.tr("No published score.")
            setting = f" ({score.setting})" if score.setting else ""
            return self.tr("{name}{setting}: {value}\nSource: {source}").format(
                name=score.name, setting=setting, value=format_number(score.value, 1), source=score.source)
        if best is None:
            return translate_marked("Catalog", build.description) if build.description else None
        if column == COL_MEMORY:
            return memory_breakdown_text(best)
        lines = [translate_message(line) for line in best.explanation]
        return "\n".join(lines) if lines else None


def memory_breakdown_text(result: Any) -> str:
    """The memory breakdown of a FitResult, one item per line, in the UI language."""
    memory = result.memory
    lines = [
        translate("CatalogTableModel", "Weights: {size}").format(size=format_bytes(memory.weights)),
        translate("CatalogTableModel", "KV cache: {size}").format(size=format_bytes(memory.kv_cache)),
        translate("CatalogTableModel", "Compute buffers: {size}").format(size=format_bytes(memory.compute)),
        translate("CatalogTableModel", "Runtime overhead: {size}").format(size=format_bytes(memory.overhead)),
        translate("CatalogTableModel", "Safety margin: {size}").format(size=format_bytes(memory.margin)),
        translate("CatalogTableModel", "Total: {size}").format(size=format_bytes(memory.total)),
    ]
    if memory.gpu is not None:
        lines.append(translate("CatalogTableModel", "On the GPU: {need} of {free} free").format(need=format_bytes(memory.gpu.total),
                                                                   free=format_bytes(memory.gpu.available)))
    lines.append(translate("CatalogTableModel", "In RAM: {need} of {free} available").format(need=format_bytes(memory.host.total),
                                                                free=format_bytes(memory.host.available)))
    return "\n".join(lines)


class CatalogFilterProxy(QSortFilterProxyModel):
    """Filters rows by family, free text and "fits only"; sorts by ``SORT_ROLE``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)
        self._family = ""
        self._text = ""
        self._fits_only = False

    def set_family(self, family: str) -> None:
        self._change_filter("_family", family)

    def set_search_text(self, text: str) -> None:
        self._change_filter("_text", text.strip().casefold())

    def set_fits_only(self, enabled: bool) -> None:
        self._change_filter("_fits_only", enabled)

    def _change_filter(self, attribute: str, value: object) -> None:
        # Qt 6.10 deprecates invalidateRowsFilter() in favour of begin/endFilterChange().
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            setattr(self, attribute, value)
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            setattr(self, attribute, value)
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        if not isinstance(model, CatalogTableModel):
            return True
        build = model.build_at(source_row)
        if self._family and build.family != self._family:
            return False
        if self._text:
            haystack = " ".join((build.name, build.id, build.family, build.description, build.license,
                                 " ".join(build.tags), " ".join(q.name for q in build.quants))).casefold()
            if not all(word in haystack for word in self._text.split()):
                return False
        if self._fits_only:
            fit = model.fit_for(build.id)
            if fit is None or not fit.fits:
                return False
        return True


class CatalogView(QWidget):
    """Controls (search, family, fits only, context, KV cache, preference) above the catalog table.

    ``params_changed(FitParams)`` fires when a control that changes the estimate changes;
    ``build_selected(build_id)`` when the selected row changes ("" when nothing is selected).
    """

    params_changed = Signal(object)
    build_selected = Signal(str)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = CatalogTableModel(self)
        self.proxy = CatalogFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search models…"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_search_text)
        self.search.textChanged.connect(self._update_count)
        self.family = QComboBox()
        self.family.addItem(self.tr("All families"), "")
        self.family.currentIndexChanged.connect(self._on_family_changed)
        self.fits_only = QCheckBox(self.tr("Fits only"))
        self.fits_only.setToolTip(self.tr("Hide models that do not run on this machine at the chosen "
                                          "context length."))
        self.fits_only.toggled.connect(self.proxy.set_fits_only)
        self.fits_only.toggled.connect(self._update_count)

        self.context = QComboBox()
        contexts = list(CONTEXT_CHOICES)
        default_ctx = int(settings.get("default_context"))
        if default_ctx not in contexts:
            contexts = sorted(contexts + [default_ctx])
        for tokens in contexts:
            self.context.addItem(self.tr("{tokens} tokens").format(tokens=format_context(tokens)), tokens)
        self.context.setCurrentIndex(self.context.findData(default_ctx))
        self.context.setToolTip(self.tr("Context length: how many tokens of conversation the model keeps. "
                                        "Longer contexts need more memory for the KV cache."))
        self.kv_type = QComboBox()
        for value in KV_CHOICES:
            self.kv_type.addItem(choice_label("kv_cache_type", value), value)
        self.kv_type.setCurrentIndex(max(0, self.kv_type.findData(settings.get("kv_cache_type"))))
        self.preference = QComboBox()
        for value in PREFERENCE_CHOICES:
            self.preference.addItem(choice_label("fit_preference", value), value)
        self.preference.setCurrentIndex(max(0, self.preference.findData(settings.get("fit_preference"))))
        for combo in (self.context, self.kv_type, self.preference):
            combo.currentIndexChanged.connect(self._emit_params)
        # An explicit minimum lets the combos shrink below their text width in a narrow window.
        for combo in (self.family, self.context, self.kv_type, self.preference):
            combo.setMinimumWidth(70)

        self.count = QLabel()
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_VERDICT, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        # Interactive columns sized to their contents whenever the data changes; ResizeToContents alone
        # kept the widths measured before the fits arrived and cut the speed column.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.family)
        filters.addWidget(self.fits_only)
        filters.addStretch(1)
        filters.addWidget(self.count)
        estimate = QHBoxLayout()
        estimate.addWidget(QLabel(self.tr("Context length:")))
        estimate.addWidget(self.context)
        estimate.addWidget(QLabel(self.tr("KV cache:")))
        estimate.addWidget(self.kv_type)
        estimate.addWidget(QLabel(self.tr("Prefer:")))
        estimate.addWidget(self.preference)
        estimate.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addLayout(estimate)
        layout.addWidget(self.table, 1)
        self._update_count()

    def params(self) -> FitParams:
        return FitParams(n_ctx=int(self.context.currentData()), kv_type=str(self.kv_type.currentData()),
                         preference=str(self.preference.currentData()))

    def set_builds(self, builds: list[ModelBuild], families: list[str]) -> None:
        self.model.set_builds(builds)
        current = self.family.currentData()
        self.family.blockSignals(True)
        while self.family.count() > 1:
            self.family.removeItem(1)
        for family in families:
            self.family.addItem(family, family)
        self.family.setCurrentIndex(max(0, self.family.findData(current)))
        self.family.blockSignals(False)
        self._update_count()
        self._size_columns()

    def set_fits(self, fits: dict[str, BuildFit]) -> None:
        self.model.set_fits(fits)
        self._update_count()
        self._size_columns()

    def _size_columns(self) -> None:
        """Size the columns to their contents, but cap the two long text columns so the quantization,
        memory and speed columns stay in view on a 1280-pixel-wide screen. A capped cell is elided, and
        its tooltip starts with the whole text."""
        self.table.resizeColumnsToContents()
        char_width = self.table.fontMetrics().averageCharWidth()
        for column, chars in _LONG_COLUMN_CHARS.items():
            if self.table.columnWidth(column) > chars * char_width:
                self.table.setColumnWidth(column, chars * char_width)

    def selected_build_id(self) -> str:
        index = self.table.currentIndex()
        return str(index.data(BUILD_ID_ROLE)) if index.isValid() else ""

    def select_build(self, build_id: str) -> None:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(BUILD_ID_ROLE) == build_id:
                self.table.setCurrentIndex(index)
                return

    def visible_build_ids(self) -> list[str]:
        """Build ids in the order the table shows them (after filtering and sorting)."""
        return [self.proxy.index(row, 0).data(BUILD_ID_ROLE) for row in range(self.proxy.rowCount())]

    @Slot(int)
    def _on_family_changed(self, _index: int) -> None:
        self.proxy.set_family(self.family.currentData() or "")
        self._update_count()

    @Slot()
    def _emit_params(self) -> None:
        self.params_changed.emit(self.params())

    @Slot()
    def _update_count(self) -> None:
        shown = self.proxy.rowCount()
        total = self.model.rowCount()
        if shown == total:
            self.count.setText(self.tr("%n model(s)", "", total))
        else:
            self.count.setText(self.tr("%n of %1 model(s) shown", "", shown).replace("%1", str(total)))

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.build_selected.emit(str(current.data(BUILD_ID_ROLE)) if current.isValid() else "")
