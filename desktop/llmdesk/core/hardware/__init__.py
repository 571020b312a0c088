"""Hardware detection: one ``MachineProfile`` describing CPU, RAM, GPUs and the llama.cpp build.

``detect()`` runs every probe for this OS; ``probe_llama()`` and ``apply_llama()`` let the UI run the
slower llama.cpp child probe in the background after ``detect(query_llama=False)``.
"""

from llmdesk.core.hardware.detect import apply_overrides, detect
from llmdesk.core.hardware.llama_devices import apply_llama, probe_llama
from llmdesk.core.hardware.profile import (CpuInfo, DetectionIssue, GpuInfo, GpuVendor, LlamaBuildInfo,
                                           LlamaDevice, MachineProfile, MemoryInfo)

__all__ = [
    "CpuInfo", "DetectionIssue", "GpuInfo", "GpuVendor", "LlamaBuildInfo", "LlamaDevice", "MachineProfile",
    "MemoryInfo", "apply_llama", "apply_overrides", "detect", "probe_llama",
]
