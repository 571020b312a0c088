"""Qt face of the engine client: engine events become signals delivered on the GUI thread.

``EngineClient`` calls its callback from its reader thread with a batch of events. The bridge re-emits
each batch through a signal; because the bridge lives on the GUI thread, Qt queues that signal, so the
slots below run on the GUI thread and never block it.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot

from llmdesk.engine import protocol

log = logging.getLogger(__name__)


# The client terminates a child that ignores its shutdown command after EXIT_GRACE_SECONDS (5 s)
# and kills it 2 s later, so this wait ends by then.
EXIT_WAIT_SECONDS = 8.0


class EngineBridge(QObject):
    """Owns one EngineClient; typed signals per event kind, all emitted on the GUI thread."""

    _batch_arrived = Signal(list)

    state_changed = Signal(str)
    load_progressed = Signal(float)
    model_loaded = Signal(object)  # protocol.ModelInfo
    load_failed = Signal(object)  # protocol.LoadFailed
    text_received = Signal(str, str, str)  # request_id, kind ("reasoning" | "answer"), text
    stats_sampled = Signal(object)  # protocol.StatsSample
    context_trimmed = Signal(object)  # protocol.ContextTrimmed
    filter_applied = Signal(object)  # protocol.FilterApplied
    generation_finished = Signal(object)  # protocol.Finished
    generation_failed = Signal(object)  # protocol.GenerateFailed
    engine_crashed = Signal(object)  # protocol.EngineCrashed
    unloaded = Signal()

    def __init__(self, parent: QObject | None = None, client_factory=None) -> None:
        super().__init__(parent)
        self._batch_arrived.connect(self._dispatch)
        if client_factory is None:
            from llmdesk.engine.client import EngineClient

            client_factory = EngineClient
        self.client = client_factory(self._batch_arrived.emit)

    @Slot(list)
    def _dispatch(self, events: list) -> None:
        for event in events:
            if isinstance(event, protocol.TextChunk):
                self.text_received.emit(event.request_id, event.kind, event.text)
            elif isinstance(event, protocol.StatsSample):
                self.stats_sampled.emit(event)
            elif isinstance(event, protocol.StateChanged):
                self.state_changed.emit(event.state)
            elif isinstance(event, protocol.LoadProgress):
                self.load_progressed.emit(event.fraction)
            elif isinstance(event, protocol.Loaded):
                self.model_loaded.emit(event.info)
            elif isinstance(event, protocol.LoadFailed):
                self.load_failed.emit(event)
            elif isinstance(event, protocol.ContextTrimmed):
                self.context_trimmed.emit(event)
            elif isinstance(event, protocol.FilterApplied):
                self.filter_applied.emit(event)
            elif isinstance(event, protocol.Finished):
                self.generation_finished.emit(event)
            elif isinstance(event, protocol.GenerateFailed):
                self.generation_failed.emit(event)
            elif isinstance(event, protocol.EngineCrashed):
                self.engine_crashed.emit(event)
            elif isinstance(event, protocol.Unloaded):
                self.unloaded.emit()
            elif isinstance(event, protocol.LogLine):
                logging.getLogger(event.logger).log(event.level, event.message)
            else:
                log.debug("Ignoring engine event %r", event)

    def shutdown(self) -> None:
        """Stop the engine child (it frees all model memory) and wait until it has exited.

        Waiting matters at application exit: otherwise Python's exit handler joins the child while the
        client's reader thread does too, and the thread that loses the race gets no exit code and logs
        a false "did not exit" warning. Safe to call more than once.
        """
        try:
            self.client.shutdown(wait=EXIT_WAIT_SECONDS)
        except Exception:  # noqa: BLE001 - shutting down must never raise into closeEvent
            log.exception("Stopping the engine failed")
