"""HTTP requests for downloads on urllib: proxies from the environment and system, verified TLS,
redirects that keep the method and never carry the access token to another host.
"""

from __future__ import annotations

import http.client
import logging
import re
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urlsplit

from llmdesk import __version__
from llmdesk.core.download import errors
from llmdesk.core.download.endpoint import Credentials, origin

log = logging.getLogger(__name__)

USER_AGENT = f"llm-desk/{__version__}"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)


@dataclass
class Hop:
    """One redirect response on the way to the final URL."""

    url: str
    status: int
    headers: Message


@dataclass
class Response:
    """An open response and the redirects that led to it. Close it when done."""

    raw: http.client.HTTPResponse
    url: str  # final URL after redirects
    hops: list[Hop] = field(default_factory=list)

    @property
    def status(self) -> int:
        return self.raw.status

    @property
    def headers(self) -> Message:
        return self.raw.headers

    def header(self, name: str) -> str | None:
        """Return a header of the final response, or of the first redirect that had it (X-Linked-*)."""
        value = self.raw.headers.get(name)
        if value is not None:
            return value
        for hop in self.hops:
            value = hop.headers.get(name)
            if value is not None:
                return value
        return None

    def close(self) -> None:
        self.raw.close()

    def abort(self) -> None:
        """Shut the socket down from another thread, so a read blocked in it returns at once."""
        abort_response(self.raw)


def abort_response(raw) -> None:
    # http.client keeps the socket behind a buffered reader: fp.raw is a socket.SocketIO.
    sock = getattr(getattr(getattr(raw, "fp", None), "raw", None), "_sock", None)
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follow redirects, keeping HEAD as HEAD and the Authorization header within its origin only.

    The token is attached as an unredirected header, so urllib never copies it; this handler adds it
    back only when the new URL has the same scheme, host and port. Mirrors and the Hugging Face CDN
    redirect to signed URLs on other hosts, which must not see the token.
    """

    max_redirections = 10

    def __init__(self, credentials: Credentials | None) -> None:
        super().__init__()
        self.credentials = credentials
        self.hops: list[Hop] = []

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        method = req.get_method()
        if code not in (301, 302, 303, 307, 308) or method not in ("GET", "HEAD"):
            raise urllib.error.HTTPError(req.full_url, code, msg, headers, fp)
        self.hops.append(Hop(req.full_url, code, headers))
        newurl = newurl.replace(" ", "%20")
        new_headers = {k: v for k, v in req.headers.items() if k.lower() not in ("authorization", "cookie")}
        new = urllib.request.Request(newurl, headers=new_headers, method=method,
                                     origin_req_host=req.origin_req_host, unverifiable=True)
        token = self.credentials.header_for(newurl) if self.credentials else None
        if token is not None and origin(newurl) == origin(req.full_url):
            new.add_unredirected_header("Authorization", token)
        log.debug("Redirect %s -> %s (HTTP %d)", urlsplit(req.full_url).netloc, urlsplit(newurl).netloc, code)
        return new


def open_url(url: str, *, method: str = "GET", headers: dict[str, str] | None = None,
             credentials: Credentials | None = None, timeout: float = 30.0) -> Response:
    """Send one request and follow its redirects; return the open final response.

    ``timeout`` bounds the connection and every single read of the socket, which is how a stalled
    transfer is detected. Raises urllib.error.HTTPError for a 4xx/5xx final status (the caller
    classifies it with ``http_error``) and OSError or http.client exceptions for network failures.
    """
    redirects = _RedirectHandler(credentials)
    # ProxyHandler is included by default and reads proxies from the environment and the system;
    # HTTPSHandler uses the default context, which verifies certificates and host names.
    opener = urllib.request.build_opener(redirects, urllib.request.HTTPSHandler(context=ssl.create_default_context()))
    request = urllib.request.Request(url, method=method)
    request.add_header("User-Agent", USER_AGENT)
    request.add_header("Accept-Encoding", "identity")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    token = credentials.header_for(url) if credentials else None
    if token is not None:
        request.add_unredirected_header("Authorization", token)
    raw = opener.open(request, timeout=timeout)
    return Response(raw, raw.geturl(), redirects.hops)


def http_error(exc: urllib.error.HTTPError, url: str, attempts: int = 1) -> errors.DownloadError:
    """Turn an HTTP error status into a DownloadError with advice; 5xx, 408 and 429 are retryable."""
    status = exc.code
    reason = exc.reason if isinstance(exc.reason, str) else str(exc.reason)
    if status in (401, 403):
        msg = errors.message(errors.ACCESS_DENIED, status=status, url=url)
    elif status == 404:
        msg = errors.message(errors.NOT_FOUND, url=url)
    elif status >= 500 or status in (408, 429):
        return errors.DownloadError(
            errors.message(errors.SERVER_ERROR, status=status, reason=reason, url=url, attempts=attempts),
            retryable=True, status=status, reason=errors.message(errors.REASON_HTTP, status=status, reason=reason))
    else:
        msg = errors.message(errors.CLIENT_ERROR, status=status, reason=reason, url=url)
    return errors.DownloadError(msg, status=status)


def parse_content_range(value: str | None) -> tuple[int, int, int | None] | None:
    """Parse ``bytes START-END/TOTAL`` into (start, end, total); total is None for ``*``."""
    if not value:
        return None
    match = _CONTENT_RANGE.match(value)
    if match is None:
        return None
    total = None if match[3] == "*" else int(match[3])
    return int(match[1]), int(match[2]), total


def sha256_from_etag(value: str | None) -> str | None:
    """Return the SHA-256 that Hugging Face puts in the ETag of LFS files, or None for any other ETag."""
    if not value:
        return None
    tag = value.strip()
    if tag.startswith("W/"):
        return None
    tag = tag.strip('"').lower()
    return tag if _SHA256.match(tag) else None


def strong_etag(value: str | None) -> str | None:
    """Return ``value`` if it is a strong ETag (usable in If-Range), else None."""
    if not value or value.strip().startswith("W/"):
        return None
    return value.strip()


def content_length(response: Response) -> int | None:
    value = response.headers.get("Content-Length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class RangeFetcher:
    """A ``fetch(offset, length) -> bytes`` callable over HTTP Range requests, for reading GGUF headers.

    Each call sends one request for exactly the bytes asked for; a server that ignores Range is read
    only as far as needed and then disconnected, so the cost stays at what the caller asks for.
    ``bytes_fetched`` counts the body bytes read. Raises DownloadError for HTTP errors and for a
    206 response that starts elsewhere than requested.
    """

    def __init__(self, url: str, *, credentials: Credentials | None = None, timeout: float = 30.0) -> None:
        self.url = url
        self.credentials = credentials
        self.timeout = timeout
        self.bytes_fetched = 0
        self.requests = 0

    def __call__(self, offset: int, length: int) -> bytes:
        if length <= 0:
            return b""
        self.requests += 1
        try:
            response = open_url(self.url, headers={"Range": f"bytes={offset}-{offset + length - 1}"},
                                credentials=self.credentials, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code == 416:  # the file ends before offset
                return b""
            raise http_error(exc, self.url) from None
        try:
            skip = 0
            if response.status == 206:
                span = parse_content_range(response.headers.get("Content-Range"))
                if span is None or span[0] != offset:
                    raise errors.DownloadError(errors.message(
                        errors.CLIENT_ERROR, status=206, reason="wrong Content-Range", url=self.url), status=206)
            else:
                skip = offset  # a 200 carries the whole file: read past the bytes before offset
            while skip:
                dropped = response.raw.read(min(skip, 1 << 20))
                if not dropped:
                    return b""
                skip -= len(dropped)
            data = _read_exactly(response, length)
            self.bytes_fetched += len(data) + offset * (response.status != 206)
            return data
        finally:
            response.close()


def _read_exactly(response: Response, length: int) -> bytes:
    chunks, left = [], length
    while left:
        chunk = response.raw.read(min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
