"""AMD GPUs on Linux, read from amdgpu's sysfs files.

amdgpu publishes byte counts per device: mem_info_vram_total/used (dedicated memory) and
mem_info_gtt_total/used (system memory the GPU may map). An APU has only a small VRAM carve-out set
by the firmware (often 512 MiB) and reaches system RAM through GTT, so it is reported as unified
memory with the GTT size as its shared memory, never as a 512 MiB GPU.
"""

from __future__ import annotations

from pathlib import Path

from llmdesk.core.hardware._util import CTX, GIB, MIB, detection_failed, pci_id, read_int, read_text, source_message
from llmdesk.core.hardware.pci_names import AMD_INTEGRATED, AMD_VENDOR, gpu_name
from llmdesk.core.hardware.profile import DetectionIssue, GpuInfo, GpuVendor
from llmdesk.core.hardware.sysfs import SYSFS_ROOT, DisplayDevice, list_display_devices
from llmdesk.core.i18n import QT_TRANSLATE_NOOP

# A carve-out below this with a GTT several times larger is an APU (discrete cards since 2017 have more).
APU_CARVE_OUT_LIMIT = 2 * GIB


def driver_version(root: Path, driver: str | None) -> str | None:
    """Return "amdgpu 6.8.0" style text from /sys/module/<driver>/version, or the bare driver name."""
    if not driver:
        return None
    version = read_text(root / "module" / driver / "version")
    return f"{driver} {version}" if version else driver


def parse_amd_device(entry: DisplayDevice, root: Path, *, use_system_lists: bool = True
                     ) -> tuple[GpuInfo, list[DetectionIssue]]:
    """Build one AMD GPU from its sysfs device directory."""
    issues: list[DetectionIssue] = []
    device = entry.device
    product = read_text(device / "product_name")
    if product:
        name, name_source = product, "sysfs product_name"
    else:
        name, name_source = gpu_name(entry.vendor, entry.device_id, entry.revision,
                                     use_system_lists=use_system_lists)
    gpu = GpuInfo(vendor=GpuVendor.AMD, name=name, pci_id=pci_id(entry.vendor, entry.device_id),
                  pci_bus=entry.pci_bus, driver=driver_version(root, entry.driver))
    gpu.sources.update(name=name_source, pci_bus="sysfs", driver="sysfs")

    vram_total = read_int(device / "mem_info_vram_total")
    vram_used = read_int(device / "mem_info_vram_used")
    gtt_total = read_int(device / "mem_info_gtt_total")
    gtt_used = read_int(device / "mem_info_gtt_used")

    if entry.driver is None:
        issues.append(detection_failed(
            "amd", f"{name} at {entry.pci_bus} has no kernel driver bound; install or load amdgpu"))
        gpu.notes.append(source_message(QT_TRANSLATE_NOOP(CTX, "no kernel driver bound")))
    elif vram_total is None:
        issues.append(detection_failed(
            "amd", f"{name} at {entry.pci_bus}: {device / 'mem_info_vram_total'} is unreadable "
                   f"(driver {entry.driver})"))

    known_apu = entry.device_id in AMD_INTEGRATED
    small_carve_out = (vram_total is not None and vram_total < APU_CARVE_OUT_LIMIT
                       and gtt_total is not None and gtt_total >= 4 * vram_total)
    if known_apu or small_carve_out:
        gpu.unified = True
        gpu.sources["unified"] = source_message(
            QT_TRANSLATE_NOOP(CTX, "built-in APU device id table") if known_apu else
            QT_TRANSLATE_NOOP(CTX, "sysfs: VRAM carve-out below 2 GiB with a larger GTT"))
        if gtt_total is not None:
            gpu.shared_memory = gtt_total
            gpu.sources["shared_memory"] = "sysfs mem_info_gtt_total"
            if vram_total is not None and vram_total >= APU_CARVE_OUT_LIMIT:
                # A large firmware carve-out (e.g. 96 GiB on Ryzen AI Max) is GPU memory too.
                gpu.shared_memory = gtt_total + vram_total
                gpu.sources["shared_memory"] = "sysfs mem_info_gtt_total + mem_info_vram_total (carve-out)"
        if vram_total is not None:
            gpu.notes.append(source_message(QT_TRANSLATE_NOOP(
                CTX, "APU: {size} MiB firmware carve-out; memory comes from system RAM"),
                size=f"{vram_total / MIB:.0f}"))
        return gpu, issues

    if vram_total is not None:
        gpu.memory_total = vram_total
        gpu.sources["memory_total"] = "sysfs mem_info_vram_total"
        if vram_used is not None:
            gpu.memory_free = max(0, vram_total - vram_used)
            gpu.sources["memory_free"] = "sysfs mem_info_vram_total - mem_info_vram_used"
    if gtt_total is not None:
        gpu.notes.append(source_message(QT_TRANSLATE_NOOP(
            CTX, "GTT (system memory the GPU can map): {total} GiB, {used} GiB used; not counted as VRAM"),
            total=f"{gtt_total / GIB:.1f}", used=f"{(gtt_used or 0) / GIB:.1f}"))
    return gpu, issues


def parse_amd_sysfs(root: Path = SYSFS_ROOT, *, use_system_lists: bool = True
                    ) -> tuple[list[GpuInfo], list[DetectionIssue]]:
    """List the AMD GPUs under a sysfs root (``/sys`` or a recorded tree)."""
    gpus: list[GpuInfo] = []
    issues: list[DetectionIssue] = []
    for entry in list_display_devices(root):
        if entry.vendor != AMD_VENDOR:
            continue
        gpu, found = parse_amd_device(entry, root, use_system_lists=use_system_lists)
        gpus.append(gpu)
        issues.extend(found)
    return gpus, issues
