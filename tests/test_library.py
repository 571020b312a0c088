"""The model library: scanning folders, header facts, catalog matching, import, delete, remote headers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import gguf
import pytest

import gguf_factory
import http_fault_server as hfs
from llmdesk.core.catalog import Catalog
from llmdesk.core.catalog_types import ArchFacts, ModelBuild, QuantVariant
from llmdesk.core.download import DownloadError
from llmdesk.core.fit import FitResult
from llmdesk.core.hardware.profile import CpuInfo, MachineProfile, MemoryInfo
from llmdesk.core.library import (
    ImportCancelled, Library, LibraryError, remote_fit, remote_header, reveal_command, split_siblings,
)
from llmdesk.core.settings import Settings

TINY_PARAMS = gguf_factory.tiny_llama_param_count()
GIB = 1 << 30


def tiny_build(repo: str = "tester/tiny-GGUF", filename: str = "tiny.F32.gguf") -> ModelBuild:
    arch = ArchFacts(architecture="llama", n_params=TINY_PARAMS, n_layer=2, n_embd=64, n_head=4, n_head_kv=2,
                     head_dim=16, n_vocab=len(gguf_factory.build_spm_vocab()), n_ctx_train=2048, n_ff=128)
    quant = QuantVariant(name="F32", repo=repo, filename=filename, size_bytes=TINY_PARAMS * 4,
                         size_is_estimate=True)
    return ModelBuild(id="tiny-llama", name="Tiny Llama", family="Llama", arch=arch, license="MIT",
                      quants=(quant,))


def profile() -> MachineProfile:
    return MachineProfile(os_name="Linux", os_version="6", cpu=CpuInfo("Test CPU", "x86_64", 4, 8),
                          memory=MemoryInfo(total=16 * GIB, available=12 * GIB), ram_bandwidth=50e9)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def models_dir(tmp_path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    return folder


def write_split(path: Path, monkeypatch, max_tensors: int = 8) -> list[Path]:
    """Write the tiny llama as gguf-split shards named ``<stem>-0000N-of-0000M.gguf``."""
    class SplitWriter(gguf.GGUFWriter):
        def __init__(self, target, arch, **kwargs):
            super().__init__(target, arch, split_max_tensors=max_tensors, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(gguf_factory.gguf, "GGUFWriter", SplitWriter)
        gguf_factory.write_tiny_llama(path)
    return sorted(path.parent.glob(f"{path.stem}-*-of-*.gguf"))


# --- scanning -------------------------------------------------------------------------------------

def test_scan_reads_header_facts(models_dir):
    gguf_factory.write_tiny_llama(models_dir / "tiny.gguf")
    (models_dir / "sub").mkdir()
    gguf_factory.write_tiny_llama(models_dir / "sub" / "plain.gguf", chat_template=None)
    models = Library(models_dir=models_dir, folders=[]).scan()
    assert [m.name for m in models] == ["plain", "tiny"]
    tiny = models[1]
    assert tiny.ok
    assert tiny.architecture == "llama"
    assert tiny.n_params == TINY_PARAMS
    assert tiny.quantization == "F32"
    assert tiny.context_length == 2048
    assert tiny.has_chat_template
    assert tiny.size_bytes == (models_dir / "tiny.gguf").stat().st_size
    assert tiny.folder == models_dir.resolve()
    assert not models[0].has_chat_template


def test_scan_skips_parts_and_hidden(models_dir):
    gguf_factory.write_tiny_llama(models_dir / "done.gguf")
    (models_dir / "half.gguf.part").write_bytes(b"GGUF partial")
    (models_dir / ".cache").mkdir()
    gguf_factory.write_tiny_llama(models_dir / ".cache" / "hidden.gguf")
    (models_dir / "notes.txt").write_text("not a model")
    assert [m.name for m in Library(models_dir=models_dir, folders=[]).scan()] == ["done"]


def test_scan_user_folders_from_settings(models_dir, tmp_path):
    lmstudio = tmp_path / "lmstudio" / "models" / "pub" / "repo"
    lmstudio.mkdir(parents=True)
    gguf_factory.write_tiny_llama(lmstudio / "theirs.gguf")
    settings = Settings()
    settings.set("model_folders", [str(tmp_path / "lmstudio" / "models"), str(tmp_path / "absent")])
    library = Library(settings, models_dir=models_dir)
    assert library.folders() == [models_dir.resolve(), (tmp_path / "lmstudio" / "models").resolve()]
    models = library.scan()
    assert [m.path for m in models] == [(lmstudio / "theirs.gguf").resolve()]


@pytest.mark.parametrize("kind", ["lfs_pointer", "html", "truncated", "empty"])
def test_broken_file_listed_with_problem(models_dir, kind):
    gguf_factory.write_bad_file(models_dir / f"{kind}.gguf", kind)
    (model,) = Library(models_dir=models_dir, folders=[]).scan()
    assert not model.ok
    assert model.problem is not None
    if kind == "truncated":  # the header is intact, so the facts are known
        assert model.architecture == "llama"
    else:
        assert model.header is None
        assert model.fit(profile()) is None


def test_split_model_grouped(models_dir, monkeypatch):
    parts = write_split(models_dir / "big.gguf", monkeypatch)
    assert len(parts) == 3
    (model,) = Library(models_dir=models_dir, folders=[]).scan()
    assert model.name == "big"
    assert model.parts == tuple(p.resolve() for p in parts)
    assert model.path == parts[0].resolve()
    assert model.size_bytes == sum(p.stat().st_size for p in parts)
    assert model.n_params == TINY_PARAMS
    assert model.ok


def test_split_model_missing_part(models_dir, monkeypatch):
    parts = write_split(models_dir / "big.gguf", monkeypatch)
    parts[1].unlink()
    (model,) = Library(models_dir=models_dir, folders=[]).scan()
    assert not model.ok
    assert model.missing_parts == (parts[1].resolve(),)
    assert parts[1].name in str(model.problem)


def test_split_siblings_names():
    names = [p.name for p in split_siblings(Path("/m/x-00002-of-00003.gguf"))]
    assert names == ["x-00001-of-00003.gguf", "x-00002-of-00003.gguf", "x-00003-of-00003.gguf"]
    assert split_siblings(Path("/m/x.gguf")) == [Path("/m/x.gguf")]


# --- catalog matching and fit ---------------------------------------------------------------------

def test_match_by_repo_layout(models_dir):
    folder = models_dir / "tester" / "tiny-GGUF"
    folder.mkdir(parents=True)
    gguf_factory.write_tiny_llama(folder / "tiny.F32.gguf")
    catalog = Catalog([tiny_build()], [])
    (model,) = Library(catalog=catalog, models_dir=models_dir, folders=[]).scan()
    assert model.build.id == "tiny-llama"
    assert model.variant.name == "F32"
    assert model.match_reason == "file name"


def test_match_by_arch_and_params(models_dir):
    gguf_factory.write_tiny_llama(models_dir / "renamed-by-user.gguf")
    catalog = Catalog([tiny_build()], [])
    (model,) = Library(catalog=catalog, models_dir=models_dir, folders=[]).scan()
    assert model.build.id == "tiny-llama"
    assert model.match_reason == "architecture and size"
    assert model.variant.name == "F32"


def test_unknown_model_unmatched(models_dir):
    gguf_factory.write_tiny_llama(models_dir / "other.gguf", n_layer=3)
    (model,) = Library(catalog=Catalog([tiny_build()], []), models_dir=models_dir, folders=[]).scan()
    assert model.build is None


def test_fit_computed_lazily_and_cached(models_dir):
    gguf_factory.write_tiny_llama(models_dir / "tiny.gguf")
    (model,) = Library(models_dir=models_dir, folders=[]).scan()
    machine = profile()
    result = model.fit(machine, n_ctx=1024)
    assert isinstance(result, FitResult)
    assert result.n_ctx == 1024
    assert result.memory.weights > 0
    assert model.fit(machine, n_ctx=1024) is result


# --- delete and reveal ----------------------------------------------------------------------------

def test_delete_split_model_removes_all_parts(models_dir, monkeypatch):
    parts = write_split(models_dir / "big.gguf", monkeypatch)
    library = Library(models_dir=models_dir, folders=[])
    (model,) = library.scan()
    deleted = library.delete(model)
    assert sorted(deleted) == sorted(p.resolve() for p in parts)
    assert not any(p.exists() for p in parts)
    assert library.scan() == []


def test_delete_outside_folders_rejected(models_dir, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    outside = gguf_factory.write_tiny_llama(tmp_path / "elsewhere" / "mine.gguf")
    library = Library(models_dir=models_dir, folders=[])
    model = library.add_reference(outside)
    with pytest.raises(LibraryError, match="outside the model folders"):
        library.delete(model)
    assert outside.exists()
    assert library.forget(outside)
    assert library.scan() == []
    assert outside.exists()


@pytest.mark.parametrize("platform, expected", [
    ("linux", ["xdg-open", "/m/sub"]),
    ("darwin", ["open", "-R", "/m/sub/x.gguf"]),
    ("win32", ["explorer", "/select,/m/sub/x.gguf"]),
])
def test_reveal_command_per_os(platform, expected):
    assert reveal_command(Path("/m/sub/x.gguf"), platform) == expected


# --- import ---------------------------------------------------------------------------------------

def test_import_copy_verified(models_dir, tmp_path):
    source = gguf_factory.write_tiny_llama(tmp_path / "download.gguf")
    seen = []
    library = Library(models_dir=models_dir, folders=[])
    model = library.import_file(source, progress=lambda done, total: seen.append((done, total)))
    assert model.path == (models_dir / "imported" / "download.gguf").resolve()
    assert sha(model.path) == sha(source)
    assert seen[-1] == (source.stat().st_size, source.stat().st_size)
    assert not list((models_dir / "imported").glob("*.part"))
    assert [m.path for m in library.scan()] == [model.path]
    with pytest.raises(LibraryError, match="already in"):
        library.import_file(source)


def test_import_split_copies_all_parts(models_dir, tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    parts = write_split(tmp_path / "src" / "big.gguf", monkeypatch)
    model = Library(models_dir=models_dir, folders=[]).import_file(parts[0])
    assert [p.name for p in model.parts] == [p.name for p in parts]
    for copied, original in zip(model.parts, parts):
        assert sha(copied) == sha(original)


def test_import_rejects_lfs_pointer(models_dir, tmp_path):
    pointer = gguf_factory.write_bad_file(tmp_path / "pointer.gguf", "lfs_pointer")
    with pytest.raises(LibraryError, match="Git LFS pointer"):
        Library(models_dir=models_dir, folders=[]).import_file(pointer)
    assert not (models_dir / "imported" / "pointer.gguf").exists()


def test_import_cancel_leaves_nothing(models_dir, tmp_path):
    source = gguf_factory.write_tiny_llama(tmp_path / "download.gguf")
    with pytest.raises(ImportCancelled):
        Library(models_dir=models_dir, folders=[]).import_file(source, cancelled=lambda: True)
    assert list((models_dir / "imported").iterdir()) == []


def test_reference_in_place(models_dir, tmp_path):
    outside = gguf_factory.write_tiny_llama(tmp_path / "mine.gguf")
    library = Library(models_dir=models_dir, folders=[])
    library.add_reference(outside)
    library.add_reference(outside)
    (model,) = Library(models_dir=models_dir, folders=[]).scan()
    assert model.path == outside.resolve()
    assert model.referenced
    assert model.folder is None


def test_reference_rejects_html(models_dir, tmp_path):
    page = gguf_factory.write_bad_file(tmp_path / "page.gguf", "html")
    with pytest.raises(LibraryError, match="HTML page"):
        Library(models_dir=models_dir, folders=[]).add_reference(page)
    assert Library(models_dir=models_dir, folders=[]).references() == []


# --- header over HTTP -----------------------------------------------------------------------------

@pytest.fixture
def large_model(tmp_path) -> Path:
    """The tiny model followed by a 256 MiB sparse hole: a big file whose header is small."""
    path = gguf_factory.write_tiny_llama(tmp_path / "large.gguf")
    with open(path, "r+b") as handle:
        handle.truncate(256 << 20)
    return path


def test_remote_header_reads_few_mib(large_model):
    with hfs.FaultServer() as server:
        server.add_file("/o/r/resolve/main/large.gguf", large_model, sha256="0" * 64)
        header, fetched = remote_header(repo="o/r", filename="large.gguf", endpoint=server.base_url)
        sent = sum(r.sent for r in server.requests)
    assert header.architecture == "llama"
    assert header.n_params == TINY_PARAMS
    assert fetched <= 4 << 20
    assert sent <= 4 << 20
    assert all(r.headers.get("Range", "").startswith("bytes=") for r in server.requests)


def test_remote_header_when_range_ignored(large_model):
    with hfs.FaultServer() as server:
        url = server.add_file("/large.gguf", large_model, sha256="0" * 64)
        server.add_fault("/large.gguf", hfs.ignore_range())
        header, fetched = remote_header(url=url)
    assert header.n_params == TINY_PARAMS
    assert fetched <= 8 << 20


def test_remote_fit_estimates(large_model):
    with hfs.FaultServer() as server:
        url = server.add_file("/large.gguf", large_model, sha256="0" * 64)
        result = remote_fit(profile(), n_ctx=512, url=url)
    assert isinstance(result, FitResult)
    assert result.n_ctx == 512


def test_remote_header_404():
    with hfs.FaultServer() as server:
        with pytest.raises(DownloadError, match="404"):
            remote_header(url=server.url("/missing.gguf"))


def test_remote_header_sends_token_to_its_endpoint(large_model):
    with hfs.FaultServer() as server:
        server.add_file("/o/r/resolve/main/large.gguf", large_model, sha256="0" * 64)
        settings = Settings()
        settings.set("hf_token", "hf_secret")
        settings.set("hf_token_endpoint", server.base_url)
        remote_header(repo="o/r", filename="large.gguf", settings=settings, endpoint=server.base_url)
    assert all(r.headers.get("Authorization") == "Bearer hf_secret" for r in server.requests)
