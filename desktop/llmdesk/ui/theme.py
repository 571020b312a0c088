"""Light and dark themes: Fusion style, a palette from resources/themes/<name>.json and one shared QSS."""

from __future__ import annotations

import json
import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from llmdesk.core import paths

log = logging.getLogger(__name__)

THEMES = ("light", "dark")


def resolve_theme(choice: str) -> str:
    """Turn the setting ("system", "light", "dark") into "light" or "dark"."""
    if choice in THEMES:
        return choice
    scheme = QGuiApplication.styleHints().colorScheme()
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def build_palette(theme: str) -> QPalette:
    data = json.loads((paths.resources_dir() / "themes" / f"{theme}.json").read_text(encoding="utf-8"))
    palette = QPalette()
    for role_name, color in data["palette"].items():
        palette.setColor(QPalette.ColorRole[role_name], QColor(color))
    for role_name, color in data.get("disabled", {}).items():
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole[role_name], QColor(color))
    return palette


def style_sheet(theme: str) -> str:
    data = json.loads((paths.resources_dir() / "themes" / f"{theme}.json").read_text(encoding="utf-8"))
    themes_dir = paths.resources_dir() / "themes"
    qss = (themes_dir / "app.qss").read_text(encoding="utf-8")
    replacements = {"{sidebar}": data["sidebar"], "{checkbox_border}": data["checkbox_border"],
                    "{themes_dir}": themes_dir.as_posix()}
    for placeholder, value in replacements.items():
        qss = qss.replace(placeholder, value)
    return qss


def apply_theme(app: QApplication, choice: str) -> str:
    """Apply the theme named by the setting and return the one used ("light" or "dark")."""
    theme = resolve_theme(choice)
    app.setStyle("Fusion")
    app.setPalette(build_palette(theme))
    app.setStyleSheet(style_sheet(theme))
    log.info("Theme %s (setting %s)", theme, choice)
    return theme
