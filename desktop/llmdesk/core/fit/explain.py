"""Plain-language working of a fit estimate, as UserMessage lines in translation context "Fit".

Templates are marked with QT_TRANSLATE_NOOP so lupdate extracts them; their parameters are already
formatted numbers, so a translation only reorders them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmdesk.core.catalog_types import ArchFacts
from llmdesk.core.fit.memory import (
    DEFAULT_N_UBATCH,
    MLA_ROPE_DIM,
    compute_buffer,
    kv_bytes_per_element,
    sliding_window_layer_count,
)
from llmdesk.core.fit.results import FitResult, Placement
from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage

if TYPE_CHECKING:
    from llmdesk.core.fit.devices import Hardware

CTX = "Fit"
KIB = 1024
MIB = 1024**2
GIB = 1024**3


def format_bytes(size: float) -> str:
    """Format a byte count with one decimal in GiB, or whole MiB / KiB below that.

    1610612736 -> "1.5 GiB", 33554432 -> "32 MiB", 2048 -> "2 KiB", 100 -> "100 B".
    """
    if abs(size) >= GIB:
        return f"{size / GIB:.1f} GiB"
    if abs(size) >= MIB:
        return f"{size / MIB:.0f} MiB"
    if abs(size) >= KIB:
        return f"{size / KIB:.0f} KiB"
    return f"{size:.0f} B"


def format_rate(bytes_per_second: float) -> str:
    """Format a bandwidth in GB/s (decimal, as vendors state it)."""
    return f"{bytes_per_second / 1e9:.0f} GB/s"


def format_tps(tokens_per_second: float | None) -> str:
    if tokens_per_second is None:
        return "-"
    return f"{tokens_per_second:.1f}" if tokens_per_second < 10 else f"{tokens_per_second:.0f}"


def _message(template: str, **params: object) -> UserMessage:
    return UserMessage(CTX, template, **params)


def _memory_lines(result: FitResult, facts: ArchFacts, n_ubatch: int) -> list[UserMessage]:
    memory = result.memory
    lines = [_message(
        QT_TRANSLATE_NOOP(CTX, "Weights {weights} + KV cache {kv} ({n_ctx} tokens, {kv_type}) + compute "
                               "buffers {compute} + overhead {overhead} + margin {margin} = {total}."),
        weights=format_bytes(memory.weights), kv=format_bytes(memory.kv_cache), n_ctx=result.n_ctx,
        kv_type=result.kv_type, compute=format_bytes(memory.compute),
        overhead=format_bytes(memory.overhead), margin=format_bytes(memory.margin),
        total=format_bytes(memory.total))]

    bytes_per_element = float(kv_bytes_per_element(result.kv_type))
    if facts.kv_lora_rank:
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "KV cache: {n_layer} layers x {n_ctx} tokens x ({rank} latent + {rope} "
                                   "rotary) values x {bpe:g} bytes = {kv}. This model caches a compressed "
                                   "latent vector instead of full keys and values."),
            n_layer=facts.n_layer, n_ctx=result.n_ctx, rank=facts.kv_lora_rank,
            rope=facts.rope_dim or MLA_ROPE_DIM,
            bpe=bytes_per_element, kv=format_bytes(memory.kv_cache)))
    else:
        head_dim_v = facts.head_dim_v or facts.head_dim
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "KV cache: {n_layer} layers x {n_ctx} tokens x {n_head_kv} KV heads x "
                                   "({head_dim} + {head_dim_v}) key and value dims x {bpe:g} bytes = {kv}."),
            n_layer=facts.n_layer, n_ctx=result.n_ctx, n_head_kv=facts.n_head_kv,
            head_dim=facts.head_dim, head_dim_v=head_dim_v, bpe=bytes_per_element,
            kv=format_bytes(memory.kv_cache)))
    n_sliding = sliding_window_layer_count(facts)
    if n_sliding and facts.sliding_window and facts.sliding_window + n_ubatch < result.n_ctx:
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "{n_sliding} of {n_layer} layers use sliding-window attention and "
                                   "cache only {window} tokens."),
            n_sliding=n_sliding, n_layer=facts.n_layer, window=facts.sliding_window + n_ubatch))

    buffer = compute_buffer(facts, result.n_ctx, result.flash_attn, n_ubatch)
    if result.flash_attn:
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "Compute buffers: the largest of the logits of a {n_ubatch}-token batch "
                                   "({logits}) and the feed-forward step ({ffn}), with activations; flash "
                                   "attention keeps the attention scores out of memory."),
            n_ubatch=n_ubatch, logits=format_bytes(buffer.logits_peak), ffn=format_bytes(buffer.ffn_peak)))
    else:
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "Compute buffers: the largest of one layer's attention scores ({n_ctx} x "
                                   "{n_ubatch} x {n_head} heads x 4 bytes, with mask: {scores}), the logits "
                                   "({logits}) and the feed-forward step ({ffn}). Flash attention would drop "
                                   "the attention scores."),
            n_ctx=result.n_ctx, n_ubatch=n_ubatch, n_head=facts.n_head,
            scores=format_bytes(buffer.attention_peak), logits=format_bytes(buffer.logits_peak),
            ffn=format_bytes(buffer.ffn_peak)))
    if memory.weights_estimated:
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "Per-layer sizes are estimated: the token embeddings ({embd}, kept in RAM) "
                                   "and the output layer ({output}) are taken out and the rest is shared "
                                   "equally, {per_layer} per layer."),
            embd=format_bytes(memory.token_embd), output=format_bytes(memory.output_layer),
            per_layer=format_bytes(memory.per_layer)))
    return lines


def _placement_lines(result: FitResult, hardware: Hardware) -> list[UserMessage]:
    memory = result.memory
    gpu, host = memory.gpu, memory.host
    n, m = result.n_gpu_layers, result.n_layers_total
    lines: list[UserMessage] = []
    if hardware.cpu_only_reason is not None:
        lines.append(hardware.cpu_only_reason)

    if hardware.gpu is not None and hardware.unified:
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "{gpu} shares system memory: the GPU may use up to {budget} ({source}), "
                                   "and {available} of {ram} RAM is available."),
            gpu=hardware.gpu_name, budget=format_bytes(hardware.gpu_budget),
            source=hardware.gpu_budget_source, available=format_bytes(hardware.ram_available),
            ram=format_bytes(hardware.ram_total)))
    elif hardware.gpu is not None:
        total = hardware.gpu_total if hardware.gpu_total is not None else hardware.gpu_budget
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "Your GPU {gpu} has {free} free of {total} ({source})."),
            gpu=hardware.gpu_name, free=format_bytes(hardware.gpu_budget), total=format_bytes(total),
            source=hardware.gpu_budget_source))

    if hardware.gpu is not None:
        if n == m and gpu is not None:
            lines.append(_message(
                QT_TRANSLATE_NOOP(CTX, "All {m} layers fit on the GPU: it needs {need}, leaving {headroom}."),
                m=m, need=format_bytes(gpu.total), headroom=format_bytes(gpu.headroom)))
        elif n > 0 and gpu is not None:
            lines.append(_message(
                QT_TRANSLATE_NOOP(CTX, "{n}/{m} layers fit on the GPU ({need}), the rest run on the CPU."),
                n=n, m=m, need=format_bytes(gpu.total)))
        else:
            lines.append(_message(
                QT_TRANSLATE_NOOP(CTX, "Not even one layer fits in the GPU's {free}, so the model runs on "
                                       "the CPU."),
                free=format_bytes(hardware.gpu_budget)))

    if hardware.unified and gpu is not None:
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "The CPU side needs {need} of the {available} RAM left beside the GPU's "
                                   "share."),
            need=format_bytes(host.total), available=format_bytes(host.available)))
    else:
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "RAM: the model needs {need} of {available} available ({total} "
                                   "installed)."),
            need=format_bytes(host.total), available=format_bytes(host.available),
            total=format_bytes(hardware.ram_total)))

    if result.placement == Placement.TIGHT:
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "That is more than is available now: it fits only if you close other "
                                   "programs.")))
    elif result.placement == Placement.NO_FIT:
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "That is more than this machine has: it does not fit. Try a smaller "
                                   "quantization, a shorter context or a quantized KV cache.")))
    return lines


def _speed_lines(result: FitResult) -> list[UserMessage]:
    speed = result.speed
    if speed.decode_tps is None:
        return []
    lines: list[UserMessage] = []
    if speed.bytes_per_token_gpu and speed.bytes_per_token_cpu and speed.gpu_bandwidth:
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "Decoding reads {gpu_bytes} from GPU memory at {gpu_eff}% of {gpu_bw} "
                                   "({gpu_source}) and {cpu_bytes} from RAM at {cpu_eff}% of {cpu_bw} "
                                   "({cpu_source}) per token: about {tps} tokens/s."),
            gpu_bytes=format_bytes(speed.bytes_per_token_gpu), gpu_eff=round(speed.gpu_efficiency * 100),
            gpu_bw=format_rate(speed.gpu_bandwidth), gpu_source=speed.gpu_bandwidth_source,
            cpu_bytes=format_bytes(speed.bytes_per_token_cpu), cpu_eff=round(speed.cpu_efficiency * 100),
            cpu_bw=format_rate(speed.cpu_bandwidth), cpu_source=speed.cpu_bandwidth_source,
            tps=format_tps(speed.decode_tps)))
    elif speed.bytes_per_token_gpu and speed.gpu_bandwidth:
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "Decoding reads {bytes} per token at {eff}% of {bw} ({source}): about "
                                   "{tps} tokens/s."),
            bytes=format_bytes(speed.bytes_per_token_gpu), eff=round(speed.gpu_efficiency * 100),
            bw=format_rate(speed.gpu_bandwidth), source=speed.gpu_bandwidth_source,
            tps=format_tps(speed.decode_tps)))
    else:
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "Decoding reads {bytes} per token at {eff}% of {bw} ({source}): about "
                                   "{tps} tokens/s."),
            bytes=format_bytes(speed.bytes_per_token_cpu), eff=round(speed.cpu_efficiency * 100),
            bw=format_rate(speed.cpu_bandwidth), source=speed.cpu_bandwidth_source,
            tps=format_tps(speed.decode_tps)))

    if speed.bytes_per_token_cpu and speed.cpu_read_rate < speed.cpu_efficiency * speed.cpu_bandwidth * 0.999:
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "With {threads} decoding thread(s), reading from RAM is limited to about "
                                   "{rate} (an estimated {per_thread} per thread), which sets the speed."),
            threads=speed.decode_threads, rate=format_rate(speed.cpu_read_rate),
            per_thread=format_rate(speed.cpu_read_rate / max(1, speed.decode_threads))))
    if speed.fixed_seconds_per_token * speed.decode_tps > 0.1:
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "Each token also costs about {ms} ms of fixed work (graph set-up, "
                                   "sampling), a large part of the time for a model this small."),
            ms=f"{speed.fixed_seconds_per_token * 1000:.2f}"))

    uses_gpu = bool(speed.bytes_per_token_gpu and speed.gpu_flops)
    flops = speed.gpu_flops if uses_gpu and speed.gpu_flops else speed.cpu_flops
    source = speed.gpu_flops_source if uses_gpu else speed.cpu_flops_source
    lines.append(_message(
        QT_TRANSLATE_NOOP(CTX, "Reading the prompt takes about {gflop} GFLOP per token; at {eff}% of "
                               "{tflops} TFLOPS ({source}) that is about {tps} tokens/s."),
        gflop=f"{speed.flops_per_token / 1e9:.1f}", eff=round(speed.prompt_efficiency * 100),
        tflops=f"{flops / 1e12:.1f}", source=source, tps=format_tps(speed.prompt_tps)))
    return lines


def explain_fit(result: FitResult, facts: ArchFacts, hardware: Hardware,
                n_ubatch: int = DEFAULT_N_UBATCH) -> list[UserMessage]:
    """Return the working of ``result``: memory sum, per-device verdict, speed and caveats."""
    lines = _memory_lines(result, facts, n_ubatch)
    lines += _placement_lines(result, hardware)
    lines += _speed_lines(result)
    if result.n_ctx > facts.n_ctx_train > 0:
        lines.append(_message(
            QT_TRANSLATE_NOOP(CTX, "{n_ctx} tokens is more than the {n_ctx_train} the model was trained "
                                   "for; answers may degrade beyond that."),
            n_ctx=result.n_ctx, n_ctx_train=facts.n_ctx_train))
    lines += hardware.notes
    return lines
