"""Folders where LLM Desk keeps its files.

platformdirs picks the per-user folders. Setting ``LLMDESK_HOME`` puts all of them under one folder
instead, which the tests use and which makes a portable install possible.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from llmdesk import APP_ID

_HOME_ENV = "LLMDESK_HOME"


def _home_override() -> Path | None:
    value = os.environ.get(_HOME_ENV)
    return Path(value).expanduser() if value else None


def _dir(kind: str) -> Path:
    home = _home_override()
    if home is not None:
        path = home / kind
    else:
        path = Path(getattr(platformdirs, f"user_{kind}_dir")(APP_ID, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """Settings and the user's own catalog file."""
    return _dir("config")


def data_dir() -> Path:
    """Chats database and downloaded models."""
    return _dir("data")


def log_dir() -> Path:
    return _dir("log")


def cache_dir() -> Path:
    return _dir("cache")


def models_dir() -> Path:
    """Return the app's own model folder, where downloads land."""
    path = data_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resource_root() -> Path:
    """Root that contains ``resources/`` and ``models.json``.

    In a PyInstaller bundle this is the unpack folder; in a source checkout or editable install it is
    the repository root, two levels above this package.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parents[3]


def resources_dir() -> Path:
    return resource_root() / "resources"


def builtin_catalog_path() -> Path:
    return resource_root() / "models.json"


def user_catalog_path() -> Path:
    """Optional user catalog: builds listed here are added to (or replace) the shipped ones by id."""
    return config_dir() / "models.user.json"
