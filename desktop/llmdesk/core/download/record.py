"""The ``<final>.part.json`` record kept beside a partial download so it can resume after a restart."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import uuid
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

log = logging.getLogger(__name__)

PART_SUFFIX = ".part"
RECORD_SUFFIX = ".part.json"
RECORD_VERSION = 1


def part_path(final: Path) -> Path:
    return final.with_name(final.name + PART_SUFFIX)


def record_path(final: Path) -> Path:
    return final.with_name(final.name + RECORD_SUFFIX)


def final_from_record(record_file: Path) -> Path:
    return record_file.with_name(record_file.name[: -len(RECORD_SUFFIX)])


@dataclass
class PartRecord:
    """What a partial download needs to resume: where it comes from and what the result must be.

    ``url`` is the URL of the last request (for repo files it is rebuilt from the current endpoint);
    ``etag`` is the strong ETag of the final response, sent as If-Range so a changed file restarts.
    """

    url: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    repo: str | None = None
    filename: str | None = None
    revision: str = "main"
    expected_size: int | None = None
    # True when expected_size came from the catalog or the caller, so a server that disagrees is wrong;
    # False when it was learnt from the server, so a changed file on the server replaces it.
    size_is_known: bool = False
    sha256: str | None = None
    sha256_is_known: bool = False  # like size_is_known, for sha256
    etag: str | None = None
    build_id: str | None = None
    quant: str | None = None
    # Raw pieces that are joined byte for byte into the file (older split uploads): their names in the
    # repository, and once known their sizes and ETags. None for an ordinary single file.
    pieces: list[str] | None = None
    piece_sizes: list[int] | None = None
    piece_etags: list[str | None] | None = None
    # Catalog facts that the file's GGUF header is checked against: the estimated size (when the
    # catalog has no exact one) and the build's parameter count.
    size_estimate: int | None = None
    n_params: int | None = None
    # The topmost folder that this download created, removed again while it is empty when the
    # download fails before any data or is cancelled. None when every folder existed already.
    created_dir: str | None = None
    # The reason of the last failure as {"template", "params"} of a UserMessage; None after a success
    # or while nothing failed.
    failure: dict | None = None
    # True while the user has this download paused; a download that stopped because the application
    # closed is False, and the next start resumes it.
    user_paused: bool = False
    version: int = RECORD_VERSION

    def save(self, final: Path) -> None:
        """Write the record atomically beside ``final``."""
        target = record_path(final)
        fd, tmp = tempfile.mkstemp(prefix=".record-", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(asdict(self), handle, indent=1)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, final: Path) -> PartRecord | None:
        """Read the record beside ``final``; None when it is missing or unreadable (logged)."""
        path = record_path(final)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("Ignoring unreadable download record %s: %s", path, exc)
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("url"), str) or raw.get("version") != RECORD_VERSION:
            log.warning("Ignoring download record %s: unknown format", path)
            return None
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def same_file_as(self, other: PartRecord) -> bool:
        """True when both records describe the same remote file, so a .part of one can resume the other."""
        if self.repo and other.repo:
            same = (self.repo, self.filename, self.revision, self.pieces) == (
                other.repo, other.filename, other.revision, other.pieces)
        else:
            same = self.url == other.url
        if self.sha256 and other.sha256 and self.sha256 != other.sha256:
            return False
        if self.expected_size and other.expected_size and self.expected_size != other.expected_size:
            return False
        return same


def remove_partial(final: Path) -> None:
    """Delete the .part file and its record, if present."""
    for path in (part_path(final), record_path(final)):
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def remove_created_folders(final: Path, created_dir: str | None) -> None:
    """Delete the empty folders from ``final``'s folder up to ``created_dir``, which a download created.

    A folder that is not empty, because another download or a file lives there, stops the walk.
    """
    if not created_dir:
        return
    top = Path(created_dir)
    folder = final.parent
    if folder != top and top not in folder.parents:
        return
    while True:
        try:
            folder.rmdir()
        except OSError:
            return
        log.debug("Removed the empty folder %s", folder)
        if folder == top:
            return
        folder = folder.parent
