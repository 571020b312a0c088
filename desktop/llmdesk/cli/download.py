"""``llm-desk download``: fetch a GGUF model headless, with a progress line on stderr.

Exit status: 0 when every file is downloaded and verified, 1 when a download failed, 2 for invalid
arguments, 130 when interrupted with Ctrl+C (the download is paused and the same command resumes it).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

from llmdesk.core.download import (
    DownloadError, DownloadManager, DownloadState, TransferOptions, format_bytes,
)
from llmdesk.core.download.endpoint import normalize_sha256
from llmdesk.core.settings import ENDPOINT_PRESETS, Settings

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
_REFRESH_S = 0.5  # progress line refresh; a non-terminal stderr gets a line every _LOG_EVERY_S
_LOG_EVERY_S = 10.0


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {value}")
    return value


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "download", help="download a GGUF model (resumable, verified)",
        description="Download a catalog quantization (BUILD --quant Q4_K_M), a file of a Hugging Face "
                    "repository (REPO FILE), or any URL. An interrupted download resumes when the same "
                    "command runs again.")
    parser.add_argument("target", metavar="BUILD|REPO|URL",
                        help="catalog build id, Hugging Face repository id (owner/name), or http(s) URL")
    parser.add_argument("filename", nargs="?", metavar="FILE", help="file in the repository (with REPO)")
    parser.add_argument("--quant", metavar="Q", help="quantization of a catalog build, e.g. Q4_K_M")
    parser.add_argument("--revision", default="main", metavar="REV",
                        help="branch, tag or commit of the repository (default: main)")
    parser.add_argument("--endpoint", metavar="E",
                        help=f"download source: {', '.join(ENDPOINT_PRESETS)} or a base URL "
                             "(default: HF_ENDPOINT, else the Download source setting)")
    parser.add_argument("--dest", type=Path, metavar="DIR",
                        help="folder to save into (default: the app's model folder)")
    parser.add_argument("--sha256", metavar="HEX",
                        help="expected SHA-256 of the file: 64 hex digits, optionally prefixed with sha256:")
    parser.add_argument("--stall-timeout", type=_positive_float, default=30.0, metavar="S",
                        help="seconds without data before a connection is retried (default: 30)")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    return parser


def _enqueue(manager: DownloadManager, args: argparse.Namespace):
    """Queue what the arguments name; raise DownloadError, KeyError or ValueError with the reason."""
    target: str = args.target
    if target.startswith(("http://", "https://")):
        if args.filename or args.quant:
            raise ValueError("a URL names the file already; drop FILE and --quant")
        return [manager.enqueue(url=target, sha256=args.sha256, dest_dir=args.dest)]
    if args.filename:
        if args.quant:
            raise ValueError("--quant selects a file of a catalog build; with REPO FILE, drop --quant")
        return [manager.enqueue(repo=target, filename=args.filename, revision=args.revision,
                                sha256=args.sha256, dest_dir=args.dest)]
    from llmdesk.core.catalog import load_catalog

    catalog = load_catalog()
    build = catalog.get(target)
    if build is None:
        if "/" in target:
            raise ValueError(f"give the file to download from {target}: llm-desk download {target} FILE.gguf")
        known = ", ".join(b.id for b in catalog.builds[:8])
        raise ValueError(f"no catalog build with id {target!r}; known ids include: {known} "
                         "(llm-desk fit lists them all)")
    if not args.quant:
        names = ", ".join(q.name for q in build.quants)
        raise ValueError(f"choose a quantization of {build.id} with --quant: {names}")
    return manager.enqueue_quant(build, args.quant, dest_dir=args.dest)


class ProgressLine:
    """Prints the combined progress of the tasks: one rewritten line on a terminal, else a line now and then."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._last_log = 0.0
        self._width = 0

    def show(self, tasks, final: bool = False) -> None:
        """Print the line; ``final`` prints it on a non-terminal too, however recent the last one was."""
        snapshots = [t.snapshot() for t in tasks]
        done = sum(s.done_bytes for s in snapshots)
        total = sum(s.total_bytes or 0 for s in snapshots)
        known = all(s.total_bytes for s in snapshots)
        speed = sum(s.speed_bps for s in snapshots)
        finished = sum(s.state == DownloadState.DONE for s in snapshots)
        failed = sum(s.state == DownloadState.FAILED for s in snapshots)
        parts = [f"{format_bytes(done)}" + (f" of {format_bytes(total)} ({100 * done / total:.1f} %)"
                                            if known and total else "")]
        if speed > 0:
            parts.append(f"{format_bytes(speed)}/s")
            if known and total > done:
                parts.append(f"ETA {_duration((total - done) / speed)}")
        if len(snapshots) > 1:
            parts.append(f"{finished}/{len(snapshots)} files")
        if any(s.state == DownloadState.VERIFYING for s in snapshots):
            parts.append("verifying")
        if failed:
            parts.append("failed" if len(snapshots) == 1 else f"{failed} failed")
        line = "  ".join(parts)
        if self._tty:
            self._stream.write("\r" + line.ljust(self._width))
            self._width = len(line)
            self._stream.flush()
        elif final or time.monotonic() - self._last_log >= _LOG_EVERY_S:
            self._last_log = time.monotonic()
            print(line, file=self._stream, flush=True)

    def end(self) -> None:
        if self._tty and self._width:
            self._stream.write("\n")
            self._stream.flush()
            self._width = 0


class _FirstInterrupt:
    """A SIGINT handler that raises KeyboardInterrupt for the first Ctrl+C and ignores the rest.

    A second press (``timeout -s INT`` can deliver two) would otherwise interrupt the pause halfway
    and print a traceback. The handler switches SIGINT to SIG_IGN before it raises, so no later press
    falls between catching the first one and ignoring the rest. SIG_IGN also survives interpreter
    shutdown, which resets Python-level handlers to the default, so a late press cannot kill the
    process before it exits with EXIT_INTERRUPTED.
    """

    def __init__(self) -> None:
        self.previous = None
        # What the command has set up so far, for the pause after the first press.
        self.manager: DownloadManager | None = None
        self.progress: ProgressLine | None = None

    def __call__(self, signum, frame) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        self.previous = None  # stays ignored until the process exits
        raise KeyboardInterrupt

    def install(self) -> None:
        # Python lets only the main thread set signal handlers; from another thread Ctrl+C keeps its
        # default behaviour.
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self)

    def uninstall(self) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            self.previous = None


def _pause_on_interrupt(manager: DownloadManager | None, progress: ProgressLine | None, stderr: TextIO) -> int:
    """Pause the downloads after Ctrl+C, keeping each .part to resume, and return EXIT_INTERRUPTED."""
    if progress is not None:
        progress.end()
    print("Stopping...", file=stderr, flush=True)
    done = 0
    if manager is not None:
        manager.pause_all(by_user=True)  # the user stopped it, so the window does not resume it by itself
        manager.shutdown(pause=True)
        done = sum(t.snapshot().done_bytes for t in manager.tasks())
    print(f"Paused after {format_bytes(done)}. Run the same command again to resume.", file=stderr)
    return EXIT_INTERRUPTED


def _transferred(snapshot) -> bool:
    """Return True when a finished task's progress line carries information, which it does not for a
    file that was already there or a download that failed before any data arrived."""
    if snapshot.state == DownloadState.DONE:
        return snapshot.notice is None
    return snapshot.done_bytes > 0


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


def run(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    interrupts = _FirstInterrupt()
    interrupts.install()
    try:
        return _download(args, stdout, stderr, interrupts)
    except KeyboardInterrupt:
        return _pause_on_interrupt(interrupts.manager, interrupts.progress, stderr)
    finally:
        interrupts.uninstall()  # a no-op after Ctrl+C, so further presses stay ignored


def _download(args: argparse.Namespace, stdout: TextIO, stderr: TextIO, interrupts: _FirstInterrupt) -> int:
    settings = Settings()
    try:
        if args.sha256 is not None:
            args.sha256 = normalize_sha256(args.sha256)  # before any transfer, also for a catalog build
        if args.endpoint is not None and not args.endpoint.strip():
            raise ValueError(f"--endpoint: the value is empty; give one of {', '.join(ENDPOINT_PRESETS)} or an "
                             f"http or https base URL")
        manager = DownloadManager(settings, endpoint=args.endpoint,
                                  options=TransferOptions(stall_timeout=args.stall_timeout))
        interrupts.manager = manager
        try:
            manager.endpoint()  # validates --endpoint, HF_ENDPOINT and the setting before any work
        except DownloadError as exc:
            if args.endpoint:
                # With --endpoint the other sources are not consulted, so the flag contains the invalid value.
                raise ValueError(f"--endpoint: {exc}") from None
            raise ValueError(f"{exc} For this command alone, pass --endpoint URL.") from None
        tasks = _enqueue(manager, args)
    except (DownloadError, KeyError, ValueError) as exc:
        text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"llm-desk download: {text}", file=stderr)
        return EXIT_USAGE
    progress = None if args.quiet else ProgressLine(stderr)
    interrupts.progress = progress
    for task in tasks:
        resumed = task.snapshot().done_bytes
        if resumed and task.state in (DownloadState.QUEUED, DownloadState.DOWNLOADING):
            print(f"Resuming {task.final_path.name}: {format_bytes(resumed)} already downloaded.", file=stderr)
    ids = [t.id for t in tasks]
    retries: dict[str, object] = {}
    while not manager.wait(ids, timeout=_REFRESH_S):
        for task in tasks:
            note = task.snapshot().retry
            if note is not None and note != retries.get(task.id):
                if progress is not None:
                    progress.end()
                print(f"llm-desk download: {note}", file=stderr, flush=True)
            retries[task.id] = note
        if progress is not None:
            progress.show(tasks)
    if progress is not None:
        if any(_transferred(task.snapshot()) for task in tasks):
            progress.show(tasks, final=True)
        progress.end()
    status = EXIT_OK
    for task in tasks:
        snapshot = task.snapshot()
        if snapshot.state == DownloadState.DONE:
            print(snapshot.final_path, file=stdout)
            if snapshot.notice is not None:
                print(str(snapshot.notice), file=stderr)
        else:
            status = EXIT_FAILED
            print(f"llm-desk download: {snapshot.error or snapshot.state.value}", file=stderr)
    return status
