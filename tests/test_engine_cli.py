"""``llm-desk chat`` end to end, as a subprocess with a tiny generated model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import gguf_factory
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return gguf_factory.write_tiny_llama(tmp_path_factory.mktemp("cli-model") / "tiny.gguf", seed=4)


def _chat(args, llmdesk_home, stdin: str | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llmdesk", "chat", *map(str, args)], input=stdin,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "LLMDESK_HOME": str(llmdesk_home)})


def test_one_prompt_json_lines(tiny_model, llmdesk_home):
    result = _chat([tiny_model, "--prompt", "hello", "--max-tokens", "24", "--temperature", "0",
                    "--ctx", "512", "--json"], llmdesk_home)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "loaded"
    assert kinds[-1] == "finished"
    assert "text" in kinds
    finished = events[-1]
    assert finished["stats"]["generated_tokens"] == 24
    assert finished["stats"]["stop_reason"] == "length"
    text_tokens = sum(e["n_tokens"] for e in events if e["event"] == "text")
    assert text_tokens <= 24
    assert events[0]["info"]["n_ctx"] == 512


def test_plain_output_and_stats(tiny_model, llmdesk_home):
    result = _chat([tiny_model, "--prompt", "hello", "--max-tokens", "16", "--seed", "1", "--stats",
                    "--system", "Be brief."], llmdesk_home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert "16 tokens at" in result.stderr
    assert "stop: length" in result.stderr


def test_same_seed_same_reply(tiny_model, llmdesk_home):
    args = [tiny_model, "--prompt", "hi", "--max-tokens", "20", "--seed", "7", "--temperature", "0.9"]
    first = _chat(args, llmdesk_home)
    second = _chat(args, llmdesk_home)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout


def test_interactive_until_end_of_input(tiny_model, llmdesk_home):
    result = _chat([tiny_model, "--max-tokens", "8", "--json"], llmdesk_home,
                   stdin="first question\nsecond question\n")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    finished = [e for e in events if e["event"] == "finished"]
    assert len(finished) == 2
    # The second turn's prompt contains the first exchange too.
    assert finished[1]["stats"]["prompt_tokens"] > finished[0]["stats"]["prompt_tokens"]


@pytest.mark.parametrize("kind", ["lfs_pointer", "zero_length_key", "truncated"])
def test_bad_file_exit_status_2(tmp_path, llmdesk_home, kind):
    path = gguf_factory.write_bad_file(tmp_path / f"{kind}.gguf", kind)
    result = _chat([path, "--prompt", "hi"], llmdesk_home)
    assert result.returncode == 2
    assert path.name in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_argument_exit_status_2(tiny_model, llmdesk_home):
    result = _chat([tiny_model, "--prompt", "hi", "--temperature", "hot"], llmdesk_home)
    assert result.returncode == 2
    assert "expected a number" in result.stderr


def test_ctrl_c_cancels_reply(tmp_path, llmdesk_home):
    model = gguf_factory.write_bench_llama(tmp_path / "bench.gguf")
    process = subprocess.Popen(
        [sys.executable, "-m", "llmdesk", "chat", str(model), "--prompt", "hello", "--max-tokens", "3000",
         "--temperature", "0", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "LLMDESK_HOME": str(llmdesk_home)}, start_new_session=True)
    try:
        lines = []
        while True:
            line = process.stdout.readline()
            assert line, process.stderr.read()
            lines.append(json.loads(line))
            if lines[-1]["event"] == "text":
                break
        # Like a terminal's Ctrl+C: SIGINT to the whole process group, engine child included.
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    events = lines + [json.loads(line) for line in out.splitlines()]
    finished = [e for e in events if e["event"] == "finished"]
    assert process.returncode == 130, err
    assert len(finished) == 1
    assert finished[0]["stats"]["stop_reason"] == "cancelled"
    assert finished[0]["stats"]["generated_tokens"] < 3000
    assert not [e for e in events if e["event"] == "crashed"]


def test_chat_options_follow_fit_advice(tmp_path):
    import psutil

    from gguf_factory import write_tiny_llama
    from llmdesk.cli.chat import suggested_options
    from llmdesk.core.fit.estimate import decode_threads

    model = str(write_tiny_llama(tmp_path / "advice.gguf"))
    options = suggested_options(model, 512)
    assert options.n_ctx == 512
    from llmdesk.core.hardware import detect

    if not detect(query_llama=False).gpus:
        assert options.n_gpu_layers == 0
    assert options.n_threads == decode_threads(psutil.cpu_count(logical=False) or 1)

    overridden = suggested_options(model, 256, gpu_layers=3, threads=5)
    assert (overridden.n_ctx, overridden.n_gpu_layers, overridden.n_threads) == (256, 3, 5)

    unreadable = suggested_options(str(tmp_path / "missing.gguf"), 512)
    assert unreadable.n_gpu_layers == 0
    assert unreadable.n_threads is None


def test_library_name_and_context_notice(llmdesk_home):
    from llmdesk.core import paths

    paths.models_dir().mkdir(parents=True, exist_ok=True)
    model = gguf_factory.write_tiny_llama(paths.models_dir() / "tiny.gguf", seed=4)
    result = _chat(["tiny", "--prompt", "hi", "--max-tokens", "4", "--json"], llmdesk_home)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    # The default context (4096) is longer than the 2048 tokens the tiny model was trained for.
    assert events[0]["event"] == "notice"
    assert "Context set to 2048 tokens" in events[0]["message"]
    loaded = events[1]
    assert loaded["event"] == "loaded"
    assert loaded["info"]["path"] == str(model.resolve())
    assert loaded["info"]["n_ctx"] == 2048


def test_explicit_context_beyond_training_warns(tiny_model, llmdesk_home):
    result = _chat([tiny_model, "--prompt", "hi", "--max-tokens", "4", "--ctx", "4096"], llmdesk_home)
    assert result.returncode == 0, result.stderr
    assert "Warning: --ctx 4096 is longer than the 2048 tokens this model was trained for" in result.stderr
    assert "context 4096 tokens" in result.stderr


def test_rounded_context_and_ignored_gpu_layers_are_told(tiny_model, llmdesk_home):
    """llama.cpp rounds the context up to a multiple of 256, and a CPU-only build runs no layer on a GPU."""
    import llama_cpp

    result = _chat([tiny_model, "--prompt", "hi", "--max-tokens", "4", "--ctx", "1000", "--gpu-layers", "99"],
                   llmdesk_home)
    assert result.returncode == 0, result.stderr
    assert "llama.cpp rounded the context from 1000 to 1024 tokens." in result.stderr
    gpu_notice = "This llama.cpp build has no GPU support, so --gpu-layers 99 has no effect"
    assert (gpu_notice in result.stderr) != llama_cpp.llama_supports_gpu_offload()


def test_max_tokens_zero_message_reads_right(tiny_model, llmdesk_home):
    result = _chat([tiny_model, "--prompt", "hi", "--max-tokens", "0"], llmdesk_home)
    assert result.returncode == 2
    assert "must be at least 1 token, got 0" in result.stderr


def test_unknown_model_name_exit_status_2(llmdesk_home):
    result = _chat(["no-such-model", "--prompt", "hi"], llmdesk_home)
    assert result.returncode == 2
    assert "run `llm-desk models` to see model names and paths" in result.stderr
    assert "Traceback" not in result.stderr
