"""Tests of ``llm-desk fit`` on built profiles and catalog records, and once on this machine."""

from __future__ import annotations

import argparse
import dataclasses
import io
import json

import pytest

from llmdesk.cli import fit as fit_cli
from test_fit import LLAMA_8B_SIZES, cpu_only_pc, llama_8b, mistral_7b, nvidia_pc


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="llm-desk")
    fit_cli.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["fit", *argv])


def run_fit(profile, builds, *argv: str) -> str:
    out = io.StringIO()
    assert fit_cli.run_with(parse(*argv), profile, builds, out=out) == 0
    return out.getvalue()


def test_table_lists_each_build():
    text = run_fit(nvidia_pc(free_gib=10.5), [llama_8b(), mistral_7b()], "--ctx", "8192")
    lines = text.splitlines()
    assert lines[0].startswith("Judged against: NVIDIA GeForce RTX 3060 (CUDA), 10.5 GiB free of 12.0 GiB")
    assert "Context 8192 tokens, KV cache f16, recommendation: balanced" in text
    header = next(line for line in lines if line.startswith("Build"))
    assert header.split() == ["Build", "Quant", "File", "Needs", "Verdict", "Tok/s"]
    llama_row = next(line for line in lines if line.startswith("llama-3.1-8b-instruct"))
    assert "Q8_0" in llama_row
    assert "Runs on the GPU" in llama_row


def test_table_defaults_from_settings():
    text = run_fit(cpu_only_pc(), [llama_8b()])
    assert "Context 4096 tokens, KV cache f16, recommendation: balanced" in text
    assert "no GPU used" in text.splitlines()[0]


def test_table_footnote_for_no_fit():
    text = run_fit(cpu_only_pc(ram_gib=2, ram_available_gib=1), [llama_8b()])
    row = next(line for line in text.splitlines() if line.startswith("llama-3.1-8b-instruct "))
    assert "Does not fit" in row
    assert "llama-3.1-8b-instruct: No quantization fits" in text


def test_quant_option_judges_that_file():
    text = run_fit(nvidia_pc(free_gib=10.5), [llama_8b(), mistral_7b()], "--quant", "Q6_K")
    llama_row = next(line for line in text.splitlines() if line.startswith("llama-3.1-8b-instruct"))
    mistral_row = next(line for line in text.splitlines() if line.startswith("mistral-7b-instruct"))
    assert "Q6_K" in llama_row
    assert "not listed" in mistral_row
    assert "mistral-7b-instruct-v0.1: no Q6_K file in the catalog" in text


def test_family_filter_and_unknown_family():
    text = run_fit(cpu_only_pc(), [llama_8b(), mistral_7b()], "--family", "mistral")
    assert "mistral-7b-instruct-v0.1" in text
    assert "llama-3.1-8b-instruct" not in text
    with pytest.raises(fit_cli.FitCommandError, match="Llama, Mistral"):
        fit_cli.run_with(parse("--family", "Qwen"), cpu_only_pc(), [llama_8b(), mistral_7b()],
                         out=io.StringIO())


def test_json_output_for_scripts():
    text = run_fit(nvidia_pc(free_gib=10.5), [llama_8b()], "--json", "--ctx", "8192", "--kv", "q8_0",
                   "--prefer", "speed")
    data = json.loads(text)
    assert data["n_ctx"] == 8192
    assert data["kv_type"] == "q8_0"
    assert data["preference"] == "speed"
    result = data["builds"][0]["result"]
    assert result["quant"] == "Q4_K_M"
    assert result["placement"] == "full_gpu"
    assert result["memory"]["kv_cache"] == (1024**3 // 2) * 34 // 32
    assert result["settings"]["n_gpu_layers"] == 33


def test_explain_prints_working_and_finetune():
    text = run_fit(nvidia_pc(free_gib=10.5), [llama_8b()], "--explain", "LLAMA-3.1-8B-Instruct")
    assert "Weights " in text
    assert "KV cache: 32 layers x 4096 tokens" in text
    assert "Load settings: n_gpu_layers=33" in text
    assert "QLoRA:" in text
    for quant in LLAMA_8B_SIZES:
        assert any(line.startswith(quant + " ") for line in text.splitlines())


def test_explain_json():
    data = json.loads(run_fit(cpu_only_pc(), [llama_8b()], "--explain", "llama-3.1-8b-instruct",
                              "--quant", "Q8_0", "--json"))
    assert data["detailed"]["quant"] == "Q8_0"
    assert [f["method"] for f in data["finetune"]] == ["full", "lora", "qlora"]
    assert len(data["recommendation"]["results"]) == len(LLAMA_8B_SIZES)


def test_explain_unknown_build_suggests_ids():
    with pytest.raises(fit_cli.FitCommandError, match="llama-3.1-8b-instruct"):
        fit_cli.run_with(parse("--explain", "llama-3.1-8b"), cpu_only_pc(), [llama_8b()], out=io.StringIO())


@pytest.mark.parametrize("value", ["0", "1", "255"])
def test_context_below_minimum_rejected(capsys, value):
    with pytest.raises(SystemExit) as exit_info:
        parse("--ctx", value)
    assert exit_info.value.code == 2
    assert f"must be at least 256 tokens, got {value}" in capsys.readouterr().err


def test_context_minimum_accepted():
    assert parse("--ctx", "256").ctx == 256


def test_help_states_context_minimum(capsys):
    with pytest.raises(SystemExit):
        parse("--help")
    assert "at least 256" in capsys.readouterr().out


def test_unknown_quant_rejected(capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse("--quant", "Q9_Z")
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "unknown quantization 'Q9_Z'" in err
    assert "Q4_K_M" in err


def test_quant_name_any_case():
    assert parse("--quant", "q4_k_m").quant == "Q4_K_M"


def test_context_beyond_training_marked():
    # Mistral 7B was trained for 32768 tokens, Llama 3.1 8B for 131072.
    text = run_fit(cpu_only_pc(ram_gib=256, ram_available_gib=240), [llama_8b(), mistral_7b()],
                   "--ctx", "65536")
    lines = text.splitlines()
    mistral_row = next(line for line in lines if line.startswith("mistral-7b-instruct"))
    llama_row = next(line for line in lines if line.startswith("llama-3.1-8b-instruct"))
    assert "Runs on the CPU !" in mistral_row
    assert "!" not in llama_row
    footnote = next(line for line in lines if line.startswith("! "))
    assert "65536 tokens is longer than the context these models were trained for" in footnote
    assert "mistral-7b-instruct-v0.1 (32768)" in footnote
    assert "llama-3.1-8b-instruct" not in footnote


def test_context_within_training_unmarked():
    text = run_fit(cpu_only_pc(), [llama_8b(), mistral_7b()], "--ctx", "32768")
    assert not any(line.startswith("! ") for line in text.splitlines())
    assert "Runs on the CPU !" not in text


def test_context_beyond_training_json():
    data = json.loads(run_fit(cpu_only_pc(), [llama_8b(), mistral_7b()], "--ctx", "65536", "--json"))
    by_id = {entry["id"]: entry for entry in data["builds"]}
    assert by_id["mistral-7b-instruct-v0.1"]["ctx_beyond_training"] is True
    assert by_id["mistral-7b-instruct-v0.1"]["n_ctx_train"] == 32768
    assert by_id["llama-3.1-8b-instruct"]["ctx_beyond_training"] is False


def test_context_beyond_training_explain():
    text = run_fit(cpu_only_pc(), [mistral_7b()], "--explain", "mistral-7b-instruct-v0.1", "--ctx", "65536")
    assert "longer than the 32768 this model was trained for" in text
    data = json.loads(run_fit(cpu_only_pc(), [mistral_7b()], "--explain", "mistral-7b-instruct-v0.1",
                              "--ctx", "65536", "--json"))
    assert data["ctx_beyond_training"] is True


def test_slow_reason_numbers_differ():
    # Scale the RAM bandwidth so that Mistral's only quantization decodes just under the 8 tokens/s
    # target, where one decimal would print both speeds as 8.0.
    from llmdesk.core.fit import recommend

    profile = cpu_only_pc()
    first = recommend(mistral_7b(), profile, 4096, "balanced")
    profile = dataclasses.replace(profile, ram_bandwidth=profile.ram_bandwidth * 7.97 / first.chosen.decode_tps)
    rec = recommend(mistral_7b(), profile, 4096, "balanced")
    assert 7.95 <= rec.chosen.decode_tps < 8.0
    reason = str(rec.reason)
    assert reason.startswith("No quantization of at least 4.5 bits per weight reaches 8.00 tokens/s")
    assert f"about {rec.chosen.decode_tps:.2f} tokens/s" in reason
    assert "about 8.0 tokens/s" not in reason


def test_runs_on_this_machine(capsys):
    # Real hardware detection and the shipped catalog, as a user runs it.
    pytest.importorskip("llmdesk.core.hardware")
    pytest.importorskip("llmdesk.core.catalog")
    assert fit_cli.run(parse("--json")) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["hardware"].startswith("Judged against:")
    assert data["builds"]
    assert all(entry["result"] is None or entry["result"]["memory"]["total"] > 0 for entry in data["builds"])


def test_gpu_override_setting_reaches_estimate(capsys):
    pytest.importorskip("llmdesk.core.hardware")
    from llmdesk.core.settings import Settings

    settings = Settings()
    settings.set("override_vram_gib", 8.0)
    settings.save()
    assert fit_cli.run(parse("--json", "--family", "Llama")) == 0
    data = json.loads(capsys.readouterr().out)
    assert "8.0 GiB free" in data["hardware"]
    assert any(entry["result"] and entry["result"]["n_gpu_layers"] > 0 for entry in data["builds"])
