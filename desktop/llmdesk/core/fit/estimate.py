"""The fit estimate: place a model's layers on this machine's devices and predict its speed.

``estimate`` takes a catalog build and one of its quantizations; ``estimate_facts`` takes the
architecture facts and sizes read from any GGUF header. Both return a ``FitResult`` that carries every
number it was judged on and an explanation the UI can translate.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from itertools import accumulate
from typing import TYPE_CHECKING

from llmdesk.core.catalog_types import ArchFacts, ModelBuild, QuantVariant
from llmdesk.core.fit import explain
from llmdesk.core.fit.devices import (
    CPU_BANDWIDTH_PER_THREAD,
    CPU_DECODE_EFFICIENCY,
    CPU_PROMPT_EFFICIENCY,
    CPU_SECONDS_PER_LAYER,
    CPU_SECONDS_PER_TOKEN,
    GPU_DECODE_EFFICIENCY,
    GPU_PROMPT_EFFICIENCY,
    GPU_SECONDS_PER_LAYER,
    GPU_SECONDS_PER_TOKEN,
    Hardware,
    judge_hardware,
)
from llmdesk.core.fit.memory import (
    DEFAULT_N_UBATCH,
    HOST_PROCESS_OVERHEAD,
    MARGIN_FRACTION,
    WeightSplit,
    compute_buffer,
    host_compute_bytes,
    kv_bytes_per_element,
    kv_cache_per_layer,
    safety_margin,
    split_weights,
)
from llmdesk.core.fit.results import (
    DeviceMemory,
    FitResult,
    LoadSettings,
    MemoryBreakdown,
    Placement,
    SpeedEstimate,
)
from llmdesk.core.hardware.profile import MachineProfile
from llmdesk.core.i18n import QT_TRANSLATE_NOOP

if TYPE_CHECKING:
    from llmdesk.core.gguf_meta import GGUFHeader

log = logging.getLogger(__name__)

RAM_LABEL = QT_TRANSLATE_NOOP("Fit", "RAM")


def active_layer_share(facts: ArchFacts) -> float:
    """Return the share of layer weights a token reads: 1 for dense models, less for MoE.

    The vocabulary tables (2 x n_vocab x n_embd parameters) are left out on both sides, because a
    token reads one embedding row and the whole output layer whether the model is MoE or not.
    """
    if not facts.n_active_params or facts.n_active_params >= facts.n_params:
        return 1.0
    tables = 2 * facts.n_vocab * facts.n_embd
    active = facts.n_active_params - tables
    total = facts.n_params - tables
    if active <= 0 or total <= 0:
        return facts.n_active_params / facts.n_params
    return active / total


class _Layout:
    """Per-device memory for every n_gpu_layers value, using prefix sums over the layers."""

    def __init__(self, facts: ArchFacts, split: WeightSplit, kv_layers: list[int], hardware: Hardware,
                 n_ctx: int, flash_attn: bool, n_ubatch: int) -> None:
        self.facts = facts
        self.split = split
        self.hardware = hardware
        self.n_layer = facts.n_layer
        self.weight_prefix = [0, *accumulate(split.layers)]
        self.kv_prefix = [0, *accumulate(kv_layers)]
        self.compute = compute_buffer(facts, n_ctx, flash_attn, n_ubatch).total
        self.host_compute_small = host_compute_bytes(facts, n_ubatch)

    def gpu(self, n_gpu_layers: int) -> DeviceMemory | None:
        if n_gpu_layers == 0:
            return None
        first = self.n_layer - min(n_gpu_layers, self.n_layer)
        weights = self.weight_prefix[-1] - self.weight_prefix[first]
        if n_gpu_layers > self.n_layer:
            weights += self.split.output
        kv = self.kv_prefix[-1] - self.kv_prefix[first]
        overhead = self.hardware.backend_overhead
        margin = safety_margin(weights + kv + self.compute + overhead)
        return DeviceMemory("gpu", weights, kv, self.compute, overhead, margin, self.hardware.gpu_budget)

    def host(self, n_gpu_layers: int, gpu: DeviceMemory | None) -> DeviceMemory:
        first_gpu_layer = self.n_layer - min(n_gpu_layers, self.n_layer)
        weights = self.split.token_embd + self.weight_prefix[first_gpu_layer]
        if n_gpu_layers <= self.n_layer:
            weights += self.split.output
        kv = self.kv_prefix[first_gpu_layer]
        compute = self.compute if n_gpu_layers <= self.n_layer else self.host_compute_small
        subtotal = weights + kv + compute + HOST_PROCESS_OVERHEAD
        margin = safety_margin(subtotal)
        available = self.hardware.ram_available
        if self.hardware.unified and gpu is not None:
            # One pool: what the GPU side takes is no longer available to the host side, and the
            # fixed part of the margin is already counted there.
            available -= gpu.total
            margin = int(subtotal * MARGIN_FRACTION)
        return DeviceMemory("host", weights, kv, compute, HOST_PROCESS_OVERHEAD, margin, available)

    def max_gpu_layers(self) -> int:
        """Return the largest n_gpu_layers whose GPU side fits the GPU budget (0 without a GPU)."""
        if self.hardware.gpu is None:
            return 0
        best = 0
        for n in range(1, self.n_layer + 2):
            need = self.gpu(n)
            if need is None or need.total > self.hardware.gpu_budget:
                break
            best = n
        return best


def _speed(facts: ArchFacts, split: WeightSplit, n_gpu_layers: int, hardware: Hardware,
           placement: Placement, n_threads: int) -> SpeedEstimate:
    """Estimate decode speed from the weight bytes each device reads per token, and prompt speed.

    NOTE: KV cache reads are left out, so this is the speed early in a conversation. They grow with
    the conversation and at a full 32k-token context can equal the weights, halving decode speed.
    """
    n_layer = facts.n_layer
    on_gpu = min(n_gpu_layers, n_layer)
    share = active_layer_share(facts)
    gpu_layer_bytes = sum(split.layers[n_layer - on_gpu:]) if on_gpu else 0
    cpu_layer_bytes = sum(split.layers[:n_layer - on_gpu])
    output_on_gpu = n_gpu_layers > n_layer
    gpu_bytes = int(gpu_layer_bytes * share) + (split.output if output_on_gpu else 0)
    cpu_bytes = int(cpu_layer_bytes * share) + (0 if output_on_gpu else split.output)

    active_params = facts.n_active_params or facts.n_params
    flops_per_token = 2.0 * active_params
    gpu_fraction = gpu_bytes / (gpu_bytes + cpu_bytes) if gpu_bytes + cpu_bytes else 0.0

    decode_tps = prompt_tps = None
    fixed_seconds = 0.0
    cpu_read_rate = CPU_DECODE_EFFICIENCY * hardware.cpu_bandwidth
    if placement != Placement.NO_FIT:
        cpu_read_rate = min(CPU_DECODE_EFFICIENCY * hardware.cpu_bandwidth, n_threads * CPU_BANDWIDTH_PER_THREAD)
        seconds = cpu_bytes / cpu_read_rate
        prompt_seconds = (1 - gpu_fraction) * flops_per_token / (CPU_PROMPT_EFFICIENCY * hardware.cpu_flops)
        fixed_seconds = CPU_SECONDS_PER_TOKEN + CPU_SECONDS_PER_LAYER * (n_layer - on_gpu)
        if gpu_bytes and hardware.gpu_bandwidth and hardware.gpu_flops:
            seconds += gpu_bytes / (GPU_DECODE_EFFICIENCY * hardware.gpu_bandwidth)
            prompt_seconds += gpu_fraction * flops_per_token / (GPU_PROMPT_EFFICIENCY * hardware.gpu_flops)
            fixed_seconds += GPU_SECONDS_PER_TOKEN + GPU_SECONDS_PER_LAYER * on_gpu
        seconds += fixed_seconds
        decode_tps = 1.0 / seconds if seconds > 0 else None
        prompt_tps = 1.0 / prompt_seconds if prompt_seconds > 0 else None

    return SpeedEstimate(
        decode_tps=decode_tps, prompt_tps=prompt_tps, fixed_seconds_per_token=fixed_seconds,
        decode_threads=n_threads, cpu_read_rate=cpu_read_rate,
        bytes_per_token_gpu=gpu_bytes,
        bytes_per_token_cpu=cpu_bytes, flops_per_token=flops_per_token,
        gpu_bandwidth=hardware.gpu_bandwidth, gpu_bandwidth_source=hardware.gpu_bandwidth_source,
        gpu_efficiency=GPU_DECODE_EFFICIENCY, cpu_bandwidth=hardware.cpu_bandwidth,
        cpu_bandwidth_source=hardware.cpu_bandwidth_source, cpu_efficiency=CPU_DECODE_EFFICIENCY,
        gpu_flops=hardware.gpu_flops, gpu_flops_source=hardware.gpu_flops_source,
        cpu_flops=hardware.cpu_flops, cpu_flops_source=hardware.cpu_flops_source,
        prompt_efficiency=GPU_PROMPT_EFFICIENCY if gpu_bytes else CPU_PROMPT_EFFICIENCY)


def _placement(n_gpu_layers: int, n_layers_total: int, gpu: DeviceMemory | None, host: DeviceMemory,
               hardware: Hardware) -> Placement:
    if host.total <= host.available:
        if n_gpu_layers == n_layers_total:
            return Placement.FULL_GPU
        return Placement.PARTIAL_GPU if n_gpu_layers > 0 else Placement.CPU_ONLY
    # Does it fit once other programs give their memory back? Only RAM can be freed that way.
    need_from_ram = host.total + (gpu.total if hardware.unified and gpu is not None else 0)
    return Placement.TIGHT if need_from_ram <= hardware.ram_total else Placement.NO_FIT


def decode_threads(physical_cores: int) -> int:
    """Threads for llama.cpp: every physical core, less one on machines with four or fewer.

    Decoding waits for its slowest thread, so a thread that shares a core with the GUI stalls every
    token: on a 2-core VM, 2 threads beside the chat window fell to 135-913 tokens/s in 4 of 12 runs
    where 1 thread held about 2000 (bench/gui_stream.py).
    """
    return max(1, physical_cores - 1) if physical_cores <= 4 else physical_cores


def estimate_facts(facts: ArchFacts, weights_bytes: int, profile: MachineProfile, n_ctx: int = 4096,
                   kv_type: str = "f16", flash_attn: bool = False, *, quant_name: str | None = None,
                   build_id: str | None = None, layer_bytes: Sequence[int] | None = None,
                   token_embd_bytes: int | None = None, output_bytes: int | None = None,
                   bits_per_weight: float | None = None,
                   n_ubatch: int = DEFAULT_N_UBATCH) -> FitResult:
    """Estimate memory, placement and speed for a model file of ``weights_bytes`` bytes.

    ``layer_bytes`` (one entry per repeating layer), ``token_embd_bytes`` and ``output_bytes`` are the
    tensor sizes a GGUF header gives; without them the split is estimated (see ``split_weights``).
    Raises ValueError for a non-positive size or context, an unknown KV cache type, or a
    ``layer_bytes`` of the wrong length.
    """
    if n_ctx <= 0:
        raise ValueError(f"context length must be a positive number of tokens, got {n_ctx}")
    if n_ubatch <= 0:
        raise ValueError(f"n_ubatch must be a positive number of tokens, got {n_ubatch}")
    kv_bytes_per_element(kv_type)  # validates kv_type before any work

    hardware = judge_hardware(profile)
    split = split_weights(facts, weights_bytes, layer_bytes=layer_bytes,
                          token_embd_bytes=token_embd_bytes, output_bytes=output_bytes,
                          bits_per_weight=bits_per_weight)
    kv_layers = kv_cache_per_layer(facts, n_ctx, kv_type, n_ubatch)
    layout = _Layout(facts, split, kv_layers, hardware, n_ctx, flash_attn, n_ubatch)

    n_layers_total = facts.n_layer + 1
    n_gpu_layers = layout.max_gpu_layers()
    gpu = layout.gpu(n_gpu_layers)
    host = layout.host(n_gpu_layers, gpu)
    placement = _placement(n_gpu_layers, n_layers_total, gpu, host, hardware)

    memory = MemoryBreakdown(
        weights=split.total, kv_cache=sum(kv_layers),
        compute=(gpu.compute if gpu else 0) + host.compute,
        overhead=(gpu.overhead if gpu else 0) + host.overhead,
        margin=(gpu.margin if gpu else 0) + host.margin,
        token_embd=split.token_embd, output_layer=split.output, per_layer=split.per_layer,
        weights_estimated=split.estimated, gpu=gpu, host=host)

    # The limiting device is the one with the least headroom among those the model uses.
    limiting = host if gpu is None or host.headroom < gpu.headroom else gpu
    device = hardware.gpu_name if limiting is gpu and hardware.gpu_name else RAM_LABEL

    settings = LoadSettings(n_gpu_layers=n_gpu_layers, n_ctx=n_ctx,
                            n_threads=decode_threads(hardware.physical_cores),
                            kv_type=kv_type, flash_attn=flash_attn, n_ubatch=n_ubatch)
    result = FitResult(
        build_id=build_id, quant=quant_name, n_ctx=n_ctx, kv_type=kv_type, flash_attn=flash_attn,
        memory=memory, placement=placement, n_gpu_layers=n_gpu_layers, n_layers_total=n_layers_total,
        device=device, free_memory=limiting.available, headroom=limiting.headroom,
        speed=_speed(facts, split, n_gpu_layers, hardware, placement, settings.n_threads), settings=settings,
        file_size=weights_bytes)
    result.explanation = explain.explain_fit(result, facts, hardware, n_ubatch)
    log.debug("fit %s %s ctx=%d kv=%s: %s, %d/%d layers on GPU, need %d bytes", build_id, quant_name,
              n_ctx, kv_type, placement.value, n_gpu_layers, n_layers_total, memory.total)
    return result


def estimate(build: ModelBuild, quant: QuantVariant | str, profile: MachineProfile, n_ctx: int = 4096,
             kv_type: str = "f16", flash_attn: bool = False,
             n_ubatch: int = DEFAULT_N_UBATCH) -> FitResult:
    """Estimate how one quantization of a catalog build fits ``profile`` at ``n_ctx`` tokens.

    ``quant`` is a QuantVariant of the build or its name ("Q4_K_M", any case). Raises ValueError when
    the build has no such quantization, and for the inputs ``estimate_facts`` rejects.
    """
    variant = build.quant(quant) if isinstance(quant, str) else quant
    if variant is None:
        names = ", ".join(q.name for q in build.quants) or "none"
        raise ValueError(f"{build.id} has no quantization {quant!r}; available: {names}")
    return estimate_facts(build.arch, variant.size_bytes, profile, n_ctx, kv_type, flash_attn,
                          quant_name=variant.name, build_id=build.id,
                          bits_per_weight=variant.bits_per_weight, n_ubatch=n_ubatch)


def estimate_gguf(header: GGUFHeader, profile: MachineProfile, n_ctx: int = 4096, kv_type: str = "f16",
                  flash_attn: bool = False, *, quant_name: str | None = None, build_id: str | None = None,
                  n_ubatch: int = DEFAULT_N_UBATCH) -> FitResult:
    """Estimate a GGUF file from its header, using the tensor sizes it lists per layer.

    Raises GGUFError (a ValueError) when the header lacks the keys the estimate needs, and the
    errors of ``estimate_facts``.
    """
    facts = header.arch_facts()
    return estimate_facts(facts, header.weights_bytes, profile, n_ctx, kv_type, flash_attn,
                          quant_name=quant_name or header.file_type_name(), build_id=build_id,
                          layer_bytes=header.layer_bytes(), token_embd_bytes=header.token_embd_bytes,
                          output_bytes=header.output_bytes, n_ubatch=n_ubatch)


# Verdicts from best to worst; a longer context never moves a model to a better one.
_PLACEMENT_ORDER = (Placement.FULL_GPU, Placement.PARTIAL_GPU, Placement.CPU_ONLY, Placement.TIGHT,
                    Placement.NO_FIT)
CONTEXT_STEP = 256


def max_context(build: ModelBuild, quant: QuantVariant | str, profile: MachineProfile,
                placement: Placement = Placement.FULL_GPU, kv_type: str = "f16", flash_attn: bool = False,
                n_ubatch: int = DEFAULT_N_UBATCH) -> int | None:
    """Return the longest context that keeps ``placement`` or a better one, or None.

    Contexts go in steps of 256 tokens up to the model's trained length. None means that even 256
    tokens does not keep the placement. Raises the errors of ``estimate``.
    """
    worst = _PLACEMENT_ORDER.index(placement)

    def keeps(n_ctx: int) -> bool:
        result = estimate(build, quant, profile, n_ctx, kv_type, flash_attn, n_ubatch)
        return _PLACEMENT_ORDER.index(result.placement) <= worst

    low, high = 1, max(1, build.arch.n_ctx_train // CONTEXT_STEP)
    if not keeps(low * CONTEXT_STEP):
        return None
    if keeps(high * CONTEXT_STEP):
        return high * CONTEXT_STEP
    while high - low > 1:  # keeps(low) is true and keeps(high) is false
        middle = (low + high) // 2
        if keeps(middle * CONTEXT_STEP):
            low = middle
        else:
            high = middle
    return low * CONTEXT_STEP
