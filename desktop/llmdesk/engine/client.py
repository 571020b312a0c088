"""Parent side of the engine: start and stop the child process, send requests, receive events.

Plain Python, no Qt. ``EngineClient`` calls ``on_events(batch)`` from its reader thread with lists of
events (see ``protocol``); the UI wraps it in a QObject that re-emits them as signals. Without a
callback, events queue up for ``iter_events()`` / ``wait_for()``, which is what the CLI uses.

No method blocks on the child: ``unload()`` and ``shutdown()`` send a command and return, and the
reader thread reaps the process (escalating to terminate and kill if it does not exit). Only
``shutdown(wait=...)`` and ``wait_for`` wait, and only when asked to.

This module never imports llama_cpp; the child does.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

from llmdesk.core import paths
from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage
from llmdesk.engine import protocol as p
from llmdesk.engine.filecheck import check_before_load

log = logging.getLogger(__name__)

_CTX = "Engine"
EXIT_GRACE_SECONDS = 5.0  # after a shutdown command, before the child is terminated
OUT_OF_MEMORY_PATTERNS = ("out of memory", "failed to allocate", "cudamalloc failed", "bad_alloc",
                          "cannot allocate memory", "unable to allocate", "erroroutofdevicememory",
                          "insufficient memory", "alloc_tensor_range: failed")
# Windows NTSTATUS exit codes (as unsigned 32-bit values).
_WINDOWS_NO_MEMORY = 0xC0000017
_WINDOWS_COMMITMENT_LIMIT = 0xC000012D


class EngineClient:
    """Owns at most one engine child process. Call its methods from one controlling thread.

    ``on_events`` runs on a reader thread for everything the child sends. Events the client makes
    itself (LoadFailed from the file check, StateChanged from load/generate/unload/shutdown) are
    delivered on the calling thread before the method returns.
    """

    def __init__(self, on_events: Callable[[list[Any]], None] | None = None,
                 log_path: Path | None = None) -> None:
        self._on_events = on_events
        self._queue: queue.Queue[list[Any]] = queue.Queue()
        self._mp = multiprocessing.get_context("spawn")
        self._lock = threading.RLock()
        self._state = p.IDLE
        self._process: Any = None
        # Set by a child's reader thread once it has reaped that child. Only the reader thread joins
        # a child, because concurrent waitpid calls can lose the exit status.
        self._reaped: dict[int, threading.Event] = {}
        self._commands: Any = None
        self._cancel = self._mp.RawValue("q", 0)
        self._serial = 0
        self._current: tuple[str, int] | None = None  # (request_id, serial) being generated
        self._partial = {"answer": [], "reasoning": []}  # text of the current reply
        self._expect_exit = False
        self._child_started = False
        self._load_serial = 0  # bumped by load(), unload() and shutdown() to drop a pending delayed load
        self._options: p.LoadOptions | None = None
        self._log_path = log_path or paths.log_dir() / f"engine-{os.getpid()}.log"

    # ---- properties ----

    @property
    def state(self) -> str:
        return self._state

    @property
    def log_path(self) -> Path:
        """File holding the current child's own output (native llama.cpp logs, abort messages)."""
        return self._log_path

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None else None

    def is_alive(self) -> bool:
        process = self._process
        return process is not None and not self._reaped[process.pid].is_set()

    # ---- commands ----

    def load(self, path: str | os.PathLike[str], options: p.LoadOptions | None = None) -> bool:
        """Check ``path``, then start a fresh child that loads it (ending any current child first).

        Returns False when the file check failed; the LoadFailed event has then already been
        delivered (on this thread). Progress, Loaded or LoadFailed follow from the reader thread.
        """
        self._require_open()
        path = os.fspath(path)
        options = options or p.LoadOptions()
        failure = check_before_load(path)
        if failure is not None:
            log.warning("Not loading %s: %s", path, failure.message)
            self._deliver([failure])
            return False
        with self._lock:
            self._load_serial += 1
            self._options = options
            old = self._stop_child()
            self._set_state(p.LOADING, notify=True)
            if old is None:
                self._start_child(path, options)
                return True
            reaped = self._reaped[old.pid]
        # Two models must not sit in memory at once: the new child starts once the old one is gone.
        threading.Thread(target=self._load_after_exit, args=(reaped, self._load_serial, path, options),
                         name="engine-load-after-exit", daemon=True).start()
        return True

    def _load_after_exit(self, reaped: threading.Event, serial: int, path: str,
                         options: p.LoadOptions) -> None:
        # The old child's reader thread sets ``reaped``; the exit timer kills a child that hangs.
        if not reaped.wait(EXIT_GRACE_SECONDS * 3):
            log.error("The previous engine process has not exited; starting the new one anyway")
        with self._lock:
            if serial != self._load_serial or self._state != p.LOADING:
                return  # a newer load(), unload() or shutdown() came in meanwhile
            self._start_child(path, options)

    def generate(self, request: p.GenerateRequest) -> None:
        """Start a reply. Raises RuntimeError when no model is ready or a reply is running."""
        with self._lock:
            if self._state != p.READY:
                raise RuntimeError(f"cannot generate while the engine is {self._state}; "
                                   "load a model and wait for the previous reply to finish")
            self._serial += 1
            self._current = (request.request_id, self._serial)
            self._partial = {"answer": [], "reasoning": []}
            self._set_state(p.GENERATING, notify=True)
            self._commands.send(p.GenerateCommand(request, self._serial))

    def cancel(self, request_id: str | None = None) -> None:
        """Stop the current reply (or only the one with ``request_id``) after the token being decoded.

        NOTE: prompt processing is one llama.cpp call, so a long prompt finishes before the cancel
        takes effect.
        """
        with self._lock:
            current = self._current
            if current is not None and (request_id is None or current[0] == request_id):
                self._cancel.value = current[1]

    def unload(self) -> None:
        """End the child, which frees all of the model's memory. Returns at once."""
        with self._lock:
            self._load_serial += 1
            self._stop_child()
            self._set_state(p.IDLE, notify=True)

    def shutdown(self, wait: float = 0.0) -> None:
        """Unload and refuse further commands; wait up to ``wait`` seconds for the child to exit."""
        with self._lock:
            self._load_serial += 1
            process = self._stop_child()
            self._set_state(p.STOPPED, notify=True)
        if wait > 0 and process is not None:
            self._reaped[process.pid].wait(wait)

    # ---- blocking helpers for the CLI and tests ----

    def iter_events(self, timeout: float | None = None) -> Iterator[Any]:
        """Yield queued events one by one (only without an ``on_events`` callback).

        Stops after ``timeout`` seconds without an event (None waits indefinitely).
        """
        if self._on_events is not None:
            raise RuntimeError("iter_events() needs a client created without on_events")
        while True:
            try:
                batch = self._queue.get(timeout=timeout)
            except queue.Empty:
                return
            yield from batch

    def wait_for(self, *types: type, timeout: float = 60.0,
                 collect: list[Any] | None = None) -> Any:
        """Return the first queued event of one of ``types``; earlier events go to ``collect``.

        Raises TimeoutError after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {', '.join(t.__name__ for t in types)} event within {timeout} s")
            for event in self.iter_events(timeout=remaining):
                if isinstance(event, types):
                    return event
                if collect is not None:
                    collect.append(event)
                if time.monotonic() >= deadline:
                    break

    # ---- child management ----

    def _require_open(self) -> None:
        if self._state == p.STOPPED:
            raise RuntimeError("the engine client was shut down; create a new one")

    def _start_child(self, path: str, options: p.LoadOptions) -> None:
        """Start a child and send it the load command (call with the lock held)."""
        from llmdesk.engine import worker

        commands_child, commands_parent = self._mp.Pipe(duplex=False)
        events_parent, events_child = self._mp.Pipe(duplex=False)
        # Each child gets its own cancel counter, so a child still finishing keeps its cancel.
        self._cancel = self._mp.RawValue("q", 0)
        self._expect_exit = False
        self._child_started = False
        forward_level = logging.getLogger("llmdesk").getEffectiveLevel()
        process = self._mp.Process(
            target=worker.main, name="llm-desk-engine", daemon=True,
            args=(commands_child, events_child, self._cancel, str(self._log_path), forward_level))
        process.start()
        # Close the child's ends here so a dead child shows up as EOF on the event pipe.
        commands_child.close()
        events_child.close()
        self._process = process
        self._reaped[process.pid] = threading.Event()
        self._commands = commands_parent
        log.info("Engine process %d started", process.pid)
        reader = threading.Thread(target=self._read_events, args=(process, events_parent),
                                  name=f"engine-reader-{process.pid}", daemon=True)
        reader.start()
        self._commands.send(p.LoadCommand(path, options))

    def _stop_child(self) -> Any:
        """Ask the current child to exit and return it (None without one); call with the lock held."""
        process, commands = self._process, self._commands
        if process is None:
            return None
        self._expect_exit = True
        if self._current is not None:
            self._cancel.value = self._current[1]
        try:
            commands.send(p.ShutdownCommand())
        except (OSError, ValueError):
            pass  # already gone; the reader thread reports it
        self._process = None
        self._commands = None
        self._current = None
        timer = threading.Timer(EXIT_GRACE_SECONDS, _force_exit, args=(process, self._reaped[process.pid]))
        timer.daemon = True
        timer.start()
        return process

    def _read_events(self, process: Any, events: Any) -> None:
        while True:
            try:
                batch = events.recv()
            except (EOFError, OSError):
                break
            except Exception:  # noqa: BLE001 - an unpicklable batch must not kill the reader
                log.exception("Could not read an event batch from the engine process")
                continue
            if batch:
                self._handle_batch(process, batch)
        events.close()
        process.join(EXIT_GRACE_SECONDS)
        if process.exitcode is None:
            log.warning("Engine process %s closed its pipe but did not exit; killing it", process.pid)
            process.kill()
            process.join(EXIT_GRACE_SECONDS)
        try:
            self._handle_exit(process)
        finally:
            self._reaped[process.pid].set()

    def _handle_batch(self, process: Any, batch: list[Any]) -> None:
        delivered: list[Any] = []
        with self._lock:
            current_child = process is self._process
            for event in batch:
                if isinstance(event, p.LogLine):
                    logging.getLogger(event.logger).log(event.level, "[engine] %s", event.message)
                    continue
                if not current_child and not isinstance(event, (p.Finished, p.TextChunk)):
                    continue  # a child being replaced: only let its last reply finish cleanly
                if isinstance(event, p.EngineStarted):
                    self._child_started = True
                    continue
                if isinstance(event, p.StateChanged):
                    if event.state == p.READY and self._current is not None:
                        continue  # the Finished event of the current reply moves the state
                    self._set_state(event.state, notify=False)
                elif isinstance(event, p.TextChunk):
                    if self._current is not None and event.request_id == self._current[0]:
                        self._partial[event.kind].append(event.text)
                elif isinstance(event, (p.Finished, p.GenerateFailed)):
                    if self._current is not None and event.request_id == self._current[0]:
                        self._current = None
                        if current_child:
                            self._set_state(p.READY, notify=False)
                elif isinstance(event, p.Loaded):
                    self._set_state(p.READY, notify=False)
                elif isinstance(event, p.LoadFailed):
                    self._set_state(p.IDLE, notify=False)
                delivered.append(event)
        if delivered:
            self._deliver(delivered)

    def _handle_exit(self, process: Any) -> None:
        code = process.exitcode
        with self._lock:
            expected = process is not self._process or self._expect_exit
            if expected:
                log.info("Engine process %s exited with code %s", process.pid, code)
                # A child replaced by load() ends quietly; otherwise the model is now unloaded.
                events: list[Any] = [p.Unloaded()] if self._state in (p.IDLE, p.STOPPED) else []
                if self._state == p.STOPPED:
                    self._log_path.unlink(missing_ok=True)  # its useful lines are in the app log
            else:
                during = {p.LOADING: "load", p.GENERATING: "generate"}.get(self._state, "idle")
                if not self._child_started:
                    during = "start"
                crash = diagnose_exit(code, during, self._options, read_tail(self._log_path),
                                      self._current[0] if self._current else None,
                                      "".join(self._partial["answer"]), "".join(self._partial["reasoning"]))
                log.error("Engine process %s died during %s: exit code %s (%s), probable cause: %s",
                          process.pid, during, code, crash.signal_name, crash.probable_cause)
                self._process = None
                self._commands = None
                self._current = None
                self._set_state(p.CRASHED, notify=False)
                events = [crash, p.StateChanged(p.CRASHED)]
        if events:
            self._deliver(events)

    def _set_state(self, state: str, notify: bool) -> None:
        if self._state == state or (self._state == p.STOPPED and state != p.STOPPED):
            return
        self._state = state
        if notify:
            self._deliver([p.StateChanged(state)])

    def _deliver(self, events: list[Any]) -> None:
        if self._on_events is None:
            self._queue.put(events)
            return
        try:
            self._on_events(events)
        except Exception:  # noqa: BLE001 - a faulty callback must not stop the reader thread
            log.exception("The engine event callback raised")


def _force_exit(process: Any, reaped: threading.Event) -> None:
    """Terminate, then kill, a child that ignored its shutdown command (signals only: no join)."""
    if reaped.is_set():
        return
    log.warning("Engine process %s did not exit in %.0f s; terminating it", process.pid,
                EXIT_GRACE_SECONDS)
    process.terminate()
    if not reaped.wait(2.0):
        process.kill()


def read_tail(path: Path, lines: int = 40, max_bytes: int = 64_000) -> tuple[str, ...]:
    """Return the last ``lines`` lines of the engine log file (empty when it cannot be read)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - max_bytes))
            data = handle.read()
    except OSError:
        return ()
    return tuple(data.decode("utf-8", errors="replace").splitlines()[-lines:])


def _signal_name(code: int | None) -> str | None:
    if code is None or code >= 0:
        return None
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def diagnose_exit(code: int | None, during: str, options: p.LoadOptions | None, tail: tuple[str, ...],
                  request_id: str | None = None, partial_answer: str = "",
                  partial_reasoning: str = "") -> p.EngineCrashed:
    """Build the EngineCrashed event for a child that ended with ``code``, with a probable cause."""
    name = _signal_name(code)
    text = "\n".join(tail).lower()
    unsigned = code & 0xFFFFFFFF if code is not None else None
    if (name == "SIGKILL" or unsigned in (_WINDOWS_NO_MEMORY, _WINDOWS_COMMITMENT_LIMIT)
            or any(pattern in text for pattern in OUT_OF_MEMORY_PATTERNS)):
        cause = "out of memory"
        message = UserMessage(_CTX, QT_TRANSLATE_NOOP(
            _CTX, "The engine stopped, probably because it ran out of memory (exit code {code}). "
                  "Try again with fewer GPU layers or a shorter context."), code=code)
    elif during == "start":
        cause = "engine did not start"
        message = UserMessage(_CTX, QT_TRANSLATE_NOOP(
            _CTX, "The engine process ended before it was ready (exit code {code}). See the log file "
                  "for details."), code=code)
    elif during == "load":
        cause = "damaged model file"
        message = UserMessage(_CTX, QT_TRANSLATE_NOOP(
            _CTX, "The engine stopped while loading the model (exit code {code}). The file may be "
                  "damaged or made for a newer llama.cpp; download it again or pick another file."),
            code=code)
    elif name == "SIGABRT":
        cause = "llama.cpp aborted"
        message = UserMessage(_CTX, QT_TRANSLATE_NOOP(
            _CTX, "llama.cpp stopped on an internal error (exit code {code}). Your chat is kept; "
                  "load the model again to continue."), code=code)
    else:
        cause = "unknown"
        message = UserMessage(_CTX, QT_TRANSLATE_NOOP(
            _CTX, "The engine stopped unexpectedly (exit code {code}). Your chat is kept; load the "
                  "model again to continue."), code=code)
    retry = None
    if options is not None and cause == "out of memory":
        retry = options.with_fewer_gpu_layers()
        if retry is None and options.n_ctx > 1024:
            retry = p.LoadOptions.from_suggestion(options, n_ctx=options.n_ctx // 2)
    return p.EngineCrashed(exit_code=code, signal_name=name, probable_cause=cause, message=message,
                           during=during, request_id=request_id, partial_answer=partial_answer,
                           partial_reasoning=partial_reasoning, retry_options=retry, log_tail=tail)
