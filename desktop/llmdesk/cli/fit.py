"""``llm-desk fit``: which quantization of each catalog model fits this machine, and how fast it runs."""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TextIO

from llmdesk.cli._args import int_at_least
from llmdesk.core.catalog import KNOWN_QUANTS
from llmdesk.core.catalog_types import ModelBuild
from llmdesk.core.fit import (
    PREFERENCES,
    FinetuneEstimate,
    FitResult,
    Recommendation,
    estimate,
    finetune_advice,
    format_bytes,
    recommend,
)
from llmdesk.core.fit.devices import judge_hardware
from llmdesk.core.fit.explain import format_tps
from llmdesk.core.fit.memory import KV_BYTES_PER_ELEMENT
from llmdesk.core.fit.results import Placement
from llmdesk.core.hardware.profile import MachineProfile
from llmdesk.core.settings import Settings

log = logging.getLogger(__name__)


class FitCommandError(Exception):
    """An input or environment problem, reported as one line and exit status 2."""


# Shorter contexts leave no room for a chat template, a system prompt and a question.
MIN_CONTEXT = 256


_context_length = int_at_least(MIN_CONTEXT, "tokens")


def _quant_name(text: str) -> str:
    name = text.upper()
    if name not in KNOWN_QUANTS:
        raise argparse.ArgumentTypeError(
            f"unknown quantization {text!r}; expected one of {', '.join(sorted(KNOWN_QUANTS))}")
    return name


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "fit", help="show which model quantizations fit this machine",
        description="Estimate memory and speed of each catalog model on this machine and recommend a "
                    "quantization. Defaults come from your settings.")
    parser.add_argument("--ctx", type=_context_length, metavar="N",
                        help=f"context length in tokens, at least {MIN_CONTEXT} (default: the Default "
                             f"context length setting)")
    parser.add_argument("--family", metavar="F", help="only models of this family, e.g. Llama")
    parser.add_argument("--quant", metavar="Q", type=_quant_name,
                        help="judge this quantization (e.g. Q4_K_M) instead of recommending one")
    parser.add_argument("--kv", choices=tuple(KV_BYTES_PER_ELEMENT), help="KV cache element type")
    parser.add_argument("--prefer", choices=PREFERENCES, help="what the recommendation favours")
    parser.add_argument("--flash-attn", action="store_true",
                        help="assume flash attention, which shrinks the compute buffers")
    parser.add_argument("--explain", metavar="BUILD", help="print the full working for one model id")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    return parser


@dataclass
class FitOptions:
    n_ctx: int
    kv_type: str
    preference: str
    flash_attn: bool
    quant: str | None = None


@dataclass
class Row:
    """One line of the table: a build and the estimate shown for it."""

    build: ModelBuild
    result: FitResult | None
    note: str  # the recommendation's reason, or why no estimate is shown
    verdict: str = ""  # table text when ``result`` is None
    beyond_training: bool = False  # the context is longer than the build was trained for


def beyond_training(build: ModelBuild, n_ctx: int) -> bool:
    """Return whether ``n_ctx`` exceeds the build's trained context length (unknown counts as no)."""
    return 0 < build.arch.n_ctx_train < n_ctx


def describe_hardware(profile: MachineProfile) -> str:
    """Return one line naming the memory and devices the estimates were judged against."""
    hardware = judge_hardware(profile)
    ram = f"RAM {format_bytes(hardware.ram_available)} available of {format_bytes(hardware.ram_total)}"
    cpu = f"{hardware.physical_cores} CPU cores ({profile.cpu.model})"
    if hardware.gpu is None:
        reason = f" ({hardware.cpu_only_reason})" if hardware.cpu_only_reason else ""
        return f"Judged against: {ram}, {cpu}; no GPU used{reason}"
    if hardware.unified:
        gpu = (f"{hardware.gpu_name} ({hardware.backend}), shared memory, up to "
               f"{format_bytes(hardware.gpu_budget)} for the GPU")
    else:
        total = format_bytes(hardware.gpu_total) if hardware.gpu_total is not None else "unknown"
        gpu = (f"{hardware.gpu_name} ({hardware.backend}), {format_bytes(hardware.gpu_budget)} free "
               f"of {total}")
    return f"Judged against: {gpu}; {ram}; {cpu}"


def _verdict(result: FitResult) -> str:
    if result.placement == Placement.PARTIAL_GPU:
        return f"{result.placement.label} ({result.n_gpu_layers}/{result.n_layers_total} layers)"
    return result.placement.label


def build_rows(builds: Iterable[ModelBuild], profile: MachineProfile, options: FitOptions) -> list[Row]:
    """Estimate every build: the recommended quantization, or ``options.quant`` when given."""
    rows = []
    for build in builds:
        row = _build_row(build, profile, options)
        row.beyond_training = beyond_training(build, options.n_ctx)
        rows.append(row)
    return rows


def _build_row(build: ModelBuild, profile: MachineProfile, options: FitOptions) -> Row:
    if options.quant:
        variant = build.quant(options.quant)
        if variant is None:
            return Row(build, None, f"no {options.quant} file in the catalog", "not listed")
        result = estimate(build, variant, profile, options.n_ctx, options.kv_type, options.flash_attn)
        return Row(build, result, "\n".join(str(line) for line in result.explanation[:1]))
    if not build.quants:
        return Row(build, None, "no quantizations listed", "not listed")
    rec = recommend(build, profile, options.n_ctx, options.preference, options.kv_type,
                    options.flash_attn)
    return Row(build, rec.chosen, str(rec.reason), Placement.NO_FIT.label)


def _format_table(header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    widths = [max(len(header[i]), *(len(row[i]) for row in body)) if body else len(header[i])
              for i in range(len(header))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for row in body:
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    return "\n".join(lines)


def render_table(rows: Sequence[Row], n_ctx: int) -> str:
    """Return the summary table (build, quantization, file size, memory needed, verdict, tokens/s).

    Builds without an estimate are listed again below the table with the reason. A "!" after the
    verdict marks a build whose trained context length is shorter than ``n_ctx``.
    """
    header = ("Build", "Quant", "File", "Needs", "Verdict", "Tok/s")
    body = []
    footnotes = []
    for row in rows:
        result = row.result
        mark = " !" if row.beyond_training else ""
        if result is None:
            body.append((row.build.id, "-", "-", "-", (row.verdict or "-") + mark, "-"))
            footnotes.append(f"{row.build.id}: {row.note}")
            continue
        body.append((row.build.id, result.quant or "-", format_bytes(result.file_size),
                     format_bytes(result.memory.total), _verdict(result) + mark,
                     format_tps(result.decode_tps)))
    text = _format_table(header, body)
    beyond = [f"{row.build.id} ({row.build.arch.n_ctx_train})" for row in rows if row.beyond_training]
    if beyond:
        footnotes.append(f"! {n_ctx} tokens is longer than the context these models were trained for, "
                         f"so answers degrade past that length: {', '.join(beyond)}")
    if footnotes:
        text += "\n\n" + "\n".join(footnotes)
    return text


def render_explain(build: ModelBuild, recommendation: Recommendation, detailed: FitResult | None,
                   finetune: Sequence[FinetuneEstimate]) -> str:
    """Return the full working for one build: every quantization, the choice, its arithmetic."""
    header = ("Quant", "File", "Needs", "GPU layers", "Verdict", "Tok/s", "Prompt tok/s")
    body = [(r.quant or "-", format_bytes(r.file_size), format_bytes(r.memory.total),
             f"{r.n_gpu_layers}/{r.n_layers_total}", _verdict(r), format_tps(r.decode_tps),
             format_tps(r.prompt_tps))
            for r in recommendation.results]
    parts = [f"{build.name} ({build.id}), {recommendation.n_ctx} tokens, KV cache {recommendation.kv_type}"]
    if beyond_training(build, recommendation.n_ctx):
        parts.append(f"Note: {recommendation.n_ctx} tokens is longer than the {build.arch.n_ctx_train} this "
                     f"model was trained for, so answers degrade past that length.")
    parts += ["", _format_table(header, body), "",
             f"Recommended ({recommendation.preference}): {recommendation.quant or 'none'}. "
             f"{recommendation.reason}"]
    if detailed is not None:
        settings = detailed.settings
        parts += ["", f"Working for {detailed.quant}:", detailed.explain(), "",
                  f"Load settings: n_gpu_layers={settings.n_gpu_layers} n_ctx={settings.n_ctx} "
                  f"n_threads={settings.n_threads} type_k/type_v={settings.kv_type} "
                  f"flash_attn={settings.flash_attn} n_ubatch={settings.n_ubatch}"]
    if finetune:
        parts += ["", "Fine-tuning (needs the original weights, not GGUF):"]
        for entry in finetune:
            parts += [f"  {line}" for line in entry.explanation]
    return "\n".join(parts)


def find_build(builds: Sequence[ModelBuild], build_id: str) -> ModelBuild:
    """Return the build whose id matches ``build_id`` (any case); raise FitCommandError naming close ids."""
    for build in builds:
        if build.id.lower() == build_id.lower():
            return build
    ids = [b.id for b in builds]
    containing = [i for i in ids if build_id.lower() in i.lower()]
    close = containing[:3] or difflib.get_close_matches(build_id.lower(), ids, n=3, cutoff=0.4)
    hint = f" Did you mean {', '.join(close)}?" if close else " Run `llm-desk fit` to list the ids."
    raise FitCommandError(f"no model with id {build_id!r} in the catalog.{hint}")


def filter_family(builds: Sequence[ModelBuild], family: str) -> list[ModelBuild]:
    """Return the builds of ``family`` (any case); raise FitCommandError listing the families."""
    chosen = [b for b in builds if b.family.lower() == family.lower()]
    if not chosen:
        families = ", ".join(sorted({b.family for b in builds})) or "none"
        raise FitCommandError(f"no models of family {family!r}; the catalog has: {families}")
    return chosen


def _load_profile(settings: Settings) -> MachineProfile:
    try:
        from llmdesk.core.hardware import detect
    except ImportError as exc:
        raise FitCommandError(f"hardware detection is not available in this installation ({exc})") from exc
    # Without the llama.cpp child probe detection takes well under a second. The price is that
    # whether llama.cpp can use the GPU stays unchecked, which the explanation notes.
    return detect(settings, query_llama=False)


def _load_builds() -> list[ModelBuild]:
    try:
        from llmdesk.core.catalog import load_catalog
    except ImportError as exc:
        raise FitCommandError(f"the model catalog is not available in this installation ({exc})") from exc
    try:
        catalog = load_catalog()
    except (OSError, ValueError) as exc:
        raise FitCommandError(f"could not load the model catalog: {exc}") from exc
    errors = getattr(catalog, "errors", [])
    if errors:
        print(f"llm-desk fit: the catalog has {len(errors)} problems; entries with errors are skipped "
              f"(run with -v to see them)", file=sys.stderr)
    return list(catalog.builds)


def _options(args: argparse.Namespace, settings: Settings) -> FitOptions:
    return FitOptions(
        n_ctx=args.ctx or int(settings.get("default_context")),
        kv_type=args.kv or settings.get("kv_cache_type"),
        preference=args.prefer or settings.get("fit_preference"),
        flash_attn=bool(args.flash_attn), quant=args.quant)


def run_with(args: argparse.Namespace, profile: MachineProfile, builds: Sequence[ModelBuild],
             out: TextIO | None = None) -> int:
    """Run the command on a given profile and catalog, writing to ``out`` (default: sys.stdout).

    ``run`` supplies the detected profile and the shipped catalog. Raises FitCommandError for an
    unknown build id or family, and ValueError for an unknown quantization.
    """
    out = out if out is not None else sys.stdout
    options = _options(args, Settings())
    if args.explain:
        build = find_build(builds, args.explain)
        rec = recommend(build, profile, options.n_ctx, options.preference, options.kv_type,
                        options.flash_attn)
        detailed = rec.chosen
        if options.quant:
            detailed = estimate(build, options.quant, profile, options.n_ctx, options.kv_type,
                             options.flash_attn)
        finetune = finetune_advice(build, profile)
        if args.json:
            json.dump({"hardware": describe_hardware(profile), "recommendation": rec.to_dict(),
                       "n_ctx_train": build.arch.n_ctx_train,
                       "ctx_beyond_training": beyond_training(build, options.n_ctx),
                       "detailed": detailed.to_dict() if detailed else None,
                       "finetune": [f.to_dict() for f in finetune]}, out, indent=2)
            out.write("\n")
        else:
            out.write(describe_hardware(profile) + "\n\n")
            out.write(render_explain(build, rec, detailed, finetune) + "\n")
        return 0

    if args.family:
        builds = filter_family(builds, args.family)
    rows = build_rows(builds, profile, options)
    if args.json:
        json.dump({
            "hardware": describe_hardware(profile), "n_ctx": options.n_ctx, "kv_type": options.kv_type,
            "preference": options.preference, "flash_attn": options.flash_attn,
            "builds": [{"id": row.build.id, "family": row.build.family, "note": row.note,
                        "n_ctx_train": row.build.arch.n_ctx_train,
                        "ctx_beyond_training": row.beyond_training,
                        "result": row.result.to_dict() if row.result else None} for row in rows],
        }, out, indent=2)
        out.write("\n")
        return 0
    out.write(describe_hardware(profile) + "\n")
    mode = options.quant if options.quant else f"recommendation: {options.preference}"
    out.write(f"Context {options.n_ctx} tokens, KV cache {options.kv_type}, {mode}\n\n")
    out.write(render_table(rows, options.n_ctx) + "\n")
    return 0


def run(args: argparse.Namespace) -> int:
    try:
        return run_with(args, _load_profile(Settings()), _load_builds())
    except (FitCommandError, ValueError) as exc:
        print(f"llm-desk fit: {exc}", file=sys.stderr)
        return 2
