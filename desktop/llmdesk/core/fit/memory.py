"""Memory formulas of the fit estimate: weights per layer, KV cache, compute buffers, overhead, margin.

Every function returns bytes. The formulas follow llama.cpp's model layout. The token embedding table
stays in host memory and each repeating layer lives on one device. The output layer is the "+1" layer
of ``n_gpu_layers``: it moves to the GPU only when every repeating layer is there too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from llmdesk.core.catalog_types import ArchFacts

MIB = 1024**2
GIB = 1024**3

# Bytes per cached element. q8_0 and q4_0 store blocks of 32 values: 32 int8 (or 16 bytes of
# nibbles) plus one f16 scale, hence 34/32 and 18/32 bytes per value.
KV_BYTES_PER_ELEMENT: dict[str, Fraction] = {
    "f16": Fraction(2),
    "q8_0": Fraction(34, 32),
    "q4_0": Fraction(18, 32),
}

# llama.cpp's default physical batch (n_ubatch); compute buffers scale with it.
DEFAULT_N_UBATCH = 512

# Multi-head latent attention (DeepSeek-V2/V3) caches the compressed KV plus the decoupled RoPE key.
# That key's width (qk_rope_head_dim) is 64 in every released DeepSeek MLA model, the default when
# ArchFacts.rope_dim is not given.
MLA_ROPE_DIM = 64

# Share of layers that use sliding-window attention, per GGUF architecture, as llama.cpp implements
# them: Gemma 2 alternates local and global layers, Gemma 3 has five local layers per global one,
# Cohere2 and Llama 4 three per global one. For "llama" and "qwen2" llama.cpp keeps a full-context
# cache even when the original config names a window (Mistral 7B v0.1, Qwen2), so nothing is capped.
# An architecture not listed here that reports a window is assumed to use it on every layer.
SLIDING_WINDOW_LAYER_SHARE: dict[str, Fraction] = {
    "gemma2": Fraction(1, 2),
    "gemma3": Fraction(5, 6),
    "cohere2": Fraction(3, 4),
    "llama4": Fraction(3, 4),
    "llama": Fraction(0),
    "qwen2": Fraction(0),
}

# K-quant files (Q2_K ... Q5_K_M) keep output.weight as Q6_K, which is 6.5625 bits per weight.
OUTPUT_MIN_BITS_PER_WEIGHT = 6.5625

# Fixed cost of a GPU runtime in our process, before any model buffer. A CUDA context with cuBLAS is
# commonly 0.3-0.55 GiB, depending on the driver and GPU; ROCm is similar. These are assumptions,
# not measured here.
BACKEND_OVERHEAD: dict[str, int] = {
    "CUDA": 512 * MIB,
    "ROCm": 512 * MIB,
    "Vulkan": 256 * MIB,
    "SYCL": 384 * MIB,
    "Metal": 64 * MIB,
}
# The engine's own process on the host: Python, llama-cpp-python, numpy and the loader's buffers.
HOST_PROCESS_OVERHEAD = 200 * MIB

# Safety margin added on each device: 5 % of what that device needs plus 256 MiB, for allocator
# rounding, fragmentation and what other programs allocate while the model runs.
MARGIN_FRACTION = 0.05
MARGIN_FIXED = 256 * MIB


def kv_bytes_per_element(kv_type: str) -> Fraction:
    """Return the bytes one cached value takes for ``kv_type``; raise ValueError for an unknown type."""
    try:
        return KV_BYTES_PER_ELEMENT[kv_type]
    except KeyError:
        known = ", ".join(KV_BYTES_PER_ELEMENT)
        raise ValueError(f"unknown KV cache type {kv_type!r}; use one of {known}") from None


@dataclass(frozen=True)
class WeightSplit:
    """Division of a model file's bytes into the token embedding table, repeating layers and output."""

    total: int
    token_embd: int
    output: int
    layers: tuple[int, ...]
    estimated: bool  # True when the split was derived from sizes and shapes, not read per tensor

    @property
    def per_layer(self) -> int:
        """Mean size of one repeating layer."""
        return sum(self.layers) // len(self.layers) if self.layers else 0


def split_weights(facts: ArchFacts, weights_bytes: int, *, layer_bytes: Sequence[int] | None = None,
                  token_embd_bytes: int | None = None, output_bytes: int | None = None,
                  bits_per_weight: float | None = None) -> WeightSplit:
    """Divide ``weights_bytes`` into token embeddings, ``facts.n_layer`` layers and the output layer.

    Sizes that a GGUF header gives per tensor are used as they are. Without them the token embedding
    is assumed stored at the file's mean bits per weight, the output layer at no less than Q6_K, and
    each layer gets an equal share of the rest: (weights - token_embd - output) / n_layer.
    Raises ValueError when ``layer_bytes`` does not have one entry per layer.
    """
    if weights_bytes <= 0:
        raise ValueError(f"model weights must be a positive number of bytes, got {weights_bytes}")
    if facts.n_layer <= 0:
        raise ValueError(f"the model must have at least one layer, got n_layer={facts.n_layer}")
    if layer_bytes is not None and len(layer_bytes) != facts.n_layer:
        raise ValueError(f"layer_bytes has {len(layer_bytes)} entries but the model has "
                         f"{facts.n_layer} layers")

    bpw = bits_per_weight
    if bpw is None:
        bpw = weights_bytes * 8 / facts.n_params if facts.n_params > 0 else 16.0
    table_elements = facts.n_vocab * facts.n_embd
    estimated = layer_bytes is None or token_embd_bytes is None or output_bytes is None

    token_embd = token_embd_bytes if token_embd_bytes is not None else int(table_elements * bpw / 8)
    output = (output_bytes if output_bytes is not None
              else int(table_elements * max(bpw, OUTPUT_MIN_BITS_PER_WEIGHT) / 8))

    if layer_bytes is not None:
        layers = tuple(int(b) for b in layer_bytes)
    else:
        rest = weights_bytes - token_embd - output
        if rest < weights_bytes // 2:
            # The shape-based guess for the two vocabulary tables cannot be right when it leaves the
            # layers less than half the file (tiny test models, unusual vocabularies). Cap them at a
            # quarter of the file each so the layer split stays meaningful.
            token_embd = min(token_embd, weights_bytes // 4)
            output = min(output, weights_bytes // 4)
            rest = weights_bytes - token_embd - output
        share, remainder = divmod(rest, facts.n_layer)
        layers = tuple(share + (1 if i < remainder else 0) for i in range(facts.n_layer))
    return WeightSplit(total=weights_bytes, token_embd=token_embd, output=output, layers=layers,
                       estimated=estimated)


def sliding_window_layer_count(facts: ArchFacts) -> int:
    """Return how many layers llama.cpp caps at the attention window."""
    if not facts.sliding_window:
        return 0
    share = SLIDING_WINDOW_LAYER_SHARE.get(facts.architecture, Fraction(1))
    return int(facts.n_layer * share)


def kv_cache_per_layer(facts: ArchFacts, n_ctx: int, kv_type: str,
                       n_ubatch: int = DEFAULT_N_UBATCH) -> list[int]:
    """Return the KV cache bytes of each layer at a context of ``n_ctx`` tokens.

    A layer caches K and V for every token: n_ctx x n_head_kv x (head_dim + head_dim_v) elements.
    Multi-head latent attention caches one compressed vector of kv_lora_rank + rope_dim (64 unless
    given) elements per token instead. A sliding-window layer caches min(n_ctx, window + n_ubatch)
    tokens, the size llama.cpp gives its window cache.
    """
    if n_ctx <= 0:
        raise ValueError(f"context length must be a positive number of tokens, got {n_ctx}")
    bytes_per_element = kv_bytes_per_element(kv_type)

    if facts.kv_lora_rank:
        # NOTE: this assumes a current conversion with split attn_k_b/attn_v_b tensors. For older
        # DeepSeek GGUF files llama.cpp caches full per-head K and V, many times more.
        elements_per_token = facts.kv_lora_rank + (facts.rope_dim or MLA_ROPE_DIM)
    else:
        head_dim_v = facts.head_dim_v or facts.head_dim
        elements_per_token = facts.n_head_kv * (facts.head_dim + head_dim_v)

    full = int(n_ctx * elements_per_token * bytes_per_element)
    n_sliding = sliding_window_layer_count(facts)
    if n_sliding == 0:
        return [full] * facts.n_layer
    window_tokens = min(n_ctx, facts.sliding_window + n_ubatch)
    windowed = int(window_tokens * elements_per_token * bytes_per_element)
    # Spread the sliding layers evenly: layer i is sliding when it crosses the next share boundary.
    sizes = []
    for i in range(facts.n_layer):
        is_sliding = (i + 1) * n_sliding // facts.n_layer > i * n_sliding // facts.n_layer
        sizes.append(windowed if is_sliding else full)
    return sizes


def kv_cache_bytes(facts: ArchFacts, n_ctx: int, kv_type: str = "f16",
                   n_ubatch: int = DEFAULT_N_UBATCH) -> int:
    """Return the KV cache bytes of the whole model at ``n_ctx`` tokens (see ``kv_cache_per_layer``)."""
    return sum(kv_cache_per_layer(facts, n_ctx, kv_type, n_ubatch))


@dataclass(frozen=True)
class ComputeBuffer:
    """Peaks of llama.cpp's compute buffer for one batch on one device, in bytes.

    ggml's graph allocator reuses memory, so the buffer is the largest set of tensors alive at one
    time, not the sum of all of them. That is the largest of three peaks.
    """

    attention_scores: int  # one layer's f32 KQ scores; 0 with flash attention
    mask: int  # the KQ mask, alive until the last layer's attention
    ffn: int  # one layer's feed-forward intermediates
    logits: int  # f32 logits of the batch
    n_embd_row_bytes: int  # one f32 n_embd x n_ubatch activation

    @property
    def attention_peak(self) -> int:
        return self.attention_scores + self.mask + int(5.5 * self.n_embd_row_bytes)

    @property
    def ffn_peak(self) -> int:
        return self.ffn + self.mask + 3 * self.n_embd_row_bytes

    @property
    def logits_peak(self) -> int:
        return self.logits + self.n_embd_row_bytes

    @property
    def total(self) -> int:
        return max(self.attention_peak, self.ffn_peak, self.logits_peak)


def compute_buffer(facts: ArchFacts, n_ctx: int, flash_attn: bool,
                   n_ubatch: int = DEFAULT_N_UBATCH) -> ComputeBuffer:
    """Estimate the compute buffer llama.cpp reserves for one batch of ``n_ubatch`` tokens.

    The peaks, with e = n_embd x n_ubatch x 4 bytes:
    - attention (flash attention off): scores n_ctx x n_ubatch x n_head x 4 bytes (softmax runs in
      place) + mask n_ctx x n_ubatch x 4 bytes + 5.5 e;
    - feed-forward: 3 x n_ff x n_ubatch x 4 bytes for gate, up and their product, + mask + 3 e.
      For MoE n_ff is the expert width times the experts used. With flash attention the mask is f16;
    - output: logits n_vocab x n_ubatch x 4 bytes + e.
    The constants were fitted to llama-cpp-python 0.3.36 on CPU with generated 4-layer models: the
    formula matched its compute buffers to within 1 MiB for n_ctx 2048 and 8192, flash attention
    on and off, across n_embd, n_ff and n_head. It also gives the 256.5 MiB a CUDA log reported for
    Llama 3.2 3B at 2048 tokens.
    """
    n_ubatch = min(n_ubatch, n_ctx)
    if facts.n_expert and facts.n_expert_used:
        ffn_width = (facts.n_ff_expert or facts.n_ff or 4 * facts.n_embd) * facts.n_expert_used
    else:
        ffn_width = facts.n_ff or 4 * facts.n_embd
    return ComputeBuffer(
        attention_scores=0 if flash_attn else n_ctx * n_ubatch * facts.n_head * 4,
        mask=n_ctx * n_ubatch * (2 if flash_attn else 4),
        ffn=3 * ffn_width * n_ubatch * 4,
        logits=facts.n_vocab * n_ubatch * 4,
        n_embd_row_bytes=facts.n_embd * n_ubatch * 4)


def host_compute_bytes(facts: ArchFacts, n_ubatch: int = DEFAULT_N_UBATCH) -> int:
    """Return the host-side compute buffer when every layer runs on a GPU (embedding lookup input)."""
    return 2 * facts.n_embd * n_ubatch * 4


def safety_margin(subtotal: int) -> int:
    """Return the margin added to a device's ``subtotal``: 5 % plus 256 MiB."""
    return int(subtotal * MARGIN_FRACTION) + MARGIN_FIXED
