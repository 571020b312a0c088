"""Resumable, verified model downloads over HTTP(S) from Hugging Face, a mirror, or any URL.

Public API: ``DownloadManager`` (queue, pause/resume/cancel, restore), ``DownloadTask`` and its
``DownloadProgress`` snapshots, ``DownloadState``, ``DownloadError``, ``TransferOptions``,
``resolve_endpoint`` and ``file_url``. Nothing here imports Qt; the UI polls snapshots or wraps the
listener callbacks in signals.
"""

from llmdesk.core.download.endpoint import (
    ENDPOINT_ENV, Credentials, credentials_from, file_url, parse_hub_url, resolve_endpoint,
)
from llmdesk.core.download.errors import DownloadError, format_bytes
from llmdesk.core.download.manager import DownloadManager, split_part_names
from llmdesk.core.download.task import (
    DownloadProgress, DownloadState, DownloadTask, TransferOptions, check_free_space, free_space_margin,
)

__all__ = [
    "ENDPOINT_ENV", "Credentials", "DownloadError", "DownloadManager", "DownloadProgress", "DownloadState",
    "DownloadTask", "TransferOptions", "check_free_space", "credentials_from", "file_url", "format_bytes",
    "free_space_margin", "parse_hub_url", "resolve_endpoint", "split_part_names",
]
