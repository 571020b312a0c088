"""``llm-desk models``: list the GGUF models in the model folders with the facts from their headers."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from llmdesk.core.download import format_bytes
from llmdesk.core.library import Library
from llmdesk.core.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "models", help="list the models on disk",
        description="List the GGUF models in the app's model folder, the Model folders setting and the "
                    "files added in place, read from their headers.")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    return parser


def format_params(count: int | None) -> str:
    """Return a parameter count as model cards write it: 212K, 135M, 1.2B, 71B; "?" when unknown."""
    if not count:
        return "?"
    scale, suffix = next(((s, x) for s, x in ((1e9, "B"), (1e6, "M")) if count >= s), (1e3, "K"))
    value = count / scale
    return f"{value:.1f}{suffix}" if value < 10 else f"{value:.0f}{suffix}"


def _no_models_message(folders: list) -> str:
    scanned = "\n".join(f"  {folder}" for folder in folders)
    return (f"No models found. Folders scanned:\n{scanned}\n"
            "To add one, run `llm-desk download BUILD --quant Q4_K_M` (`llm-desk fit` lists the build "
            "ids), put a .gguf file in one of these folders, or add a folder in the window under "
            "Settings > Models and fit advice > Model folders.")


def run(args: argparse.Namespace, stdout: TextIO | None = None) -> int:
    stdout = stdout or sys.stdout
    from llmdesk.core.catalog import load_catalog

    library = Library(Settings(), load_catalog())
    models = library.scan()
    if args.json:
        rows = [{
            "name": m.name, "path": str(m.path), "parts": [str(p) for p in m.parts], "size_bytes": m.size_bytes,
            "architecture": m.architecture, "n_params": m.n_params, "quantization": m.quantization,
            "context_length": m.context_length, "chat_template": m.has_chat_template, "ok": m.ok,
            "problem": str(m.problem) if m.problem else None,
            "build_id": m.build.id if m.build is not None else None,
        } for m in models]
        json.dump(rows, stdout, indent=2)
        stdout.write("\n")
        return 0
    if not models:
        print(_no_models_message(library.folders()), file=stdout)
        return 0
    print(render_models(models), file=stdout)
    return 0


def render_models(models: list) -> str:
    """Return a table of the models (name, catalog build, architecture, size, status), each with its path.

    The NAME column is what ``llm-desk chat NAME`` accepts in place of a path.
    """
    header = ("NAME", "BUILD", "ARCH", "PARAMS", "QUANT", "SIZE", "STATUS")
    rows = [(model.name, model.build.id if model.build is not None else "-", model.architecture or "?",
             format_params(model.n_params), model.quantization or "?", format_bytes(model.size_bytes),
             "ok" if model.ok else str(model.problem))
            for model in models]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)).rstrip()]
    for model, row in zip(models, rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        lines.append(f"    {model.path}")
    return "\n".join(lines)
