"""One download: its state, progress, and the transfer loop that runs in a worker thread.

The transfer writes to ``<final>.part`` and hashes while it writes. It resumes with a Range request
only when the server responds with 206 and a Content-Range that starts exactly at the length of the
.part. Any other response starts over, so a server that mishandles Range can cost time but not
corrupt the result. The file gets its final name only after its size, SHA-256 and GGUF header check
out.
"""

from __future__ import annotations

import enum
import errno
import hashlib
import http.client
import logging
import os
import queue
import random
import re
import shutil
import socket
import ssl
import threading
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from llmdesk.core.download import errors
from llmdesk.core.download.endpoint import Credentials
from llmdesk.core.download.filelock import DownloadLock
from llmdesk.core.download.http import (
    Response, content_length, http_error, open_url, parse_content_range, sha256_from_etag, strong_etag,
)
from llmdesk.core.download.record import (
    PartRecord, part_path, record_path, remove_created_folders, remove_partial,
)
from llmdesk.core.i18n import UserMessage

log = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"
_LFS_POINTER_START = b"version https://git-lfs"
_SNIFF_BYTES = 64
_PREVIEW_CHARS = 40  # of the escaped start of a file that is not GGUF, in the error message

# How far a downloaded catalog file may stray from the catalog entry before it counts as another file.
# Sizes estimated from bits per weight miss the real size by a few percent; headers count exactly.
SIZE_ESTIMATE_TOLERANCE = 0.15
N_PARAMS_TOLERANCE = 0.10
# A catalog file's header is first read from the .part once this much has arrived, and again at twice
# the size while the header is still incomplete, so a wrong file is rejected early.
EARLY_HEADER_CHECK_BYTES = 1 << 20

# Free space kept beyond the download itself: 5 % of the file, at least 64 MiB, at most 1 GiB.
MARGIN_FRACTION = 0.05
MARGIN_MIN = 64 << 20
MARGIN_MAX = 1 << 30

_flush_data = getattr(os, "fdatasync", os.fsync)  # macOS and Windows have only fsync


class DownloadState(str, enum.Enum):
    QUEUED = "queued"
    DOWNLOADING = "downloading"
    PAUSED = "paused"
    VERIFYING = "verifying"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """True for states the task leaves only by an explicit resume (or never)."""
        return self in (DownloadState.DONE, DownloadState.FAILED, DownloadState.CANCELLED,
                        DownloadState.PAUSED)


@dataclass(frozen=True)
class TransferOptions:
    """Timing and retry policy. Seconds; the tests shorten all of them."""

    stall_timeout: float = 30.0  # no byte for this long aborts the request and retries
    max_attempts: int = 6  # consecutive failed requests without progress before giving up
    backoff_base: float = 1.0  # first retry delay; doubles per failure, with jitter
    backoff_max: float = 60.0
    progress_interval: float = 0.25  # at most 4 progress callbacks per second
    # At most this much per socket read. The piece is received, written and hashed while it is still in
    # the core's L2 cache; 1 MiB pieces cost 30-60 % more CPU per byte on a 2-core VM (bench/download.py).
    chunk_size: int = 256 << 10
    # Written data is flushed to disk in the background every this many bytes, so the fsync before the
    # final rename has little left to do and a resumed .part has lost at most this much after a crash.
    sync_interval: int = 64 << 20


@dataclass(frozen=True)
class DownloadProgress:
    """A consistent snapshot of a task, safe to pass to another thread."""

    task_id: str
    state: DownloadState
    done_bytes: int
    total_bytes: int | None
    speed_bps: float  # smoothed bytes per second
    eta_s: float | None
    error: UserMessage | None
    final_path: Path
    notice: UserMessage | None = None  # e.g. "already downloaded"
    retry: UserMessage | None = None  # while waiting to retry after a network error: why, and when

    @property
    def fraction(self) -> float | None:
        if not self.total_bytes:
            return None
        return min(1.0, self.done_bytes / self.total_bytes)


def _connection_cause(reason: object) -> UserMessage | str:
    """Say in words why a connection failed; other errors keep the system's own text."""
    if isinstance(reason, ConnectionRefusedError):
        return errors.message(errors.REASON_REFUSED)
    if isinstance(reason, socket.gaierror):
        return errors.message(errors.REASON_HOST_NOT_FOUND)
    if isinstance(reason, (ConnectionResetError, ConnectionAbortedError, http.client.RemoteDisconnected)):
        return errors.message(errors.REASON_RESET)
    return str(reason) or type(reason).__name__


def free_space_margin(size: int) -> int:
    return int(min(MARGIN_MAX, max(MARGIN_MIN, size * MARGIN_FRACTION)))


def check_free_space(folder: Path, needed: int, total_size: int,
                     disk_usage: Callable[[Path], object] = shutil.disk_usage) -> None:
    """Raise DownloadError when ``folder`` lacks ``needed`` bytes plus the safety margin."""
    margin = free_space_margin(total_size)
    free = disk_usage(folder).free
    if needed + margin > free:
        raise errors.DownloadError(errors.message(
            errors.NO_SPACE, folder=str(folder), need=errors.format_bytes(needed),
            margin=errors.format_bytes(margin), free=errors.format_bytes(free)))


class _Stopped(Exception):
    """Signal that the user paused or cancelled; not an error."""


class _Restart(Exception):
    """Signal that the server returned the wrong range for a Range request, so the .part was cut."""


class _Discard(errors.DownloadError):
    """A failure that makes the .part useless: it is deleted."""


def _open_part(path: Path, offset: int):
    """Open the .part for writing at ``offset``, cutting anything after it. Unbuffered: one write per chunk."""
    handle = open(path, "r+b" if path.exists() else "w+b", buffering=0)  # noqa: SIM115 - closed by caller
    handle.truncate(offset)
    handle.seek(offset)
    return handle


def _check_gguf(path: Path):
    """Return why ``path`` is not an intact GGUF file (None when it is) and its parsed header.

    An architecture or tensor type the bundled llama.cpp does not know still passes: the file is
    intact, and the library reports that problem when the model is listed. Parts after the first of
    a split model carry no architecture key, so only their magic is checked and the header is None.
    """
    from llmdesk.core import gguf_meta

    match = re.search(r"-(\d{5})-of-\d{5}\.gguf$", path.name.removesuffix(".part"))
    if match is not None and int(match[1]) > 1:
        with open(path, "rb") as handle:
            if handle.read(4) == GGUF_MAGIC:
                return None, None
    check = gguf_meta.check_model_file(path)
    if check.kind in (gguf_meta.FileProblem.OK, gguf_meta.FileProblem.UNKNOWN_ARCH,
                      gguf_meta.FileProblem.UNSUPPORTED_TENSOR_TYPE):
        return None, check.header
    return check.message, None


def text_preview(data: bytes, limit: int = _PREVIEW_CHARS) -> str:
    """Return the start of ``data`` as a quoted, escaped ASCII string of at most about ``limit`` characters.

    Printable ASCII stays as it is; other bytes become escapes such as ``\\n`` or ``\\x00``.
    """
    escaped = []
    length = 2  # the quotes
    for byte in data:
        char = chr(byte)
        if char in ('"', "\\"):
            piece = "\\" + char
        elif 0x20 <= byte < 0x7F:
            piece = char
        elif char in "\n\r\t":
            piece = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char]
        else:
            piece = f"\\x{byte:02x}"
        if length + len(piece) > limit:
            return '"' + "".join(escaped) + '"...'
        escaped.append(piece)
        length += len(piece)
    return '"' + "".join(escaped) + '"'


def _count_text(count: int) -> str:
    """Format a parameter count the way model cards do: 0.2M, 8.0B."""
    if count >= 1e9:
        return f"{count / 1e9:.1f}B"
    return f"{count / 1e6:.1f}M"


def _file_type_names() -> set[str]:
    import gguf

    return {t.name.removeprefix("MOSTLY_").removeprefix("ALL_") for t in gguf.LlamaFileType if t.name != "GUESSED"}


def header_file_type(header) -> str | None:
    """Return the quantization name stored in general.file_type ("Q4_K_M"), or None when absent or unknown."""
    import gguf

    value = header.kv.get("general.file_type")
    if not isinstance(value, int):
        return None
    try:
        name = gguf.LlamaFileType(value).name
    except ValueError:
        return None
    if name == "GUESSED":
        return None
    return name.removeprefix("MOSTLY_").removeprefix("ALL_")


def catalog_differences(record: PartRecord, header, size: int | None) -> list[UserMessage]:
    """Return how a verified GGUF file contradicts its catalog entry, one message per fact.

    Compares the header's parameter count with the build's (within N_PARAMS_TOLERANCE) and its
    file type with the quantization name when both are known names. A size outside
    SIZE_ESTIMATE_TOLERANCE of the catalog's estimate is listed only beside another difference,
    because an estimate alone can be off. Shards of a gguf-split model are not compared: their
    headers describe only the tensors they contain.
    """
    if header is None or record.build_id is None or int(header.kv.get("split.count", 1) or 1) > 1:
        return []
    found = []
    if record.n_params:
        actual = header.n_params
        if abs(actual - record.n_params) > N_PARAMS_TOLERANCE * record.n_params:
            found.append(errors.message(errors.DIFFERENT_PARAMS, actual=_count_text(actual),
                                        expected=_count_text(record.n_params)))
    file_type = header_file_type(header)
    quant = (record.quant or "").upper()
    if file_type and quant in _file_type_names() and file_type != quant:
        found.append(errors.message(errors.DIFFERENT_FILE_TYPE, actual=file_type, expected=quant))
    estimate = record.size_estimate
    if found and estimate and size is not None and not record.size_is_known \
            and abs(size - estimate) > SIZE_ESTIMATE_TOLERANCE * estimate:
        found.append(errors.message(errors.DIFFERENT_SIZE, actual=errors.format_bytes(size),
                                    expected=errors.format_bytes(estimate)))
    return found


def joined(parts: list[UserMessage]) -> UserMessage | str:
    """Return one message that lists ``parts``, built from pairs so the separator is translated too."""
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return errors.message(errors.LIST_PAIR, first=parts[0], rest=joined(parts[1:]))


class DownloadTask:
    """One file being downloaded. Created by DownloadManager; read its state with ``snapshot()``.

    Thread contract: the manager runs ``_run`` in a worker thread; ``snapshot()``, ``state`` and
    ``wait()`` may be called from any thread. Listeners are called from the worker thread (or from
    the thread that paused or cancelled a task that was not running).
    """

    def __init__(self, final_path: Path, record: PartRecord, *, url_for: Callable[..., str],
                 credentials: Credentials | None, options: TransferOptions,
                 disk_usage: Callable[[Path], object], notify: Callable[[DownloadTask], None]) -> None:
        self.final_path = final_path
        self.part_path = part_path(final_path)
        self.record = record
        self._url_for = url_for
        self._credentials = credentials
        self._options = options
        self._disk_usage = disk_usage
        self._notify = notify

        self._lock = threading.Lock()
        self._state = DownloadState.QUEUED
        self._done = self._part_length()
        self._error: UserMessage | None = None
        self._notice: UserMessage | None = None
        self._retry: UserMessage | None = None
        self._speed = 0.0
        self._last_publish = 0.0
        self._last_sample = (time.monotonic(), self._done)
        self._stop = threading.Event()
        self._stop_reason: str | None = None
        self._response: Response | None = None
        self._finished = threading.Event()
        self._hasher = None
        self._hashed = 0
        self._lock_file = DownloadLock(final_path)
        self._header_check_at: int | None = None  # .part length for the next early header check
        self.sha256: str | None = None  # of the finished file

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def state(self) -> DownloadState:
        return self._state

    @property
    def error(self) -> UserMessage | None:
        return self._error

    def snapshot(self) -> DownloadProgress:
        with self._lock:
            total = self.record.expected_size
            eta = None
            if total and self._speed > 0 and self._state == DownloadState.DOWNLOADING:
                eta = max(0.0, (total - self._done) / self._speed)
            return DownloadProgress(self.id, self._state, self._done, total, self._speed, eta, self._error,
                                    self.final_path, self._notice, self._retry)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker stops (done, failed, paused or cancelled); False on timeout."""
        return self._finished.wait(timeout)

    # --- called by the manager -------------------------------------------------------------------

    def _set_state(self, state: DownloadState, error: UserMessage | None = None) -> None:
        with self._lock:
            self._state = state
            self._error = error
            self._retry = None
            if state != DownloadState.DOWNLOADING:
                self._speed = 0.0
        self._last_publish = time.monotonic()
        self._notify(self)

    def _request_stop(self, reason: str) -> None:
        """Ask the running worker to stop at once; the worker sets the final state."""
        self._stop_reason = reason
        self._stop.set()
        response = self._response
        if response is not None:
            response.abort()

    def _prepare_start(self) -> None:
        self._stop.clear()
        self._stop_reason = None
        self._finished.clear()
        with self._lock:
            self._done = self._part_length()

    def _run(self) -> None:
        """Worker thread body: download, verify, rename; every exit sets a state and the finished event."""
        try:
            if not self._take_lock():
                return
            self._set_state(DownloadState.DOWNLOADING)
            self._download()
            self._set_state(DownloadState.DONE)
            log.info("Download %s finished: %s", self.id, self.final_path)
        except _Stopped:
            if self._stop_reason == "cancel":
                remove_partial(self.final_path)
                self._lock_file.release()  # before the folders, which must be empty to go
                remove_created_folders(self.final_path, self.record.created_dir)
                with self._lock:
                    self._done = 0
                self._set_state(DownloadState.CANCELLED)
                log.info("Download %s cancelled", self.id)
            else:
                self._save_record_quietly()  # keeps who paused it for the next start
                self._set_state(DownloadState.PAUSED)
                log.info("Download %s paused at %d bytes", self.id, self._done)
        except errors.DownloadError as exc:
            if isinstance(exc, _Discard):
                # done_bytes keeps the count transferred, so the progress shows how far it got.
                remove_partial(self.final_path)
            log.warning("Download %s failed: %s", self.id, exc)
            self._fail(exc.message)
        except Exception as exc:  # noqa: BLE001 - a worker error must reach the user, not vanish
            log.exception("Download %s failed unexpectedly", self.id)
            self._fail(errors.message(
                errors.UNEXPECTED, name=self.final_path.name, reason=str(exc) or type(exc).__name__))
        finally:
            self._lock_file.release()
            self._response = None
            self._finished.set()

    def _save_record_quietly(self) -> None:
        """Save the record when its .part exists; a failure only costs the paused-by flag, so it is logged."""
        if not self.part_path.exists():
            return
        try:
            self.record.save(self.final_path)
        except OSError as exc:
            log.warning("Could not save the download record of %s: %s", self.final_path, exc)

    def _take_lock(self) -> bool:
        """Take the cross-process lock of this download. Without it, set FAILED without touching any
        file, because another process is writing them."""
        try:
            self.final_path.parent.mkdir(parents=True, exist_ok=True)  # gone after a failure without data
            if self._lock_file.try_acquire():
                return True
            log.warning("Download %s: %s is locked by another process", self.id, self._lock_file.path)
            reason = errors.message(errors.ALREADY_RUNNING, path=str(self.final_path))
        except OSError as exc:
            log.warning("Download %s: cannot create %s: %s", self.id, self._lock_file.path, exc)
            reason = errors.message(errors.FOLDER_UNUSABLE, folder=str(self.final_path.parent),
                                    reason=exc.strerror or str(exc))
        self._set_state(DownloadState.FAILED, reason)
        return False

    def _fail(self, reason: UserMessage) -> None:
        """Set FAILED with ``reason``; keep the record only when a .part with data remains to resume."""
        if self.record.repo is None:
            reason = errors.for_plain_url(reason)
        if self._part_length() == 0:
            remove_partial(self.final_path)
            self._lock_file.release()  # before the folders, which must be empty to go
            remove_created_folders(self.final_path, self.record.created_dir)
        else:
            self.record.failure = {"template": reason.template,
                                   "params": {k: v if isinstance(v, (int, float, str)) else str(v)
                                              for k, v in reason.params.items()}}
            try:
                self.record.save(self.final_path)
            except OSError as exc:
                log.warning("Could not save the download record of %s: %s", self.final_path, exc)
        self._set_state(DownloadState.FAILED, reason)

    # --- the transfer ----------------------------------------------------------------------------

    def _part_length(self) -> int:
        try:
            return self.part_path.stat().st_size
        except FileNotFoundError:
            return 0

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise _Stopped

    def _download(self) -> None:
        if self.final_path.exists():
            self._verify_existing()
            return
        self.final_path.parent.mkdir(parents=True, exist_ok=True)
        url = self._url_for()
        if not record_path(self.final_path).exists() or self.record.failure is not None:
            # Deleted with a discarded .part or after a failure before any data; needed to resume.
            self.record.failure = None
            self.record.save(self.final_path)
        if url != self.record.url:
            # The endpoint changed (mirror switch). The old ETag means nothing to the new server;
            # without a hash to check the result against, the .part cannot be trusted either.
            log.info("Download %s now comes from %s", self.id, urlsplit(url).netloc)
            if not self.record.sha256:
                self._truncate_part()
            elif self._part_length() > 0 and not self.record.pieces:
                # Before the record takes the new URL, so a failed check is made again next time.
                self._with_retries(url, lambda: self._check_new_source(url))
            self.record.etag = None
            self.record.url = url
            self.record.save(self.final_path)
        if self.record.build_id is not None and (self.record.n_params or self.record.quant):
            self._header_check_at = EARLY_HEADER_CHECK_BYTES
        if self.record.pieces:
            self._download_pieces()
            self._verify_and_rename(url)
            return
        if self.record.expected_size is None or self.record.sha256 is None:
            self._with_retries(url, lambda: self._probe(url))
        offset = self._part_length()
        if self.record.expected_size:
            check_free_space(self.final_path.parent, max(0, self.record.expected_size - offset),
                             self.record.expected_size, self._disk_usage)
        self._with_retries(url, lambda: self._fetch_remaining(url))
        self._verify_and_rename(url)

    def _with_retries(self, url: str, step: Callable[[], bool]) -> None:
        """Run ``step`` until it returns True, retrying network failures with backoff and jitter.

        ``step`` returns False to be called again at once (the server forced a restart). The failure
        count resets whenever the .part grew, so a long download survives many dropped connections.
        """
        failures = 0
        host = urlsplit(url).hostname or url
        while True:
            self._check_stop()
            before = self._part_length()
            try:
                if step():
                    return
                continue
            except _Restart:
                continue
            except urllib.error.HTTPError as exc:
                error = http_error(exc, url, failures + 1)
                exc.close()
            except errors.DownloadError as exc:
                error = exc
            except (OSError, http.client.HTTPException) as exc:
                if self._stop.is_set():
                    raise _Stopped from None
                error = self._network_error(exc, host, failures + 1)
            if not error.retryable:
                raise error
            if self._part_length() > before:
                failures = 0
            failures += 1
            if failures >= self._options.max_attempts:
                raise self._final_error(error, failures)
            delay = min(self._options.backoff_max, self._options.backoff_base * 2 ** (failures - 1))
            delay *= 0.5 + random.random()
            log.info("Download %s: %s; retry %d of %d in %.1f s", self.id, error, failures,
                     self._options.max_attempts - 1, delay)
            with self._lock:
                self._retry = errors.message(errors.RETRYING, reason=error.reason, attempt=failures,
                                             retries=self._options.max_attempts - 1, seconds=f"{delay:.0f}")
            self._notify(self)
            if self._stop.wait(delay):
                raise _Stopped
            with self._lock:
                self._retry = None

    def _network_error(self, exc: BaseException, host: str, attempts: int) -> errors.DownloadError:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(reason, ssl.SSLCertVerificationError):
            # A certificate that does not verify is never retried and never bypassed.
            return errors.DownloadError(errors.message(
                errors.CONNECTION_FAILED, host=host, reason=str(reason), attempts=attempts))
        if isinstance(exc, http.client.IncompleteRead):
            return errors.DownloadError(errors.message(errors.CONNECTION_CLOSED, host=host, attempts=attempts),
                                        retryable=True, reason=errors.message(errors.REASON_CLOSED))
        if isinstance(reason, (socket.timeout, TimeoutError)):
            seconds = f"{self._options.stall_timeout:g}"
            return errors.DownloadError(errors.message(
                errors.STALLED, host=host, seconds=seconds, attempts=attempts),
                retryable=True, reason=errors.message(errors.REASON_NO_DATA, seconds=seconds))
        cause = _connection_cause(reason)
        return errors.DownloadError(errors.message(
            errors.CONNECTION_FAILED, host=host, reason=cause, attempts=attempts), retryable=True,
            reason=errors.message(errors.REASON_FROM_HOST, host=host, reason=cause))

    @staticmethod
    def _final_error(error: errors.DownloadError, attempts: int) -> errors.DownloadError:
        """Restate the last retryable error with the number of attempts made."""
        params = dict(error.message.params)
        if "attempts" in params:
            params["attempts"] = attempts
        return errors.DownloadError(errors.message(error.message.template, **params), status=error.status)

    def _probe(self, url: str) -> bool:
        """Learn the size, SHA-256 and ETag with a HEAD request before downloading."""
        try:
            response = open_url(url, method="HEAD", credentials=self._credentials,
                                timeout=self._options.stall_timeout)
        except urllib.error.HTTPError as exc:
            if exc.code in (405, 501):  # HEAD not supported: the GET response carries the same headers
                exc.close()
                return True
            raise
        try:
            self._learn(response, content_length(response))
        finally:
            response.close()
        return True

    def _check_new_source(self, url: str) -> bool:
        """Before resuming from another source, check with a HEAD request that it has the same file.

        A different size or SHA-256 there means the .part cannot be continued from it. When the
        expected hash or size came from the catalog or the user, the new source has the wrong file:
        fail and keep the .part, which switching back can still resume. When they came from the old
        server, start over with the new source's file.
        """
        try:
            response = open_url(url, method="HEAD", credentials=self._credentials,
                                timeout=self._options.stall_timeout)
        except urllib.error.HTTPError as exc:
            if exc.code in (405, 501):  # no HEAD: the final hash check still guards the result
                exc.close()
                return True
            raise
        try:
            size = content_length(response)
            linked_size = response.header("X-Linked-Size")
            if size is None and linked_size and linked_size.isdigit():
                size = int(linked_size)
            digest = sha256_from_etag(response.header("X-Linked-Etag")) or \
                sha256_from_etag(response.headers.get("ETag"))
        finally:
            response.close()
        record = self.record
        other_hash = digest is not None and digest != record.sha256
        other_size = size is not None and record.expected_size is not None and size != record.expected_size
        if not (other_hash or other_size):
            return True
        if record.sha256_is_known or record.size_is_known:
            raise errors.DownloadError(errors.message(
                errors.SOURCE_HAS_OTHER_FILE, url=url, actual=digest or "?", expected=record.sha256,
                size=size if size is not None else "?", expected_size=record.expected_size or "?"))
        log.info("Download %s: the new source has a different file (size %s, SHA-256 %s); starting over",
                 self.id, size, digest)
        self._truncate_part()
        record.sha256, record.expected_size = digest, size
        return True

    def _download_pieces(self) -> None:
        """Download the pieces of a joined file one after another into the one .part."""
        record = self.record
        if record.piece_sizes is None or len(record.piece_sizes) != len(record.pieces):
            sizes = []
            for name in record.pieces:
                piece_url = self._url_for(name)
                found: list[int] = []
                self._with_retries(piece_url, lambda u=piece_url, out=found: self._probe_piece(u, out))
                sizes.append(found[0])
            total = sum(sizes)
            if record.size_is_known and total != record.expected_size:
                raise _Discard(errors.message(errors.SIZE_MISMATCH, url=self._url_for(record.pieces[0]),
                                              actual=total, expected=record.expected_size))
            record.piece_sizes, record.expected_size = sizes, total
            record.piece_etags = [None] * len(sizes)
            record.save(self.final_path)
        check_free_space(self.final_path.parent, max(0, record.expected_size - self._part_length()),
                         record.expected_size, self._disk_usage)
        base = 0
        for index, (name, size) in enumerate(zip(record.pieces, record.piece_sizes)):
            piece_url = self._url_for(name)
            self._with_retries(piece_url, lambda u=piece_url, b=base, n=size, i=index:
                               self._fetch_remaining(u, base=b, size=n, piece=i))
            base += size

    def _probe_piece(self, url: str, sizes: list[int]) -> bool:
        """Append the size of one piece, from a HEAD request, to ``sizes``."""
        response = open_url(url, method="HEAD", credentials=self._credentials, timeout=self._options.stall_timeout)
        try:
            size = content_length(response)
            linked = response.header("X-Linked-Size")
            if size is None and linked and linked.isdigit():
                size = int(linked)
        finally:
            response.close()
        if size is None:
            raise errors.DownloadError(errors.message(errors.PIECE_SIZE_UNKNOWN, url=url))
        sizes.append(size)
        return True

    def _learn(self, response: Response, total: int | None) -> None:
        """Take size, hash and ETag from a response and save the record when they changed."""
        record = self.record
        before = (record.expected_size, record.sha256, record.etag)
        linked_size = response.header("X-Linked-Size")
        if total is None and linked_size and linked_size.isdigit():
            total = int(linked_size)
        if total is not None and record.expected_size is None:
            record.expected_size = total
        if record.sha256 is None:
            record.sha256 = sha256_from_etag(response.header("X-Linked-Etag")) or \
                sha256_from_etag(response.headers.get("ETag"))
        etag = strong_etag(response.headers.get("ETag"))
        if etag is not None:
            record.etag = etag
        if (record.expected_size, record.sha256, record.etag) != before:
            record.save(self.final_path)

    def _truncate_part(self, length: int = 0) -> None:
        """Cut the .part to ``length`` bytes; the running hash restarts (and is rebuilt when needed)."""
        if self.part_path.exists():
            with open(self.part_path, "r+b") as handle:
                handle.truncate(length)
        self._hasher = hashlib.sha256() if length == 0 else None
        self._hashed = 0
        with self._lock:
            self._done = length

    def _hash_existing(self, length: int) -> None:
        """Bring the running hash up to ``length`` bytes of the .part (once, after a restart)."""
        if self._hasher is not None and self._hashed == length:
            return
        hasher = hashlib.sha256()
        remaining = length
        with open(self.part_path, "rb") as handle:
            while remaining:
                self._check_stop()
                block = handle.read(min(remaining, 8 << 20))
                if not block:
                    break
                hasher.update(block)
                remaining -= len(block)
        self._hasher = hasher
        self._hashed = length - remaining

    def _fetch_remaining(self, url: str, *, base: int = 0, size: int | None = None,
                         piece: int | None = None) -> bool:
        """Send one GET for the rest of a file and stream it into the .part; True when complete.

        For a piece of a joined file, ``base`` is where the piece starts in the .part, ``size`` its
        length and ``piece`` its index; otherwise the whole file is the one resource.
        """
        record = self.record
        single = piece is None
        if single:
            size = record.expected_size
        offset = self._part_length() - base  # within this resource
        if not single and offset >= size:
            return True
        if single and size is not None and offset > size:
            log.warning("Download %s: .part is longer than the file; starting over", self.id)
            self._truncate_part()
            offset = 0
        if single and size is not None and 0 < offset == size:
            return True  # complete already; verification decides
        etag = record.etag if single else record.piece_etags[piece]
        headers = {}
        if base + offset > 0:
            self._hash_existing(base + offset)
        if offset > 0:
            headers["Range"] = f"bytes={offset}-"
            if etag:
                headers["If-Range"] = etag
        try:
            response = open_url(url, headers=headers, credentials=self._credentials,
                                timeout=self._options.stall_timeout)
        except urllib.error.HTTPError as exc:
            if exc.code == 416 and offset > 0:
                exc.close()
                log.warning("Download %s: server rejected Range from %d (416); starting over", self.id, offset)
                self._truncate_part(base)
                raise _Restart from None
            raise
        self._response = response
        try:
            if self._stop.is_set():
                raise _Stopped
            start, total = self._body_start(response, offset, base, size, single)
            if single:
                self._learn(response, total)
            else:
                record.piece_etags[piece] = strong_etag(response.headers.get("ETag"))
                record.save(self.final_path)
            end = base + total if total is not None else None
            return self._stream(response, url, base + start, end)
        finally:
            self._response = None
            response.close()

    def _body_start(self, response: Response, offset: int, base: int, expected: int | None,
                    single: bool) -> tuple[int, int | None]:
        """Return where the body starts in the resource and the resource's size, or restart/raise."""
        status = response.status
        if status == 206:
            span = parse_content_range(response.headers.get("Content-Range"))
            good = span is not None and span[0] == offset and (
                expected is None or span[2] is None or span[2] == expected)
            if not good:
                log.warning("Download %s: server responded to Range from %d with Content-Range %r; starting over",
                            self.id, offset, response.headers.get("Content-Range"))
                self._truncate_part(base)
                if offset == 0:
                    raise errors.DownloadError(errors.message(
                        errors.CLIENT_ERROR, status=status, reason="wrong Content-Range", url=response.url),
                        retryable=True, status=status)
                raise _Restart
            return offset, span[2] if span[2] is not None else expected
        if status == 200:
            if offset > 0:
                log.info("Download %s: server sent the whole file instead of a range; starting over", self.id)
            total = content_length(response)
            etag = strong_etag(response.headers.get("ETag"))
            changed = bool(self.record.etag and etag and etag != self.record.etag)
            if expected is not None and total is not None and total != expected:
                if self.record.size_is_known or not single:
                    raise _Discard(errors.message(errors.SIZE_MISMATCH, url=response.url, actual=total,
                                                  expected=expected))
                changed = True
            if changed and single:
                # The file changed on the server because If-Range did not match. The size and hash the
                # server reported for the old file are dropped; those from the catalog are kept.
                log.info("Download %s: the file changed on the server; starting over", self.id)
                if not self.record.size_is_known:
                    self.record.expected_size = None
                if not self.record.sha256_is_known:
                    self.record.sha256 = None
            return 0, total
        raise errors.DownloadError(errors.message(
            errors.CLIENT_ERROR, status=status, reason=response.raw.reason, url=response.url), status=status)

    def _reject_content(self, response: Response, url: str, head: bytes | None, resuming: bool = False) -> None:
        """Raise when the response is a web page, an LFS pointer or not GGUF data.

        A web page in place of a resumed range keeps the .part: the bytes before it are still good.
        """
        content_type = (response.headers.get("Content-Type") or "").lower()
        if "text/html" in content_type:
            error_type = errors.DownloadError if resuming else _Discard
            raise error_type(errors.message(errors.HTML_PAGE, url=url))
        if head is None:
            return
        stripped = head.lstrip().lower()
        if head.startswith(_LFS_POINTER_START):
            raise _Discard(errors.message(errors.LFS_POINTER, url=url))
        if stripped.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
            raise _Discard(errors.message(errors.HTML_PAGE, url=url))
        if not head.startswith(GGUF_MAGIC):
            raise _Discard(errors.message(errors.NOT_GGUF, url=url, start=text_preview(bytes(head))))

    def _stream(self, response: Response, url: str, start: int, end: int | None) -> bool:
        """Write the body into the .part from ``start`` and hash it; True when it reached ``end``.

        ``end`` None means the size is unknown, so the body's end completes the file.
        """
        if start == 0:
            self._hasher = hashlib.sha256()
            self._hashed = 0
        else:
            self._hash_existing(start)
        self._reject_content(response, url, None, resuming=start > 0)
        total = end
        head = bytearray() if start == 0 else None
        position = start
        with self._lock:
            self._done = start
        self._last_sample = (time.monotonic(), start)
        reader = _BodyReader(response.raw)
        sync_interval = self._options.sync_interval
        next_sync = position + sync_interval
        pipeline = _HashPipeline(self._hasher, self._options.chunk_size)
        try:
            with (_open_part(self.part_path, start) as handle,
                  _BackgroundSync(handle.fileno(), self.part_path) as syncer,
                  pipeline):
                while True:
                    if self._stop.is_set():
                        raise _Stopped
                    view = pipeline.buffer()
                    count = reader.readinto(view)
                    if not count:
                        break
                    piece = view[:count]
                    if head is not None:
                        head += piece[:_SNIFF_BYTES - len(head)]
                        if len(head) >= len(GGUF_MAGIC):
                            self._reject_content(response, url, bytes(head))
                            head = None
                    self._write(handle, piece, position)
                    pipeline.submit(piece)
                    position += count
                    self._advance(position)
                    if position >= next_sync:
                        syncer.request()
                        next_sync = position + sync_interval
                    if self._header_check_at is not None and position >= self._header_check_at:
                        self._check_header_early(url, position)
                if self._stop.is_set():
                    raise _Stopped
                if total is not None and position < total:
                    raise http.client.IncompleteRead(b"", total - position)
                if head is not None:  # fewer than 4 bytes in the whole file
                    self._reject_content(response, url, bytes(head))
                syncer.finish()
                os.fsync(handle.fileno())
        finally:
            # Leaving the with block hashed every piece that was written, so the hash covers the .part
            # up to ``position``. A short write before ENOSPC leaves more in the file, and resuming
            # then rehashes it.
            self._hashed = position
            if pipeline.failed:
                self._hasher = None
        if total is None:
            self.record.expected_size = position
            self.record.save(self.final_path)
        return True

    def _check_header_early(self, url: str, written: int) -> None:
        """Raise _Discard when the header in the first ``written`` bytes of the .part contradicts the catalog.

        A header that is not complete yet is read again at twice the length. Any other problem is
        left to the check of the finished file.
        """
        from llmdesk.core import gguf_meta

        def fetch(offset: int, length: int) -> bytes:
            with open(self.part_path, "rb") as handle:
                handle.seek(offset)
                return handle.read(max(0, min(length, written - offset)))

        try:
            header = gguf_meta.read_header(fetch)
        except gguf_meta.GGUFError as exc:
            self._header_check_at = written * 2 if exc.kind is gguf_meta.FileProblem.TRUNCATED else None
            return
        except OSError as exc:
            log.info("Download %s: could not read the header early: %s", self.id, exc)
            self._header_check_at = None
            return
        self._header_check_at = None
        differences = catalog_differences(self.record, header, self.record.expected_size)
        if differences:
            log.info("Download %s: the header contradicts the catalog after %d bytes", self.id, written)
            raise _Discard(errors.message(errors.CATALOG_MISMATCH, url=url, quant=self.record.quant,
                                          build=self.record.build_id, details=joined(differences)))

    def _write(self, handle, chunk: memoryview, position: int) -> None:
        written = 0
        try:
            while written < len(chunk):
                written += handle.write(chunk[written:])
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                # A short write before ENOSPC left its bytes in the .part, and they count as kept.
                raise errors.DownloadError(errors.message(
                    errors.DISK_FULL, path=str(self.part_path),
                    done=errors.format_bytes(position + written))) from exc
            raise errors.DownloadError(errors.message(
                errors.WRITE_FAILED, path=str(self.part_path), reason=exc.strerror or str(exc))) from exc

    def _advance(self, position: int) -> None:
        now = time.monotonic()
        with self._lock:
            self._done = position
        if now - self._last_publish < self._options.progress_interval:
            return
        sample_time, sample_bytes = self._last_sample
        if now > sample_time:
            rate = (position - sample_bytes) / (now - sample_time)
            with self._lock:
                self._speed = rate if self._speed == 0 else 0.3 * rate + 0.7 * self._speed
        self._last_sample = (now, position)
        self._last_publish = now
        self._notify(self)

    def _verify_and_rename(self, url: str) -> None:
        self._set_state(DownloadState.VERIFYING)
        record = self.record
        size = self._part_length()
        if record.expected_size is not None and size != record.expected_size:
            raise _Discard(errors.message(errors.SIZE_MISMATCH, url=url, actual=size,
                                          expected=record.expected_size))
        if self._hasher is None or self._hashed != size:
            self._hasher = None
            self._hash_existing(size)
        digest = self._hasher.hexdigest()
        if record.sha256 and digest != record.sha256.lower():
            # A hash from the catalog or the user may itself be wrong, or name another file. A hash that
            # the server sent for these bytes means the transfer was corrupted.
            template = errors.HASH_NOT_EXPECTED if record.sha256_is_known else errors.HASH_MISMATCH
            raise _Discard(errors.message(template, actual=digest, expected=record.sha256))
        problem, header = _check_gguf(self.part_path)
        if problem is not None:
            raise _Discard(problem)
        # A file smaller than EARLY_HEADER_CHECK_BYTES gets its only header comparison here.
        differences = catalog_differences(record, header, size)
        if differences:
            raise _Discard(errors.message(errors.CATALOG_MISMATCH, url=url, quant=record.quant,
                                          build=record.build_id, details=joined(differences)))
        self._note_size_estimate(size)
        os.replace(self.part_path, self.final_path)
        _fsync_dir(self.final_path.parent)
        remove_partial(self.final_path)
        self.sha256 = digest
        with self._lock:
            self._done = size


    def _verify_existing(self) -> None:
        """Check a file that is already at the final path against the expected SHA-256; never delete it.

        Without an expected hash (another process finished the file meanwhile) the size decides.
        """
        size = self.final_path.stat().st_size
        if not self.record.sha256:
            if self.record.expected_size is not None and size != self.record.expected_size:
                raise errors.DownloadError(errors.message(
                    errors.EXISTS_DIFFERENT, path=str(self.final_path), actual=size,
                    expected=self.record.expected_size))
            with self._lock:
                self._done = size
            self.record.expected_size = size
            self._notice = errors.message(errors.ALREADY_PRESENT, path=str(self.final_path))
            return
        self._set_state(DownloadState.VERIFYING)
        if self.record.expected_size is None:
            self.record.expected_size = size  # for the progress, not saved
        hasher = hashlib.sha256()
        with open(self.final_path, "rb") as handle:
            while block := handle.read(8 << 20):
                self._check_stop()
                hasher.update(block)
                with self._lock:
                    self._done += len(block)
        digest = hasher.hexdigest()
        if digest != self.record.sha256:
            raise errors.DownloadError(errors.message(
                errors.EXISTS_OTHER_HASH, path=str(self.final_path), actual=digest, expected=self.record.sha256))
        self.sha256 = digest
        self._notice = errors.message(errors.ALREADY_VERIFIED, path=str(self.final_path))

    def _note_size_estimate(self, size: int) -> None:
        """Warn when the size strays from the catalog's estimate although the header matched the entry."""
        estimate = self.record.size_estimate
        if not estimate or self.record.size_is_known or abs(size - estimate) <= SIZE_ESTIMATE_TOLERANCE * estimate:
            return
        log.warning("Download %s: %s has %d bytes, the catalog estimated %d", self.id, self.final_path, size, estimate)
        self._notice = errors.message(errors.SIZE_OFF_ESTIMATE, path=str(self.final_path),
                                      actual=errors.format_bytes(size), expected=errors.format_bytes(estimate))


class _HashPipeline:
    """Hash the written pieces of a transfer in a helper thread, in order, while the next ones arrive.

    hashlib releases the GIL while it hashes more than 2047 bytes, so on a second core SHA-256 overlaps
    with receiving and writing. Measured with bench/download.py on a 2-core VM: inline hashing in 1 MiB
    pieces ran at 0.6 of curl's speed, this pipeline with 256 KiB pieces at 1.2. A fixed set of buffers goes
    round between the two threads: ``buffer()`` waits for a free one, so memory stays bounded when the
    hashing falls behind. Leaving the ``with`` block waits until every submitted piece is hashed.
    """

    QUEUE_BYTES = 8 << 20

    def __init__(self, hasher, piece_size: int) -> None:
        self._hasher = hasher
        self._free: queue.SimpleQueue[memoryview] = queue.SimpleQueue()
        for _ in range(max(2, self.QUEUE_BYTES // piece_size)):
            self._free.put(memoryview(bytearray(piece_size)))
        self._pieces: queue.SimpleQueue[memoryview | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="sha256", daemon=True)
        self.failed = False

    def __enter__(self) -> _HashPipeline:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._pieces.put(None)
        self._thread.join()

    def buffer(self) -> memoryview:
        """Return a free buffer of the piece size to receive into; wait while all are queued."""
        return self._free.get()

    def submit(self, piece: memoryview) -> None:
        """Queue ``piece``, a slice of a buffer from ``buffer()``, for hashing. The buffer is free again after."""
        self._pieces.put(piece)

    def _run(self) -> None:
        while (piece := self._pieces.get()) is not None:
            if not self.failed:
                try:
                    self._hasher.update(piece)
                except Exception:  # the hash is lost; the caller rehashes the file from disk
                    log.exception("Hashing a downloaded piece failed")
                    self.failed = True
            self._free.put(memoryview(piece.obj))  # the whole buffer the piece was cut from


class _BackgroundSync:
    """Flush a file's written data to disk in a helper thread while the transfer goes on.

    ``request()`` requests one flush and never blocks. Requests made while a flush runs merge into the
    next one, and a requested flush still runs when the thread stops. ``finish()`` raises a failed
    flush: Linux reports a writeback error once per open file (errseq_t), so the final fsync on the
    same descriptor would not see it again. Leaving the ``with`` block joins the thread before the
    caller closes the file.
    """

    def __init__(self, fd: int, path: Path) -> None:
        self._fd = fd
        self._path = path
        self._requested = threading.Event()
        self._pending = False
        self._closing = False
        self._error: OSError | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> _BackgroundSync:
        return self

    def __exit__(self, *exc) -> None:
        self._stop()

    def request(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"sync {self._path.name}", daemon=True)
            self._thread.start()
        self._pending = True
        self._requested.set()

    def finish(self) -> None:
        """Stop the thread after the flushes requested so far; raise DownloadError when one failed."""
        self._stop()
        if self._error is not None:
            exc = self._error
            raise errors.DownloadError(errors.message(
                errors.WRITE_FAILED, path=str(self._path), reason=exc.strerror or str(exc))) from exc

    def _stop(self) -> None:
        if self._thread is None:
            return
        self._closing = True
        self._requested.set()
        self._thread.join()
        self._thread = None

    def _run(self) -> None:
        while True:
            self._requested.wait()
            self._requested.clear()
            if self._pending:
                self._pending = False
                try:
                    _flush_data(self._fd)
                except OSError as exc:
                    log.warning("Flushing %s to disk failed: %s", self._path, exc)
                    self._error = exc
                    return
            if self._closing:
                return


class _BodyReader:
    """Read a response body with at most one socket read per call.

    HTTPResponse.readinto fills the whole buffer before it returns, so bytes received just before a
    stall would be lost with the timeout. For a body with a Content-Length this reads from the
    response's buffered socket file with ``readinto1`` and counts the bytes itself; a chunked body
    goes through ``read1``.
    """

    def __init__(self, raw: http.client.HTTPResponse) -> None:
        self._raw = raw
        self._direct = not raw.chunked and raw.length is not None and raw.fp is not None
        self._left = raw.length if self._direct else None

    def readinto(self, view: memoryview) -> int:
        if not self._direct:
            data = self._raw.read1(len(view))
            view[:len(data)] = data
            return len(data)
        if not self._left:
            return 0
        count = self._raw.fp.readinto1(view[:min(len(view), self._left)])
        self._left -= count
        return count


def _fsync_dir(folder: Path) -> None:
    """Persist a rename on POSIX; Windows cannot open a directory and needs no such step."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
