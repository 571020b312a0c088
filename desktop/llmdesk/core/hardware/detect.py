"""Build one MachineProfile from the probes for this OS, then apply the user's overrides."""

from __future__ import annotations

import logging
import platform
import sys
import time
from typing import TYPE_CHECKING, Callable, TypeVar

from llmdesk.core.hardware import amd, apple, cpu, intel, llama_devices, memory, nvidia, windows
from llmdesk.core.hardware._util import CTX, GIB, detection_failed, source_message
from llmdesk.core.hardware.bandwidth import GB
from llmdesk.core.hardware.estimates import fill_estimates
from llmdesk.core.hardware.merge import merge_gpus
from llmdesk.core.hardware.profile import (CpuInfo, DetectionIssue, GpuInfo, GpuVendor, LlamaBuildInfo,
                                           MachineProfile, MemoryInfo)
from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage

if TYPE_CHECKING:
    from llmdesk.core.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

def _guarded(probe: str, run: Callable[[], T], fallback: T, issues: list[DetectionIssue]) -> T:
    """Run a probe; an unexpected exception becomes a DetectionIssue instead of ending detection."""
    try:
        return run()
    except Exception as exc:  # noqa: BLE001 - one broken probe must not hide the others
        log.exception("Hardware probe %s raised", probe)
        issues.append(detection_failed(probe, f"{type(exc).__name__}: {exc}"))
        return fallback


def _os_version() -> str:
    if sys.platform == "darwin":
        return f"macOS {platform.mac_ver()[0]}"
    if sys.platform == "win32":
        return platform.version()
    try:
        release = platform.freedesktop_os_release().get("PRETTY_NAME", "")
    except OSError:
        release = ""
    return f"{release} (kernel {platform.release()})" if release else platform.release()


def _nvidia_label(gpus: list[GpuInfo]) -> str:
    return "NVML" if gpus and gpus[0].sources.get("name") == "NVML" else "nvidia-smi"


def _detect_gpus(issues: list[DetectionIssue]) -> tuple[list[GpuInfo], int | None, str | None]:
    """Return (merged GPUs, Metal budget, its source) for this OS."""
    groups: list[tuple[str, list[GpuInfo]]] = []
    metal_budget = budget_source = None

    def collect(label: str, probe: str, run: Callable[[], tuple[list[GpuInfo], list[DetectionIssue]]]) -> None:
        gpus, found = _guarded(probe, run, ([], []), issues)
        issues.extend(found)
        groups.append((_nvidia_label(gpus) if probe == "nvidia" else label, gpus))

    if sys.platform.startswith("linux"):
        collect("nvidia-smi", "nvidia", nvidia.detect_nvidia)
        collect("sysfs", "amd", amd.parse_amd_sysfs)
        collect("sysfs", "intel", intel.parse_intel_sysfs)
        groups.append(("sysfs", _guarded("nvidia", nvidia.nvidia_on_pci_bus, [], issues)))
    elif sys.platform == "win32":
        collect("nvidia-smi", "nvidia", nvidia.detect_nvidia)
        collect("registry", "windows", windows.detect_windows_gpus)
    elif sys.platform == "darwin":
        gpu, metal_budget, budget_source, found = _guarded("apple", apple.detect_apple, (None, None, None, []),
                                                            issues)
        issues.extend(found)
        groups.append(("sysctl", [gpu] if gpu else []))
    return merge_gpus(groups), metal_budget, budget_source


def detect(settings: Settings | None = None, *, query_llama: bool = True) -> MachineProfile:
    """Detect this machine's CPU, memory and GPUs.

    Every probe runs guarded: its failure, even an unexpected exception, becomes a DetectionIssue.
    ``settings`` supplies the override_* keys. With ``query_llama`` the llama.cpp child probe runs
    alongside the other probes and usually dominates the time taken (0.2-0.7 s for a CPU-only build on
    a 2-core Linux VM; GPU backends add their driver start-up). Without it, detection reads files and
    at most runs nvidia-smi (about 20 ms on that VM, which has no GPU).
    """
    started = time.monotonic()
    issues: list[DetectionIssue] = []
    llama_process = None
    llama_info: LlamaBuildInfo | None = None
    if query_llama:
        try:
            llama_process = llama_devices.start_llama_probe()
        except OSError as exc:
            llama_info = LlamaBuildInfo(available=False, error=f"could not start the llama.cpp probe: {exc}")

    cpu_info, found = _guarded("cpu", cpu.detect_cpu,
                               (CpuInfo(model="unknown CPU", architecture=platform.machine(), physical_cores=None,
                                        logical_cores=None), []), issues)
    issues.extend(found)
    memory_info, found = _guarded("memory", memory.detect_memory, (MemoryInfo(total=0, available=0), []), issues)
    issues.extend(found)
    gpus, metal_budget, budget_source = _detect_gpus(issues)

    profile = MachineProfile(os_name=platform.system(), os_version=_os_version(), cpu=cpu_info,
                             memory=memory_info, gpus=gpus, issues=issues, metal_budget=metal_budget)
    profile.sources["os_version"] = "platform"
    if budget_source:
        profile.sources["metal_budget"] = budget_source

    if llama_process is not None:
        llama_info = llama_devices.finish_llama_probe(llama_process)
    if llama_info is not None:
        llama_devices.apply_llama(profile, llama_info)
    else:
        fill_estimates(profile)
    if settings is not None:
        apply_overrides(profile, settings)

    log.info("Detected %s %s, %s (%s logical cores), %.1f GiB RAM, GPUs: %s, %d issue(s) in %.2f s",
             profile.os_name, profile.os_version, profile.cpu.model, profile.cpu.logical_cores,
             profile.memory.total / GIB, ", ".join(g.name for g in profile.gpus) or "none",
             len(profile.issues), time.monotonic() - started)
    return profile


def _from_setting(key: str) -> UserMessage:
    return source_message(QT_TRANSLATE_NOOP(CTX, "setting {key}"), key=key)


def apply_overrides(profile: MachineProfile, settings: Settings) -> MachineProfile:
    """Replace detected figures with the user's override_* settings and record them in ``overrides``.

    - override_ram_gib: total RAM; available RAM keeps the detected amount in use subtracted.
    - override_vram_gib: free memory of the first GPU (discrete GPUs sort first). For a unified-memory
      GPU it is the shared memory budget (and the Metal budget on a Mac). Without any GPU a
      placeholder GPU is added, because the setting exists for when detection failed.
    - override_bandwidth_gbs: bandwidth of system RAM and of the first GPU.
    Returns ``profile``, changed in place.
    """
    ram_gib = settings.get("override_ram_gib")
    if ram_gib is not None:
        used = max(0, profile.memory.total - profile.memory.available)
        profile.memory.total = int(ram_gib * GIB)
        profile.memory.available = max(0, profile.memory.total - used)
        profile.memory.sources["total"] = _from_setting("override_ram_gib")
        profile.memory.sources["available"] = source_message(QT_TRANSLATE_NOOP(
            CTX, "setting {key} minus the detected memory in use"), key="override_ram_gib")
        profile.overrides["override_ram_gib"] = ram_gib

    vram_gib = settings.get("override_vram_gib")
    if vram_gib is not None:
        size = int(vram_gib * GIB)
        if not profile.gpus:
            placeholder = GpuInfo(vendor=GpuVendor.OTHER, name="GPU (memory from settings)")
            placeholder.sources["name"] = _from_setting("override_vram_gib")
            profile.gpus.append(placeholder)
        gpu = profile.gpus[0]
        if gpu.unified:
            gpu.shared_memory = size
            gpu.sources["shared_memory"] = _from_setting("override_vram_gib")
            if gpu.vendor == GpuVendor.APPLE:
                profile.metal_budget = size
                profile.sources["metal_budget"] = _from_setting("override_vram_gib")
        else:
            gpu.memory_free = size
            gpu.sources["memory_free"] = _from_setting("override_vram_gib")
            if gpu.memory_total is None or gpu.memory_total < size:
                gpu.memory_total = size
                gpu.sources["memory_total"] = _from_setting("override_vram_gib")
        profile.overrides["override_vram_gib"] = vram_gib

    bandwidth_gbs = settings.get("override_bandwidth_gbs")
    if bandwidth_gbs is not None:
        profile.ram_bandwidth = bandwidth_gbs * GB
        profile.sources["ram_bandwidth"] = _from_setting("override_bandwidth_gbs")
        if profile.gpus:
            profile.gpus[0].bandwidth = bandwidth_gbs * GB
            profile.gpus[0].sources["bandwidth"] = _from_setting("override_bandwidth_gbs")
        profile.overrides["override_bandwidth_gbs"] = bandwidth_gbs
    return profile
