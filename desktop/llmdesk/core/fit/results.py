"""Records an estimate returns: the memory breakdown, placement, speed and suggested load settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from enum import Enum
from typing import Any

from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage

CTX = "Fit"


class Placement(str, Enum):
    """Verdict on where the model runs, best first."""

    FULL_GPU = "full_gpu"
    PARTIAL_GPU = "partial_gpu"
    CPU_ONLY = "cpu_only"
    TIGHT = "tight"  # fits in total RAM, but only after other programs free memory
    NO_FIT = "no_fit"

    @property
    def label(self) -> str:
        """Short English verdict; the UI translates it with context "Fit"."""
        return PLACEMENT_LABELS[self]

    @property
    def runs(self) -> bool:
        """True when the model runs without the user closing anything."""
        return self in (Placement.FULL_GPU, Placement.PARTIAL_GPU, Placement.CPU_ONLY)


PLACEMENT_LABELS: dict[Placement, str] = {
    Placement.FULL_GPU: QT_TRANSLATE_NOOP(CTX, "Runs on the GPU"),
    Placement.PARTIAL_GPU: QT_TRANSLATE_NOOP(CTX, "Split between GPU and CPU"),
    Placement.CPU_ONLY: QT_TRANSLATE_NOOP(CTX, "Runs on the CPU"),
    Placement.TIGHT: QT_TRANSLATE_NOOP(CTX, "Fits only if you close other programs"),
    Placement.NO_FIT: QT_TRANSLATE_NOOP(CTX, "Does not fit"),
}


@dataclass
class DeviceMemory:
    """Bytes one device needs for a placement, and the memory it is judged against."""

    device: str  # "gpu" or "host"
    weights: int
    kv_cache: int
    compute: int
    overhead: int
    margin: int
    available: int  # free memory (or budget) the need is compared with

    @property
    def total(self) -> int:
        return self.weights + self.kv_cache + self.compute + self.overhead + self.margin

    @property
    def headroom(self) -> int:
        """Free memory left after loading; negative when the need exceeds it."""
        return self.available - self.total


@dataclass
class MemoryBreakdown:
    """Memory one model needs at one context length, summed over devices and per device."""

    weights: int
    kv_cache: int
    compute: int
    overhead: int
    margin: int
    token_embd: int  # part of ``weights`` that always stays in host memory
    output_layer: int  # part of ``weights`` counted as the "+1" layer
    per_layer: int  # mean bytes of one repeating layer
    weights_estimated: bool  # True when the per-layer split was derived rather than read per tensor
    gpu: DeviceMemory | None
    host: DeviceMemory

    @property
    def total(self) -> int:
        return self.weights + self.kv_cache + self.compute + self.overhead + self.margin


@dataclass
class SpeedEstimate:
    """Decode and prompt speed with the figures they came from."""

    decode_tps: float | None
    prompt_tps: float | None
    bytes_per_token_gpu: int
    bytes_per_token_cpu: int
    flops_per_token: float
    gpu_bandwidth: float | None
    gpu_bandwidth_source: str | UserMessage | None
    gpu_efficiency: float
    cpu_bandwidth: float
    cpu_bandwidth_source: str | UserMessage
    cpu_efficiency: float
    gpu_flops: float | None
    gpu_flops_source: str | UserMessage | None
    cpu_flops: float
    cpu_flops_source: str | UserMessage
    prompt_efficiency: float
    fixed_seconds_per_token: float = 0.0  # graph set-up, sampling and kernel launches, not weight reads
    decode_threads: int = 1
    cpu_read_rate: float = 0.0  # bytes/s the decoding threads read from RAM: efficiency × bandwidth, or less


@dataclass
class LoadSettings:
    """Settings the engine uses as defaults when it loads this model."""

    n_gpu_layers: int
    n_ctx: int
    n_threads: int
    kv_type: str
    flash_attn: bool
    n_ubatch: int


@dataclass
class FitResult:
    """One estimate: a model file at one context length and KV cache type on one machine."""

    build_id: str | None
    quant: str | None
    n_ctx: int
    kv_type: str
    flash_attn: bool
    memory: MemoryBreakdown
    placement: Placement
    n_gpu_layers: int
    n_layers_total: int  # repeating layers + 1 for the output layer, as n_gpu_layers counts them
    device: str  # the device judged, in words
    free_memory: int  # memory the limiting device was judged against
    headroom: int  # free_memory minus what that device needs; negative when it does not fit
    speed: SpeedEstimate
    settings: LoadSettings
    explanation: list[UserMessage] = field(default_factory=list)
    file_size: int = 0

    @property
    def fits(self) -> bool:
        return self.placement.runs

    @property
    def decode_tps(self) -> float | None:
        return self.speed.decode_tps

    @property
    def prompt_tps(self) -> float | None:
        return self.speed.prompt_tps

    def explain(self) -> str:
        """Return the explanation as English lines for the CLI and logs."""
        return "\n".join(str(line) for line in self.explanation)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict; explanation lines are English strings."""
        data = asdict(replace(self, explanation=[]))
        data["placement"] = self.placement.value
        data["verdict"] = self.placement.label
        data["fits"] = self.fits
        data["memory"]["total"] = self.memory.total
        if self.memory.gpu is not None:
            data["memory"]["gpu"]["total"] = self.memory.gpu.total
        data["memory"]["host"]["total"] = self.memory.host.total
        data["explanation"] = [str(line) for line in self.explanation]
        for key in ("gpu_bandwidth_source", "cpu_bandwidth_source", "gpu_flops_source", "cpu_flops_source"):
            if data["speed"][key] is not None:
                data["speed"][key] = str(data["speed"][key])  # sources in words: English in JSON
        return data
