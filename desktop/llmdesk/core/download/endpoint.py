"""Download sources: the endpoint, file URLs, and the scope of the access token."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from llmdesk.core.download import errors
from llmdesk.core.settings import ENDPOINT_PRESETS

# huggingface_hub reads the same variable, so one setting serves both tools.
ENDPOINT_ENV = "HF_ENDPOINT"
TOKEN_ENV = "HF_TOKEN"

_SHA256_HEX = re.compile(r"^[0-9a-fA-F]{64}$")
_HF_FILE_URL = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/(?:resolve|blob)/(?P<revision>[^/]+)/(?P<filename>.+)$")


def origin(url: str) -> tuple[str, str, int]:
    """Return (scheme, host, port) of ``url``, the unit a credential is scoped to."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, (parts.hostname or "").lower(), port


def _validated_endpoint(value: str, template: str = errors.INVALID_ENDPOINT) -> str:
    """Return ``value`` without a trailing slash; ``template`` names where the value came from."""
    base = value.strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        quoted = value if value.strip() else '""'  # an empty value would vanish from the sentence
        raise errors.DownloadError(errors.message(template, endpoint=quoted, presets=", ".join(ENDPOINT_PRESETS)))
    return base


def validate_base_url(value: str) -> str:
    """Return a download source URL typed into a settings field, cleaned up; raise DownloadError when
    it is not an http(s) base URL. The message names no place to fix it: it shows beside the field."""
    return _validated_endpoint(value, errors.INVALID_ENDPOINT_FIELD)


def resolve_endpoint(settings, override: str | None = None) -> str:
    """Return the base URL downloads use, without a trailing slash.

    Precedence: ``override`` (a preset name or URL, e.g. from ``--endpoint``), then the ``HF_ENDPOINT``
    environment variable, then the ``download_endpoint`` setting (a preset, or ``custom`` with
    ``custom_endpoint``). Raises DownloadError for a value that is not an http(s) URL.
    """
    if override:
        return _validated_endpoint(ENDPOINT_PRESETS.get(override, override), errors.INVALID_ENDPOINT_OVERRIDE)
    env = os.environ.get(ENDPOINT_ENV, "").strip()
    if env:
        return _validated_endpoint(env, errors.INVALID_ENDPOINT_ENV)
    choice = settings.get("download_endpoint") if settings is not None else "huggingface"
    if choice == "custom":
        return _validated_endpoint(settings.get("custom_endpoint"))
    return ENDPOINT_PRESETS.get(choice, ENDPOINT_PRESETS["huggingface"])


def normalize_sha256(value: str) -> str:
    """Return ``value`` as 64 lower-case hex digits, accepting upper case and a ``sha256:`` prefix.

    Raises DownloadError for anything else, so a mistyped hash is rejected before any transfer.
    """
    digest = value.strip()
    if digest[:7].lower() == "sha256:":
        digest = digest[7:].strip()
    if not _SHA256_HEX.match(digest):
        raise errors.DownloadError(errors.message(errors.INVALID_SHA256, value=repr(value)))
    return digest.lower()


def validate_filename(filename: str) -> str:
    """Return ``filename`` if it is a safe relative path inside a repository, else raise DownloadError."""
    parts = filename.replace("\\", "/").split("/")
    if not filename or filename.startswith(("/", "\\")) or any(p in ("", ".", "..") for p in parts) \
            or re.match(r"^[A-Za-z]:", filename):
        raise errors.DownloadError(errors.message(errors.INVALID_NAME, name=filename))
    return "/".join(parts)


def file_url(endpoint: str, repo: str, filename: str, revision: str = "main") -> str:
    """Return the Hugging Face style download URL ``{endpoint}/{repo}/resolve/{revision}/{filename}``."""
    filename = validate_filename(filename)
    return (f"{endpoint.rstrip('/')}/{quote(repo, safe='/')}/resolve/{quote(revision or 'main', safe='')}/"
            f"{quote(filename, safe='/')}")


@dataclass(frozen=True)
class HubFile:
    """A file named by a Hugging Face style URL: ``{base}/{repo}/resolve|blob/{revision}/{filename}``."""

    base: str
    repo: str
    revision: str
    filename: str


def parse_hub_url(url: str) -> HubFile | None:
    """Split a Hugging Face style file URL into its parts, or return None for any other URL.

    A ``/blob/`` URL (the web page of a file) maps to the same file as ``/resolve/``.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    match = _HF_FILE_URL.match(parts.path)
    if match is None:
        return None
    base = f"{parts.scheme}://{parts.netloc}"
    return HubFile(base, unquote(match["repo"]), unquote(match["revision"]), unquote(match["filename"]))


def validate_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.rstrip("/") in ("", "/") \
            or parts.path.endswith("/"):
        raise errors.DownloadError(errors.message(errors.INVALID_URL, url=url))
    return url


def url_filename(url: str) -> str:
    """Return the last path segment of ``url``, decoded."""
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


@dataclass(frozen=True)
class Credentials:
    """An access token and the endpoint it was entered for; it is sent to that origin only."""

    token: str
    endpoint: str

    def header_for(self, url: str) -> str | None:
        """Return the Authorization header value for a request to ``url``, or None for any other origin."""
        if not self.token or origin(url) != origin(self.endpoint):
            return None
        return f"Bearer {self.token}"


def credentials_from(settings) -> Credentials | None:
    """Return the token from settings, scoped to ``hf_token_endpoint`` (huggingface.co when empty).

    Without one, the ``HF_TOKEN`` environment variable, which huggingface_hub reads too, is used for
    the ``HF_ENDPOINT`` origin or huggingface.co: a headless machine needs no settings file.
    """
    token = settings.get("hf_token").strip() if settings is not None else ""
    if token:
        return Credentials(token, settings.get("hf_token_endpoint").strip() or ENDPOINT_PRESETS["huggingface"])
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token:
        return Credentials(token, os.environ.get(ENDPOINT_ENV, "").strip() or ENDPOINT_PRESETS["huggingface"])
    return None
