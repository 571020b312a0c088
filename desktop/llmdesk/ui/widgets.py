"""Small shared pieces: number formatting in the UI language, headings, icons, the verdict look."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QModelIndex, QPersistentModelIndex, QRect, QSize
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QFrame, QHeaderView, QLabel, QStyledItemDelegate, QStyleOptionViewItem, QTreeView, QWidget

from llmdesk.core import paths

translate = QCoreApplication.translate
GIB = 1024 ** 3
MIB = 1024 ** 2


def format_number(value: float, decimals: int = 1) -> str:
    """Format with the UI locale's decimal separator."""
    return QLocale().toString(float(value), "f", decimals)


def format_bytes(size: int | float | None) -> str:
    """Binary units (GiB, MiB), the way memory is sized; ``None`` reads as unknown."""
    if size is None:
        return translate("Format", "unknown")
    if size >= GIB:
        return translate("Format", "{value} GiB").format(value=format_number(size / GIB, 1 if size < 100 * GIB else 0))
    if size >= MIB:
        return translate("Format", "{value} MiB").format(value=format_number(size / MIB, 0))
    return translate("Format", "{value} KiB").format(value=format_number(size / 1024, 0))


def format_bandwidth(bytes_per_s: float | None) -> str:
    if bytes_per_s is None:
        return translate("Format", "unknown")
    return translate("Format", "{value} GB/s").format(value=format_number(bytes_per_s / 1e9, 0))


def format_speed(bytes_per_s: float | None) -> str:
    """Download speed in decimal megabytes per second, as browsers show it."""
    if bytes_per_s is None:
        return ""
    return translate("Format", "{value} MB/s").format(value=format_number(bytes_per_s / 1e6, 1))


def format_tokens_per_s(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return translate("Format", "{value} tok/s").format(value=format_number(value, 1 if value < 10 else 0))


def format_duration(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return ""
    seconds = int(round(seconds))
    if seconds < 60:
        return translate("Format", "{s} s").format(s=seconds)
    if seconds < 3600:
        return translate("Format", "{m} min {s} s").format(m=seconds // 60, s=seconds % 60)
    return translate("Format", "{h} h {m} min").format(h=seconds // 3600, m=(seconds % 3600) // 60)


def format_params(n_params: int | None) -> str:
    """Parameter count as "8.0B" or "560M"."""
    if not n_params:
        return "–"
    if n_params >= 1e9:
        return translate("Format", "{value}B").format(value=format_number(n_params / 1e9, 1))
    return translate("Format", "{value}M").format(value=format_number(n_params / 1e6, 0))


def format_context(tokens: int) -> str:
    """Context length as "4k" or "128k" for round powers of two, else the plain number."""
    if tokens >= 1024 and tokens % 1024 == 0:
        return f"{tokens // 1024}k"
    return str(tokens)


def heading(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setProperty("role", "heading")
    return label


def hint(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    return label


def error_label(parent: QWidget | None = None) -> QLabel:
    """A label for error text; empty and hidden until ``show_error`` fills it."""
    label = QLabel(parent)
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.hide()
    return label


def show_error(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def separator(parent: QWidget | None = None) -> QFrame:
    line = QFrame(parent)
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


class WrappingItemDelegate(QStyledItemDelegate):
    """Sizes tree rows for text wrapped at the current column width.

    QTreeView requests row heights from its delegate without a column width, so wrapped text would get one
    line's height and be cut. Use with ``setWordWrap(True)`` and ``setUniformRowHeights(False)``;
    ``install_wrapping_delegate`` also lays the rows out again when a column is resized.
    """

    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self._view = view

    def sizeHint(self, option: QStyleOptionViewItem,  # noqa: N802 - Qt override
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        # A column sized to its contents keeps one line; measuring it at its own width would shrink it.
        if self._view.header().sectionResizeMode(index.column()) == QHeaderView.ResizeMode.ResizeToContents:
            return super().sizeHint(option, index)
        sized = QStyleOptionViewItem(option)
        width = self._view.columnWidth(index.column())
        if index.column() == 0:
            depth = 0
            parent = index.parent()
            while parent.isValid():
                depth += 1
                parent = parent.parent()
            width -= self._view.indentation() * (depth + int(self._view.rootIsDecorated()))
        # The style wraps only within a valid rectangle, so the height must be positive as well.
        sized.rect = QRect(0, 0, max(width, 1), max(option.rect.height(), 1))
        return super().sizeHint(sized, index)


def install_wrapping_delegate(view: QTreeView) -> None:
    """Make ``view`` wrap long cell text onto more lines instead of eliding it."""
    view.setWordWrap(True)
    view.setUniformRowHeights(False)
    view.setItemDelegate(WrappingItemDelegate(view))
    view.header().sectionResized.connect(lambda *_sizes: view.doItemsLayout())


def icon_path(name: str) -> Path:
    return paths.resources_dir() / "icons" / f"{name}.svg"


@lru_cache(maxsize=None)
def _icon_cached(name: str) -> QIcon:
    return QIcon(str(icon_path(name)))


def icon(name: str) -> QIcon:
    """An icon from resources/icons (SVG); a missing file gives an empty icon."""
    return _icon_cached(name)


def icon_with_selected_color(base: QIcon, color: QColor, sizes: tuple[int, ...] = (16, 20, 24, 32, 48)) -> QIcon:
    """Return ``base`` with its Selected-mode pixmaps painted in ``color``.

    Qt's default Selected pixmap blends the icon with the highlight colour, which leaves a blue-grey
    icon almost invisible on a blue selected row.
    """
    result = QIcon()
    for size in sizes:
        normal = base.pixmap(size, size)
        if normal.isNull():
            continue
        result.addPixmap(normal, QIcon.Mode.Normal)
        tinted = QPixmap(normal.size())
        tinted.setDevicePixelRatio(normal.devicePixelRatio())
        tinted.fill(QColor(0, 0, 0, 0))
        painter = QPainter(tinted)
        painter.drawPixmap(0, 0, normal)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(tinted.rect(), color)
        painter.end()
        result.addPixmap(tinted, QIcon.Mode.Selected)
    return result


# Verdict keys used by the UI. fit.Placement values map onto these in ``verdict_key``.
VERDICT_KEYS = ("full_gpu", "partial_gpu", "cpu_only", "tight", "no_fit", "unknown")
_VERDICT_ICONS = {
    "full_gpu": "verdict-full",
    "partial_gpu": "verdict-partial",
    "cpu_only": "verdict-cpu",
    "tight": "verdict-cpu",
    "no_fit": "verdict-nofit",
    "unknown": "verdict-unknown",
}


def verdict_key(placement: object) -> str:
    """Map a placement (enum or string) to one of ``VERDICT_KEYS``."""
    if placement is None:
        return "unknown"
    value = getattr(placement, "value", placement)
    key = str(value).lower()
    return key if key in _VERDICT_ICONS else "unknown"


def verdict_icon(key: str) -> QIcon:
    return icon(_VERDICT_ICONS.get(key, "verdict-unknown"))


@lru_cache(maxsize=None)
def _theme_verdict_colors(theme: str) -> dict[str, str]:
    data = json.loads((paths.resources_dir() / "themes" / f"{theme}.json").read_text(encoding="utf-8"))
    return dict(data["verdict"])


def is_dark_palette(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def verdict_color(key: str, palette: QPalette) -> QColor:
    """Text colour for a verdict that keeps contrast against the palette's base colour."""
    colors = _theme_verdict_colors("dark" if is_dark_palette(palette) else "light")
    return QColor(colors.get(key, colors["unknown"]))
