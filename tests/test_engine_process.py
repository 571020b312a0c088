"""The engine through its child process: loading, streaming, stats, cancel, crashes, bad files.

One client with the tiny model serves most tests; the cancel and kill tests use the ~25M-parameter
model, which decodes slowly enough on a CPU for a reply to be interrupted mid-way.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

import gguf_factory
import pytest

from llmdesk.engine import protocol as p
from llmdesk.engine.client import EngineClient

pytestmark = pytest.mark.slow

LEAK_TEXTS = ("</s>", "<|im_end|>", "<|eot_id|>", "<|im_start|>", "<｜end▁of▁sentence｜>")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("engine-models")


@pytest.fixture(scope="module")
def tiny_model(model_dir):
    return gguf_factory.write_tiny_llama(model_dir / "tiny.gguf", seed=2)


@pytest.fixture(scope="module")
def bench_model(model_dir):
    return gguf_factory.write_bench_llama(model_dir / "bench25m.gguf")


def _new_client(model_dir, name: str) -> EngineClient:
    return EngineClient(log_path=model_dir / f"{name}.log")


@pytest.fixture(scope="module")
def client(model_dir, tiny_model):
    engine = _new_client(model_dir, "shared")
    assert engine.load(tiny_model, p.LoadOptions(n_ctx=512))
    loaded = engine.wait_for(p.Loaded, p.LoadFailed, timeout=120)
    assert isinstance(loaded, p.Loaded), loaded
    yield engine
    engine.shutdown(wait=10)


def _request(request_id: str, text: str = "hello", max_tokens: int = 64, **kwargs) -> p.GenerateRequest:
    sampling = kwargs.pop("sampling", None) or p.Sampling(temperature=0, max_tokens=max_tokens, seed=1)
    return p.GenerateRequest(request_id, kwargs.pop("messages", None) or [{"role": "user", "content": text}],
                             sampling=sampling, **kwargs)


def _run(engine: EngineClient, request: p.GenerateRequest, timeout: float = 120) -> tuple[list, p.Finished]:
    engine.generate(request)
    events: list = []
    finished = engine.wait_for(p.Finished, p.GenerateFailed, timeout=timeout, collect=events)
    assert isinstance(finished, p.Finished), finished
    return events, finished


def _chunks(events) -> list[p.TextChunk]:
    return [e for e in events if isinstance(e, p.TextChunk)]


def test_parent_never_imports_llama_cpp(tiny_model, tmp_path):
    script = (
        "import sys\n"
        "from llmdesk.engine.client import EngineClient\n"
        "from llmdesk.engine import protocol as p\n"
        f"engine = EngineClient(log_path={str(tmp_path / 'e.log')!r})\n"
        f"engine.load({str(tiny_model)!r}, p.LoadOptions(n_ctx=256))\n"
        "assert isinstance(engine.wait_for(p.Loaded, p.LoadFailed, timeout=120), p.Loaded)\n"
        "engine.generate(p.GenerateRequest('r', [{'role': 'user', 'content': 'hi'}],"
        " sampling=p.Sampling(max_tokens=8)))\n"
        "engine.wait_for(p.Finished, timeout=120)\n"
        "engine.shutdown(wait=10)\n"
        "print('llama_cpp' in sys.modules, any(m.startswith('llama_cpp') for m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "LLMDESK_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False False"


def test_streaming_counts_tokens_and_stats(client):
    events, finished = _run(client, _request("stream", max_tokens=200))
    stats = finished.stats
    chunks = _chunks(events)
    assert chunks
    assert all(c.request_id == "stream" for c in chunks)
    assert stats.stop_reason == p.STOP_LENGTH
    assert stats.generated_tokens == 200
    assert sum(c.n_tokens for c in chunks) == stats.generated_tokens
    assert stats.decode_tps > 0
    assert stats.prompt_tokens > 0
    assert stats.prompt_tps > 0
    assert stats.time_to_first_token > 0
    assert stats.filter_events == 0
    assert stats.filter_seconds == 0  # no filter config, so no filter ran
    assert stats.n_ctx == 512
    assert stats.n_ctx_used == stats.prompt_tokens + stats.generated_tokens - 1
    samples = [e for e in events if isinstance(e, p.StatsSample)]
    assert samples
    assert samples[-1].n_ctx_used == stats.n_ctx_used
    assert samples[-1].rss_bytes > 0
    assert "".join(c.text for c in chunks)
    assert client.state == p.READY


def test_events_arrive_in_batches(client):
    client.generate(_request("batches", max_tokens=300))
    batches = []
    deadline = time.monotonic() + 120
    finished = False
    while not finished and time.monotonic() < deadline:
        batch = client._queue.get(timeout=60)
        batches.append(batch)
        finished = any(isinstance(e, p.Finished) for e in batch)
    chunks = [e for batch in batches for e in batch if isinstance(e, p.TextChunk)]
    # 300 tokens never arrive as 300 messages: text is coalesced per flush interval.
    assert len(chunks) < 300 // 4
    assert sum(c.n_tokens for c in chunks) == 300


def test_second_turn_reuses_kv_prefix(client):
    messages = [{"role": "user", "content": "tell me a story about the city"}]
    _, first = _run(client, _request("turn1", messages=messages, max_tokens=16))
    answer = "the city was old"
    history = messages + [{"role": "assistant", "content": answer}, {"role": "user", "content": "more"}]
    _, second = _run(client, _request("turn2", messages=history, max_tokens=16))
    assert second.stats.prompt_tokens > first.stats.prompt_tokens
    assert second.stats.prompt_tokens_evaluated < second.stats.prompt_tokens


def test_context_overflow_trims_oldest_turns(client):
    long_text = " ".join(["the model answer to the question"] * 20)
    history = []
    for turn in range(4):
        history += [{"role": "user", "content": f"question {turn} {long_text}"},
                    {"role": "assistant", "content": f"answer {turn} {long_text}"}]
    history.append({"role": "user", "content": "the last question"})
    events, finished = _run(client, _request("trim", messages=history, max_tokens=64,
                                             system_prompt="You are a careful assistant."))
    trimmed = [e for e in events if isinstance(e, p.ContextTrimmed)]
    assert len(trimmed) == 1
    notice = trimmed[0]
    assert notice.dropped_count >= 2
    assert notice.dropped_indices == tuple(range(notice.dropped_count))
    assert len(history) - 1 not in notice.dropped_indices
    assert notice.prompt_tokens + 64 <= notice.n_ctx
    assert finished.stats.prompt_tokens == notice.prompt_tokens


def test_message_too_long_for_context(client):
    huge = " ".join(["word"] * 2000)
    events, finished = _run(client, _request("huge", text=huge, max_tokens=16))
    assert finished.stats.stop_reason == p.STOP_CONTEXT_FULL
    assert "context is 512 tokens" in finished.message
    assert not _chunks(events)


def test_stop_string_ends_reply(client):
    _, baseline = _run(client, _request("base", max_tokens=40))
    events, _ = _run(client, _request("base-text", max_tokens=40))
    text = "".join(c.text for c in _chunks(events))
    stop = text[10:13]
    assert len(stop) == 3
    events, finished = _run(client, _request("stopped", max_tokens=40, stop=(stop,)))
    shown = "".join(c.text for c in _chunks(events))
    assert finished.stats.stop_reason == p.STOP_STRING
    assert stop not in shown
    assert text.startswith(shown)
    assert baseline.stats.generated_tokens == 40


def test_generate_rejected_while_busy(client):
    client.generate(_request("busy", max_tokens=100))
    with pytest.raises(RuntimeError, match="cannot generate"):
        client.generate(_request("second"))
    client.wait_for(p.Finished, timeout=120)


def test_no_end_of_generation_text_leaks(model_dir):
    path = gguf_factory.write_tiny_llama(model_dir / "eog.gguf", seed=5, suppress_eog=False)
    engine = _new_client(model_dir, "eog")
    try:
        assert engine.load(path, p.LoadOptions(n_ctx=1024))
        assert isinstance(engine.wait_for(p.Loaded, p.LoadFailed, timeout=120), p.Loaded)
        reasons = []
        for seed in range(6):
            sampling = p.Sampling(temperature=1.5, top_k=0, top_p=1.0, min_p=0.0, max_tokens=400, seed=seed)
            events, finished = _run(engine, _request(f"eog{seed}", sampling=sampling))
            text = "".join(c.text for c in _chunks(events))
            for marker in LEAK_TEXTS:
                assert marker not in text
            assert sum(c.n_tokens for c in _chunks(events)) == finished.stats.generated_tokens
            reasons.append(finished.stats.stop_reason)
        assert p.STOP_EOS in reasons
    finally:
        engine.shutdown(wait=10)


def test_reasoning_opened_by_template(model_dir):
    path = gguf_factory.write_tiny_llama(model_dir / "think.gguf", seed=3,
                                         chat_template=gguf_factory.THINK_TEMPLATE)
    engine = _new_client(model_dir, "think")
    try:
        assert engine.load(path, p.LoadOptions(n_ctx=512))
        loaded = engine.wait_for(p.Loaded, p.LoadFailed, timeout=120)
        assert loaded.info.has_chat_template
        events, finished = _run(engine, _request("think", max_tokens=60))
        chunks = _chunks(events)
        # The random model never writes </think>, so the whole reply stays reasoning.
        assert {c.kind for c in chunks if c.text} == {"reasoning"}
        assert finished.stats.generated_tokens == 60
    finally:
        engine.shutdown(wait=10)


EXPECTED_KINDS = {
    "lfs_pointer": "lfs_pointer", "html": "html", "truncated": "truncated", "not_gguf": "not_gguf",
    "zero_length_key": "corrupt_header", "header_only": "truncated", "unknown_arch": "unknown_arch",
    "empty": "empty",
}


def test_bad_files_rejected_before_llama_cpp(model_dir):
    engine = _new_client(model_dir, "bad")
    messages = {}
    for kind in gguf_factory.BAD_KINDS:
        path = gguf_factory.write_bad_file(model_dir / f"bad-{kind}.gguf", kind)
        assert engine.load(path) is False
        failure = engine.wait_for(p.LoadFailed, timeout=5)
        assert failure.kind == EXPECTED_KINDS[kind]
        assert path.name in str(failure.message)
        messages[kind] = str(failure.message)
        assert not engine.is_alive()
    assert len(set(messages.values())) == len(messages)
    missing_ok = engine.load(model_dir / "no-such-model.gguf")
    assert missing_ok is False
    assert engine.wait_for(p.LoadFailed, timeout=5).kind == "missing"
    engine.shutdown()


def test_worker_checks_file_again(model_dir, tiny_model):
    path = model_dir / "swapped.gguf"
    path.write_bytes(tiny_model.read_bytes())
    engine = _new_client(model_dir, "swapped")
    try:
        assert engine.load(path)  # the client's check passes
        # The child takes a moment to start; the file turns bad before it loads.
        gguf_factory.write_bad_file(path, "zero_length_key")
        failure = engine.wait_for(p.LoadFailed, p.Loaded, p.EngineCrashed, timeout=120)
        assert isinstance(failure, p.LoadFailed)
        assert failure.kind == "corrupt_header"
        assert engine.is_alive()  # llama.cpp never saw the file, so the child is fine
    finally:
        engine.shutdown(wait=10)


def test_cancel_and_kill_mid_reply(model_dir, bench_model, tiny_model):
    engine = _new_client(model_dir, "bench")
    try:
        assert engine.load(bench_model, p.LoadOptions(n_ctx=2048))
        loaded = engine.wait_for(p.Loaded, p.LoadFailed, timeout=120)
        assert isinstance(loaded, p.Loaded), loaded
        assert loaded.info.n_ctx == 2048
        assert loaded.info.architecture == "llama"
        assert loaded.info.eog_token_ids

        # Cancel: the reply stops long before max_tokens.
        engine.generate(_request("cancel-me", max_tokens=1500))
        events: list = []
        events.append(engine.wait_for(p.TextChunk, timeout=60))
        engine.cancel("cancel-me")
        finished = engine.wait_for(p.Finished, timeout=60, collect=events)
        assert finished.stats.stop_reason == p.STOP_CANCELLED
        assert finished.stats.generated_tokens < 1500
        assert sum(c.n_tokens for c in _chunks(events)) == finished.stats.generated_tokens
        assert engine.state == p.READY

        # Kill: the crash is reported and the text delivered so far is kept.
        engine.generate(_request("kill-me", max_tokens=1500))
        delivered = [engine.wait_for(p.TextChunk, timeout=60)]
        while len("".join(c.text for c in delivered)) < 10:
            delivered.append(engine.wait_for(p.TextChunk, timeout=60))
        os.kill(engine.pid, signal.SIGKILL)
        crash = engine.wait_for(p.EngineCrashed, timeout=60, collect=delivered)
        assert crash.signal_name == "SIGKILL"
        assert crash.exit_code == -signal.SIGKILL
        assert crash.probable_cause == "out of memory"
        assert crash.during == "generate"
        assert crash.request_id == "kill-me"
        kept = "".join(c.text for c in _chunks(delivered) if c.kind == "answer")
        assert crash.partial_answer == kept
        assert len(kept) >= 10
        assert engine.state == p.CRASHED
        assert not engine.is_alive()

        # A new load works afterwards.
        assert engine.load(tiny_model, p.LoadOptions(n_ctx=256))
        assert isinstance(engine.wait_for(p.Loaded, p.LoadFailed, timeout=120), p.Loaded)
        _, finished = _run(engine, _request("after-crash", max_tokens=8))
        assert finished.stats.generated_tokens == 8
    finally:
        engine.shutdown(wait=10)


def test_unload_ends_child(model_dir, tiny_model):
    engine = _new_client(model_dir, "unload")
    assert engine.load(tiny_model, p.LoadOptions(n_ctx=256))
    assert isinstance(engine.wait_for(p.Loaded, p.LoadFailed, timeout=120), p.Loaded)
    pid = engine.pid
    engine.unload()
    assert engine.state == p.IDLE
    before_unloaded: list = []
    assert isinstance(engine.wait_for(p.Unloaded, timeout=30, collect=before_unloaded), p.Unloaded)
    assert p.IDLE in [e.state for e in before_unloaded if isinstance(e, p.StateChanged)]
    assert not engine.is_alive()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    engine.shutdown()
    assert engine.state == p.STOPPED
    with pytest.raises(RuntimeError, match="shut down"):
        engine.load(tiny_model)


def _first_word(text: str, length: int = 4) -> str:
    import re

    match = re.search(r"[a-z]{%d,}" % length, text)
    assert match, text
    return match.group()


def test_filter_rewrites_streamed_text(client):
    events, _ = _run(client, _request("unfiltered", max_tokens=60))
    baseline = "".join(c.text for c in _chunks(events))
    word = _first_word(baseline)
    rule = {"id": "test-word", "kind": "term", "pattern": word, "action": "replace",
            "replacement": "[gone]", "whole_word": False}
    events, finished = _run(client, _request("filtered", max_tokens=60,
                                             filter_config={"rule_sets": [], "custom_rules": [rule]}))
    shown = "".join(c.text for c in _chunks(events))
    assert word not in shown.lower()
    assert "[gone]" in shown
    assert finished.stats.filter_events >= 1
    assert finished.stats.filter_seconds > 0
    applied = [e for e in events if isinstance(e, p.FilterApplied)]
    assert applied
    assert applied[0].events[0].rule_id == "test-word"


def test_filter_stop_ends_reply(client):
    events, _ = _run(client, _request("unfiltered-2", max_tokens=60))
    baseline = "".join(c.text for c in _chunks(events))
    word = _first_word(baseline)
    rule = {"id": "stop-word", "kind": "term", "pattern": word, "action": "stop", "whole_word": False}
    events, finished = _run(client, _request("stop-filter", max_tokens=60,
                                             filter_config={"rule_sets": [], "custom_rules": [rule]}))
    shown = "".join(c.text for c in _chunks(events))
    assert finished.stats.stop_reason == p.STOP_FILTER
    assert word not in shown.lower()
    assert baseline.startswith(shown)
    assert finished.stats.generated_tokens < 60


def test_invalid_filter_config_fails_request(client):
    client.generate(_request("bad-filter", filter_config={"rule_sets": ["no-such-set"], "custom_rules": []}))
    failed = client.wait_for(p.GenerateFailed, p.Finished, timeout=60)
    assert isinstance(failed, p.GenerateFailed)
    assert "no-such-set" in failed.message
    assert client.state == p.READY


def test_logs_reach_parent_and_file(model_dir, tiny_model, caplog):
    caplog.set_level(logging.INFO, logger="llmdesk")
    engine = _new_client(model_dir, "logging")
    try:
        assert engine.load(tiny_model, p.LoadOptions(n_ctx=256))
        events: list = []
        loaded = engine.wait_for(p.Loaded, p.LoadFailed, timeout=120, collect=events)
        assert isinstance(loaded, p.Loaded)
        progress = [e.fraction for e in events if isinstance(e, p.LoadProgress)]
        assert progress
        assert progress[-1] == 1.0
        _run(engine, _request("logged", max_tokens=4))
        # llama.cpp's own output went through the log callback into the engine's log file.
        text = engine.log_path.read_text(encoding="utf-8")
    finally:
        engine.shutdown(wait=10)
    assert "llmdesk.engine.llama_cpp: llama_model_loader:" in text
    forwarded = [r for r in caplog.records if r.name == "llmdesk.engine.worker"]
    assert any("Loaded" in r.getMessage() for r in forwarded)
    assert any("Request logged" in r.getMessage() for r in forwarded)
    # A clean shutdown removes the engine log file; its lines at INFO and above are in the app log.
    assert not engine.log_path.exists()


def test_load_replaces_generating_child(model_dir, bench_model, tiny_model):
    engine = _new_client(model_dir, "replace")
    try:
        assert engine.load(bench_model, p.LoadOptions(n_ctx=2048))
        assert isinstance(engine.wait_for(p.Loaded, p.LoadFailed, timeout=120), p.Loaded)
        old_pid = engine.pid
        engine.generate(_request("long", max_tokens=1500))
        engine.wait_for(p.TextChunk, timeout=60)

        assert engine.load(tiny_model, p.LoadOptions(n_ctx=256))
        assert engine.state == p.LOADING
        events: list = []
        loaded = engine.wait_for(p.Loaded, p.LoadFailed, p.EngineCrashed, timeout=120, collect=events)
        assert isinstance(loaded, p.Loaded)
        assert loaded.info.n_ctx == 256
        assert engine.pid != old_pid
        # The old child was gone before the new one loaded, and its end was no crash.
        with pytest.raises(ProcessLookupError):
            os.kill(old_pid, 0)
        assert not [e for e in events if isinstance(e, (p.EngineCrashed, p.Unloaded))]
        old_finished = [e for e in events if isinstance(e, p.Finished)]
        assert all(f.stats.stop_reason == p.STOP_CANCELLED for f in old_finished)
        _, finished = _run(engine, _request("after-replace", max_tokens=4))
        assert finished.stats.generated_tokens == 4
    finally:
        engine.shutdown(wait=10)


@pytest.mark.parametrize("flash_attn", [False, True])
def test_quantized_kv_cache_loads(model_dir, flash_attn):
    # q8_0 blocks hold 32 values, so the head dimension must be a multiple of 32.
    path = gguf_factory.write_tiny_llama(model_dir / "head32.gguf", n_embd=64, n_head=2, n_head_kv=1)
    engine = _new_client(model_dir, f"kv-{flash_attn}")
    try:
        assert engine.load(path, p.LoadOptions(n_ctx=256, kv_type="q8_0", flash_attn=flash_attn))
        loaded = engine.wait_for(p.Loaded, p.LoadFailed, p.EngineCrashed, timeout=120)
        assert isinstance(loaded, p.Loaded), loaded
        _, finished = _run(engine, _request("kv", max_tokens=6))
        assert finished.stats.generated_tokens == 6
    finally:
        engine.shutdown(wait=10)


def test_load_error_names_llama_cpp_reason(model_dir, tiny_model):
    engine = _new_client(model_dir, "kv-bad")
    try:
        # The tiny model's head dimension is 16, which q8_0's 32-value blocks do not divide.
        assert engine.load(tiny_model, p.LoadOptions(n_ctx=256, kv_type="q8_0", flash_attn=True))
        failure = engine.wait_for(p.LoadFailed, p.Loaded, p.EngineCrashed, timeout=120)
        assert isinstance(failure, p.LoadFailed)
        assert failure.kind == "load_error"
        assert "n_embd_head_k=16" in str(failure.message)
        assert engine.state == p.IDLE
        assert engine.is_alive()
    finally:
        engine.shutdown(wait=10)
