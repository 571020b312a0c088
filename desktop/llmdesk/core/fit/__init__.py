"""Fit advice: will a model run on this machine, where, how fast, and which quantization to pick.

memory = weights + KV cache + compute buffers + backend overhead + margin, judged per device against
free memory. Modules: ``memory`` (formulas), ``devices`` (what the machine offers), ``estimate`` (placement and
speed), ``explain`` (plain-language working), ``recommend`` (choice of quantization) and
``finetune`` (memory of fine-tuning).
"""

from llmdesk.core.fit.estimate import (
    active_layer_share,
    estimate,
    estimate_facts,
    estimate_gguf,
    max_context,
)
from llmdesk.core.fit.explain import format_bytes
from llmdesk.core.fit.finetune import FinetuneEstimate, finetune_advice
from llmdesk.core.fit.memory import KV_BYTES_PER_ELEMENT, kv_cache_bytes
from llmdesk.core.fit.recommend import PREFERENCES, Recommendation, recommend
from llmdesk.core.fit.results import (
    DeviceMemory,
    FitResult,
    LoadSettings,
    MemoryBreakdown,
    Placement,
    SpeedEstimate,
)

__all__ = [
    "DeviceMemory", "FinetuneEstimate", "FitResult", "KV_BYTES_PER_ELEMENT", "LoadSettings",
    "MemoryBreakdown", "PREFERENCES", "Placement", "Recommendation", "SpeedEstimate",
    "active_layer_share", "estimate", "estimate_facts", "estimate_gguf",
    "max_context", "finetune_advice", "format_bytes",
    "kv_cache_bytes", "recommend",
]
