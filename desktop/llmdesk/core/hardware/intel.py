"""Intel GPUs on Linux, read from the xe and i915 drivers' sysfs files.

Local memory (VRAM) of a discrete card: xe publishes ``tileN/physical_vram_size_bytes`` per tile
(the total is the sum), i915 builds that carry Intel's out-of-tree patches publish
``lmem_total_bytes`` and ``lmem_avail_bytes`` on the DRM card. A device without local memory is
an integrated GPU whose memory comes out of system RAM.
"""

from __future__ import annotations

from pathlib import Path

from llmdesk.core.hardware._util import CTX, detection_failed, pci_id, read_int, source_message
from llmdesk.core.hardware.amd import driver_version
from llmdesk.core.hardware.pci_names import INTEL_DISCRETE, INTEL_VENDOR, gpu_name
from llmdesk.core.hardware.profile import DetectionIssue, GpuInfo, GpuVendor
from llmdesk.core.hardware.sysfs import SYSFS_ROOT, DisplayDevice, list_display_devices
from llmdesk.core.i18n import QT_TRANSLATE_NOOP


def _xe_vram(device: Path) -> tuple[int | None, list[str]]:
    total = 0
    files = []
    for tile in sorted(device.glob("tile[0-9]*")):
        for candidate in (tile / "physical_vram_size_bytes", tile / "memory" / "physical_vram_size_bytes"):
            value = read_int(candidate)
            if value:
                total += value
                files.append(str(candidate.relative_to(device)))
                break
    return (total or None), files


def parse_intel_device(entry: DisplayDevice, root: Path, *, use_system_lists: bool = True
                       ) -> tuple[GpuInfo, list[DetectionIssue]]:
    """Build one Intel GPU from its sysfs device (and DRM card) directories."""
    issues: list[DetectionIssue] = []
    name, name_source = gpu_name(entry.vendor, entry.device_id, entry.revision, use_system_lists=use_system_lists)
    gpu = GpuInfo(vendor=GpuVendor.INTEL, name=name, pci_id=pci_id(entry.vendor, entry.device_id),
                  pci_bus=entry.pci_bus, driver=driver_version(root, entry.driver))
    gpu.sources.update(name=name_source, pci_bus="sysfs", driver="sysfs")

    local_total, files = _xe_vram(entry.device)
    local_free = None
    source = f"sysfs {' + '.join(files)}" if files else None
    if local_total is None:
        for folder in (entry.card, entry.device):
            if folder is None:
                continue
            value = read_int(folder / "lmem_total_bytes")
            if value:
                local_total = value
                local_free = read_int(folder / "lmem_avail_bytes")
                source = "sysfs lmem_total_bytes"
                break

    if local_total is not None:
        gpu.memory_total = local_total
        gpu.sources["memory_total"] = source or "sysfs"
        if local_free is not None:
            gpu.memory_free = local_free
            gpu.sources["memory_free"] = "sysfs lmem_avail_bytes"
        return gpu, issues

    if entry.device_id in INTEL_DISCRETE:
        # A known discrete card whose driver publishes no size (mainline i915 has no such file).
        gpu.notes.append(source_message(QT_TRANSLATE_NOOP(
            CTX, "driver {driver} publishes no local memory size; set the GPU memory override in Settings if "
                 "llama.cpp cannot report it"), driver=entry.driver or "none"))
        gpu.sources["memory_total"] = source_message(QT_TRANSLATE_NOOP(CTX, "unknown: no xe or i915 local memory file"))
        if entry.driver is None:
            issues.append(detection_failed("intel", f"{name} at {entry.pci_bus} has no kernel driver bound; "
                                                    "load the xe or i915 driver"))
        return gpu, issues

    gpu.unified = True
    gpu.sources["unified"] = source_message(QT_TRANSLATE_NOOP(CTX, "sysfs: no local memory (integrated GPU)"))
    return gpu, issues


def parse_intel_sysfs(root: Path = SYSFS_ROOT, *, use_system_lists: bool = True
                      ) -> tuple[list[GpuInfo], list[DetectionIssue]]:
    """List the Intel GPUs under a sysfs root (``/sys`` or a recorded tree)."""
    gpus: list[GpuInfo] = []
    issues: list[DetectionIssue] = []
    for entry in list_display_devices(root):
        if entry.vendor != INTEL_VENDOR:
            continue
        gpu, found = parse_intel_device(entry, root, use_system_lists=use_system_lists)
        gpus.append(gpu)
        issues.extend(found)
    return gpus, issues
