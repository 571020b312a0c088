"""NVIDIA GPUs: NVML through nvidia-ml-py when importable, else the nvidia-smi tool.

A driver that is installed but not working (nvidia-smi: "couldn't communicate with the NVIDIA driver",
NVML: "Driver Not Loaded") is a DetectionIssue, never "no GPU". When neither NVML nor nvidia-smi
exists, NVIDIA devices seen on the PCI bus are still listed, with unknown memory and an issue.
"""

from __future__ import annotations

import csv
import io
import logging
import shutil
from pathlib import Path
from typing import Any

from llmdesk.core.hardware._util import (CTX, MIB, ProbeError, detection_failed, normalise_pci_bus, pci_id,
                                         run_command, source_message)
from llmdesk.core.hardware.bandwidth import gpu_bandwidth_from_bus
from llmdesk.core.hardware.pci_names import NVIDIA_VENDOR, gpu_name
from llmdesk.core.hardware.profile import DetectionIssue, GpuInfo, GpuVendor
from llmdesk.core.hardware.sysfs import SYSFS_ROOT, list_display_devices
from llmdesk.core.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

SMI_FIELDS = ("index", "name", "pci.bus_id", "memory.total", "memory.used", "memory.free",
              "driver_version", "pci.device_id")
SMI_TIMEOUT_S = 10.0
SMI_PATHS = (
    "/usr/bin/nvidia-smi",
    "/usr/local/nvidia/bin/nvidia-smi",
    "/usr/lib/wsl/lib/nvidia-smi",
    r"C:\Windows\System32\nvidia-smi.exe",
    r"C:\Program Files\NVIDIA Corporation\NVSMI\nvidia-smi.exe",
)
_MISSING = {"", "n/a", "[n/a]", "[not supported]", "not supported", "[unknown error]", "[insufficient permissions]"}
# Systems whose GPU shares LPDDR with the CPU; nvidia-smi reports no memory.total on them.
_UNIFIED_NAMES = ("gb10", "orin", "thor", "xavier")


def _value(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return None if text.lower() in _MISSING else text


def _mib(text: str | None) -> int | None:
    value = _value(text)
    if value is None:
        return None
    try:
        return int(float(value.split()[0]) * MIB)
    except ValueError:
        return None


def _device_id_to_pci_id(text: str | None) -> str | None:
    """nvidia-smi's pci.device_id is "0x268410DE": device id in the high half, vendor in the low half."""
    value = _value(text)
    if value is None:
        return None
    try:
        number = int(value, 16)
    except ValueError:
        return None
    return pci_id(number & 0xFFFF, number >> 16)


def _finish(gpu: GpuInfo) -> GpuInfo:
    if gpu.memory_total is None and any(word in gpu.name.lower() for word in _UNIFIED_NAMES):
        gpu.unified = True
        gpu.sources["unified"] = source_message(QT_TRANSLATE_NOOP(CTX, "name: a unified-memory NVIDIA system"))
    elif gpu.memory_total is None:
        gpu.notes.append(source_message(QT_TRANSLATE_NOOP(CTX, "the driver reports no memory size")))
    return gpu


def parse_nvidia_smi(stdout: str, returncode: int = 0, stderr: str = "") -> tuple[list[GpuInfo], list[DetectionIssue]]:
    """Parse ``nvidia-smi --query-gpu=<SMI_FIELDS> --format=csv,noheader,nounits`` output.

    Rows with fewer columns (an older query without pci.device_id) are accepted. A non-zero exit
    status or an error sentence instead of CSV becomes a DetectionIssue carrying the tool's words.
    """
    message = " ".join((stdout.strip() + " " + stderr.strip()).split())
    if returncode != 0:
        if "no devices were found" in message.lower():
            return [], []
        return [], [detection_failed("nvidia", f"nvidia-smi exited with status {returncode}: "
                                               f"{message or 'no output'}")]
    gpus: list[GpuInfo] = []
    issues: list[DetectionIssue] = []
    for row in csv.reader(io.StringIO(stdout), skipinitialspace=True):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) < 3:
            issues.append(detection_failed("nvidia", f"nvidia-smi printed an unexpected line: {','.join(row)!r}"))
            continue
        fields = dict(zip(SMI_FIELDS, (cell.strip() for cell in row)))
        name = _value(fields.get("name")) or "NVIDIA GPU"
        gpu = GpuInfo(vendor=GpuVendor.NVIDIA, name=name,
                      pci_bus=normalise_pci_bus(_value(fields.get("pci.bus_id"))),
                      pci_id=_device_id_to_pci_id(fields.get("pci.device_id")),
                      driver=_value(fields.get("driver_version")))
        gpu.sources.update(name="nvidia-smi name", pci_bus="nvidia-smi pci.bus_id",
                           driver="nvidia-smi driver_version")
        total, used, free = (_mib(fields.get(k)) for k in ("memory.total", "memory.used", "memory.free"))
        if total is not None:
            gpu.memory_total = total
            gpu.sources["memory_total"] = "nvidia-smi memory.total"
        if free is not None:
            gpu.memory_free = free
            gpu.sources["memory_free"] = "nvidia-smi memory.free"
        elif total is not None and used is not None:
            gpu.memory_free = max(0, total - used)
            gpu.sources["memory_free"] = "nvidia-smi memory.total - memory.used"
        gpus.append(_finish(gpu))
    if not gpus and not issues and message:
        issues.append(detection_failed("nvidia", f"nvidia-smi printed no GPU rows: {message}"))
    return gpus, issues


def parse_nvml_records(records: list[dict[str, Any]], driver_version: str | None) -> list[GpuInfo]:
    """Build GPUs from values read through NVML (one dict per device, memory in bytes).

    Keys: name, pci_bus_id, pci_device_id (NVML's 0xDDDDVVVV), memory_total, memory_free,
    and optionally bus_width (bits) and max_memory_clock_mhz.
    """
    gpus = []
    for record in records:
        gpu = GpuInfo(vendor=GpuVendor.NVIDIA, name=str(record.get("name") or "NVIDIA GPU"),
                      pci_bus=normalise_pci_bus(record.get("pci_bus_id")), driver=driver_version)
        gpu.sources.update(name="NVML", pci_bus="NVML", driver="NVML")
        device_id = record.get("pci_device_id")
        if isinstance(device_id, int):
            gpu.pci_id = pci_id(device_id & 0xFFFF, device_id >> 16)
        if record.get("memory_total") is not None:
            gpu.memory_total = int(record["memory_total"])
            gpu.sources["memory_total"] = "NVML nvmlDeviceGetMemoryInfo"
        if record.get("memory_free") is not None:
            gpu.memory_free = int(record["memory_free"])
            gpu.sources["memory_free"] = "NVML nvmlDeviceGetMemoryInfo"
        width, clock = record.get("bus_width"), record.get("max_memory_clock_mhz")
        if width and clock:
            gpu.bandwidth = gpu_bandwidth_from_bus(int(width), int(clock))
            gpu.sources["bandwidth"] = source_message(QT_TRANSLATE_NOOP(
                CTX, "estimate: NVML memory bus {width} bits x {clock} MHz x 2 (peak, double data rate)"),
                width=width, clock=clock)
        gpus.append(_finish(gpu))
    return gpus


def nvidia_on_pci_bus(root: Path = SYSFS_ROOT, *, use_system_lists: bool = True) -> list[GpuInfo]:
    """List NVIDIA display devices from sysfs (name, bus, kernel driver; memory unknown)."""
    gpus = []
    for entry in list_display_devices(root):
        if entry.vendor != NVIDIA_VENDOR:
            continue
        name, source = gpu_name(entry.vendor, entry.device_id, entry.revision, use_system_lists=use_system_lists)
        gpu = GpuInfo(vendor=GpuVendor.NVIDIA, name=name, pci_id=pci_id(entry.vendor, entry.device_id),
                      pci_bus=entry.pci_bus, driver=entry.driver)
        gpu.sources.update(name=source, pci_bus="sysfs", driver="sysfs")
        if entry.driver == "nouveau":
            gpu.notes.append(source_message(QT_TRANSLATE_NOOP(
                CTX, "nouveau driver: CUDA needs NVIDIA's proprietary driver")))
        gpus.append(gpu)
    return gpus


# --- runners: read the real system -------------------------------------------------------------

def _read_nvml() -> tuple[list[GpuInfo], str | None]:
    """Return (GPUs, failure) from NVML.

    ``failure`` is None when NVML answered, "" when NVML is absent (no nvidia-ml-py or no
    libnvidia-ml), and the reason when NVML is present but failed.
    """
    try:
        import pynvml
    except ImportError:
        return [], ""
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as exc:
        if isinstance(exc, getattr(pynvml, "NVMLError_LibraryNotFound", ())):
            return [], ""
        return [], f"NVML: {exc}"
    try:
        driver = _text(pynvml.nvmlSystemGetDriverVersion())
        records = []
        for index in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            memory = pynvml.nvmlDeviceGetMemoryInfo(handle)
            pci = pynvml.nvmlDeviceGetPciInfo(handle)
            record: dict[str, Any] = {
                "name": _text(pynvml.nvmlDeviceGetName(handle)), "pci_bus_id": _text(pci.busId),
                "pci_device_id": int(pci.pciDeviceId), "memory_total": int(memory.total),
                "memory_free": int(memory.free),
            }
            try:
                record["bus_width"] = int(pynvml.nvmlDeviceGetMemoryBusWidth(handle))
                record["max_memory_clock_mhz"] = int(pynvml.nvmlDeviceGetMaxClockInfo(handle, pynvml.NVML_CLOCK_MEM))
            except (pynvml.NVMLError, AttributeError) as exc:
                log.debug("NVML has no memory bus width or clock for GPU %d: %s", index, exc)
            records.append(record)
        return parse_nvml_records(records, driver), None
    except pynvml.NVMLError as exc:
        return [], f"NVML: {exc}"
    finally:
        try:
            pynvml.nvmlShutdown()
        except pynvml.NVMLError:
            pass


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def find_nvidia_smi() -> str | None:
    """Return the nvidia-smi path from PATH or the driver's usual install locations."""
    found = shutil.which("nvidia-smi")
    if found:
        return found
    for candidate in SMI_PATHS:
        if Path(candidate).is_file():
            return candidate
    return None


def detect_nvidia(root: Path = SYSFS_ROOT) -> tuple[list[GpuInfo], list[DetectionIssue]]:
    """Detect NVIDIA GPUs on this machine. Never raises."""
    gpus, nvml_failure = _read_nvml()
    if gpus or nvml_failure is None:
        return gpus, []

    smi = find_nvidia_smi()
    issues: list[DetectionIssue] = []
    if smi is not None:
        try:
            result = run_command([smi, f"--query-gpu={','.join(SMI_FIELDS)}", "--format=csv,noheader,nounits"],
                                 timeout=SMI_TIMEOUT_S)
            gpus, issues = parse_nvidia_smi(result.stdout, result.returncode, result.stderr)
        except ProbeError as exc:
            issues = [detection_failed("nvidia", str(exc))]
        if gpus:
            if nvml_failure:
                log.info("NVML failed (%s) but nvidia-smi worked", nvml_failure)
            return gpus, issues
    if nvml_failure:
        issues.insert(0, detection_failed("nvidia", nvml_failure))

    if smi is None and not nvml_failure:
        on_bus = [g for g in nvidia_on_pci_bus(root) if g.driver != "nouveau"]
        if on_bus:
            names = ", ".join(f"{g.name} at {g.pci_bus}" for g in on_bus)
            issues.append(detection_failed(
                "nvidia", f"{names} is on the PCI bus but neither NVML nor nvidia-smi was found; "
                          "install NVIDIA's driver"))
    return [], issues
