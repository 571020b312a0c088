"""Pick the quantization of a build that suits this machine, with the reason.

Preferences:
- ``quality``: the largest quantization that runs without closing programs and decodes at least
  ``MIN_USABLE_TPS`` tokens/s.
- ``speed``: the fastest quantization at or above ``SPEED_MIN_BITS`` bits per weight (Q4_K_M is about
  4.8), so speed is not bought with a badly degraded model. Among equally fast ones, the smaller.
- ``balanced``: among the same quantizations of at least ``SPEED_MIN_BITS``, the largest that runs
  fully on the GPU. Without a usable GPU, or when none fits on it, the largest that decodes at least
  ``BALANCED_MIN_TPS`` tokens/s and at least ``BALANCED_SPEED_SHARE`` of the fastest one's speed.
  When none is that fast, the ``speed`` choice.
Balanced and speed drop the bits-per-weight floor only when no quantization above it runs.
When nothing runs, a quantization that fits after closing programs is offered, else none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llmdesk.core.catalog_types import ModelBuild
from llmdesk.core.fit.devices import judge_hardware
from llmdesk.core.fit.estimate import estimate
from llmdesk.core.fit.explain import format_bytes, format_tps
from llmdesk.core.fit.memory import DEFAULT_N_UBATCH
from llmdesk.core.fit.results import FitResult, Placement
from llmdesk.core.hardware.profile import MachineProfile
from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage

CTX = "Fit"
PREFERENCES = ("speed", "balanced", "quality")

# Decode speeds below this feel broken in a chat (an assumption: about one word every 0.7 s).
MIN_USABLE_TPS = 2.0
# Roughly reading speed; the balanced choice keeps at least this when it cannot stay on the GPU.
BALANCED_MIN_TPS = 8.0
# Below about 4.5 bits per weight perplexity rises steeply for 7-8B models (Q3_K_M and smaller).
SPEED_MIN_BITS = 4.5
# Off the GPU, balanced gives up at most half the speed of the fastest choice for a larger file.
BALANCED_SPEED_SHARE = 0.5
# Estimated speeds within this ratio count as equal when the speed preference breaks ties.
SPEED_TIE_RATIO = 0.95


@dataclass
class Recommendation:
    """The chosen quantization for one build, why, and the estimate of every quantization."""

    build_id: str
    preference: str
    n_ctx: int
    kv_type: str
    chosen: FitResult | None
    reason: UserMessage
    results: list[FitResult] = field(default_factory=list)  # one per quantization, largest first

    @property
    def quant(self) -> str | None:
        return self.chosen.quant if self.chosen else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "build_id": self.build_id, "preference": self.preference, "n_ctx": self.n_ctx,
            "kv_type": self.kv_type, "quant": self.quant, "reason": str(self.reason),
            "chosen": self.chosen.to_dict() if self.chosen else None,
            "results": [r.to_dict() for r in self.results],
        }


def _bits_per_weight(build: ModelBuild, result: FitResult) -> float:
    variant = build.quant(result.quant) if result.quant else None
    if variant is not None and variant.bits_per_weight:
        return variant.bits_per_weight
    n_params = build.arch.n_params
    return result.file_size * 8 / n_params if n_params else 16.0


def _largest(results: list[FitResult]) -> FitResult | None:
    return max(results, key=lambda r: r.file_size, default=None)


def _fastest(results: list[FitResult]) -> FitResult | None:
    if not results:
        return None
    top = max(r.decode_tps or 0.0 for r in results)
    near_top = [r for r in results if (r.decode_tps or 0.0) >= top * SPEED_TIE_RATIO]
    return min(near_top, key=lambda r: r.file_size)


def _format_below(tps: float, target: float) -> tuple[str, str]:
    """Format ``tps`` and a larger ``target`` with as many decimals as it takes to tell them apart.

    ``format_tps`` alone would print 7.97 against 8.0 as "8.0" for both.
    """
    tps_text, target_text = format_tps(tps), format_tps(target)
    decimals = 1
    while tps_text == target_text and decimals < 4:
        decimals += 1
        tps_text, target_text = f"{tps:.{decimals}f}", f"{target:.{decimals}f}"
    return tps_text, target_text


def _choose(preference: str, runs: list[FitResult], build: ModelBuild, has_gpu: bool
            ) -> tuple[FitResult | None, UserMessage | None]:
    if preference == "quality":
        usable = [r for r in runs if (r.decode_tps or 0.0) >= MIN_USABLE_TPS]
        chosen = _largest(usable)
        if chosen is not None:
            return chosen, UserMessage(CTX, QT_TRANSLATE_NOOP(
                CTX, "{quant} is the largest quantization that fits ({need} needed) and still decodes "
                     "about {tps} tokens/s."),
                quant=chosen.quant, need=format_bytes(chosen.memory.total), tps=format_tps(chosen.decode_tps))
        return None, None

    # Balanced and speed choose among quantizations of at least SPEED_MIN_BITS when any of them runs.
    above_floor = [r for r in runs if _bits_per_weight(build, r) >= SPEED_MIN_BITS]
    candidates = above_floor or runs
    fastest = _fastest(candidates)
    if fastest is None:
        return None, None
    floor_text = f"{SPEED_MIN_BITS:g}" if above_floor else "0"

    if preference == "balanced":
        on_gpu = _largest([r for r in candidates if r.placement == Placement.FULL_GPU])
        if on_gpu is not None and on_gpu.memory.gpu is not None:
            return on_gpu, UserMessage(CTX, QT_TRANSLATE_NOOP(
                CTX, "{quant} is the largest quantization that runs fully on the GPU: it needs {need} of "
                     "{free}, about {tps} tokens/s."),
                quant=on_gpu.quant, need=format_bytes(on_gpu.memory.gpu.total),
                free=format_bytes(on_gpu.memory.gpu.available), tps=format_tps(on_gpu.decode_tps))
        target = max(BALANCED_MIN_TPS, BALANCED_SPEED_SHARE * (fastest.decode_tps or 0.0))
        fast_enough = _largest([r for r in candidates if (r.decode_tps or 0.0) >= target])
        if fast_enough is not None:
            template = (QT_TRANSLATE_NOOP(CTX, "No quantization fits fully on the GPU; {quant} is the largest "
                                               "that still decodes about {tps} tokens/s.")
                        if has_gpu else
                        QT_TRANSLATE_NOOP(CTX, "{quant} is the largest quantization that still decodes about "
                                               "{tps} tokens/s on this machine."))
            return fast_enough, UserMessage(CTX, template, quant=fast_enough.quant,
                                            tps=format_tps(fast_enough.decode_tps))
        tps_text, target_text = _format_below(fastest.decode_tps or 0.0, target)
        return fastest, UserMessage(CTX, QT_TRANSLATE_NOOP(
            CTX, "No quantization of at least {bits} bits per weight reaches {target} tokens/s here; {quant} "
                 "is the fastest, about {tps} tokens/s."),
            bits=floor_text, target=target_text, quant=fastest.quant, tps=tps_text)

    return fastest, UserMessage(CTX, QT_TRANSLATE_NOOP(
        CTX, "{quant} gives the highest speed, about {tps} tokens/s, among quantizations of at least "
             "{bits} bits per weight."),
        quant=fastest.quant, tps=format_tps(fastest.decode_tps), bits=floor_text)


def recommend(build: ModelBuild, profile: MachineProfile, n_ctx: int = 4096, preference: str = "balanced",
              kv_type: str = "f16", flash_attn: bool = False,
              n_ubatch: int = DEFAULT_N_UBATCH) -> Recommendation:
    """Estimate every quantization of ``build`` and choose one for ``preference``.

    Raises ValueError for an unknown preference, a build without quantizations, or the inputs
    ``estimate`` rejects.
    """
    if preference not in PREFERENCES:
        raise ValueError(f"unknown preference {preference!r}; use one of {', '.join(PREFERENCES)}")
    if not build.quants:
        raise ValueError(f"{build.id} lists no quantizations to choose from")

    variants = sorted(build.quants, key=lambda q: q.size_bytes, reverse=True)
    results = [estimate(build, v, profile, n_ctx, kv_type, flash_attn, n_ubatch) for v in variants]
    runs = [r for r in results if r.placement.runs]
    has_gpu = judge_hardware(profile).gpu is not None

    chosen, reason = _choose(preference, runs, build, has_gpu)
    if chosen is None:
        tight = [r for r in results if r.placement == Placement.TIGHT]
        smallest = min(results, key=lambda r: r.file_size)
        if tight:
            chosen = min(tight, key=lambda r: r.file_size)
            reason = UserMessage(CTX, QT_TRANSLATE_NOOP(
                CTX, "Only {quant} comes close: it needs {need}, so it fits only if you close other programs."),
                quant=chosen.quant, need=format_bytes(chosen.memory.host.total))
        elif runs:
            chosen = _fastest(runs)
            reason = UserMessage(CTX, QT_TRANSLATE_NOOP(
                CTX, "{quant} fits but decodes only about {tps} tokens/s on this machine."),
                quant=chosen.quant, tps=format_tps(chosen.decode_tps))
        else:
            reason = UserMessage(CTX, QT_TRANSLATE_NOOP(
                CTX, "No quantization fits: even {quant} needs {need} at {n_ctx} tokens, more than this "
                     "machine has."),
                quant=smallest.quant, need=format_bytes(smallest.memory.total), n_ctx=n_ctx)
    return Recommendation(build_id=build.id, preference=preference, n_ctx=n_ctx, kv_type=kv_type,
                          chosen=chosen, reason=reason, results=results)
