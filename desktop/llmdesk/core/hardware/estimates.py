"""Figures no probe measured, filled in as labelled estimates: bandwidth and shared GPU memory."""

from __future__ import annotations

from llmdesk.core.hardware._util import CTX, source_message
from llmdesk.core.hardware.bandwidth import gpu_bandwidth_from_name, ram_bandwidth
from llmdesk.core.i18n import QT_TRANSLATE_NOOP
from llmdesk.core.hardware.profile import MachineProfile


def fill_estimates(profile: MachineProfile) -> None:
    """Set RAM bandwidth, each GPU's bandwidth and unified GPUs' missing shared memory.

    A discrete GPU's name-table figure replaces an NVML bus-width figure; other known values stay.
    Safe to call again after more GPUs were added.
    """
    if profile.ram_bandwidth is None or str(profile.sources.get("ram_bandwidth", "")).startswith("estimate"):
        bandwidth, source = ram_bandwidth(profile.cpu.model, profile.cpu.architecture, profile.os_name)
        profile.ram_bandwidth = bandwidth
        profile.sources["ram_bandwidth"] = source
    for gpu in profile.gpus:
        if gpu.unified:
            if gpu.bandwidth is None:
                gpu.bandwidth = profile.ram_bandwidth
                gpu.sources["bandwidth"] = source_message(QT_TRANSLATE_NOOP(CTX, "system RAM: {source}"),
                                                          source=profile.sources["ram_bandwidth"])
            if gpu.shared_memory is None:
                gpu.shared_memory = profile.memory.total // 2
                gpu.sources["shared_memory"] = source_message(QT_TRANSLATE_NOOP(
                    CTX, "estimate: half of system RAM (what drivers usually allow)"))
            continue
        if str(gpu.sources.get("bandwidth", "")).startswith("setting"):
            continue
        from_name = gpu_bandwidth_from_name(gpu.name, gpu.memory_total)
        if from_name is not None:
            gpu.bandwidth, gpu.sources["bandwidth"] = from_name
