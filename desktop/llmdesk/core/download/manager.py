"""DownloadManager: a queue of downloads with a concurrency limit, pause/resume/cancel and restore."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from llmdesk.core import paths
from llmdesk.core.download import endpoint as ep
from llmdesk.core.download import errors
from llmdesk.core.download.filelock import held_elsewhere
from llmdesk.core.download.record import (
    RECORD_SUFFIX, PartRecord, final_from_record, part_path, remove_created_folders, remove_partial,
)
from llmdesk.core.download.task import DownloadProgress, DownloadState, DownloadTask, TransferOptions
from llmdesk.core.i18n import UserMessage

log = logging.getLogger(__name__)

_INDEX_NAME = "downloads.json"


class DownloadManager:
    """Run downloads in worker threads, at most ``max_concurrent_downloads`` at once, the rest queued.

    ``settings`` supplies the endpoint, token, concurrency limit and whether closing pauses
    (``downloads_in_background``); it is read on the calling thread only. Listeners added with
    ``add_listener`` receive a DownloadProgress on every state change and at most a few times a
    second while bytes arrive; they run on worker threads, so a UI must hand them to its own thread.
    ``disk_usage`` and ``options`` exist so tests can inject a small disk and short timeouts.
    """

    def __init__(self, settings=None, *, models_dir: Path | None = None, endpoint: str | None = None,
                 options: TransferOptions | None = None,
                 disk_usage: Callable[[Path], object] = shutil.disk_usage,
                 max_concurrent: int | None = None) -> None:
        self._settings = settings
        self._models_dir = Path(models_dir) if models_dir else paths.models_dir()
        self._endpoint_override = endpoint
        self._options = options or TransferOptions()
        self._disk_usage = disk_usage
        self._max_concurrent = max_concurrent
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)  # notified whenever a task changes state
        self._tasks: dict[str, DownloadTask] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._listeners: list[Callable[[DownloadProgress], None]] = []
        self._closed = False
        self.apply_settings()

    def apply_settings(self) -> None:
        """Read the endpoint, token and concurrency limit from settings again (after the user changed them).

        Call on the thread that owns the settings; worker threads use only the values read here. A
        running download keeps its URL until it is paused and resumed.
        """
        self._credentials = ep.credentials_from(self._settings)
        try:
            self._endpoint: str | None = ep.resolve_endpoint(self._settings, self._endpoint_override)
            self._endpoint_error: errors.DownloadError | None = None
        except errors.DownloadError as exc:
            self._endpoint, self._endpoint_error = None, exc
        if self._max_concurrent is not None:
            limit = self._max_concurrent
        elif self._settings is not None:
            limit = int(self._settings.get("max_concurrent_downloads"))
        else:
            limit = 2
        with self._lock:
            self._limit = max(1, limit)
            for task in self._tasks.values():
                task._credentials = self._credentials
        self._schedule()

    # --- queries -------------------------------------------------------------------------------

    @property
    def models_dir(self) -> Path:
        return self._models_dir

    def endpoint(self) -> str:
        """Return the base URL for repository files; raise DownloadError when the configured one is invalid."""
        if self._endpoint is None:
            raise self._endpoint_error
        return self._endpoint

    def tasks(self) -> list[DownloadTask]:
        with self._lock:
            return list(self._tasks.values())

    def get(self, task_id: str) -> DownloadTask:
        with self._lock:
            try:
                return self._tasks[task_id]
            except KeyError:
                raise KeyError(f"no download with id {task_id!r}") from None

    def add_listener(self, listener: Callable[[DownloadProgress], None]) -> None:
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[DownloadProgress], None]) -> None:
        with self._lock:
            self._listeners.remove(listener)

    def concurrency_limit(self) -> int:
        return self._limit

    # --- adding downloads ----------------------------------------------------------------------

    def enqueue(self, *, repo: str | None = None, filename: str | None = None, url: str | None = None,
                revision: str = "main", expected_size: int | None = None, sha256: str | None = None,
                dest_dir: Path | None = None, build_id: str | None = None, quant: str | None = None,
                pieces: list[str] | None = None, size_estimate: int | None = None,
                n_params: int | None = None, start: bool = True) -> DownloadTask:
        """Queue one file, named by ``repo`` + ``filename`` (on the current endpoint) or by ``url``.

        ``expected_size`` and ``sha256`` come from the catalog when known; otherwise a HEAD request
        supplies them. Files go to ``dest_dir/filename`` or, by default, to
        ``models_dir/<repo>/<filename>``. A partial download of the same file resumes; one of a different
        file at the same path is discarded. With ``pieces`` (repository files only), the file is the
        concatenation of those files, downloaded in order into one .part, and ``expected_size`` and
        ``sha256`` describe the joined file. With ``build_id``, the finished file's GGUF header must
        match ``n_params`` (the build's parameter count) and ``quant``. A ``size_estimate`` (a catalog
        size estimated from bits per weight) only adds a warning or detail. ``sha256`` may be upper case
        or prefixed with ``sha256:``. Raises DownloadError for an invalid URL, file name, SHA-256 or
        endpoint.
        """
        if url is not None:
            url = ep.validate_url(url)
            hub = ep.parse_hub_url(url)
            name = ep.validate_filename(hub.filename if hub else ep.url_filename(url))
            layout = Path(*hub.repo.split("/")) / name if hub else Path(name)
            record = PartRecord(url=url)
        elif repo and filename:
            name = ep.validate_filename(filename)
            layout = Path(*repo.split("/")) / name
            record = PartRecord(url=ep.file_url(self.endpoint(), repo, name, revision), repo=repo,
                                filename=name, revision=revision or "main")
        else:
            raise ValueError("enqueue needs either url, or repo and filename")
        if pieces:
            if record.repo is None:
                raise ValueError("pieces are only supported for repository files")
            record.pieces = [ep.validate_filename(piece) for piece in pieces]
        final = (Path(dest_dir) / name) if dest_dir else self._models_dir / layout
        record.expected_size = expected_size
        record.size_is_known = expected_size is not None
        record.sha256 = ep.normalize_sha256(sha256) if sha256 is not None else None
        record.sha256_is_known = record.sha256 is not None
        record.build_id = build_id
        record.quant = quant
        record.size_estimate = size_estimate
        record.n_params = n_params
        return self._add(final.resolve(), record, start)

    def enqueue_quant(self, build, quant_name: str, *, dest_dir: Path | None = None,
                      start: bool = True) -> list[DownloadTask]:
        """Queue the file(s) of one catalog quantization; a gguf-split model gives one task per part.

        Pieces that are joined byte for byte ("concat") give one task that writes the joined file.
        Raises KeyError naming the available quantizations when ``quant_name`` is not one of them.
        """
        variant = build.quant(quant_name)
        if variant is None:
            names = ", ".join(q.name for q in build.quants)
            raise KeyError(f"{build.id} has no quantization {quant_name!r}; choose one of: {names}")
        size = None if variant.size_is_estimate else variant.size_bytes
        estimate = variant.size_bytes if variant.size_is_estimate and variant.size_bytes else None
        whole_file = {"expected_size": size, "size_estimate": estimate, "n_params": build.arch.n_params,
                      "sha256": variant.sha256}
        if variant.parts and variant.parts_join == "concat":
            return [self.enqueue(repo=variant.repo, filename=variant.filename, pieces=list(variant.parts),
                                 dest_dir=dest_dir, build_id=build.id, quant=variant.name, start=start,
                                 **whole_file)]
        parts = list(variant.parts) or split_part_names(variant.filename)
        if len(parts) == 1:
            return [self.enqueue(repo=variant.repo, filename=variant.filename, dest_dir=dest_dir,
                                 build_id=build.id, quant=variant.name, start=start, **whole_file)]
        # The catalog gives the size of the whole set, not of each part: HEAD supplies them.
        return [self.enqueue(repo=variant.repo, filename=part, dest_dir=dest_dir, build_id=build.id,
                             quant=variant.name, start=start) for part in parts]

    def _url_for(self, record: PartRecord) -> Callable[..., str]:
        def current_url(name: str | None = None) -> str:
            """Return the URL of the file, or of one of its pieces, on the current endpoint."""
            if record.repo and record.filename:
                return ep.file_url(self.endpoint(), record.repo, name or record.filename, record.revision)
            return record.url
        return current_url

    def _new_task(self, final: Path, record: PartRecord) -> DownloadTask:
        return DownloadTask(final, record, url_for=self._url_for(record), credentials=self._credentials,
                            options=self._options, disk_usage=self._disk_usage, notify=self._publish)

    def _add(self, final: Path, record: PartRecord, start: bool) -> DownloadTask:
        with self._lock:
            for task in list(self._tasks.values()):
                if task.final_path != final:
                    continue
                if task.state in (DownloadState.DONE, DownloadState.FAILED, DownloadState.CANCELLED) \
                        and task.id not in self._threads:
                    del self._tasks[task.id]  # replaced by the new task below
                else:
                    return task

        if held_elsewhere(final):
            # Another process is writing this .part and its record: leave every file alone.
            log.warning("Not starting %s: another process is downloading it", final)
            return self._add_failed(final, record, errors.message(errors.ALREADY_RUNNING, path=str(final)))
        try:
            if self._models_dir.resolve() in final.parents:
                self._models_dir.mkdir(parents=True, exist_ok=True)  # the app's folder stays when emptied
            created = _first_missing_folder(final.parent)
            record.created_dir = str(created) if created is not None else None
            final.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _folder_error(final, record, exc) from exc
        if final.exists():
            return self._already_present(final, record)
        return self._add_new(final, record, start)

    def _add_failed(self, final: Path, record: PartRecord, reason: UserMessage) -> DownloadTask:
        """Add a task that failed before it started, without touching any file."""
        task = self._new_task(final, record)
        task._set_state(DownloadState.FAILED, reason)
        task._finished.set()
        with self._lock:
            self._tasks[task.id] = task
        return task

    def _add_new(self, final: Path, record: PartRecord, start: bool) -> DownloadTask:

        existing = PartRecord.load(final)
        if existing is not None and existing.same_file_as(record):
            existing.expected_size = existing.expected_size or record.expected_size
            existing.size_is_known = existing.size_is_known or record.size_is_known
            if record.sha256_is_known:
                existing.sha256, existing.sha256_is_known = record.sha256, True
            existing.build_id = existing.build_id or record.build_id
            existing.quant = existing.quant or record.quant
            existing.size_estimate = existing.size_estimate or record.size_estimate
            existing.n_params = existing.n_params or record.n_params
            record = existing
            log.info("Resuming the partial download of %s (%d bytes)", final, _length(part_path(final)))
        elif existing is not None or part_path(final).exists():
            log.info("Discarding a partial download of a different file at %s", final)
            remove_partial(final)
        try:
            record.save(final)
        except OSError as exc:
            raise _folder_error(final, record, exc) from exc
        self._index_add(final)
        task = self._new_task(final, record)
        with self._lock:
            self._tasks[task.id] = task
        if not start:
            task._set_state(DownloadState.PAUSED)
            task._finished.set()
        self._schedule()
        return task

    def _already_present(self, final: Path, record: PartRecord) -> DownloadTask:
        task = self._new_task(final, record)
        size = final.stat().st_size
        if record.sha256_is_known and (record.expected_size is None or size == record.expected_size):
            # Hashing a large file takes seconds: the worker does it, as it would after a download.
            with self._lock:
                self._tasks[task.id] = task
            self._schedule()
            return task
        if record.expected_size is not None and size != record.expected_size:
            task._set_state(DownloadState.FAILED, errors.message(
                errors.EXISTS_DIFFERENT, path=str(final), actual=size, expected=record.expected_size))
        else:
            task._notice = errors.message(errors.ALREADY_PRESENT, path=str(final))
            with task._lock:
                task._done = size
                record.expected_size = size
            task._set_state(DownloadState.DONE)
        task._finished.set()
        with self._lock:
            self._tasks[task.id] = task
        return task

    # --- control -------------------------------------------------------------------------------

    def pause(self, task_id: str, *, by_user: bool = True) -> None:
        """Pause a queued or running download; its .part and record stay for ``resume``.

        A download the user paused stays paused at the next start; one paused ``by_user=False``
        (the application closing) is resumed by ``restore(resume_interrupted=True)``.
        """
        task = self.get(task_id)
        task.record.user_paused = by_user
        with self._lock:
            running = task_id in self._threads
            if not running and task.state == DownloadState.QUEUED:
                task._save_record_quietly()
                task._set_state(DownloadState.PAUSED)
                task._finished.set()
                return
        if running:
            task._request_stop("pause")

    def resume(self, task_id: str) -> None:
        """Queue a paused or failed download again; it continues from its .part."""
        task = self.get(task_id)
        with self._lock:
            if task_id in self._threads or task.state not in (DownloadState.PAUSED, DownloadState.FAILED):
                return
            task.record.user_paused = False
            task._prepare_start()
            task._set_state(DownloadState.QUEUED)
        self._index_add(task.final_path)  # dropped from the index when it failed before any data
        self._schedule()

    def cancel(self, task_id: str) -> None:
        """Stop a download and delete its .part and record. A finished file is left alone."""
        task = self.get(task_id)
        with self._lock:
            running = task_id in self._threads
            if not running:
                if task.state == DownloadState.DONE:
                    return
                if held_elsewhere(task.final_path):
                    # Another process is writing these files (this task was refused for that): only this
                    # task ends.
                    log.info("Cancelled %s here; another process keeps downloading it", task.final_path)
                    task._set_state(DownloadState.CANCELLED)
                    task._finished.set()
                    return
                remove_partial(task.final_path)
                remove_created_folders(task.final_path, task.record.created_dir)
                self._index_remove(task.final_path)
                with task._lock:
                    task._done = 0
                task._set_state(DownloadState.CANCELLED)
                task._finished.set()
                return
        task._request_stop("cancel")

    def remove(self, task_id: str) -> None:
        """Drop a finished (done, failed or cancelled) task from ``tasks()``; its files stay as they are.

        Raises ValueError for a task that is queued, running or paused: cancel or finish it first.
        """
        with self._lock:
            task = self.get(task_id)
            if task.state not in (DownloadState.DONE, DownloadState.FAILED, DownloadState.CANCELLED) \
                    or task_id in self._threads:
                raise ValueError(f"download {task_id} is {task.state.value}; cancel it before removing it")
            del self._tasks[task_id]

    def pause_all(self, *, by_user: bool = False) -> None:
        for task in self.tasks():
            if task.state in (DownloadState.QUEUED, DownloadState.DOWNLOADING, DownloadState.VERIFYING):
                self.pause(task.id, by_user=by_user)

    def wait(self, task_ids: list[str] | None = None, timeout: float | None = None) -> bool:
        """Block until the given (default: all) tasks have stopped; False on timeout.

        A queued task counts as not stopped, so this waits for the queue to drain too.
        """
        def all_stopped() -> bool:
            return all(t.state.finished and t.id not in self._threads for t in self._tasks.values()
                       if task_ids is None or t.id in task_ids)

        with self._changed:
            return self._changed.wait_for(all_stopped, timeout)

    def shutdown(self, pause: bool | None = None, timeout: float | None = 30.0) -> None:
        """Stop for application exit: pause every download (the default, or unless
        ``downloads_in_background`` is on when ``pause`` is None) and join the worker threads.

        With ``pause=False`` this waits for running and queued downloads to finish.
        """
        if pause is None:
            pause = not (self._settings is not None and self._settings.get("downloads_in_background"))
        if pause:
            with self._lock:
                self._closed = True
            self.pause_all()
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(timeout)
        if not pause:
            self.wait(timeout=timeout)
            with self._lock:
                self._closed = True

    # --- restore -------------------------------------------------------------------------------

    def restore(self, resume: bool = False, *, resume_interrupted: bool = False) -> list[DownloadTask]:
        """Find interrupted downloads (.part + record) from earlier runs and add them as tasks.

        Looks in the models folder and in every folder a download was started in. The tasks are
        paused unless ``resume`` is True; with ``resume_interrupted`` the ones that were running when
        the application closed (neither paused by the user nor failed) are queued again. A record whose final file exists is left over from a finished
        download and is removed. A download that failed without leaving data to resume is not restored.
        It is added to ``tasks()`` once as FAILED with its reason, and its record, index entry and
        empty folders are removed, so the next start does not list it again.
        """
        candidates: set[Path] = set()
        if self._models_dir.exists():
            candidates.update(final_from_record(p) for p in self._models_dir.rglob("*" + RECORD_SUFFIX))
        candidates.update(self._index_load())
        restored = []
        for final in sorted(candidates):
            with self._lock:
                if any(t.final_path == final for t in self._tasks.values()):
                    continue
            record = PartRecord.load(final)
            if record is None:
                self._index_remove(final)
                continue
            if final.exists():
                remove_partial(final)
                self._index_remove(final)
                continue
            if record.failure is not None and _length(part_path(final)) == 0:
                self._drop_failed(final, record)
                continue
            task = self._new_task(final, record)
            with self._lock:
                self._tasks[task.id] = task
            self._index_add(final)
            if resume or (resume_interrupted and not record.user_paused and record.failure is None):
                self._schedule()
            else:
                task._set_state(DownloadState.PAUSED)
                task._finished.set()
            restored.append(task)
            log.info("Restored download %s: %s (%d bytes so far)", task.id, final, _length(task.part_path))
        return restored

    def _drop_failed(self, final: Path, record: PartRecord) -> None:
        """Show a download that failed earlier and has nothing to resume once as FAILED, then forget it."""
        failure = record.failure or {}
        reason = UserMessage(errors.CONTEXT, str(failure.get("template", errors.UNEXPECTED)),
                             **dict(failure.get("params") or {}))
        try:
            str(reason)
        except (KeyError, IndexError, ValueError):
            reason = errors.message(errors.UNEXPECTED, name=final.name, reason="unknown")
        log.warning("Dropping the failed download of %s, which has no data to resume: %s", final, reason)
        remove_partial(final)
        remove_created_folders(final, record.created_dir)
        self._index_remove(final)
        task = self._new_task(final, record)
        task._set_state(DownloadState.FAILED, reason)
        task._finished.set()
        with self._lock:
            self._tasks[task.id] = task

    # --- internals -----------------------------------------------------------------------------

    def _publish(self, task: DownloadTask) -> None:
        snapshot = task.snapshot()
        with self._lock:
            listeners = list(self._listeners)
            self._changed.notify_all()
        for listener in listeners:
            try:
                listener(snapshot)
            except Exception:  # noqa: BLE001 - a faulty listener must not kill the download
                log.exception("Download listener failed for %s", task.id)

    def _schedule(self) -> None:
        with self._lock:
            if self._closed:
                return
            free = self.concurrency_limit() - len(self._threads)
            for task in self._tasks.values():
                if free <= 0:
                    break
                if task.state != DownloadState.QUEUED or task.id in self._threads:
                    continue
                task._prepare_start()
                thread = threading.Thread(target=self._work, args=(task,), name=f"download-{task.id}",
                                          daemon=True)
                self._threads[task.id] = thread
                free -= 1
                thread.start()

    def _work(self, task: DownloadTask) -> None:
        try:
            task._run()
        finally:
            # The index is updated before the thread counts as gone, so wait() returns with it current.
            if task.state in (DownloadState.DONE, DownloadState.CANCELLED) or (
                    task.state == DownloadState.FAILED and not part_path(task.final_path).exists()):
                self._index_remove(task.final_path)
            with self._lock:
                self._threads.pop(task.id, None)
                self._changed.notify_all()
            self._schedule()

    def _index_path(self) -> Path:
        return paths.data_dir() / _INDEX_NAME

    def _index_load(self) -> set[Path]:
        try:
            entries = json.loads(self._index_path().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return set()
        except (OSError, ValueError) as exc:
            log.warning("Ignoring unreadable download index %s: %s", self._index_path(), exc)
            return set()
        return {Path(e) for e in entries if isinstance(e, str)} if isinstance(entries, list) else set()

    def _index_save(self, entries: set[Path]) -> None:
        target = self._index_path()
        fd, tmp = tempfile.mkstemp(prefix=".downloads-", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(sorted(str(e) for e in entries), handle, indent=1)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _index_add(self, final: Path) -> None:
        with self._lock:
            entries = self._index_load()
            if final not in entries:
                self._index_save(entries | {final})

    def _index_remove(self, final: Path) -> None:
        with self._lock:
            entries = self._index_load()
            if final in entries:
                self._index_save(entries - {final})


def split_part_names(filename: str) -> list[str]:
    """Return all part names of a split GGUF named by its first part, or ``[filename]`` otherwise.

    ``model-00001-of-00003.gguf`` gives ``model-0000{1,2,3}-of-00003.gguf``.
    """
    match = re.search(r"-(\d{5})-of-(\d{5})\.gguf$", filename)
    if match is None or int(match[1]) != 1:
        return [filename]
    count = int(match[2])
    stem = filename[: match.start()]
    return [f"{stem}-{i:05d}-of-{count:05d}.gguf" for i in range(1, count + 1)]


def _length(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0



def _folder_error(final: Path, record: PartRecord, exc: OSError) -> errors.DownloadError:
    """Remove the folders a failed start created and return the error that names the folder."""
    log.warning("Cannot start the download of %s: %s", final, exc)
    remove_created_folders(final, record.created_dir)
    folder = final.parent if final.parent.is_dir() else Path(record.created_dir or final.parent)
    return errors.DownloadError(errors.message(errors.FOLDER_UNUSABLE, folder=str(folder),
                                               reason=exc.strerror or str(exc)))


def _first_missing_folder(folder: Path) -> Path | None:
    """Return the topmost ancestor of ``folder`` (or ``folder`` itself) that does not exist yet."""
    missing = None
    while not folder.exists():
        missing = folder
        if folder.parent == folder:
            break
        folder = folder.parent
    return missing
