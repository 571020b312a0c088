"""The core calls the main window makes off the GUI thread, gathered so a test can pass its own.

The default implementations import their core module on first call, on the worker thread, so the
window appears before hardware probes or the catalog parser are even imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from llmdesk.core.hardware.profile import LlamaBuildInfo, MachineProfile
from llmdesk.core.settings import Settings


def _detect(settings: Settings) -> MachineProfile:
    from llmdesk.core import hardware

    return hardware.detect(settings=settings, query_llama=False)


def _probe_llama(should_stop: Callable[[], bool] | None = None) -> LlamaBuildInfo:
    from llmdesk.core import hardware

    return hardware.probe_llama(should_stop=should_stop)


def _load_catalog() -> Any:
    from llmdesk.core import catalog

    return catalog.load_catalog()


@dataclass
class Services:
    """Slow calls, each run on a pool thread by the main window.

    ``detect(settings)`` builds the MachineProfile without asking llama.cpp; ``probe_llama(should_stop)``
    starts the llama.cpp probe child process, may take seconds and kills the child once ``should_stop()``
    returns True; ``load_catalog()`` returns a Catalog.
    """

    detect: Callable[[Settings], MachineProfile] = _detect
    probe_llama: Callable[[Callable[[], bool]], LlamaBuildInfo] = _probe_llama
    load_catalog: Callable[[], Any] = _load_catalog
