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


def _params(count: int | None) -> str:
    if not count:
        return "?"
    return f"{count / 1e9:.1f}B" if count >= 1e9 else f"{count / 1e6:.0f}M"


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
        folders = ", ".join(str(f) for f in library.folders())
        print(f"No models found in {folders}.", file=stdout)
        return 0
    for model in models:
        status = "ok" if model.ok else str(model.problem)
        build = f" [{model.build.id}]" if model.build is not None else ""
        print(f"{model.name}{build}  {model.architecture or '?'} {_params(model.n_params)} "
              f"{model.quantization or '?'}  {format_bytes(model.size_bytes)}  {status}", file=stdout)
        print(f"    {model.path}", file=stdout)
    return 0
