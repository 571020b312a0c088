"""An exclusive lock on one download, shared by every LLM Desk process that uses the same folders.

The window and ``llm-desk download`` may be asked for the same file at once. Without a lock the second
one would resume from the .part that the first is still writing, and one of them would rename the file
away under the other. The lock is a small ``<final>.lock`` file next to the .part, locked with
``flock`` on POSIX and ``msvcrt.locking`` on Windows, so it is released by the operating system when
its process dies.

The holder deletes the lock file when it releases it. A process that opened the file just before
that deletion may then win the lock on a file that no longer has a name. So ``try_acquire`` checks
that the locked file is still the one at the path, and otherwise tries again.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

LOCK_SUFFIX = ".lock"

if os.name == "nt":
    # NOTE: this branch has not run yet; the tests run on Linux only.
    import msvcrt

    def _lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def lock_path(final: Path) -> Path:
    return final.with_name(final.name + LOCK_SUFFIX)


class DownloadLock:
    """The lock of the download whose finished file is ``final``."""

    def __init__(self, final: Path) -> None:
        self.path = lock_path(final)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self) -> bool:
        """Take the lock without waiting; False when another holder has it. Raises OSError when the
        lock file cannot be created (a folder without write access)."""
        if self._fd is not None:
            return True
        for _ in range(10):  # each retry follows a holder deleting the file; a few are plenty
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _lock(fd):
                os.close(fd)
                return False
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                self._fd = fd
                return True
            _unlock(fd)
            os.close(fd)
        return False

    def release(self) -> None:
        """Delete the lock file and let go of the lock; nothing happens when it is not held."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if os.name != "nt":
            # Deleted while still locked, so no process can lock this file after it lost its name
            # without noticing (see try_acquire).
            try:
                self.path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("Could not delete the lock file %s: %s", self.path, exc)
        try:
            _unlock(fd)
        finally:
            os.close(fd)
        if os.name == "nt":  # Windows cannot delete an open file
            try:
                self.path.unlink(missing_ok=True)
            except OSError as exc:  # another process has it open; it deletes the file when it is done
                log.debug("Keeping the lock file %s: %s", self.path, exc)

    def __enter__(self) -> DownloadLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def held_elsewhere(final: Path) -> bool:
    """Return True when another process (or task) has the lock of ``final`` right now."""
    if not lock_path(final).exists():
        return False
    probe = DownloadLock(final)
    try:
        if probe.try_acquire():
            probe.release()
            return False
    except OSError:
        return False  # cannot even create the lock file: the download itself reports the folder
    return True
