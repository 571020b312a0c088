"""Records of the model catalog: one ``ModelBuild`` per model, one ``QuantVariant`` per GGUF file.

Sizes are bytes. ``ArchFacts`` holds what the memory estimate needs and is also what ``gguf_meta``
produces from a GGUF header, so catalog builds and arbitrary files go through the same estimate.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ArchFacts:
    architecture: str  # GGUF general.architecture: llama, qwen2, deepseek2, ...
    n_params: int  # total parameters
    n_layer: int
    n_embd: int
    n_head: int
    n_head_kv: int
    head_dim: int  # key/value head dimension (n_embd // n_head unless the model says otherwise)
    n_vocab: int
    n_ctx_train: int  # native context length
    n_ff: int | None = None
    n_expert: int = 0  # MoE: experts per layer; 0 for dense models
    n_expert_used: int = 0  # MoE: experts active per token
    n_active_params: int | None = None  # MoE: parameters touched per token; None means n_params
    sliding_window: int | None = None  # attention window for sliding-window layers, if any
    # DeepSeek-V2 style multi-head latent attention caches a compressed KV of this width per layer.
    kv_lora_rank: int | None = None
    head_dim_v: int | None = None  # value head dim when it differs from head_dim
    rope_dim: int | None = None  # MLA: rotary part of the key head, cached beside the kv_lora_rank latent
    n_expert_shared: int = 0  # MoE: always-active shared experts per layer (DeepSeek-V2)
    n_ff_expert: int | None = None  # MoE: feed-forward width of one expert when it differs from n_ff


@dataclass(frozen=True)
class BenchmarkScore:
    name: str  # "MMLU", "GSM8K", "HumanEval", ...
    value: float
    source: str  # where the number was published (title or URL)
    setting: str | None = None  # e.g. "5-shot"


@dataclass(frozen=True)
class QuantVariant:
    name: str  # "Q4_K_M"
    repo: str  # Hugging Face repo id
    filename: str
    size_bytes: int
    size_is_estimate: bool  # True when computed from bits per weight rather than read from the repo
    sha256: str | None = None
    ppl_delta_pct: float | None = None  # perplexity increase versus F16, percent
    ppl_source: str | None = None
    bits_per_weight: float | None = None
    # Files that make up the quant when it is published in pieces, because Hugging Face caps a file at 50 GB.
    # Empty when ``filename`` is the whole model.
    parts: tuple[str, ...] = ()
    # "gguf-split": llama.cpp shards used as they are, ``filename`` is the first one and llama.cpp opens the rest.
    # "concat": raw pieces joined byte for byte into ``filename``. None when ``parts`` is empty.
    parts_join: str | None = None


@dataclass(frozen=True)
class ModelBuild:
    id: str  # stable slug: "llama-3.1-8b-instruct"
    name: str  # display name
    family: str  # "Llama", "Mistral", "DeepSeek"
    arch: ArchFacts
    license: str
    quants: tuple[QuantVariant, ...]
    description: str = ""
    homepage: str | None = None  # original (non-GGUF) model page
    benchmarks: tuple[BenchmarkScore, ...] = field(default_factory=tuple)
    tags: tuple[str, ...] = field(default_factory=tuple)  # "reasoning", "code", "moe", ...
    source_file: str | None = None  # which catalog file it came from

    def quant(self, name: str) -> QuantVariant | None:
        for variant in self.quants:
            if variant.name.upper() == name.upper():
                return variant
        return None
