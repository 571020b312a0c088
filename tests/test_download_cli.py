"""``llm-desk download`` and ``llm-desk models`` against a local server."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import gguf_factory
import http_fault_server as hfs
from llmdesk.cli import build_parser
from llmdesk.cli import download as download_cli
from llmdesk.cli import models as models_cli
from llmdesk.core import catalog as catalog_module
from llmdesk.core.catalog import Catalog
from llmdesk.core.settings import Settings
from llmdesk.core.catalog_types import ArchFacts, ModelBuild, QuantVariant

REPO = "tester/tiny-GGUF"
FILE = "tiny.Q8_0.gguf"
PATH = f"/{REPO}/resolve/main/{FILE}"


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> bytes:
    return gguf_factory.write_tiny_llama(tmp_path_factory.mktemp("m") / "m.gguf").read_bytes()


@pytest.fixture
def server():
    with hfs.FaultServer() as running:
        yield running


def run_cli(*argv: str) -> tuple[int, str, str]:
    args = build_parser().parse_args(["download", *argv])
    stdout, stderr = io.StringIO(), io.StringIO()
    status = download_cli.run(args, stdout, stderr)
    return status, stdout.getvalue(), stderr.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_repo_file_to_dest(server, model, tmp_path):
    server.add_file(PATH, model)
    status, out, err = run_cli(REPO, FILE, "--endpoint", server.base_url, "--dest", str(tmp_path))
    assert status == 0, err
    assert out.strip() == str((tmp_path / FILE).resolve())
    assert sha((tmp_path / FILE).read_bytes()) == sha(model)


def test_url_into_models_dir(server, model, llmdesk_home):
    url = server.add_file("/files/m.gguf", model)
    status, out, err = run_cli(url, "--quiet")
    assert status == 0, err
    saved = Path(out.strip())
    assert saved.parent == (llmdesk_home / "data" / "models").resolve()
    assert sha(saved.read_bytes()) == sha(model)


def test_catalog_build_and_quant(server, tmp_path, monkeypatch):
    model = gguf_factory.write_tiny_llama(tmp_path / "q8.gguf", dtype="q8_0").read_bytes()
    arch = ArchFacts("llama", gguf_factory.tiny_llama_param_count(), 2, 64, 4, 2, 16, 800, 2048)
    quant = QuantVariant("Q8_0", REPO, FILE, len(model), False, sha(model))
    build = ModelBuild("tiny", "Tiny", "Llama", arch, "MIT", (quant,))
    monkeypatch.setattr(catalog_module, "load_catalog", lambda *a, **k: Catalog([build], []))
    server.add_file(PATH, model, etag="")
    status, out, err = run_cli("tiny", "--quant", "q8_0", "--endpoint", server.base_url, "--dest", str(tmp_path))
    assert status == 0, err
    assert sha((tmp_path / FILE).read_bytes()) == sha(model)

    status, _, err = run_cli("tiny", "--endpoint", server.base_url)
    assert status == 2
    assert "choose a quantization of tiny with --quant: Q8_0" in err
    status, _, err = run_cli("tiny", "--quant", "Q2_K", "--endpoint", server.base_url)
    assert status == 2
    assert "no quantization 'Q2_K'" in err


def test_failure_exit_status(server, tmp_path):
    status, out, err = run_cli(REPO, "missing.gguf", "--endpoint", server.base_url, "--dest", str(tmp_path))
    assert status == 1
    assert out == ""
    assert "404" in err
    assert not (tmp_path / "missing.gguf").exists()
    assert " of " not in err  # no progress line for a download that never started
    assert "0 B" not in err


def test_404_leaves_models_dir_empty(server, llmdesk_home):
    status, _, err = run_cli(REPO, "nothere.gguf", "--endpoint", server.base_url)
    assert status == 1
    assert "404" in err
    models = llmdesk_home / "data" / "models"
    assert list(models.rglob("*")) == []
    index = llmdesk_home / "data" / "downloads.json"
    assert not index.exists() or json.loads(index.read_text()) == []


@pytest.mark.parametrize("value", ["xyz", "sha256:xyz", "0" * 63])
def test_invalid_sha256_rejected_before_transfer(server, model, tmp_path, value):
    server.add_file(PATH, model)
    dest = tmp_path / "dest"
    status, out, err = run_cli(REPO, FILE, "--endpoint", server.base_url, "--dest", str(dest), "--sha256", value)
    assert status == 2
    assert out == ""
    assert f"Invalid SHA-256 {value!r}" in err
    assert "64 hexadecimal digits" in err
    assert server.requests == []
    assert not dest.exists()


def test_sha256_prefix_and_upper_case_accepted(server, model, tmp_path):
    server.add_file(PATH, model, etag="")
    value = "sha256:" + sha(model).upper()
    status, _, err = run_cli(REPO, FILE, "--endpoint", server.base_url, "--dest", str(tmp_path), "--sha256", value)
    assert status == 0, err
    assert sha((tmp_path / FILE).read_bytes()) == sha(model)


def test_hash_mismatch_progress_shows_transfer(server, model, tmp_path):
    server.add_file(PATH, model, etag="")
    status, _, err = run_cli(REPO, FILE, "--endpoint", server.base_url, "--dest", str(tmp_path), "--sha256", "0" * 64)
    assert status == 1
    size = download_cli.format_bytes(len(model))
    last_progress = [line for line in err.splitlines() if " of " in line][-1]
    assert f"{size} of {size} (100.0 %)" in last_progress
    assert "failed" in last_progress
    assert f"not the expected {'0' * 64} that came with the download request" in err
    assert "this download source has a different file" in err  # a repository file, not a plain URL


def test_retries_are_shown_while_waiting(server, model, tmp_path):
    """A server error that is retried is printed with the retry count, not only after the last attempt."""
    server.add_file(PATH, model)
    server.add_fault(PATH, hfs.status(500, times=2))
    status, _, err = run_cli(REPO, FILE, "--endpoint", server.base_url, "--dest", str(tmp_path))
    assert status == 0, err
    retry_lines = [line for line in err.splitlines() if "Retry " in line]
    assert retry_lines, err
    assert "the server answered HTTP 500" in retry_lines[-1]
    assert " of 5 in " in retry_lines[-1]
    assert "Settings" not in retry_lines[-1]  # the cause only, not the advice of the final error


def test_already_downloaded_prints_no_progress(server, model, tmp_path):
    server.add_file(PATH, model)
    assert run_cli(REPO, FILE, "--endpoint", server.base_url, "--dest", str(tmp_path))[0] == 0
    status, out, err = run_cli(REPO, FILE, "--endpoint", server.base_url, "--dest", str(tmp_path))
    assert status == 0
    assert out.strip() == str((tmp_path / FILE).resolve())
    assert err.strip() == f"{(tmp_path / FILE).resolve()} is already downloaded."


def test_invalid_setting_source_suggests_flag(llmdesk_home):
    settings = Settings()
    settings.set("download_endpoint", "custom")
    settings.set("custom_endpoint", "ftp://mirror")
    settings.save()
    status, _, err = run_cli("owner/repo", "x.gguf")
    assert status == 2
    assert "Invalid download source ftp://mirror" in err
    assert "pass --endpoint URL" in err


def test_endpoint_flag_named_in_error():
    status, _, err = run_cli("owner/repo", "x.gguf", "--endpoint", "bogus")
    assert status == 2
    assert "--endpoint: Invalid download source bogus" in err
    assert "HF_ENDPOINT" not in err
    assert "Settings" not in err


@pytest.mark.parametrize("argv, words", [
    (["owner/repo"], "give the file to download"),
    (["no-such-build", "--quant", "Q4_K_M"], "no catalog build with id 'no-such-build'"),
    (["owner/repo", "x.gguf", "--endpoint", "ftp://mirror"], "Invalid download source ftp://mirror"),
    (["https://example.org/x.gguf", "y.gguf"], "a URL names the file already"),
    (["owner/repo", "../x.gguf"], "Invalid file name ../x.gguf"),
])
def test_invalid_arguments(argv, words, monkeypatch):
    monkeypatch.setattr(catalog_module, "load_catalog", lambda *a, **k: Catalog([], []))
    status, _, err = run_cli(*argv)
    assert status == 2
    assert words in err


def test_ctrl_c_pauses_then_resumes(server, model, tmp_path):
    url = server.add_file("/files/m.gguf", model)
    server.add_fault("/files/m.gguf", hfs.stall(len(model) // 2, seconds=30))
    command = [sys.executable, "-m", "llmdesk", "download", url, "--dest", str(tmp_path)]
    child = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        assert server.wait_until_sent("/files/m.gguf", len(model) // 2)
        part = tmp_path / "m.gguf.part"
        deadline = time.monotonic() + 10
        while (not part.exists() or part.stat().st_size < len(model) // 2) and time.monotonic() < deadline:
            time.sleep(0.05)  # the client writes what it received before the stall
        assert child.poll() is None, child.stderr.read()
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, err
    assert "Run the same command again to resume" in err
    assert not (tmp_path / "m.gguf").exists()
    assert (tmp_path / "m.gguf.part").exists()

    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Resuming m.gguf: " in done.stderr
    assert sha((tmp_path / "m.gguf").read_bytes()) == sha(model)
    assert server.requests_for("/files/m.gguf", "GET")[-1].headers["Range"].startswith("bytes=")


def test_second_ctrl_c_still_pauses(server, model, tmp_path):
    url = server.add_file("/files/m.gguf", model)
    server.add_fault("/files/m.gguf", hfs.stall(len(model) // 2, seconds=30))
    command = [sys.executable, "-m", "llmdesk", "download", url, "--dest", str(tmp_path)]
    child = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    part = tmp_path / "m.gguf.part"
    try:
        assert server.wait_until_sent("/files/m.gguf", len(model) // 2)
        deadline = time.monotonic() + 10
        while (not part.exists() or part.stat().st_size < len(model) // 2) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert child.poll() is None, child.stderr.read()
        for _ in range(20):  # presses that land before, during and after the pause
            if child.poll() is not None:
                break
            child.send_signal(signal.SIGINT)
            time.sleep(0.01)
        _, err = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, repr(err)
    assert "Traceback" not in err
    assert "Stopping..." in err
    assert f"Paused after {download_cli.format_bytes(len(model) // 2)}" in err
    assert part.stat().st_size == len(model) // 2
    assert (tmp_path / "m.gguf.part.json").exists()


def test_models_lists_library(llmdesk_home, monkeypatch):
    monkeypatch.setattr(catalog_module, "load_catalog", lambda *a, **k: Catalog([], []))
    models_dir = llmdesk_home / "data" / "models"
    models_dir.mkdir(parents=True, exist_ok=True)
    gguf_factory.write_tiny_llama(models_dir / "tiny.gguf")
    gguf_factory.write_bad_file(models_dir / "pointer.gguf", "lfs_pointer")
    out = io.StringIO()
    assert models_cli.run(build_parser().parse_args(["models", "--json"]), out) == 0
    rows = {row["name"]: row for row in json.loads(out.getvalue())}
    assert rows["tiny"]["ok"] is True
    assert rows["tiny"]["architecture"] == "llama"
    assert rows["pointer"]["ok"] is False
    assert "Git LFS pointer" in rows["pointer"]["problem"]
