"""Crash diagnosis and load options, without a child process."""

from __future__ import annotations

import signal

import pytest

from llmdesk.engine import protocol as p
from llmdesk.engine.client import diagnose_exit, read_tail


def test_sigkill_reads_as_out_of_memory():
    crash = diagnose_exit(-signal.SIGKILL, "generate", p.LoadOptions(n_gpu_layers=40), (),
                          request_id="r1", partial_answer="Hello wor")
    assert crash.probable_cause == "out of memory"
    assert crash.signal_name == "SIGKILL"
    assert crash.partial_answer == "Hello wor"
    assert crash.retry_options == p.LoadOptions(n_gpu_layers=20)
    assert "fewer GPU layers" in str(crash.message)


def test_allocation_failure_in_log_tail():
    tail = ("llama_model_load: loading tensors",
            "ggml_backend_cuda_buffer_type_alloc_buffer: allocating 9000.00 MiB on device 0: "
            "cudaMalloc failed: out of memory")
    crash = diagnose_exit(-signal.SIGABRT, "load", p.LoadOptions(n_gpu_layers=-1), tail)
    assert crash.probable_cause == "out of memory"
    assert crash.retry_options is not None
    assert crash.retry_options.n_gpu_layers == 16
    assert crash.log_tail == tail


def test_cpu_only_out_of_memory_suggests_shorter_context():
    crash = diagnose_exit(-signal.SIGKILL, "load", p.LoadOptions(n_gpu_layers=0, n_ctx=8192), ())
    assert crash.retry_options == p.LoadOptions(n_gpu_layers=0, n_ctx=4096)


def test_abort_during_load_means_damaged_file():
    crash = diagnose_exit(-signal.SIGABRT, "load", p.LoadOptions(), ("GGML_ASSERT(...) failed",))
    assert crash.probable_cause == "damaged model file"
    assert "may be damaged" in str(crash.message)
    assert crash.retry_options is None


def test_abort_during_reply():
    crash = diagnose_exit(-signal.SIGABRT, "generate", p.LoadOptions(), ())
    assert crash.probable_cause == "llama.cpp aborted"
    assert crash.signal_name == "SIGABRT"


def test_exit_before_ready():
    crash = diagnose_exit(1, "start", None, ())
    assert crash.probable_cause == "engine did not start"
    assert crash.signal_name is None


def test_windows_no_memory_status():
    crash = diagnose_exit(0xC0000017, "generate", p.LoadOptions(n_gpu_layers=10), ())
    assert crash.probable_cause == "out of memory"
    assert crash.retry_options.n_gpu_layers == 5


def test_read_tail_of_missing_file(tmp_path):
    assert read_tail(tmp_path / "none.log") == ()


def test_read_tail_keeps_last_lines(tmp_path):
    path = tmp_path / "engine.log"
    path.write_text("".join(f"line {i}\n" for i in range(100)), encoding="utf-8")
    assert read_tail(path, lines=3) == ("line 97", "line 98", "line 99")


def test_load_options_from_suggestion():
    suggestion = {"n_gpu_layers": 33, "n_ctx": 8192, "kv_type": "q8_0", "flash_attn": True, "speed": 12.0}
    options = p.LoadOptions.from_suggestion(suggestion, n_ctx=4096)  # "speed" is not a load option
    assert options.n_gpu_layers == 33
    assert options.n_ctx == 4096
    assert options.kv_type == "q8_0"
    assert options.flash_attn


def test_load_options_reject_bad_values():
    with pytest.raises(ValueError, match="kv_type"):
        p.LoadOptions(kv_type="q3")
    with pytest.raises(TypeError, match="unknown load option"):
        p.LoadOptions.from_suggestion({}, gpu_layers=3)


def test_generate_request_checks_messages():
    with pytest.raises(ValueError, match="last message"):
        p.GenerateRequest("r", [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}])
    with pytest.raises(ValueError, match="system_prompt"):
        p.GenerateRequest("r", [{"role": "system", "content": "a"}, {"role": "user", "content": "b"}])
    with pytest.raises(ValueError, match="at least one"):
        p.GenerateRequest("r", [])
