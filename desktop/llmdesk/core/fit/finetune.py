"""Memory needed to fine-tune a build: full fine-tuning, LoRA and QLoRA, judged on this machine.

All three assume mixed-precision Adam, batch size 1 and gradient checkpointing:
- Full: bf16 weights (2 bytes/param) + bf16 gradients (2) + fp32 master weights and two Adam moments
  (12) = 16 bytes per parameter, the accounting of the ZeRO paper (Rajbhandari et al., 2019).
- LoRA: frozen bf16 base weights (2 bytes/param) + rank-``r`` adapters on the attention and MLP
  projections, each adapter parameter costing the same 16 bytes.
- QLoRA: the base quantized to 4-bit NF4 with double quantization, about 0.55 bytes/param once the
  quantization constants and the 16-bit embeddings are counted, + the same adapters.
Activations with checkpointing have three parts. Each layer keeps one 16-bit hidden state
(2 x seq x n_embd x n_layer bytes). One layer is recomputed in full, 34 x seq x n_embd bytes: the
per-layer figure of Korthikanti et al. (2022), "Reducing Activation Recomputation in Large
Transformer Models", without the attention-score term that FlashAttention removes. The f32 logits
and their gradient take 2 x 4 x seq x n_vocab bytes.
Fine-tuning needs the original safetensors weights, not the GGUF files this app downloads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llmdesk.core.catalog_types import ArchFacts, ModelBuild
from llmdesk.core.fit.devices import judge_hardware
from llmdesk.core.fit.explain import format_bytes
from llmdesk.core.fit.memory import GIB, MIB
from llmdesk.core.hardware.profile import MachineProfile
from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage

CTX = "Fit"
METHODS = ("full", "lora", "qlora")
METHOD_LABELS = {
    "full": QT_TRANSLATE_NOOP(CTX, "Full fine-tuning"),
    "lora": QT_TRANSLATE_NOOP(CTX, "LoRA"),
    "qlora": QT_TRANSLATE_NOOP(CTX, "QLoRA"),
}

ADAM_BYTES_PER_TRAINABLE_PARAM = 16  # 2 weights + 2 gradients + 12 fp32 master copy and moments
BASE_BYTES_PER_PARAM = {"full": 0.0, "lora": 2.0, "qlora": 0.55}  # frozen base, beyond the 16 above
DEFAULT_LORA_RANK = 16
DEFAULT_SEQ_LEN = 2048
# PyTorch's CUDA context, kernels and allocator slack (an assumption, commonly 0.5-1 GiB).
GPU_TRAINING_OVERHEAD = 1 * GIB
CPU_TRAINING_OVERHEAD = 512 * MIB


@dataclass
class FinetuneEstimate:
    """Memory one fine-tuning method needs, and whether this machine has it."""

    method: str  # "full", "lora" or "qlora"
    trainable_params: int
    weights: int  # base weights plus adapter weights
    gradients: int
    optimizer: int
    activations: int
    overhead: int
    fits_gpu: bool | None  # None when there is no usable GPU
    fits_cpu: bool
    device: str | None  # the GPU judged, if any
    explanation: list[UserMessage] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.weights + self.gradients + self.optimizer + self.activations + self.overhead

    @property
    def label(self) -> str:
        return METHOD_LABELS[self.method]

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method, "trainable_params": self.trainable_params, "weights": self.weights,
            "gradients": self.gradients, "optimizer": self.optimizer, "activations": self.activations,
            "overhead": self.overhead, "total": self.total, "fits_gpu": self.fits_gpu,
            "fits_cpu": self.fits_cpu, "device": self.device,
            "explanation": [str(line) for line in self.explanation],
        }


def lora_params(facts: ArchFacts, rank: int = DEFAULT_LORA_RANK) -> int:
    """Return the adapter parameters of rank-``rank`` LoRA on q, k, v, o, gate, up and down.

    An adapter on a (d_in x d_out) matrix has rank x (d_in + d_out) parameters. The four attention
    projections give rank x (6 x n_embd + 2 x kv_dim) per layer, and gate, up and down give
    rank x 3 x (n_embd + n_ff) per MLP. A MoE layer has one MLP per routed and shared expert, each
    ``n_ff_expert`` wide. Without ``n_ff`` the MLP width is taken as 4 x n_embd.
    """
    kv_dim = facts.n_head_kv * facts.head_dim
    attention = 6 * facts.n_embd + 2 * kv_dim
    if facts.n_expert:
        n_ff = facts.n_ff_expert or facts.n_ff or 4 * facts.n_embd
        mlp = (facts.n_expert + facts.n_expert_shared) * 3 * (facts.n_embd + n_ff)
    else:
        n_ff = facts.n_ff or 4 * facts.n_embd
        mlp = 3 * (facts.n_embd + n_ff)
    return rank * (attention + mlp) * facts.n_layer


def activation_bytes(facts: ArchFacts, seq_len: int = DEFAULT_SEQ_LEN) -> int:
    """Return activation memory for batch 1 with gradient checkpointing (see the module docstring)."""
    checkpoints = 2 * seq_len * facts.n_embd * facts.n_layer
    recomputed_layer = 34 * seq_len * facts.n_embd
    logits = 2 * 4 * seq_len * facts.n_vocab
    return checkpoints + recomputed_layer + logits


def _estimate_method(method: str, facts: ArchFacts, seq_len: int, rank: int) -> dict[str, int]:
    n_params = facts.n_params
    trainable = n_params if method == "full" else lora_params(facts, rank)
    base = int(n_params * BASE_BYTES_PER_PARAM[method])
    return {
        "trainable_params": trainable,
        "weights": base + 2 * trainable,
        "gradients": 2 * trainable,
        "optimizer": 12 * trainable,
        "activations": activation_bytes(facts, seq_len),
    }


def finetune_advice(build: ModelBuild, profile: MachineProfile, seq_len: int = DEFAULT_SEQ_LEN,
                    rank: int = DEFAULT_LORA_RANK) -> list[FinetuneEstimate]:
    """Estimate full fine-tuning, LoRA and QLoRA of ``build`` on ``profile``, in that order.

    Raises ValueError for a non-positive ``seq_len`` or ``rank``.
    """
    if seq_len <= 0:
        raise ValueError(f"sequence length must be a positive number of tokens, got {seq_len}")
    if rank <= 0:
        raise ValueError(f"LoRA rank must be positive, got {rank}")
    hardware = judge_hardware(profile)
    estimates = []
    for method in METHODS:
        parts = _estimate_method(method, build.arch, seq_len, rank)
        overhead = GPU_TRAINING_OVERHEAD if hardware.gpu is not None else CPU_TRAINING_OVERHEAD
        entry = FinetuneEstimate(method=method, overhead=overhead, fits_gpu=None, fits_cpu=False,
                                 device=hardware.gpu_name, **parts)
        if hardware.gpu is not None:
            entry.fits_gpu = entry.total <= hardware.gpu_budget
        cpu_total = entry.total - overhead + CPU_TRAINING_OVERHEAD
        entry.fits_cpu = cpu_total <= hardware.ram_available
        entry.explanation = _explain(entry, seq_len, rank, hardware.gpu_budget, hardware.ram_available)
        estimates.append(entry)
    return estimates


def _explain(entry: FinetuneEstimate, seq_len: int, rank: int, gpu_budget: int,
             ram_available: int) -> list[UserMessage]:
    lines = [UserMessage(CTX, QT_TRANSLATE_NOOP(
        CTX, "{method}: weights {weights} + gradients {gradients} + optimizer states {optimizer} + "
             "activations {activations} ({seq_len} tokens, batch 1, checkpointing) + overhead {overhead} "
             "= {total}."),
        method=UserMessage(CTX, entry.label), weights=format_bytes(entry.weights), gradients=format_bytes(entry.gradients),
        optimizer=format_bytes(entry.optimizer), activations=format_bytes(entry.activations),
        seq_len=seq_len, overhead=format_bytes(entry.overhead), total=format_bytes(entry.total))]
    if entry.method != "full":
        lines.append(UserMessage(CTX, QT_TRANSLATE_NOOP(
            CTX, "Rank-{rank} adapters train {params} million parameters."),
            rank=rank, params=f"{entry.trainable_params / 1e6:.0f}"))
    if entry.fits_gpu is True:
        lines.append(UserMessage(CTX, QT_TRANSLATE_NOOP(
            CTX, "Fits on {gpu} ({free} free)."), gpu=entry.device, free=format_bytes(gpu_budget)))
    elif entry.fits_gpu is False:
        lines.append(UserMessage(CTX, QT_TRANSLATE_NOOP(
            CTX, "Does not fit on {gpu}: it has {free} free."), gpu=entry.device,
            free=format_bytes(gpu_budget)))
    if entry.fits_cpu:
        lines.append(UserMessage(CTX, QT_TRANSLATE_NOOP(
            CTX, "Fits in RAM ({available} available), but fine-tuning on the CPU is impractically slow."),
            available=format_bytes(ram_available)))
    elif entry.fits_gpu is False:
        lines.append(UserMessage(CTX, QT_TRANSLATE_NOOP(
            CTX, "Does not fit in RAM either ({available} available)."),
            available=format_bytes(ram_available)))
    elif entry.fits_gpu is None:
        # No GPU line above, so "either" would refer to nothing.
        lines.append(UserMessage(CTX, QT_TRANSLATE_NOOP(
            CTX, "Does not fit in RAM ({available} available)."),
            available=format_bytes(ram_available)))
    return lines
