"""One pattern for long work: a task function runs on a pool thread and talks back through a state object.

A task is a plain callable ``task(state: TaskState) -> result``. It may call ``state.set_progress()`` and
``state.set_partial_result()`` and should poll ``state.is_interruption_requested()`` between steps.
``TaskRunner`` runs one task at a time: starting a new task cancels the previous one, and results,
progress and errors of a cancelled task are dropped on the GUI thread, so stale data never reaches a
widget. Every exception a task raises is delivered as ``failed`` and logged: the runner's expected errors
(e.g. a 404 or a bad file after a user action) as one warning line, any other exception with its traceback.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

# Progress crosses threads at most this often (seconds); the final value is always delivered.
PROGRESS_INTERVAL_S = 0.1


class TaskCancelled(Exception):
    """Raised by ``TaskState.raise_if_interrupted()`` to leave a task early; not reported as a failure."""


class _Relay(QObject):
    """Carries a task's reports from the pool thread to the GUI thread (queued connections)."""

    progressed = Signal(int, object)  # generation, (fraction or None, message or None)
    partial_result_ready = Signal(int, object)
    succeeded = Signal(int, object)
    failed = Signal(int, object)


class TaskState:
    """Handed to a running task. Its methods may be called from the task's thread only."""

    def __init__(self, relay: _Relay, generation: int) -> None:
        self._relay = relay
        self._generation = generation
        self._interrupt = threading.Event()
        self._last_progress_at = 0.0
        self._last_progress: Any = None

    def is_interruption_requested(self) -> bool:
        return self._interrupt.is_set()

    def raise_if_interrupted(self) -> None:
        if self._interrupt.is_set():
            raise TaskCancelled()

    def set_progress(self, fraction: float | None, message: Any = None) -> None:
        """Report progress (0..1, or None when unknown) with an optional message; throttled."""
        value = (fraction, message)
        now = time.monotonic()
        if value == self._last_progress:
            return
        if fraction is not None and fraction < 1.0 and now - self._last_progress_at < PROGRESS_INTERVAL_S:
            return
        self._last_progress = value
        self._last_progress_at = now
        _emit(self._relay, "progressed", self._generation, value)

    def set_partial_result(self, value: Any) -> None:
        _emit(self._relay, "partial_result_ready", self._generation, value)

    def _request_interruption(self) -> None:
        self._interrupt.set()


class _Runnable(QRunnable):
    def __init__(self, task: Callable[[TaskState], Any], state: TaskState, relay: _Relay,
                 generation: int, done: threading.Event, name: str,
                 expected_errors: tuple[type[BaseException], ...] = ()) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task = task
        self._state = state
        self._relay = relay
        self._generation = generation
        self._done = done
        self._name = name
        self._expected_errors = expected_errors

    def run(self) -> None:  # pool thread
        try:
            result = self._task(self._state)
        except TaskCancelled:
            log.debug("Task %s stopped on request", self._name)
        except Exception as exc:  # noqa: BLE001 - every task error is reported to the GUI
            if isinstance(exc, self._expected_errors):
                log.warning("Task %s failed: %s: %s", self._name, type(exc).__name__, exc)
            else:
                log.exception("Task %s failed", self._name)
            _emit(self._relay, "failed", self._generation, exc)
        else:
            _emit(self._relay, "succeeded", self._generation, result)
        finally:
            self._done.set()


def _emit(relay: _Relay, signal_name: str, generation: int, value: Any) -> None:
    """Emit ``relay.<signal_name>`` unless the runner that owns the relay has been deleted.

    The runner goes when its window closes, often while a pool thread still works; PySide then raises
    RuntimeError ("Signal source has been deleted") from the signal, and the report is dropped.
    """
    if not shiboken6.isValid(relay):
        return
    try:
        getattr(relay, signal_name).emit(generation, value)
    except RuntimeError:
        log.debug("Dropped a task report: its runner no longer exists")


def user_action_errors() -> tuple[type[BaseException], ...]:
    """Return the errors a user's request can cause (a missing file, a 404, a bad GGUF), for ``expected_errors``."""
    from llmdesk.core.download.errors import DownloadError
    from llmdesk.core.gguf_meta import GGUFError
    from llmdesk.core.library import LibraryError

    return (DownloadError, GGUFError, LibraryError, OSError)


class TaskRunner(QObject):
    """Runs the latest of a series of tasks on a thread pool. Create and use it on the GUI thread.

    Signals carry only the current task's reports: ``progressed(fraction, message)``,
    ``partial_result_ready(value)``, ``succeeded(result)`` and ``failed(exception)``.
    """

    progressed = Signal(object, object)
    partial_result_ready = Signal(object)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, name: str, parent: QObject | None = None, pool: QThreadPool | None = None,
                 expected_errors: tuple[type[BaseException], ...] = ()) -> None:
        """``expected_errors`` are failures a user action can cause; they are logged without a traceback."""
        super().__init__(parent)
        self._name = name
        self._expected_errors = expected_errors
        self._pool = pool or QThreadPool.globalInstance()
        self._relay = _Relay(self)
        self._relay.progressed.connect(self._on_progressed)
        self._relay.partial_result_ready.connect(self._on_partial_result)
        self._relay.succeeded.connect(self._on_succeeded)
        self._relay.failed.connect(self._on_failed)
        self._generation = 0
        self._state: TaskState | None = None
        self._done: threading.Event | None = None
        self._running = False

    @property
    def name(self) -> str:
        return self._name

    def start(self, task: Callable[[TaskState], Any]) -> None:
        """Cancel the running task, if any, and start ``task`` on the pool."""
        self.cancel()
        self._generation += 1
        state = TaskState(self._relay, self._generation)
        done = threading.Event()
        self._state = state
        self._done = done
        self._running = True
        self._pool.start(_Runnable(task, state, self._relay, self._generation, done, self._name,
                                   self._expected_errors))

    def cancel(self) -> None:
        """Ask the current task to stop; nothing it reports afterwards is delivered."""
        if self._state is not None:
            self._state._request_interruption()
        self._generation += 1
        self._running = False

    def is_running(self) -> bool:
        """True from ``start()`` until the current task's result or error has been delivered."""
        return self._running

    def wait_for_done(self, timeout_s: float) -> bool:
        """Block until the last started task has returned (used at shutdown and in tests)."""
        if self._done is None:
            return True
        return self._done.wait(timeout_s)

    def _is_current(self, generation: int) -> bool:
        return generation == self._generation

    @Slot(int, object)
    def _on_progressed(self, generation: int, value: Any) -> None:
        if self._is_current(generation):
            fraction, message = value
            self.progressed.emit(fraction, message)

    @Slot(int, object)
    def _on_partial_result(self, generation: int, value: Any) -> None:
        if self._is_current(generation):
            self.partial_result_ready.emit(value)

    @Slot(int, object)
    def _on_succeeded(self, generation: int, result: Any) -> None:
        if self._is_current(generation):
            self._running = False
            self.succeeded.emit(result)

    @Slot(int, object)
    def _on_failed(self, generation: int, error: Any) -> None:
        if self._is_current(generation):
            self._running = False
            self.failed.emit(error)
