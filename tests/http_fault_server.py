"""A local HTTP server for download tests and benchmarks, with faults injected on demand.

It listens on 127.0.0.1 on a free port and serves files registered with ``add_file``. It handles
HEAD and GET with Range and If-Range like a static file server or CDN. ETags are the quoted SHA-256
of the content, as Hugging Face gives for LFS files. Faults are queued per path with ``add_fault``
and each one is used by the next GET request(s) for that path (redirects: GET and HEAD):

- ``drop(at)``: send the body up to file offset ``at``, then close the connection.
- ``stall(at, seconds)``: send up to ``at``, then send nothing for ``seconds``, then close.
- ``ignore_range()``: answer a Range request with 200 and the whole file.
- ``wrong_range(shift)``: answer a Range request with 206 starting ``shift`` bytes off.
- ``status(code)``: answer with that status and a short text body (to HEAD too if asked).
- ``body(data, content_type)``: serve other bytes with status 200 (an HTML page, an LFS pointer).
- ``redirect(url)``: answer 302 to ``url`` (another server; the test checks what it received).

Every request is recorded in ``requests`` (method, path, headers, body bytes sent). Large files
are served from disk with ``socket.sendfile`` so a benchmark measures the client, not this server.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


@dataclass
class Fault:
    kind: str
    at: int = 0
    seconds: float = 0.0
    shift: int = 0
    code: int = 0
    data: bytes = b""
    content_type: str = "application/octet-stream"
    url: str = ""
    times: int | None = 1  # requests this fault applies to; None for every request
    methods: tuple[str, ...] = ("GET",)


def drop(at: int, times: int | None = 1) -> Fault:
    return Fault("drop", at=at, times=times)


def stall(at: int, seconds: float, times: int | None = 1) -> Fault:
    return Fault("stall", at=at, seconds=seconds, times=times)


def ignore_range(times: int | None = None) -> Fault:
    return Fault("ignore_range", times=times)


def wrong_range(shift: int, times: int | None = 1) -> Fault:
    return Fault("wrong_range", shift=shift, times=times)


def status(code: int, times: int | None = 1, methods: tuple[str, ...] = ("GET",)) -> Fault:
    return Fault("status", code=code, times=times, methods=methods)


def body(data: bytes, content_type: str = "application/octet-stream", times: int | None = None) -> Fault:
    return Fault("body", data=data, content_type=content_type, times=times)


def redirect(url: str, times: int | None = None) -> Fault:
    return Fault("redirect", url=url, times=times, methods=("GET", "HEAD"))


@dataclass
class ServedFile:
    source: bytes | Path
    size: int
    sha256: str
    content_type: str = "application/octet-stream"
    etag: str | None = None
    faults: list[Fault] = field(default_factory=list)


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    sent: int = 0  # body bytes written


def sha256_of(source: bytes | Path) -> str:
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    digest = hashlib.sha256()
    with open(source, "rb") as handle:
        for block in iter(lambda: handle.read(8 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class FaultServer:
    """Start with ``start()`` or ``with FaultServer() as server``; ``url(path)`` gives a file's URL."""

    def __init__(self) -> None:
        self.files: dict[str, ServedFile] = {}
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._sent_changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- set-up --------------------------------------------------------------------------------

    def add_file(self, path: str, source: bytes | Path, *, sha256: str | None = None,
                 etag: str | None = None, content_type: str = "application/octet-stream") -> str:
        """Serve ``source`` (bytes or a file on disk) at ``path``; return its URL.

        The ETag defaults to the quoted SHA-256; pass ``etag=""`` to send none.
        """
        digest = sha256 or sha256_of(source)
        size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
        tag = f'"{digest}"' if etag is None else (etag or None)
        with self._lock:
            self.files[path] = ServedFile(source, size, digest, content_type, tag)
        return self.url(path)

    def add_fault(self, path: str, fault: Fault) -> None:
        with self._lock:
            self.files[path].faults.append(fault)

    def url(self, path: str = "") -> str:
        assert self._httpd is not None, "start the server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}{path}"

    @property
    def base_url(self) -> str:
        return self.url("")

    def wait_until_sent(self, path: str, count: int, timeout: float = 10.0) -> bool:
        """Block until GET requests for ``path`` have sent ``count`` body bytes in all; False on timeout."""
        def enough() -> bool:
            return sum(r.sent for r in self.requests if r.path == path and r.method == "GET") >= count

        with self._sent_changed:
            return self._sent_changed.wait_for(enough, timeout)

    def requests_for(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path and (method is None or r.method == method)]

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> FaultServer:
        server = self

        class Handler(_Handler):
            owner = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="fault-server",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _take_fault(self, served: ServedFile, method: str) -> Fault | None:
        with self._lock:
            for fault in served.faults:
                if method in fault.methods:
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            served.faults.remove(fault)
                    return fault
        return None


class _Handler(BaseHTTPRequestHandler):
    owner: FaultServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # noqa: A002 - keep test output quiet
        pass

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._serve(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        record = RecordedRequest(self.command, self.path, dict(self.headers.items()))
        with self.owner._lock:
            self.owner.requests.append(record)
            served = self.owner.files.get(self.path)
        if served is None:
            self._simple(404, b"not found\n")
            return
        fault = self.owner._take_fault(served, self.command)
        if fault is not None and fault.kind == "redirect":
            self.send_response(302)
            self.send_header("Location", fault.url)
            self.send_header("X-Linked-Size", str(served.size))
            self.send_header("X-Linked-Etag", f'"{served.sha256}"')
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            return
        if fault is not None and fault.kind == "status":
            self._simple(fault.code, f"injected status {fault.code}\n".encode())
            return
        if fault is not None and fault.kind == "body":
            self._send_whole(fault.data, fault.content_type, head, record)
            return

        start, end, partial = 0, served.size - 1, False
        range_header = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        honour_range = range_header and not (fault and fault.kind == "ignore_range") and (
            if_range is None or if_range == served.etag)
        if honour_range:
            match = _RANGE.match(range_header.strip())
            if match is None:
                self._simple(400, b"bad range\n")
                return
            start = int(match[1])
            if match[2]:
                end = min(int(match[2]), served.size - 1)
            if start >= served.size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{served.size}")
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()
                return
            partial = True
        if fault is not None and fault.kind == "wrong_range" and partial:
            start = max(0, start + fault.shift)  # a range other than the one requested, labelled truthfully
        self.send_response(206 if partial else 200)
        self.send_header("Content-Type", served.content_type)
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        if served.etag:
            self.send_header("ETag", served.etag)
        if partial:
            self.send_header("Content-Range", f"bytes {start}-{end}/{served.size}")
        self.send_header("Connection", "close")
        self.end_headers()
        if head:
            return
        stop_at = end + 1
        if fault is not None and fault.kind in ("drop", "stall"):
            stop_at = max(start, min(stop_at, fault.at))
        self._send_range(served.source, start, stop_at, record)
        if fault is not None and fault.kind == "stall":
            self.owner._stopping.wait(fault.seconds)
        if stop_at <= end:
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass

    def _send_range(self, source: bytes | Path, start: int, stop: int, record: RecordedRequest) -> None:
        try:
            if isinstance(source, bytes):
                view = memoryview(source)
                position = start
                while position < stop:
                    step = min(stop - position, 1 << 20)
                    self.wfile.write(view[position:position + step])
                    position += step
                    self._count_sent(record, step)
            else:
                with open(source, "rb") as handle:
                    self._count_sent(record, self.connection.sendfile(handle, start, stop - start))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _count_sent(self, record: RecordedRequest, count: int) -> None:
        with self.owner._sent_changed:
            record.sent += count
            self.owner._sent_changed.notify_all()

    def _send_whole(self, data: bytes, content_type: str, head: bool, record: RecordedRequest) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            self._send_range(data, 0, len(data), record)

    def _simple(self, code: int, payload: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
