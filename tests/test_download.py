"""Downloads against a local fault-injecting HTTP server.

Every case ends in one of two outcomes, and each test checks which: the exact file (same SHA-256)
at the final path with no .part left, or a clear error and nothing at the final path.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import gguf_factory
import http_fault_server as hfs
from llmdesk.core.download import (
    DownloadError, DownloadManager, DownloadState, TransferOptions, file_url, parse_hub_url,
    resolve_endpoint,
)
from llmdesk.core.download import filelock
from llmdesk.core.download import task as task_module
from llmdesk.core.catalog_types import ArchFacts, ModelBuild, QuantVariant
from llmdesk.core.download.record import PartRecord, part_path, record_path
from llmdesk.core import paths
from llmdesk.core.settings import Settings

REPO = "tester/tiny-llama-GGUF"
FILE = "tiny-llama-F32.gguf"
PATH = f"/{REPO}/resolve/main/{FILE}"

FAST = TransferOptions(stall_timeout=1.0, max_attempts=4, backoff_base=0.01, backoff_max=0.05,
                       progress_interval=0.02, chunk_size=64 << 10)


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> bytes:
    path = gguf_factory.write_tiny_llama(tmp_path_factory.mktemp("model") / "tiny.gguf")
    return path.read_bytes()


@pytest.fixture
def server():
    with hfs.FaultServer() as running:
        yield running


@pytest.fixture
def other_server():
    with hfs.FaultServer() as running:
        yield running


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_managers: list[DownloadManager] = []


@pytest.fixture(autouse=True)
def stop_managers():
    """Pause every manager a test made, so no worker thread outlives its test."""
    yield
    while _managers:
        _managers.pop().shutdown(pause=True, timeout=10)


def make_manager(tmp_path: Path, server: hfs.FaultServer | None = None, settings: Settings | None = None,
                 **kwargs) -> DownloadManager:
    kwargs.setdefault("options", FAST)
    if server is not None:
        kwargs.setdefault("endpoint", server.base_url)
    manager = DownloadManager(settings, models_dir=tmp_path / "models", **kwargs)
    _managers.append(manager)
    return manager


def run(manager: DownloadManager, **kwargs):
    task = manager.enqueue(repo=kwargs.pop("repo", REPO), filename=kwargs.pop("filename", FILE), **kwargs)
    assert manager.wait([task.id], timeout=30), f"download still {task.state} after 30 s"
    return task


def assert_exact(task, data: bytes) -> None:
    assert task.state == DownloadState.DONE, f"state {task.state}, error: {task.error}"
    assert task.final_path.exists()
    assert sha(task.final_path.read_bytes()) == sha(data)
    assert not part_path(task.final_path).exists()
    assert not record_path(task.final_path).exists()


def assert_failed(task, *words: str) -> str:
    assert task.state == DownloadState.FAILED
    assert task.error is not None
    text = str(task.error)
    for word in words:
        assert word in text, f"{word!r} not in {text!r}"
    assert not task.final_path.exists()
    return text


def gets(server: hfs.FaultServer, path: str = PATH) -> list[hfs.RecordedRequest]:
    return server.requests_for(path, "GET")


def wait_for_bytes(manager: DownloadManager, task_id: str, count: int) -> threading.Event:
    """Return an event set once the task has written at least ``count`` bytes."""
    reached = threading.Event()

    def listener(progress):
        if progress.task_id == task_id and progress.done_bytes >= count:
            reached.set()

    manager.add_listener(listener)
    try:
        if manager.get(task_id).snapshot().done_bytes >= count:  # the bytes came before the listener
            reached.set()
    except KeyError:
        pass
    return reached


# --- endpoint and URLs -----------------------------------------------------------------------------

def test_endpoint_presets_and_custom():
    settings = Settings()
    assert resolve_endpoint(settings) == "https://huggingface.co"
    settings.set("download_endpoint", "hf-mirror")
    assert resolve_endpoint(settings) == "https://hf-mirror.com"
    settings.set("download_endpoint", "custom")
    settings.set("custom_endpoint", "https://models.example.org/")
    assert resolve_endpoint(settings) == "https://models.example.org"
    assert resolve_endpoint(settings, "hf-mirror") == "https://hf-mirror.com"


def test_endpoint_env_takes_precedence(monkeypatch):
    settings = Settings()
    settings.set("download_endpoint", "hf-mirror")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9/")
    assert resolve_endpoint(settings) == "http://127.0.0.1:9"


def test_endpoint_invalid_rejected():
    settings = Settings()
    settings.set("download_endpoint", "custom")
    settings.set("custom_endpoint", "ftp://example.org")
    with pytest.raises(DownloadError, match="must be an http or https base URL"):
        resolve_endpoint(settings)
    settings.set("custom_endpoint", "")
    with pytest.raises(DownloadError, match='^Invalid download source "": it must be'):
        resolve_endpoint(settings)


def test_endpoint_error_names_its_source(monkeypatch):
    settings = Settings()
    settings.set("download_endpoint", "custom")
    settings.set("custom_endpoint", "ftp://example.org")
    assert "Settings > Downloads" in str(pytest.raises(DownloadError, resolve_endpoint, settings).value)

    monkeypatch.setenv("HF_ENDPOINT", "bogus")
    text = str(pytest.raises(DownloadError, resolve_endpoint, settings).value)
    assert "HF_ENDPOINT" in text
    assert "Settings" not in text

    text = str(pytest.raises(DownloadError, resolve_endpoint, settings, "also-bogus").value)
    assert "Invalid download source also-bogus" in text
    assert "HF_ENDPOINT" not in text
    assert "Settings" not in text


@pytest.mark.parametrize("value", ["xyz", "0" * 63, "0" * 65, "g" * 64, "sha256:" + "z" * 64, "md5:" + "0" * 64, ""])
def test_enqueue_rejects_invalid_sha256(tmp_path, server, value):
    manager = make_manager(tmp_path, server)
    with pytest.raises(DownloadError, match="Invalid SHA-256") as raised:
        manager.enqueue(repo=REPO, filename=FILE, sha256=value)
    assert raised.value.message.template == task_module.errors.INVALID_SHA256
    assert manager.tasks() == []
    assert server.requests == []
    assert not (tmp_path / "models").exists()


@pytest.mark.parametrize("spelling", ["upper", "prefixed"])
def test_enqueue_accepts_sha256_spellings(tmp_path, server, model, spelling):
    server.add_file(PATH, model, etag="")
    value = sha(model).upper() if spelling == "upper" else f"sha256:{sha(model)}"
    task = run(make_manager(tmp_path, server), sha256=value)
    assert_exact(task, model)
    assert task.sha256 == sha(model)


def test_file_url_quotes_and_validates():
    assert file_url("https://hf.co", "a/b", "dir/x y.gguf", "v1") == "https://hf.co/a/b/resolve/v1/dir/x%20y.gguf"
    for bad in ("../x.gguf", "/abs.gguf", "a/../b.gguf", ""):
        with pytest.raises(DownloadError, match="Invalid file name"):
            file_url("https://hf.co", "a/b", bad)


def test_parse_hub_url_blob_and_resolve():
    hub = parse_hub_url("https://huggingface.co/a/b/blob/main/sub/m.gguf?download=true")
    assert (hub.base, hub.repo, hub.revision, hub.filename) == ("https://huggingface.co", "a/b", "main", "sub/m.gguf")
    assert parse_hub_url("https://example.org/files/m.gguf") is None


# --- plain downloads -------------------------------------------------------------------------------

def test_repo_file_downloads_exact(tmp_path, server, model):
    server.add_file(PATH, model)
    task = run(make_manager(tmp_path, server))
    assert_exact(task, model)
    assert task.final_path == (tmp_path / "models" / REPO / FILE).resolve()
    assert task.sha256 == sha(model)
    request = gets(server)[0]
    assert request.headers.get("Accept-Encoding") == "identity"
    assert "Range" not in request.headers
    assert len(server.requests_for(PATH, "HEAD")) == 1


def test_url_download_to_dest(tmp_path, server, model):
    url = server.add_file("/files/model.gguf", model)
    manager = make_manager(tmp_path)
    task = manager.enqueue(url=url, dest_dir=tmp_path / "elsewhere")
    assert manager.wait([task.id], timeout=30)
    assert_exact(task, model)
    assert task.final_path == (tmp_path / "elsewhere" / "model.gguf").resolve()


def test_progress_reports_total_and_done(tmp_path, server, model):
    server.add_file(PATH, model)
    manager = make_manager(tmp_path, server)
    seen = []
    manager.add_listener(seen.append)
    task = run(manager)
    assert_exact(task, model)
    states = [p.state for p in seen]
    assert states[0] == DownloadState.DOWNLOADING
    assert DownloadState.VERIFYING in states
    assert states[-1] == DownloadState.DONE
    assert seen[-1].done_bytes == len(model)
    assert seen[-1].total_bytes == len(model)
    assert seen[-1].fraction == 1.0


@pytest.mark.parametrize("matches", [True, False])
def test_existing_file_checked_against_given_hash(tmp_path, server, model, matches):
    """With a SHA-256 given, a file already at the final path is hashed, and a different one is kept
    as it is and reported."""
    server.add_file(PATH, model)
    final = tmp_path / "models" / REPO / FILE
    final.parent.mkdir(parents=True)
    content = model if matches else model[:-1] + b"\x00"
    final.write_bytes(content)
    task = run(make_manager(tmp_path, server), sha256=sha(model))
    assert final.read_bytes() == content
    assert gets(server) == []
    if matches:
        assert task.state == DownloadState.DONE
        assert "SHA-256 matches" in str(task.snapshot().notice)
    else:
        assert task.state == DownloadState.FAILED
        assert sha(content) in str(task.error)
        assert "left as it is" in str(task.error)


def test_existing_final_file_not_downloaded_again(tmp_path, server, model):
    server.add_file(PATH, model)
    manager = make_manager(tmp_path, server)
    assert_exact(run(manager), model)
    again = run(make_manager(tmp_path, server))
    assert again.state == DownloadState.DONE
    assert "already downloaded" in str(again.snapshot().notice)
    assert len(gets(server)) == 1


# --- resume --------------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["zero", "one", "mid", "last"])
def test_resume_after_dropped_connection(tmp_path, server, model, where):
    at = {"zero": 0, "one": 1, "mid": len(model) // 2, "last": len(model) - 1}[where]
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.drop(at))
    task = run(make_manager(tmp_path, server))
    assert_exact(task, model)
    requests = gets(server)
    assert len(requests) == 2
    if at > 0:
        assert requests[1].headers["Range"] == f"bytes={at}-"
        assert requests[1].headers["If-Range"] == f'"{sha(model)}"'
        assert requests[1].sent == len(model) - at
    else:
        assert "Range" not in requests[1].headers


def test_flushed_resumed_download_exact(tmp_path, server, model, monkeypatch):
    """Small pieces, a flush every 32 KiB and a drop mid-file: the hash pipeline and the flush thread
    must hand over every byte in order, across the resume."""
    flushed = []
    real_flush = task_module._flush_data

    def counting_flush(fd):
        flushed.append(fd)
        real_flush(fd)

    monkeypatch.setattr(task_module, "_flush_data", counting_flush)
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.drop(len(model) // 3))
    options = TransferOptions(stall_timeout=1.0, max_attempts=4, backoff_base=0.01, backoff_max=0.05,
                              chunk_size=8 << 10, sync_interval=32 << 10)
    task = run(make_manager(tmp_path, server, options=options))
    assert_exact(task, model)
    assert task.sha256 == sha(model)
    assert flushed, "no background flush ran"
    assert not [t for t in threading.enumerate() if t.name.startswith(("sha256", "sync "))]


def test_hash_pipeline_hashes_pieces_in_order():
    data = bytes(random.Random(5).randbytes(3 << 20))
    hasher = hashlib.sha256()
    pipeline = task_module._HashPipeline(hasher, 64 << 10)
    sizes = random.Random(6)
    position = 0
    with pipeline:
        while position < len(data):
            view = pipeline.buffer()
            count = min(sizes.randint(1, len(view)), len(data) - position)
            view[:count] = data[position:position + count]
            pipeline.submit(view[:count])
            position += count
    assert not pipeline.failed
    assert hasher.hexdigest() == sha(data)


def test_failed_background_flush_is_reported(tmp_path):
    """A flush error is raised by finish(), named as a write failure of the .part."""
    read_end, write_end = os.pipe()  # fdatasync on a pipe fails with EINVAL, a real OSError
    try:
        with task_module._BackgroundSync(write_end, tmp_path / "model.gguf.part") as syncer:
            syncer.request()
            with pytest.raises(DownloadError) as caught:
                syncer.finish()
    finally:
        os.close(read_end)
        os.close(write_end)
    assert "model.gguf.part" in str(caught.value)


def test_repeated_drops_still_complete(tmp_path, server, model):
    server.add_file(PATH, model)
    step = len(model) // 6
    for index in range(1, 6):
        server.add_fault(PATH, hfs.drop(index * step))
    task = run(make_manager(tmp_path, server))
    assert_exact(task, model)
    assert len(gets(server)) == 6


def test_server_ignoring_range_restarts(tmp_path, server, model):
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.drop(len(model) // 2))
    server.add_fault(PATH, hfs.ignore_range(times=None))
    task = run(make_manager(tmp_path, server))
    assert_exact(task, model)
    requests = gets(server)
    assert len(requests) == 2
    assert requests[1].headers["Range"] == f"bytes={len(model) // 2}-"
    assert requests[1].sent == len(model)


@pytest.mark.parametrize("shift", [-1000, 7])
def test_wrong_content_range_restarts(tmp_path, server, model, shift):
    mid = len(model) // 2
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.drop(mid))
    server.add_fault(PATH, hfs.wrong_range(shift))
    task = run(make_manager(tmp_path, server))
    assert_exact(task, model)
    requests = gets(server)
    assert [r.headers.get("Range") for r in requests] == [None, f"bytes={mid}-", None]


def test_changed_file_on_server_restarts(tmp_path, server, model, tmp_path_factory):
    newer = gguf_factory.write_tiny_llama(tmp_path_factory.mktemp("v2") / "v2.gguf", seed=7).read_bytes()
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.drop(len(model) // 2))
    manager = make_manager(tmp_path, server, options=TransferOptions(
        stall_timeout=1.0, max_attempts=4, backoff_base=0.3, backoff_max=0.3, chunk_size=64 << 10))
    task = manager.enqueue(repo=REPO, filename=FILE)
    while len(gets(server)) < 1 or not part_path(task.final_path).exists():
        task.wait(0.01)
    server.add_file(PATH, newer)  # new content and ETag while the client waits to retry
    assert manager.wait([task.id], timeout=30)
    assert_exact(task, newer)
    assert gets(server)[-1].headers.get("If-Range") == f'"{sha(model)}"'


def test_416_discards_overlong_part(tmp_path, server, model):
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.status(405, methods=("HEAD",)))
    final = (tmp_path / "models" / REPO / FILE).resolve()
    final.parent.mkdir(parents=True)
    part_path(final).write_bytes(model + b"extra bytes")
    PartRecord(url=file_url(server.base_url, REPO, FILE), repo=REPO, filename=FILE).save(final)
    task = run(make_manager(tmp_path, server))
    assert_exact(task, model)
    assert [r.headers.get("Range") for r in gets(server)] == [f"bytes={len(model) + 11}-", None]


def test_restart_resumes_from_part(tmp_path, server, model):
    mid = len(model) // 2
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.stall(mid, seconds=30))
    first = make_manager(tmp_path, server, options=TransferOptions(stall_timeout=30, progress_interval=0, chunk_size=16 << 10))
    task = first.enqueue(repo=REPO, filename=FILE)
    assert wait_for_bytes(first, task.id, mid).wait(10)
    first.shutdown(pause=True, timeout=10)
    assert task.state == DownloadState.PAUSED
    assert part_path(task.final_path).stat().st_size == mid
    assert record_path(task.final_path).exists()

    second = make_manager(tmp_path, server)
    restored = second.restore()
    assert [t.final_path for t in restored] == [task.final_path]
    assert restored[0].state == DownloadState.PAUSED
    assert restored[0].snapshot().done_bytes == mid
    second.resume(restored[0].id)
    assert second.wait(timeout=30)
    assert_exact(restored[0], model)
    assert gets(server)[-1].headers["Range"] == f"bytes={mid}-"


def test_restore_finds_download_outside_models_dir(tmp_path, server, model):
    url = server.add_file("/files/model.gguf", model)
    server.add_fault("/files/model.gguf", hfs.stall(1000, seconds=30))
    first = make_manager(tmp_path, options=TransferOptions(stall_timeout=30, progress_interval=0, chunk_size=512))
    task = first.enqueue(url=url, dest_dir=tmp_path / "custom")
    assert wait_for_bytes(first, task.id, 1000).wait(10)
    first.shutdown(pause=True, timeout=10)
    restored = make_manager(tmp_path).restore(resume=True)
    assert [t.final_path for t in restored] == [task.final_path]
    assert restored[0].wait(30)
    assert_exact(restored[0], model)


# --- redirects and tokens ---------------------------------------------------------------------------

def token_settings(endpoint: str) -> Settings:
    settings = Settings()
    settings.set("hf_token", "hf_secret_token")
    settings.set("hf_token_endpoint", endpoint)
    return settings


def test_redirect_drops_token_and_resumes(tmp_path, server, other_server, model):
    cdn_url = other_server.add_file("/signed/blob", model)
    other_server.add_fault("/signed/blob", hfs.drop(len(model) // 3))
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.redirect(cdn_url))
    task = run(make_manager(tmp_path, server, settings=token_settings(server.base_url)))
    assert_exact(task, model)
    assert all(r.headers.get("Authorization") == "Bearer hf_secret_token" for r in server.requests)
    assert other_server.requests, "the CDN server was never reached"
    assert all("Authorization" not in r.headers for r in other_server.requests)
    origin_gets = gets(server)
    cdn_gets = other_server.requests_for("/signed/blob", "GET")
    assert len(origin_gets) == 2, "a resume must ask the original URL again"
    assert cdn_gets[1].headers["Range"] == f"bytes={len(model) // 3}-"


def test_token_not_sent_to_other_endpoint(tmp_path, server, model):
    server.add_file(PATH, model)
    task = run(make_manager(tmp_path, server, settings=token_settings("https://huggingface.co")))
    assert_exact(task, model)
    assert all("Authorization" not in r.headers for r in server.requests)


def test_hf_token_env_sent_to_its_endpoint_only(tmp_path, server, other_server, model, monkeypatch):
    """Without a token in settings, HF_TOKEN is used, for the HF_ENDPOINT origin only."""
    server.add_file(PATH, model)
    monkeypatch.setenv("HF_ENDPOINT", server.base_url)
    monkeypatch.setenv("HF_TOKEN", "hf_env_token")
    task = run(make_manager(tmp_path, server, settings=Settings()))
    assert_exact(task, model)
    assert all(r.headers.get("Authorization") == "Bearer hf_env_token" for r in server.requests)

    other_server.add_file(PATH, model)
    task = run(make_manager(tmp_path / "other", other_server, settings=Settings()))
    assert_exact(task, model)
    assert all("Authorization" not in r.headers for r in other_server.requests)


def test_hf_endpoint_env_used(tmp_path, server, model, monkeypatch):
    server.add_file(PATH, model)
    monkeypatch.setenv("HF_ENDPOINT", server.base_url)
    settings = Settings()
    settings.set("download_endpoint", "hf-mirror")
    manager = DownloadManager(settings, models_dir=tmp_path / "models", options=FAST)
    _managers.append(manager)
    task = run(manager)
    assert_exact(task, model)
    assert len(gets(server)) == 1


def test_proxy_from_environment_used(tmp_path, server, model, monkeypatch):
    # The fault server plays the proxy: urllib sends it the absolute URL of a host that is never
    # resolved or contacted (.invalid is reserved for that).
    origin = "http://models.invalid"
    server.add_file(origin + PATH, model)
    for name in ("http_proxy", "HTTP_PROXY"):
        monkeypatch.setenv(name, server.base_url)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    task = run(make_manager(tmp_path, endpoint=origin))
    assert_exact(task, model)
    assert [r.method for r in server.requests] == ["HEAD", "GET"]
    assert server.requests[1].headers["Host"] == "models.invalid"


def test_endpoint_switch_resumes_with_hash(tmp_path, server, other_server, model):
    mid = len(model) // 2
    server.add_file(PATH, model)
    other_server.add_file(PATH, model)
    server.add_fault(PATH, hfs.stall(mid, seconds=30))
    first = make_manager(tmp_path, server, options=TransferOptions(stall_timeout=30, progress_interval=0, chunk_size=16 << 10))
    task = first.enqueue(repo=REPO, filename=FILE)
    assert wait_for_bytes(first, task.id, mid).wait(10)
    first.shutdown(pause=True, timeout=10)

    second = make_manager(tmp_path, other_server)
    restored = second.restore(resume=True)
    assert second.wait(timeout=30)
    assert_exact(restored[0], model)
    request = other_server.requests_for(PATH, "GET")[0]
    assert request.headers["Range"] == f"bytes={mid}-"
    assert "If-Range" not in request.headers


def _paused_halfway(tmp_path, server, **enqueue) -> Path:
    """Download PATH from ``server`` until half of it is in the .part, then stop; return the final path."""
    first = make_manager(tmp_path, server, options=TransferOptions(stall_timeout=30, progress_interval=0,
                                                                   chunk_size=16 << 10))
    task = first.enqueue(repo=REPO, filename=FILE, **enqueue)
    assert wait_for_bytes(first, task.id, server.files[PATH].size // 2).wait(10)
    first.shutdown(pause=True, timeout=10)
    return task.final_path


def test_endpoint_switch_to_other_file_starts_over(tmp_path, server, other_server, model):
    """The new source serves another file under the same name: its bytes are not spliced onto the .part."""
    other = gguf_factory.write_tiny_llama(tmp_path / "other.gguf", seed=9).read_bytes()
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.stall(len(model) // 2, seconds=30))
    other_server.add_file(PATH, other)
    _paused_halfway(tmp_path, server)

    second = make_manager(tmp_path, other_server)
    restored = second.restore(resume=True)
    assert second.wait(timeout=30)
    assert_exact(restored[0], other)
    assert "Range" not in other_server.requests_for(PATH, "GET")[0].headers


def test_endpoint_switch_to_wrong_file_keeps_part(tmp_path, server, other_server, model):
    """With the hash given up front, a new source with another file is an error and the .part stays."""
    other = gguf_factory.write_tiny_llama(tmp_path / "other.gguf", seed=9).read_bytes()
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.stall(len(model) // 2, seconds=30))
    other_server.add_file(PATH, other)
    final = _paused_halfway(tmp_path, server, sha256=sha(model))
    part_before = part_path(final).read_bytes()

    second = make_manager(tmp_path, other_server)
    (task,) = second.restore(resume=True)
    assert second.wait(timeout=30)
    assert_failed(task, "different file", sha(other), "switch back")
    assert part_path(final).read_bytes() == part_before
    assert other_server.requests_for(PATH, "GET") == []


def test_second_process_does_not_touch_running_download(tmp_path, server, model):
    """A download locked by another process is rejected at once, and its files are left alone."""
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.stall(len(model) // 2, seconds=30))
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from llmdesk.core.download import DownloadManager, TransferOptions\n"
        f"manager = DownloadManager(None, models_dir=Path({str(tmp_path / 'models')!r}), endpoint={server.base_url!r},\n"
        "                           options=TransferOptions(stall_timeout=60, chunk_size=16 << 10))\n"
        f"task = manager.enqueue(repo={REPO!r}, filename={FILE!r})\n"
        "while task.snapshot().done_bytes < 1000:\n"
        "    time.sleep(0.05)\n"
        "print('running', flush=True)\n"
        "sys.stdin.read()\n"
    )
    other = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, env={**os.environ, "LLMDESK_HOME": str(tmp_path / "home-other")})
    try:
        assert other.stdout.readline().strip() == "running"
        final = tmp_path / "models" / REPO / FILE
        record_before = record_path(final).read_bytes()
        task = run(make_manager(tmp_path, server))
        assert_failed(task, "another LLM Desk window or command")
        assert record_path(final).read_bytes() == record_before
        assert part_path(final).exists()
        assert len(gets(server)) == 1  # only the other process's request
    finally:
        other.stdin.close()
        other.kill()
        other.wait(10)


def test_locked_task_cancel_and_resume(tmp_path, server, model):
    """A task rejected because another process has the lock: Cancel touches no file, and Resume after
    the other process finished reports the file as downloaded."""
    server.add_file(PATH, model)
    final = tmp_path / "models" / REPO / FILE
    final.parent.mkdir(parents=True)
    part_path(final).write_bytes(model[:1000])
    other = filelock.DownloadLock(final)
    assert other.try_acquire()  # stands for the other process: flock locks conflict between open files
    try:
        manager = make_manager(tmp_path, server)
        refused = run(manager)
        assert_failed(refused, "another LLM Desk window or command")
        manager.cancel(refused.id)
        assert refused.state == DownloadState.CANCELLED
        assert part_path(final).read_bytes() == model[:1000]

        again = run(manager)
        assert_failed(again, "another LLM Desk window or command")
        final.write_bytes(model)  # the other process finishes
        part_path(final).unlink()
    finally:
        other.release()
    manager.resume(again.id)
    assert again.wait(10)
    assert again.state == DownloadState.DONE
    assert "is already downloaded" in str(again.snapshot().notice)
    assert final.read_bytes() == model


def test_unwritable_folder_named_in_error(tmp_path, server, model):
    server.add_file(PATH, model)
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    with pytest.raises(DownloadError) as caught:
        make_manager(tmp_path, server).enqueue(repo=REPO, filename=FILE, dest_dir=blocker)
    assert "Cannot save the download in" in str(caught.value)
    assert str(blocker) in str(caught.value)
    assert blocker.read_text() == "not a folder"


# --- HTTP errors ----------------------------------------------------------------------------------

def test_404_reported_without_retry(tmp_path, server, model):
    task = run(make_manager(tmp_path, server), filename="missing.gguf")
    assert_failed(task, "404", "missing.gguf", "Check the repository name")
    assert len(server.requests) == 1


def index_entries() -> list[str]:
    index = paths.data_dir() / "downloads.json"
    return json.loads(index.read_text(encoding="utf-8")) if index.exists() else []


def test_failure_before_data_leaves_nothing(tmp_path, server, model):
    (tmp_path / "models").mkdir()
    manager = make_manager(tmp_path, server)
    task = run(manager, filename="missing.gguf")
    assert_failed(task, "404")
    assert not record_path(task.final_path).exists()
    assert not part_path(task.final_path).exists()
    assert list((tmp_path / "models").iterdir()) == []  # the repo folders it created are gone
    assert str(task.final_path) not in index_entries()
    assert make_manager(tmp_path, server).restore() == []


def test_failure_before_data_keeps_shared_folder(tmp_path, server, model):
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.stall(1000, seconds=30))
    manager = make_manager(tmp_path, server, options=TransferOptions(stall_timeout=30, progress_interval=0,
                                                                     chunk_size=512))
    running = manager.enqueue(repo=REPO, filename=FILE)
    assert wait_for_bytes(manager, running.id, 1000).wait(10)
    failed = manager.enqueue(repo=REPO, filename="missing.gguf")
    assert manager.wait([failed.id], timeout=30)
    assert_failed(failed, "404")
    assert running.final_path.parent.is_dir()
    assert record_path(running.final_path).exists()


def test_failed_resume_is_indexed_again(tmp_path, server, model):
    manager = make_manager(tmp_path, server, options=TransferOptions(stall_timeout=30, progress_interval=0,
                                                                     chunk_size=16 << 10))
    task = run(manager)
    assert_failed(task, "404")
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.stall(len(model) // 2, seconds=30))
    paused = wait_for_bytes(manager, task.id, len(model) // 2)
    manager.resume(task.id)
    assert paused.wait(10)
    assert str(task.final_path) in index_entries()  # so a restart finds it again
    manager.pause(task.id)
    assert task.wait(10)
    assert record_path(task.final_path).exists()


def test_restart_resumes_only_what_the_app_paused(tmp_path, server, model):
    """Closing the app pauses every download; the next start continues those, not the ones the user
    paused."""
    other_path = f"/{REPO}/resolve/main/other.gguf"
    for path in (PATH, other_path):
        server.add_file(path, model)
        server.add_fault(path, hfs.stall(len(model) // 2, seconds=30))
    first = make_manager(tmp_path, server, options=TransferOptions(stall_timeout=30, progress_interval=0,
                                                                   chunk_size=16 << 10))
    closed_by_app = first.enqueue(repo=REPO, filename=FILE)
    paused_by_user = first.enqueue(repo=REPO, filename="other.gguf")
    assert wait_for_bytes(first, closed_by_app.id, len(model) // 2).wait(10)
    assert wait_for_bytes(first, paused_by_user.id, len(model) // 2).wait(10)
    first.pause(paused_by_user.id)
    assert paused_by_user.wait(10)
    first.shutdown()  # the application closing

    second = make_manager(tmp_path, server)
    restored = {task.final_path.name: task for task in second.restore(resume_interrupted=True)}
    assert restored["other.gguf"].state == DownloadState.PAUSED
    assert restored[FILE].wait(30)
    assert_exact(restored[FILE], model)
    assert restored["other.gguf"].state == DownloadState.PAUSED


def test_restore_drops_failed_record_without_data(tmp_path, server, model):
    final = tmp_path / "models" / "TheOwner" / "tiny-GGUF" / "nothere.gguf"
    final.parent.mkdir(parents=True)
    record = PartRecord(url=f"{server.base_url}/TheOwner/tiny-GGUF/resolve/main/nothere.gguf",
                        repo="TheOwner/tiny-GGUF", filename="nothere.gguf", created_dir=str(tmp_path / "models" / "TheOwner"),
                        failure={"template": task_module.errors.NOT_FOUND, "params": {"url": "u"}})
    record.save(final)
    manager = make_manager(tmp_path, server)
    assert manager.restore() == []
    (task,) = manager.tasks()
    assert task.state == DownloadState.FAILED
    assert str(task.error) == "Not found (HTTP 404): u. Check the repository name, the file name and the revision."
    assert not record_path(final).exists()
    assert list((tmp_path / "models").iterdir()) == []
    assert make_manager(tmp_path, server).restore() == []
    assert make_manager(tmp_path, server).tasks() == []


def test_restore_keeps_failed_download_with_data(tmp_path, server, model):
    server.add_file(PATH, model)
    manager = make_manager(tmp_path, server)
    server.add_fault(PATH, hfs.drop(len(model) // 2, times=None))
    task = run(manager)
    assert_failed(task, "The connection to 127.0.0.1 closed before the whole file arrived",
                  "attempts made: 4")
    assert part_path(task.final_path).stat().st_size == len(model) // 2
    assert PartRecord.load(task.final_path).failure["template"] == task_module.errors.CONNECTION_CLOSED

    server.files[PATH].faults.clear()
    (restored,) = make_manager(tmp_path, server).restore(resume=True)
    assert restored.wait(30)
    assert_exact(restored, model)


@pytest.mark.parametrize("code", [401, 403])
def test_access_denied_explains_token(tmp_path, server, model, code):
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.status(code, times=None, methods=("HEAD", "GET")))
    task = run(make_manager(tmp_path, server))
    assert_failed(task, str(code), "accept its licence", "access token")
    assert len(server.requests) == 1


def test_500_then_success(tmp_path, server, model):
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.status(500, times=2))
    task = run(make_manager(tmp_path, server))
    assert_exact(task, model)
    assert len(gets(server)) == 3


def test_persistent_500_gives_up(tmp_path, server, model):
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.status(503, times=None))
    task = run(make_manager(tmp_path, server))
    assert_failed(task, "503", "attempts made: 4")
    assert len(gets(server)) == FAST.max_attempts


def test_stall_aborted_and_retried(tmp_path, server, model):
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.stall(len(model) // 2, seconds=20))
    task = run(make_manager(tmp_path, server, options=TransferOptions(
        stall_timeout=0.5, backoff_base=0.01, chunk_size=16 << 10)))
    assert_exact(task, model)
    assert gets(server)[1].headers["Range"] == f"bytes={len(model) // 2}-"


def test_connection_refused_gives_up(tmp_path, model):
    with hfs.FaultServer() as gone:
        base = gone.base_url
    task = run(make_manager(tmp_path, endpoint=base))
    assert_failed(task, "Could not download from 127.0.0.1: the server refused the connection",
                  "attempts made: 4", "switch the download source")


def test_connection_refused_plain_url_advice(tmp_path, model):
    with hfs.FaultServer() as gone:
        url = gone.url("/files/m.gguf")
    manager = make_manager(tmp_path)
    task = manager.enqueue(url=url)
    assert manager.wait([task.id], timeout=30)
    text = assert_failed(task, "Could not download from 127.0.0.1", "attempts made: 4", "Check the URL")
    assert "download source" not in text


# --- content checks -------------------------------------------------------------------------------

def test_hash_mismatch_deletes_part(tmp_path, server, model):
    server.add_file(PATH, model, etag="")
    task = run(make_manager(tmp_path, server), sha256="0" * 64)
    assert_failed(task, "SHA-256", sha(model), "0" * 64, "came with the download request")
    assert not part_path(task.final_path).exists()
    assert not record_path(task.final_path).exists()
    snapshot = task.snapshot()
    assert snapshot.done_bytes == len(model)  # the transfer completed; verification failed
    assert snapshot.total_bytes == len(model)


def test_hash_from_etag_catches_corruption(tmp_path, server, model):
    corrupt = bytearray(model)
    corrupt[len(model) // 2] ^= 0xFF
    server.add_file(PATH, bytes(corrupt), sha256=sha(model))  # ETag states the true hash
    task = run(make_manager(tmp_path, server))
    assert_failed(task, "corrupt", sha(model))


def test_catalog_size_mismatch_fails_early(tmp_path, server, model):
    server.add_file(PATH, model)
    task = run(make_manager(tmp_path, server), expected_size=len(model) + 1)
    assert_failed(task, f"{len(model)} bytes", f"{len(model) + 1} bytes")
    assert gets(server)[0].sent == 0 or len(gets(server)) == 1


def test_html_content_type_aborts(tmp_path, server, model):
    page = b"<!DOCTYPE html><html><body>" + b"x" * (4 << 20) + b"</body></html>"
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.body(page, "text/html; charset=utf-8"))
    task = run(make_manager(tmp_path, server))
    assert_failed(task, "web page instead of the model")
    assert not part_path(task.final_path).exists()
    assert len(gets(server)) == 1


def test_html_body_without_content_type_aborts(tmp_path, server, model):
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.body(b"\n  <html><head><title>Login</title></head></html>"))
    task = run(make_manager(tmp_path, server))
    assert_failed(task, "web page instead of the model")


def test_lfs_pointer_named(tmp_path, server, model):
    pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha(model)}\nsize {len(model)}\n"
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.body(pointer.encode()))
    task = run(make_manager(tmp_path, server))
    assert_failed(task, "Git LFS pointer")
    assert len(gets(server)) == 1


def test_truncated_gguf_rejected(tmp_path, server, tmp_path_factory):
    broken = gguf_factory.write_bad_file(tmp_path_factory.mktemp("bad") / "t.gguf", "truncated").read_bytes()
    server.add_file(PATH, broken)
    task = run(make_manager(tmp_path, server))
    assert_failed(task, "incomplete")
    assert not part_path(task.final_path).exists()


def test_not_gguf_start_shown_as_text(tmp_path, server, model):
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.body(b"hello world this is not a model file\x00\x01 at all, and it goes on"))
    task = run(make_manager(tmp_path, server))
    text = assert_failed(task, "not a GGUF file", '(it starts with "hello world this is not a model file"...)')
    assert "b'" not in text


def test_text_preview_escapes_bytes():
    assert task_module.text_preview(b'PK\x03\x04"\\\n') == '"PK\\x03\\x04\\"\\\\\\n"'
    assert len(task_module.text_preview(bytes(range(256)))) <= 44


def test_zip_rejected_as_not_gguf(tmp_path, server, tmp_path_factory):
    archive = gguf_factory.write_bad_file(tmp_path_factory.mktemp("bad") / "z.gguf", "not_gguf").read_bytes()
    server.add_file(PATH, archive)
    task = run(make_manager(tmp_path, server))
    assert_failed(task, "not a GGUF file")


# --- disk space -----------------------------------------------------------------------------------

class _Usage:
    def __init__(self, free: int) -> None:
        self.free = free


def test_too_small_disk_rejected_before_download(tmp_path, server, model):
    server.add_file(PATH, model)
    task = run(make_manager(tmp_path, server, disk_usage=lambda path: _Usage(10 << 20)))
    assert_failed(task, "Not enough free disk space", "Free some space")
    assert gets(server) == []


class _FullDisk:
    """A .part handle whose writes fail with ENOSPC once ``limit`` bytes are written."""

    def __init__(self, handle, limit: int) -> None:
        self._handle = handle
        self._left = limit

    def write(self, data) -> int:
        if self._left == 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        written = self._handle.write(data[:self._left])  # a short write, as on a filling disk
        self._left -= written
        return written

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()


def test_enospc_keeps_part_for_resume(tmp_path, server, model, monkeypatch):
    server.add_file(PATH, model)
    real_open = task_module._open_part
    monkeypatch.setattr(task_module, "_open_part", lambda path, offset: _FullDisk(real_open(path, offset), 128 << 10))
    manager = make_manager(tmp_path, server)
    task = run(manager)
    assert_failed(task, "disk is full", "128.0 KiB")
    assert part_path(task.final_path).stat().st_size == 128 << 10
    assert len(gets(server)) == 1

    monkeypatch.setattr(task_module, "_open_part", real_open)
    manager.resume(task.id)
    assert manager.wait([task.id], timeout=30)
    assert_exact(task, model)
    assert gets(server)[-1].headers["Range"] == f"bytes={128 << 10}-"


# --- control --------------------------------------------------------------------------------------

def test_pause_resume_cancel(tmp_path, server, model):
    mid = len(model) // 2
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.stall(mid, seconds=30))
    manager = make_manager(tmp_path, server, options=TransferOptions(stall_timeout=30, progress_interval=0, chunk_size=16 << 10))
    task = manager.enqueue(repo=REPO, filename=FILE)
    assert wait_for_bytes(manager, task.id, mid).wait(10)
    manager.pause(task.id)
    assert task.wait(10)
    assert task.state == DownloadState.PAUSED
    assert part_path(task.final_path).stat().st_size == mid

    manager.resume(task.id)
    assert manager.wait([task.id], timeout=30)
    assert_exact(task, model)


def test_cancel_removes_part(tmp_path, server, model):
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.stall(1000, seconds=30))
    manager = make_manager(tmp_path, server, options=TransferOptions(stall_timeout=30, progress_interval=0, chunk_size=512))
    task = manager.enqueue(repo=REPO, filename=FILE)
    assert wait_for_bytes(manager, task.id, 1000).wait(10)
    manager.cancel(task.id)
    assert task.wait(10)
    assert task.state == DownloadState.CANCELLED
    assert not part_path(task.final_path).exists()
    assert not record_path(task.final_path).exists()
    assert not task.final_path.exists()
    assert list((tmp_path / "models").iterdir()) == []
    assert make_manager(tmp_path, server).restore() == []


def test_failed_task_replaced_and_removed(tmp_path, server, model):
    manager = make_manager(tmp_path, server)
    failed = run(manager)
    assert failed.state == DownloadState.FAILED
    server.add_file(PATH, model)
    again = run(manager)
    assert_exact(again, model)
    assert manager.tasks() == [again]
    manager.remove(again.id)
    assert manager.tasks() == []
    paused = manager.enqueue(repo=REPO, filename="other.gguf", start=False)
    with pytest.raises(ValueError, match="is paused; cancel it"):
        manager.remove(paused.id)


def test_paused_before_start_then_cancelled(tmp_path, server, model):
    server.add_file(PATH, model)
    manager = make_manager(tmp_path, server)
    task = manager.enqueue(repo=REPO, filename=FILE, start=False)
    assert task.state == DownloadState.PAUSED
    assert record_path(task.final_path).exists()
    manager.cancel(task.id)
    assert task.state == DownloadState.CANCELLED
    assert not record_path(task.final_path).exists()
    assert server.requests == []
    assert list((tmp_path / "models").iterdir()) == []  # the repo folders it created are gone


@pytest.mark.parametrize("limit", [1, 2])
def test_concurrency_limit(tmp_path, server, model, limit):
    names = [f"model-{i}.gguf" for i in range(4)]
    for name in names:
        path = f"/{REPO}/resolve/main/{name}"
        server.add_file(path, model)
        server.add_fault(path, hfs.stall(len(model) // 2, seconds=0.3))  # hold each slot a while
    manager = make_manager(tmp_path, server, max_concurrent=limit, options=TransferOptions(
        stall_timeout=5, backoff_base=0.01, chunk_size=64 << 10))
    lock = threading.Lock()
    active: set[str] = set()
    peak = []

    def listener(progress):
        with lock:
            if progress.state in (DownloadState.DOWNLOADING, DownloadState.VERIFYING):
                active.add(progress.task_id)
            else:
                active.discard(progress.task_id)
            peak.append(len(active))

    manager.add_listener(listener)
    tasks = [manager.enqueue(repo=REPO, filename=name) for name in names]
    assert manager.wait(timeout=60)
    for task in tasks:
        assert_exact(task, model)
    assert max(peak) == limit


# --- pieces joined into one file ------------------------------------------------------------------

def concat_build(model: bytes, cut: int, sha256: str | None) -> tuple[ModelBuild, list[str]]:
    pieces = [f"{FILE}-split-a", f"{FILE}-split-b"]
    arch = ArchFacts("llama", gguf_factory.tiny_llama_param_count(), 2, 64, 4, 2, 16, 800, 2048)
    quant = QuantVariant("F32", REPO, FILE, len(model), False, sha256, parts=tuple(pieces), parts_join="concat")
    return ModelBuild("tiny", "Tiny", "Llama", arch, "MIT", (quant,)), pieces


def serve_pieces(server: hfs.FaultServer, model: bytes, cut: int) -> list[str]:
    paths = [f"/{REPO}/resolve/main/{FILE}-split-a", f"/{REPO}/resolve/main/{FILE}-split-b"]
    server.add_file(paths[0], model[:cut])
    server.add_file(paths[1], model[cut:])
    return paths


@pytest.mark.parametrize("with_hash", [True, False])
def test_concat_pieces_joined(tmp_path, server, model, with_hash):
    cut = len(model) // 3
    paths = serve_pieces(server, model, cut)
    server.add_fault(paths[1], hfs.drop(len(model) // 3))
    build, _ = concat_build(model, cut, sha(model) if with_hash else None)
    manager = make_manager(tmp_path, server)
    (task,) = manager.enqueue_quant(build, "F32")
    assert manager.wait([task.id], timeout=30)
    assert_exact(task, model)
    assert task.final_path.name == FILE
    assert len(server.requests_for(paths[0], "GET")) == 1
    second = server.requests_for(paths[1], "GET")
    assert [r.headers.get("Range") for r in second] == [None, f"bytes={len(model) // 3}-"]


def test_concat_resumes_in_second_piece_after_restart(tmp_path, server, model):
    cut = len(model) // 3
    paths = serve_pieces(server, model, cut)
    server.add_fault(paths[1], hfs.stall(100, seconds=30))
    build, _ = concat_build(model, cut, sha(model))
    first = make_manager(tmp_path, server, options=TransferOptions(stall_timeout=30, progress_interval=0,
                                                                   chunk_size=16 << 10))
    (task,) = first.enqueue_quant(build, "F32")
    assert server.wait_until_sent(paths[1], 100)
    deadline = time.monotonic() + 10
    while part_path(task.final_path).stat().st_size < cut + 100 and time.monotonic() < deadline:
        time.sleep(0.02)  # the client writes the bytes it received before the stall
    first.shutdown(pause=True, timeout=10)
    assert part_path(task.final_path).stat().st_size == cut + 100

    second = make_manager(tmp_path, server)
    (restored,) = second.restore(resume=True)
    assert second.wait(timeout=30)
    assert_exact(restored, model)
    assert len(server.requests_for(paths[0], "GET")) == 1
    assert server.requests_for(paths[1], "GET")[-1].headers["Range"] == "bytes=100-"


def test_concat_wrong_range_restarts_piece_only(tmp_path, server, model):
    cut = len(model) // 3
    paths = serve_pieces(server, model, cut)
    server.add_fault(paths[1], hfs.drop(200))
    server.add_fault(paths[1], hfs.wrong_range(-50))
    build, _ = concat_build(model, cut, sha(model))
    manager = make_manager(tmp_path, server)
    (task,) = manager.enqueue_quant(build, "F32")
    assert manager.wait([task.id], timeout=30)
    assert_exact(task, model)
    assert len(server.requests_for(paths[0], "GET")) == 1
    assert [r.headers.get("Range") for r in server.requests_for(paths[1], "GET")] == [None, "bytes=200-", None]


def test_concat_catalog_size_mismatch(tmp_path, server, model):
    cut = len(model) // 3
    serve_pieces(server, model[:-10], cut)
    build, _ = concat_build(model, cut, None)
    manager = make_manager(tmp_path, server)
    (task,) = manager.enqueue_quant(build, "F32")
    assert manager.wait([task.id], timeout=30)
    assert_failed(task, f"{len(model) - 10} bytes", f"{len(model)} bytes")


# --- catalog entry against the GGUF header --------------------------------------------------------

def catalog_build(model: bytes, *, quant: str, n_params: int, size: int, estimate: bool) -> ModelBuild:
    arch = ArchFacts("llama", n_params, 2, 64, 4, 2, 16, 800, 2048)
    variant = QuantVariant(quant, REPO, FILE, size, estimate)
    return ModelBuild("tiny", "Tiny", "Llama", arch, "MIT", (variant,))


def test_catalog_header_mismatch_rejected(tmp_path, server, model):
    server.add_file(PATH, model)
    build = catalog_build(model, quant="Q4_K_M", n_params=1_235_814_400, size=720 << 20, estimate=True)
    manager = make_manager(tmp_path, server)
    (task,) = manager.enqueue_quant(build, "Q4_K_M")
    assert manager.wait([task.id], timeout=30)
    text = assert_failed(task, "not the Q4_K_M build of tiny",
                         "counts 0.2M parameters where the catalog says 1.2B",
                         "its file type is F32, not Q4_K_M",
                         f"it has {len(model) / 1024:.1f} KiB where about 720.0 MiB was expected")
    assert "deleted" in text
    assert not part_path(task.final_path).exists()
    assert not record_path(task.final_path).exists()


def test_catalog_file_type_mismatch_alone(tmp_path, server, model):
    server.add_file(PATH, model)
    build = catalog_build(model, quant="Q8_0", n_params=gguf_factory.tiny_llama_param_count(), size=len(model),
                          estimate=True)
    manager = make_manager(tmp_path, server)
    (task,) = manager.enqueue_quant(build, "Q8_0")
    assert manager.wait([task.id], timeout=30)
    text = assert_failed(task, "its file type is F32, not Q8_0")
    assert "parameters" not in text
    assert "expected" not in text


def test_catalog_estimate_off_but_header_matches(tmp_path, server, model):
    server.add_file(PATH, model)
    build = catalog_build(model, quant="F32", n_params=gguf_factory.tiny_llama_param_count() * 21 // 20,
                          size=len(model) * 2, estimate=True)
    manager = make_manager(tmp_path, server)
    (task,) = manager.enqueue_quant(build, "F32")
    assert manager.wait([task.id], timeout=30)
    assert_exact(task, model)
    assert "the catalog estimated about" in str(task.snapshot().notice)


def test_catalog_estimate_within_tolerance_no_notice(tmp_path, server, model):
    server.add_file(PATH, model)
    build = catalog_build(model, quant="F32", n_params=gguf_factory.tiny_llama_param_count(),
                          size=len(model) * 110 // 100, estimate=True)
    manager = make_manager(tmp_path, server)
    (task,) = manager.enqueue_quant(build, "F32")
    assert manager.wait([task.id], timeout=30)
    assert_exact(task, model)
    assert task.snapshot().notice is None


def test_catalog_mismatch_found_before_transfer_ends(tmp_path, server, model, monkeypatch):
    monkeypatch.setattr(task_module, "EARLY_HEADER_CHECK_BYTES", 16 << 10)
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.stall(len(model) // 2, seconds=30))  # the rest never arrives in time
    build = catalog_build(model, quant="Q4_K_M", n_params=1_235_814_400, size=720 << 20, estimate=True)
    manager = make_manager(tmp_path, server, options=TransferOptions(stall_timeout=30, chunk_size=8 << 10))
    (task,) = manager.enqueue_quant(build, "Q4_K_M")
    assert manager.wait([task.id], timeout=20), "the mismatch was not found before the stall"
    assert_failed(task, "its file type is F32, not Q4_K_M", "0.2M parameters")
    assert task.snapshot().done_bytes < len(model)
    assert not part_path(task.final_path).exists()
