"""Models on disk: scan the model folders, describe each GGUF file from its header, import, delete.

The folders are the app's own (``paths.models_dir()``) plus the user's ``model_folders`` setting (for
example an LM Studio or GPT4All folder). Files the user added "in place" are kept in a list in the data
dir. Everything here reads headers only (a few MiB per file), never tensor data, except ``import_file``
which copies. Scanning touches the disk: call it from a worker thread.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from llmdesk.core import gguf_meta, paths
from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage

log = logging.getLogger(__name__)

CONTEXT = "Library"
_REFERENCES_NAME = "library_references.json"
_SPLIT = re.compile(r"^(?P<stem>.+)-(?P<index>\d{5})-of-(?P<count>\d{5})\.gguf$", re.IGNORECASE)

OUTSIDE_FOLDERS = QT_TRANSLATE_NOOP(
    CONTEXT, "{path} is outside the model folders, so it was not deleted. Remove it from the library "
             "instead, or delete it in the file manager.")
DELETE_FAILED = QT_TRANSLATE_NOOP(CONTEXT, "Could not delete {path}: {reason}.")
NOT_A_MODEL = QT_TRANSLATE_NOOP(CONTEXT, "{path} cannot be added to the library: {reason}")
IMPORT_EXISTS = QT_TRANSLATE_NOOP(
    CONTEXT, "A file named {name} is already in {folder}. Rename one of them, then import again.")
COPY_FAILED = QT_TRANSLATE_NOOP(CONTEXT, "Could not copy {source} to {target}: {reason}. Nothing was added.")
COPY_CHANGED = QT_TRANSLATE_NOOP(
    CONTEXT, "{source} changed while it was being copied ({copied} of {expected} bytes). Nothing was "
             "added; import it again.")
IMPORT_CANCELLED = QT_TRANSLATE_NOOP(CONTEXT, "Import of {source} cancelled. Nothing was added.")
MISSING_PARTS = QT_TRANSLATE_NOOP(
    CONTEXT, "{name} is split into {count} parts, but {missing} are missing. Download the missing parts.")


class LibraryError(Exception):
    """A library operation failed; ``message`` is translatable, ``str()`` is English."""

    def __init__(self, message: UserMessage) -> None:
        super().__init__(str(message))
        self.message = message


class ImportCancelled(LibraryError):
    """The caller cancelled an import; nothing was added."""


def _message(template: str, **params: object) -> UserMessage:
    return UserMessage(CONTEXT, template, **params)


def split_info(path: Path) -> tuple[str, int, int] | None:
    """Return (stem, part index, part count) for ``name-00002-of-00005.gguf``, else None."""
    match = _SPLIT.match(path.name)
    if match is None:
        return None
    return match["stem"], int(match["index"]), int(match["count"])


def split_siblings(path: Path) -> list[Path]:
    """Return every part path of the split model ``path`` belongs to (present or not), or ``[path]``."""
    info = split_info(path)
    if info is None:
        return [path]
    stem, _, count = info
    return [path.with_name(f"{stem}-{i:05d}-of-{count:05d}.gguf") for i in range(1, count + 1)]


@dataclass
class LibraryModel:
    """One model on disk: a GGUF file, or all parts of a split GGUF, described from its header.

    ``check`` is gguf_meta's verdict on the first file; ``ok`` is True when llama.cpp should load it.
    ``build`` and ``variant`` are the catalog entry it was matched to, and ``match_reason`` is how.
    """

    path: Path  # the file to load: the first part of a split model
    parts: tuple[Path, ...]
    folder: Path | None  # the model folder it was found in; None for a file referenced in place
    size_bytes: int
    check: gguf_meta.FileCheck
    header: gguf_meta.GGUFHeader | None  # for a split model: all parts' tensors under the first's metadata
    missing_parts: tuple[Path, ...] = ()
    build: object | None = None  # catalog_types.ModelBuild
    variant: object | None = None  # catalog_types.QuantVariant
    match_reason: str | None = None
    referenced: bool = False
    _fits: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        info = split_info(self.path)
        return info[0] if info else self.path.stem

    @property
    def ok(self) -> bool:
        return self.check.ok and not self.missing_parts

    @property
    def problem(self) -> UserMessage | None:
        """Why the model cannot be loaded, or None."""
        if self.missing_parts:
            return _message(MISSING_PARTS, name=self.name, count=len(self.parts),
                            missing=", ".join(p.name for p in self.missing_parts))
        return None if self.check.ok else self.check.message

    @property
    def architecture(self) -> str | None:
        return self.header.architecture if self.header else None

    @property
    def n_params(self) -> int | None:
        return self.header.n_params if self.header else None

    @property
    def quantization(self) -> str | None:
        return self.header.file_type_name() if self.header else None

    @property
    def context_length(self) -> int | None:
        value = self.header.arch_value("context_length") if self.header else None
        return value if isinstance(value, int) else None

    @property
    def has_chat_template(self) -> bool:
        return bool(self.header and self.header.has_chat_template)

    def fit(self, profile, n_ctx: int = 4096, kv_type: str = "f16", flash_attn: bool = False):
        """Return the fit estimate (core.fit FitResult) for ``profile``, or None without a usable header.

        Computed on first request and cached per argument set. Raises what ``estimate_gguf`` raises for
        invalid arguments.
        """
        if self.header is None:
            return None
        key = (id(profile), n_ctx, kv_type, flash_attn)
        if key not in self._fits:
            from llmdesk.core.fit import estimate_gguf

            try:
                self._fits[key] = estimate_gguf(
                    self.header, profile, n_ctx, kv_type, flash_attn,
                    quant_name=self.variant.name if self.variant is not None else None,
                    build_id=self.build.id if self.build is not None else None)
            except gguf_meta.GGUFError as exc:
                log.info("No fit estimate for %s: %s", self.path, exc)
                self._fits[key] = None
        return self._fits[key]


def _shard_tensors(path: Path) -> list[gguf_meta.TensorInfo]:
    """Return the tensor infos of a later part of a split model.

    gguf_meta.read_header requires general.architecture, which only the first part carries, so this
    uses the gguf package's reader (it memory-maps the file and reads no tensor data).
    """
    import gguf

    try:
        reader = gguf.GGUFReader(path)
    except (OSError, ValueError) as exc:
        log.info("Cannot read the tensors of split part %s: %s", path, exc)
        return []
    return [gguf_meta.TensorInfo(t.name, tuple(int(d) for d in t.shape), int(t.tensor_type),
                                 int(t.data_offset) - int(reader.data_offset), int(t.n_bytes))
            for t in reader.tensors]


class Library:
    """The models in the model folders and the files referenced in place.

    ``catalog`` (core.catalog.Catalog) is used to match files to builds; None skips matching.
    Header reads are cached per (path, size, mtime) for the life of the object.
    """

    def __init__(self, settings=None, catalog=None, *, models_dir: Path | None = None,
                 folders: list[Path] | None = None) -> None:
        self._settings = settings
        self._catalog = catalog
        self._models_dir = Path(models_dir) if models_dir else paths.models_dir()
        self._extra = [Path(f) for f in folders] if folders is not None else None
        self._cache: dict[tuple[str, int, int], tuple[gguf_meta.FileCheck, gguf_meta.GGUFHeader | None]] = {}

    # --- folders and references ----------------------------------------------------------------

    @property
    def models_dir(self) -> Path:
        return self._models_dir

    def folders(self) -> list[Path]:
        """Return the app's model folder and the user's folders that exist, without duplicates."""
        configured = self._extra if self._extra is not None else [
            Path(f).expanduser() for f in (self._settings.get("model_folders") if self._settings else [])]
        result: list[Path] = []
        for folder in [self._models_dir, *configured]:
            resolved = folder.resolve()
            if resolved.is_dir() and resolved not in result:
                result.append(resolved)
        return result

    def _references_path(self) -> Path:
        return paths.data_dir() / _REFERENCES_NAME

    def references(self) -> list[Path]:
        """Files added in place (outside the model folders), in the order they were added."""
        try:
            raw = json.loads(self._references_path().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.warning("Ignoring unreadable library references %s: %s", self._references_path(), exc)
            return []
        return [Path(p) for p in raw if isinstance(p, str)] if isinstance(raw, list) else []

    def _save_references(self, entries: list[Path]) -> None:
        target = self._references_path()
        fd, tmp = tempfile.mkstemp(prefix=".references-", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump([str(p) for p in entries], handle, indent=1)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def forget(self, path: Path) -> bool:
        """Remove a file referenced in place from the library (the file stays); True if it was listed."""
        resolved = Path(path).resolve()
        entries = self.references()
        kept = [p for p in entries if p.resolve() != resolved]
        if len(kept) != len(entries):
            self._save_references(kept)
            return True
        return False

    # --- scanning ------------------------------------------------------------------------------

    def scan(self) -> list[LibraryModel]:
        """Find every GGUF model in the folders and references, sorted by name.

        Skips ``.part`` downloads and hidden folders, and does not follow folder links (no loops).
        Parts of a split model become one LibraryModel. Unreadable or broken files are listed with
        their problem, so the user can see and delete them.
        """
        found: dict[Path, Path | None] = {}
        for folder in self.folders():
            for path in self._walk(folder):
                found.setdefault(path, folder)
        for path in self.references():
            resolved = path.resolve()
            if resolved not in found:
                found[resolved] = None
        models = []
        grouped: set[Path] = set()
        for path, folder in sorted(found.items(), key=lambda item: str(item[0])):
            if path in grouped:
                continue
            siblings = split_siblings(path)
            if len(siblings) > 1:
                grouped.update(siblings)
                path = siblings[0]
            models.append(self.describe(path, folder=folder, referenced=folder is None))
        models.sort(key=lambda m: (m.name.lower(), str(m.path)))
        return models

    @staticmethod
    def _walk(folder: Path):
        for root, dirs, files in os.walk(folder, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in files:
                if name.lower().endswith(".gguf") and not name.startswith("."):
                    yield (Path(root) / name).resolve()

    def _read(self, path: Path) -> tuple[gguf_meta.FileCheck, gguf_meta.GGUFHeader | None]:
        try:
            stat = path.stat()
            key = (str(path), stat.st_size, stat.st_mtime_ns)
        except OSError:
            key = None
        if key is not None and key in self._cache:
            return self._cache[key]
        check = gguf_meta.check_model_file(path)
        result = (check, check.header)
        if key is not None:
            self._cache[key] = result
        return result

    def describe(self, path: Path, *, folder: Path | None = None, referenced: bool = False) -> LibraryModel:
        """Describe one model file (the first part, for a split model) from its header."""
        path = Path(path)
        siblings = split_siblings(path)
        present = [p for p in siblings if p.exists()]
        missing = tuple(p for p in siblings if not p.exists())
        check, header = self._read(siblings[0]) if siblings[0].exists() else (gguf_meta.check_model_file(
            siblings[0]), None)
        if header is not None and len(siblings) > 1:
            tensors = list(header.tensors)
            for part in siblings[1:]:
                if part.exists():
                    tensors.extend(_shard_tensors(part))
            header = dataclasses.replace(header, tensors=tuple(tensors), _by_name={})
        size = sum(p.stat().st_size for p in present)
        model = LibraryModel(path=siblings[0], parts=tuple(siblings), folder=folder, size_bytes=size,
                             check=check, header=header, missing_parts=missing, referenced=referenced)
        self._match(model)
        return model

    def _repo_of(self, model: LibraryModel) -> str | None:
        """Return ``owner/name`` when the file lies in ``<models dir>/<owner>/<name>/``, as downloads do."""
        try:
            relative = model.path.relative_to(self._models_dir.resolve())
        except ValueError:
            return None
        return "/".join(relative.parts[:2]) if len(relative.parts) >= 3 else None

    def _match(self, model: LibraryModel) -> None:
        if self._catalog is None:
            return
        repo = self._repo_of(model)
        if repo is not None:
            relative = model.path.relative_to(self._models_dir.resolve())
            hit = self._catalog.find_by_file(repo, "/".join(relative.parts[2:]))
            if hit is not None:
                model.build, model.variant = hit
                model.match_reason = "file name"
                return
        header = model.header
        matches = self._catalog.match(
            filename=model.path.name,
            arch=header.architecture if header else None,
            n_params=header.n_params if header else None,
            n_ctx_train=model.context_length)
        if matches:
            best = matches[0]
            model.build, model.variant, model.match_reason = best.build, best.quant, best.reason
            if model.variant is None and header is not None:
                model.variant = best.build.quant(header.file_type_name())

    # --- delete, reveal ------------------------------------------------------------------------

    def delete(self, model: LibraryModel) -> list[Path]:
        """Delete the model's file(s), all parts of a split model; return the paths deleted.

        Raises LibraryError for a file outside the model folders (a reference in place is removed
        with ``forget`` instead) and when the operating system refuses.
        """
        folders = self.folders()
        for part in model.parts:
            resolved = part.resolve()
            if not any(resolved.is_relative_to(folder) for folder in folders):
                raise LibraryError(_message(OUTSIDE_FOLDERS, path=str(part)))
        deleted = []
        for part in model.parts:
            try:
                part.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise LibraryError(_message(DELETE_FAILED, path=str(part), reason=exc.strerror or str(exc))) \
                    from exc
            deleted.append(part)
            log.info("Deleted model file %s", part)
        self.forget(model.path)
        return deleted

    # --- import --------------------------------------------------------------------------------

    def add_reference(self, path: Path) -> LibraryModel:
        """Add a GGUF file to the library where it is. Raises LibraryError when it is not a usable model."""
        path = Path(path).expanduser().resolve()
        model = self.describe(path, referenced=True)
        if not model.check.ok and model.check.kind is not gguf_meta.FileProblem.UNKNOWN_ARCH:
            raise LibraryError(_message(NOT_A_MODEL, path=str(path), reason=str(model.check.message)))
        if any(path.is_relative_to(folder) for folder in self.folders()):
            model.referenced = False
            return model  # a scan finds it anyway
        entries = self.references()
        if path not in [p.resolve() for p in entries]:
            self._save_references([*entries, model.path])
        return model

    def import_file(self, source: Path, *, progress: Callable[[int, int], None] | None = None,
                    cancelled: Callable[[], bool] | None = None) -> LibraryModel:
        """Copy a GGUF model (all parts of a split model) into the app's model folder.

        Each file is copied to ``<name>.part`` in the target folder, checked, then renamed, so the
        library never lists a half-copied file. ``progress(done, total)`` gets bytes; ``cancelled()``
        is polled between blocks. Raises LibraryError for a file that is not a usable model, a name
        that is taken, a failed copy, or a cancelled one; the staged .part copies are deleted then.
        """
        source = Path(source).expanduser().resolve()
        check = gguf_meta.check_model_file(source)
        if not check.ok and check.kind is not gguf_meta.FileProblem.UNKNOWN_ARCH:
            raise LibraryError(_message(NOT_A_MODEL, path=str(source), reason=str(check.message)))
        sources = split_siblings(source)
        missing = [p for p in sources if not p.exists()]
        if missing:
            raise LibraryError(_message(MISSING_PARTS, name=source.name, count=len(sources),
                                        missing=", ".join(p.name for p in missing)))
        folder = self._models_dir / "imported"
        folder.mkdir(parents=True, exist_ok=True)
        targets = [folder / p.name for p in sources]
        for target in targets:
            if target.exists():
                raise LibraryError(_message(IMPORT_EXISTS, name=target.name, folder=str(folder)))
        total = sum(p.stat().st_size for p in sources)
        done = 0
        staged: list[Path] = []
        try:
            for part, target in zip(sources, targets):
                temporary = target.with_name(target.name + ".part")
                staged.append(temporary)
                done = _copy_file(part, temporary, done, total, progress, cancelled)
            if check.ok:  # the copy of the first part must read back as the original did
                copied = gguf_meta.check_model_file(staged[0])
                if not copied.ok:
                    raise LibraryError(_message(NOT_A_MODEL, path=str(staged[0]), reason=str(copied.message)))
            for temporary, target in zip(staged, targets):
                os.replace(temporary, target)
        finally:
            for temporary in staged:
                temporary.unlink(missing_ok=True)
        log.info("Imported %s into %s", source, folder)
        return self.describe(targets[0], folder=self._models_dir.resolve())


def _copy_file(source: Path, target: Path, done: int, total: int,
               progress: Callable[[int, int], None] | None, cancelled: Callable[[], bool] | None) -> int:
    """Copy ``source`` to ``target`` in blocks; return the running byte count. Raises LibraryError."""
    expected = source.stat().st_size
    copied = 0
    try:
        with open(source, "rb") as reader, open(target, "wb") as writer:
            while block := reader.read(8 << 20):
                if cancelled is not None and cancelled():
                    raise ImportCancelled(_message(IMPORT_CANCELLED, source=str(source)))
                writer.write(block)
                copied += len(block)
                if progress is not None:
                    progress(done + copied, total)
            writer.flush()
            os.fsync(writer.fileno())
    except OSError as exc:
        raise LibraryError(_message(COPY_FAILED, source=str(source), target=str(target),
                                    reason=exc.strerror or str(exc))) from exc
    if copied != expected:
        raise LibraryError(_message(COPY_CHANGED, source=str(source), copied=copied, expected=expected))
    return done + copied


def reveal_command(path: Path, platform: str = sys.platform) -> list[str]:
    """Return the command that shows ``path`` in the system file manager.

    macOS and Windows select the file; on Linux ``xdg-open`` cannot select, so it opens the folder.
    """
    path = Path(path)
    if platform == "darwin":
        return ["open", "-R", str(path)]
    if platform.startswith("win"):
        return ["explorer", f"/select,{path}"]
    return ["xdg-open", str(path.parent)]


# --- fit before download ---------------------------------------------------------------------------

# A header is almost always under 8 MiB (the tokenizer dominates); gguf_meta stops at this many bytes.
REMOTE_HEADER_LIMIT = 32 << 20


def remote_header(*, url: str | None = None, repo: str | None = None, filename: str | None = None,
                  revision: str = "main", settings=None, endpoint: str | None = None,
                  timeout: float = 30.0) -> tuple[gguf_meta.GGUFHeader, int]:
    """Read the GGUF header of a remote file with HTTP Range requests; return it and the bytes fetched.

    The file is named by ``url`` or by ``repo`` + ``filename`` on the current endpoint. Raises
    DownloadError for HTTP and network errors and gguf_meta.GGUFError for data that is not GGUF.
    """
    from llmdesk.core.download import endpoint as ep
    from llmdesk.core.download.http import RangeFetcher

    if url is None:
        if not (repo and filename):
            raise ValueError("remote_header needs url, or repo and filename")
        url = ep.file_url(ep.resolve_endpoint(settings, endpoint), repo, filename, revision)
    else:
        ep.validate_url(url)
    fetch = RangeFetcher(url, credentials=ep.credentials_from(settings), timeout=timeout)
    header = gguf_meta.read_header(fetch, max_bytes=REMOTE_HEADER_LIMIT)
    log.info("Read the header of %s with %d requests, %d bytes", url, fetch.requests, fetch.bytes_fetched)
    return header, fetch.bytes_fetched


def remote_fit(profile, *, n_ctx: int = 4096, kv_type: str = "f16", flash_attn: bool = False, **source):
    """Estimate how a remote GGUF fits ``profile`` from its header alone (see ``remote_header``)."""
    from llmdesk.core.fit import estimate_gguf

    header, _ = remote_header(**source)
    return estimate_gguf(header, profile, n_ctx, kv_type, flash_attn)


__all__ = [
    "Library", "LibraryError", "LibraryModel", "ImportCancelled", "remote_fit",
    "remote_header", "reveal_command", "split_info", "split_siblings",
]
