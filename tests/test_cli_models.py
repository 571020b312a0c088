"""Tests of ``llm-desk models``: the table, parameter counts and the message for an empty library."""

from __future__ import annotations

import argparse
import io
import json

import gguf_factory
import pytest

from llmdesk.cli import models as models_cli
from llmdesk.core import paths


def _run(*argv: str) -> str:
    parser = argparse.ArgumentParser(prog="llm-desk")
    models_cli.add_parser(parser.add_subparsers(dest="command"))
    out = io.StringIO()
    assert models_cli.run(parser.parse_args(["models", *argv]), stdout=out) == 0
    return out.getvalue()


@pytest.mark.parametrize("count, text", [
    (None, "?"),
    (0, "?"),
    (212_416, "212K"),
    (200_000, "200K"),
    (1_500, "1.5K"),
    (135_000_000, "135M"),
    (1_235_814_400, "1.2B"),
    (8_030_261_248, "8.0B"),
    (70_553_706_496, "71B"),
])
def test_params_format(count, text):
    assert models_cli.format_params(count) == text


def test_empty_library_says_how_to_add():
    text = _run()
    assert "No models found." in text
    assert str(paths.models_dir()) in text
    assert "llm-desk download BUILD --quant Q4_K_M" in text
    assert "Settings > Models" in text


def test_table_has_header_and_path():
    folder = paths.models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    model = gguf_factory.write_tiny_llama(folder / "tiny.gguf", seed=4)
    lines = _run().splitlines()
    assert lines[0].split() == ["NAME", "BUILD", "ARCH", "PARAMS", "QUANT", "SIZE", "STATUS"]
    row = lines[1].split()
    assert row[0] == "tiny"
    assert row[2] == "llama"
    assert row[3] == "212K"
    assert row[-1] == "ok"
    assert lines[2].strip() == str(model.resolve())


def test_json_lists_model():
    folder = paths.models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    gguf_factory.write_tiny_llama(folder / "tiny.gguf", seed=4)
    rows = json.loads(_run("--json"))
    assert [row["name"] for row in rows] == ["tiny"]
    assert rows[0]["n_params"] == 212_416
