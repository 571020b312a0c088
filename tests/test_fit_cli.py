"""Tests of ``llm-desk fit`` on built profiles and catalog records, and once on this machine."""

from __future__ import annotations

import argparse
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


def test_context_must_be_positive(capsys):
    with pytest.raises(SystemExit):
        parse("--ctx", "0")
    assert "must be at least 1" in capsys.readouterr().err


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
