"""Tests of ``llm-desk chat``'s argument handling that need no engine: model names, context, GPU layers."""

from __future__ import annotations

import argparse

import gguf_factory
import pytest

from llmdesk.cli import chat as chat_cli
from llmdesk.core import paths


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="llm-desk")
    chat_cli.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["chat", *argv])


def _library_model(name: str, subfolder: str = ""):
    folder = paths.models_dir() / subfolder
    folder.mkdir(parents=True, exist_ok=True)
    return gguf_factory.write_tiny_llama(folder / f"{name}.gguf", seed=4)


@pytest.mark.parametrize("value", ["-2", "-7"])
def test_gpu_layers_below_minus_one_rejected(capsys, value):
    with pytest.raises(SystemExit) as exit_info:
        parse("model.gguf", "--gpu-layers", value)
    assert exit_info.value.code == 2
    assert f"must be -1 (all layers), 0 (none) or a layer count, got {value}" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["-1", "0", "12"])
def test_gpu_layers_valid_values(value):
    assert parse("model.gguf", "--gpu-layers", value).gpu_layers == int(value)


def test_existing_path_used_as_is(tmp_path):
    model = gguf_factory.write_tiny_llama(tmp_path / "elsewhere.gguf", seed=4)
    assert chat_cli.resolve_model(str(model)) == str(model)


def test_library_name_resolves_to_path():
    model = _library_model("tiny")
    assert chat_cli.resolve_model("tiny") == str(model.resolve())
    assert chat_cli.resolve_model("TINY") == str(model.resolve())


def test_unknown_name_points_to_models():
    _library_model("tiny")
    with pytest.raises(chat_cli.ModelNotFound, match="run `llm-desk models` to see model names and paths"):
        chat_cli.resolve_model("other")


def test_ambiguous_name_lists_paths():
    first = _library_model("tiny", "a")
    second = _library_model("tiny", "b")
    with pytest.raises(chat_cli.ModelNotFound) as error:
        chat_cli.resolve_model("tiny")
    assert "2 models are named 'tiny'" in str(error.value)
    assert str(first.resolve()) in str(error.value)
    assert str(second.resolve()) in str(error.value)


def test_trained_context_from_header(tmp_path):
    model = gguf_factory.write_tiny_llama(tmp_path / "tiny.gguf", seed=4)
    assert chat_cli.trained_context(str(model)) == 2048
    assert chat_cli.trained_context(str(tmp_path / "missing.gguf")) is None


def test_default_context_clamped_to_training():
    n_ctx, notice = chat_cli.choose_context(None, 4096, 2048)
    assert n_ctx == 2048
    assert "Context set to 2048 tokens, the length this model was trained for" in notice


def test_default_context_within_training_kept():
    assert chat_cli.choose_context(None, 4096, 8192) == (4096, None)


def test_explicit_context_beyond_training_warns():
    n_ctx, notice = chat_cli.choose_context(4096, 1024, 2048)
    assert n_ctx == 4096
    assert notice.startswith("Warning: --ctx 4096 is longer than the 2048 tokens")


def test_explicit_context_within_training_quiet():
    assert chat_cli.choose_context(1024, 4096, 2048) == (1024, None)


def test_unknown_training_length_keeps_context():
    assert chat_cli.choose_context(None, 4096, None) == (4096, None)
    assert chat_cli.choose_context(512, 4096, None) == (512, None)
