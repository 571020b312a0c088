"""Windows GPUs from the display adapter class key in the registry, with a CIM query as fallback.

Each adapter has a subkey 0000, 0001, ... under
HKLM\\SYSTEM\\CurrentControlSet\\Control\\Class\\{4d36e968-e325-11ce-bfc1-08002be10318}. The driver
writes ``HardwareInformation.qwMemorySize`` (dedicated memory as REG_QWORD, or REG_BINARY of 8 or
4 little-endian bytes). ``HardwareInformation.MemorySize`` and ``Win32_VideoController.AdapterRAM``
are 32-bit and saturate near 4 GiB, so values at or above 4 GiB - 1 MiB, and values <= 0, mean unknown.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from llmdesk.core.hardware._util import (CTX, GIB, MIB, ProbeError, detection_failed, pci_id, run_command,
                                         source_message)
from llmdesk.core.hardware.pci_names import (AMD_INTEGRATED, AMD_VENDOR, INTEL_DISCRETE, INTEL_VENDOR,
                                             NVIDIA_VENDOR)
from llmdesk.core.hardware.profile import DetectionIssue, GpuInfo, GpuVendor
from llmdesk.core.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

CLASS_KEY = r"SYSTEM\CurrentControlSet\Control\Class\{4d36e968-e325-11ce-bfc1-08002be10318}"
VALUE_NAMES = ("DriverDesc", "MatchingDeviceId", "DriverVersion", "HardwareInformation.qwMemorySize",
               "HardwareInformation.MemorySize", "HardwareInformation.AdapterString")
SATURATED_32BIT = 4 * GIB - MIB  # 4293918720: what 32-bit fields show for cards of 4 GiB or more
CIM_COMMAND = ("Get-CimInstance Win32_VideoController | "
               "Select-Object Name,AdapterRAM,PNPDeviceID,DriverVersion | ConvertTo-Json -Compress")
_VENDORS = {NVIDIA_VENDOR: GpuVendor.NVIDIA, AMD_VENDOR: GpuVendor.AMD, INTEL_VENDOR: GpuVendor.INTEL}
_PCI_RE = re.compile(r"VEN_([0-9A-F]{4})&DEV_([0-9A-F]{4})", re.IGNORECASE)
# Integrated GPUs get their dedicated figure from a small firmware carve-out (128 MiB - 2 GiB).
INTEGRATED_LIMIT = 2 * GIB


def registry_bytes_to_int(value: Any) -> int | None:
    """Return a registry memory size (REG_QWORD/REG_DWORD int, or 4/8-byte little-endian REG_BINARY)."""
    if isinstance(value, (bytes, bytearray)):
        if len(value) not in (4, 8):
            return None
        return int.from_bytes(bytes(value), "little")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def parse_32bit_memory(value: Any) -> int | None:
    """Return a 32-bit memory field (MemorySize, AdapterRAM) in bytes, or None when it cannot be trusted."""
    number = registry_bytes_to_int(value)
    if number is None and isinstance(value, str):
        try:
            number = int(value)
        except ValueError:
            return None
    if number is None or number <= 0 or number >= SATURATED_32BIT:
        return None
    return number


def _decode_text(value: Any) -> str | None:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-16-le", "replace").rstrip("\x00").strip() or None
    if isinstance(value, str):
        return value.strip() or None
    return None


def _classify(gpu: GpuInfo, vendor: int, device: int, dedicated: int | None) -> None:
    """Mark integrated GPUs unified; their "dedicated" figure is a firmware carve-out, not VRAM."""
    integrated = False
    if vendor == INTEL_VENDOR:
        integrated = device not in INTEL_DISCRETE and (dedicated is None or dedicated < INTEGRATED_LIMIT)
    elif vendor == AMD_VENDOR:
        integrated = device in AMD_INTEGRATED or (dedicated is not None and dedicated < 1 * GIB)
    if integrated:
        gpu.unified = True
        gpu.sources["unified"] = source_message(QT_TRANSLATE_NOOP(
            CTX, "PCI id and a small dedicated figure: integrated GPU"))
        if dedicated is not None:
            gpu.notes.append(source_message(QT_TRANSLATE_NOOP(
                CTX, "{size} MiB carve-out; memory comes from system RAM"), size=f"{dedicated / MIB:.0f}"))
        gpu.memory_total = None
        gpu.sources.pop("memory_total", None)


def parse_registry_adapters(adapters: dict[str, dict[str, Any]]) -> list[GpuInfo]:
    """Build GPUs from registry values: subkey name ("0000") -> value name -> value as winreg returns it."""
    gpus = []
    for subkey in sorted(adapters):
        values = adapters[subkey]
        match = _PCI_RE.search(str(values.get("MatchingDeviceId", "")))
        if not match:
            continue  # Microsoft Basic Display Adapter, remote display drivers, virtual adapters
        vendor, device = int(match.group(1), 16), int(match.group(2), 16)
        name = (_decode_text(values.get("DriverDesc")) or _decode_text(values.get("HardwareInformation.AdapterString"))
                or f"GPU [{vendor:04x}:{device:04x}]")
        gpu = GpuInfo(vendor=_VENDORS.get(vendor, GpuVendor.OTHER), name=name, pci_id=pci_id(vendor, device),
                      driver=_decode_text(values.get("DriverVersion")))
        gpu.sources.update(name=f"registry {subkey} DriverDesc", pci_id=f"registry {subkey} MatchingDeviceId",
                           driver=f"registry {subkey} DriverVersion")
        dedicated = registry_bytes_to_int(values.get("HardwareInformation.qwMemorySize"))
        if dedicated:
            gpu.memory_total = dedicated
            gpu.sources["memory_total"] = f"registry {subkey} HardwareInformation.qwMemorySize"
        else:
            dedicated = parse_32bit_memory(values.get("HardwareInformation.MemorySize"))
            if dedicated:
                gpu.memory_total = dedicated
                gpu.sources["memory_total"] = f"registry {subkey} HardwareInformation.MemorySize (32-bit)"
            elif "HardwareInformation.MemorySize" in values:
                gpu.notes.append(source_message(QT_TRANSLATE_NOOP(
                    CTX, "the registry's 32-bit MemorySize is saturated; memory size unknown")))
        _classify(gpu, vendor, device, dedicated)
        gpus.append(gpu)
    return gpus


def parse_cim_video_controllers(text: str) -> list[GpuInfo]:
    """Build GPUs from ``Get-CimInstance Win32_VideoController | ConvertTo-Json`` output."""
    data = json.loads(text) if text.strip() else []
    if isinstance(data, dict):
        data = [data]  # ConvertTo-Json writes a lone object for one adapter
    gpus = []
    for item in data:
        match = _PCI_RE.search(str(item.get("PNPDeviceID") or ""))
        if not match:
            continue
        vendor, device = int(match.group(1), 16), int(match.group(2), 16)
        gpu = GpuInfo(vendor=_VENDORS.get(vendor, GpuVendor.OTHER), name=str(item.get("Name") or "GPU"),
                      pci_id=pci_id(vendor, device), driver=item.get("DriverVersion"))
        gpu.sources.update(name="Win32_VideoController.Name", driver="Win32_VideoController.DriverVersion")
        ram = parse_32bit_memory(item.get("AdapterRAM"))
        if ram:
            gpu.memory_total = ram
            gpu.sources["memory_total"] = "Win32_VideoController.AdapterRAM"
        else:
            gpu.notes.append(source_message(QT_TRANSLATE_NOOP(
                CTX, "AdapterRAM is a 32-bit field and cannot show this card's memory")))
        _classify(gpu, vendor, device, ram)
        gpus.append(gpu)
    return gpus


# --- runner -------------------------------------------------------------------------------------

def _read_registry() -> dict[str, dict[str, Any]]:
    import winreg

    adapters: dict[str, dict[str, Any]] = {}
    with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, CLASS_KEY) as class_key:
        index = 0
        while True:
            try:
                subkey = winreg.EnumKey(class_key, index)
            except OSError:
                break  # no more subkeys
            index += 1
            if not subkey.isdigit():
                continue  # "Properties" and similar
            values: dict[str, Any] = {}
            try:
                with winreg.OpenKey(class_key, subkey) as adapter:
                    for name in VALUE_NAMES:
                        try:
                            values[name] = winreg.QueryValueEx(adapter, name)[0]
                        except OSError:
                            continue
            except PermissionError:
                log.info("No read access to display adapter key %s", subkey)
                continue
            adapters[subkey] = values
    return adapters


def detect_windows_gpus() -> tuple[list[GpuInfo], list[DetectionIssue]]:
    """Read this PC's display adapters; registry and PowerShell failures are returned as issues."""
    try:
        gpus = parse_registry_adapters(_read_registry())
        if gpus:
            return gpus, []
        log.info("The registry lists no PCI display adapter; asking Win32_VideoController")
    except OSError as exc:
        log.warning("Reading the display adapter registry key failed: %s", exc)
    try:
        result = run_command(["powershell", "-NoProfile", "-NonInteractive", "-Command", CIM_COMMAND], timeout=15)
        if result.returncode != 0:
            raise ProbeError(f"PowerShell exited with status {result.returncode}: {result.stderr.strip()}")
        return parse_cim_video_controllers(result.stdout), []
    except (ProbeError, ValueError) as exc:
        return [], [detection_failed("windows", f"could not list display adapters: {exc}")]
