"""Logging for the whole app: one ``llmdesk`` logger tree, a rotating file, stderr on request."""

from __future__ import annotations

import logging
import logging.handlers
import platform
import sys

from llmdesk import __version__
from llmdesk.core import paths

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
_configured = False


def setup_logging(verbosity: int = 0, console: bool = False) -> None:
    """Attach the file handler (and a stderr handler when ``console``) once per process."""
    global _configured
    if _configured:
        return
    _configured = True

    root = logging.getLogger("llmdesk")
    root.setLevel(logging.DEBUG if verbosity >= 2 else logging.INFO)
    try:
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            paths.log_dir() / "llm-desk.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(handler)
    except OSError as exc:  # read-only home, full disk: keep running, say so on stderr
        print(f"llm-desk: cannot write the log file: {exc}", file=sys.stderr)
    if console:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(stream)
    log_versions(root)


def log_versions(logger: logging.Logger) -> None:
    """Record the versions that matter for a bug report. Qt and llama.cpp are logged only when loaded."""
    logger.info("LLM Desk %s, Python %s on %s %s (%s)", __version__, platform.python_version(),
                platform.system(), platform.release(), platform.machine())
    qt = sys.modules.get("PySide6.QtCore")
    if qt is not None:
        logger.info("Qt %s, PySide6 %s", qt.qVersion(), sys.modules["PySide6"].__version__)
    try:
        from importlib.metadata import version

        logger.info("llama-cpp-python %s (loaded in the engine process)", version("llama-cpp-python"))
    except Exception:  # noqa: BLE001 - not installed is a valid state to report
        logger.warning("llama-cpp-python is not installed")
