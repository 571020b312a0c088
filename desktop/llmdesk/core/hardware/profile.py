"""What LLM Desk knows about this machine: one ``MachineProfile`` built by the probes.

All memory figures are bytes; bandwidth is bytes per second. ``None`` means unknown, never zero.
Every figure that came from a probe has an entry in the owning record's ``sources`` mapping
(field name -> how it was obtained, e.g. ``"nvidia-smi memory.total"``) so the UI can show the working.
A source in words is a ``UserMessage`` (context "Hardware"): ``str()`` is English, the UI translates it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from llmdesk.core.i18n import UserMessage


class GpuVendor(str, Enum):
    NVIDIA = "nvidia"
    AMD = "amd"
    INTEL = "intel"
    APPLE = "apple"
    OTHER = "other"


@dataclass
class CpuInfo:
    model: str
    architecture: str  # platform.machine(), normalised: x86_64, arm64, ...
    physical_cores: int | None
    logical_cores: int | None
    features: frozenset[str] = frozenset()  # lower case: avx, avx2, avx512f, fma, f16c, neon, dotprod, ...
    sources: dict[str, str | UserMessage] = field(default_factory=dict)


@dataclass
class MemoryInfo:
    total: int
    available: int
    sources: dict[str, str | UserMessage] = field(default_factory=dict)


@dataclass
class GpuInfo:
    vendor: GpuVendor
    name: str
    memory_total: int | None = None  # dedicated VRAM; None for unified memory devices
    memory_free: int | None = None
    shared_memory: int | None = None  # system memory the GPU may use (GTT, unified budget)
    unified: bool = False  # True: integrated GPU or Apple Silicon; memory comes out of system RAM
    driver: str | None = None
    pci_id: str | None = None  # "vvvv:dddd" vendor:device, lower case hex
    pci_bus: str | None = None  # "0000:01:00.0" when known
    luid: str | None = None  # Windows adapter LUID
    bandwidth: float | None = None
    usable_by_llama: bool | None = None  # None: not checked (llama.cpp not importable)
    sources: dict[str, str | UserMessage] = field(default_factory=dict)
    notes: list[str | UserMessage] = field(default_factory=list)


@dataclass
class DetectionIssue:
    """A probe that ran and failed. A failed probe is never reported as "no GPU".

    ``message`` is the English sentence for the CLI and logs ("detection failed: <reason>");
    ``reason`` is the bare cause (often a driver's own output) so the UI can translate the frame.
    """

    probe: str
    message: str
    reason: str = ""


@dataclass
class LlamaDevice:
    """A device as llama.cpp's own backend registry reports it."""

    name: str
    description: str
    kind: str  # "cpu", "gpu", "igpu", "accel"
    memory_total: int | None
    memory_free: int | None
    backend: str = ""  # ggml backend registry name: "CPU", "CUDA", "Metal", "Vulkan", ...


@dataclass
class LlamaBuildInfo:
    available: bool
    version: str | None = None
    system_info: str | None = None
    supports_gpu_offload: bool = False
    devices: list[LlamaDevice] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class MachineProfile:
    os_name: str  # "Linux", "Windows", "Darwin"
    os_version: str
    cpu: CpuInfo
    memory: MemoryInfo
    gpus: list[GpuInfo] = field(default_factory=list)
    issues: list[DetectionIssue] = field(default_factory=list)
    llama: LlamaBuildInfo | None = None
    # Apple Silicon: how much of unified memory Metal lets one process wire (working-set budget).
    metal_budget: int | None = None
    ram_bandwidth: float | None = None
    overrides: dict[str, Any] = field(default_factory=dict)  # setting key -> value applied
    sources: dict[str, str | UserMessage] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (enums as values, frozensets as sorted lists, sources as English)."""

        def convert(value: Any) -> Any:
            if isinstance(value, Enum):
                return value.value
            if isinstance(value, (set, frozenset)):
                return sorted(value)
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            if isinstance(value, list):
                return [convert(v) for v in value]
            if isinstance(value, UserMessage):
                return str(value)  # a source in words: English in JSON
            return value

        return convert(asdict(self))
