"""Linux sysfs: list the PCI display devices behind /sys/class/drm/card* (and /sys/bus/pci).

The AMD, Intel and NVIDIA probes read their memory files from the device directories listed here.
Parsers take the sysfs root as an argument so tests build the same layout under a temporary folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from llmdesk.core.hardware._util import normalise_pci_bus, read_int, read_text

SYSFS_ROOT = Path("/sys")
_CARD_RE = re.compile(r"^card\d+$")


@dataclass
class DisplayDevice:
    card: Path | None  # /sys/class/drm/cardN, None when found on the PCI bus only
    device: Path  # the PCI device directory (cardN/device)
    vendor: int
    device_id: int
    revision: int | None
    driver: str | None
    pci_bus: str | None


def _parse_uevent(text: str | None) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in (text or "").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    return values


def read_display_device(device: Path, card: Path | None) -> DisplayDevice | None:
    """Read vendor, device id, driver and PCI address of one device directory, or None if it has none."""
    uevent = _parse_uevent(read_text(device / "uevent"))
    vendor = device_id = None
    if "PCI_ID" in uevent:
        vendor_text, _, device_text = uevent["PCI_ID"].partition(":")
        try:
            vendor, device_id = int(vendor_text, 16), int(device_text, 16)
        except ValueError:
            vendor = device_id = None
    if vendor is None:
        vendor = read_int(device / "vendor")
        device_id = read_int(device / "device")
    if vendor is None or device_id is None:
        return None

    driver = uevent.get("DRIVER")
    if driver is None and (device / "driver").is_symlink():
        driver = (device / "driver").resolve().name
    bus = normalise_pci_bus(uevent.get("PCI_SLOT_NAME"))
    if bus is None:
        bus = normalise_pci_bus(device.resolve().name)
    return DisplayDevice(card=card, device=device, vendor=vendor, device_id=device_id,
                         revision=read_int(device / "revision"), driver=driver, pci_bus=bus)


def list_display_devices(root: Path = SYSFS_ROOT) -> list[DisplayDevice]:
    """List display devices: DRM cards first, then PCI display controllers without a DRM card.

    A GPU whose driver is missing has no DRM card but still shows on the PCI bus with class 0x03xxxx,
    which lets the NVIDIA probe tell "driver not working" apart from "no GPU".
    """
    found: list[DisplayDevice] = []
    seen: set[str] = set()
    drm = root / "class" / "drm"
    cards = sorted((p for p in drm.iterdir() if _CARD_RE.match(p.name)), key=lambda p: int(p.name[4:])) \
        if drm.is_dir() else []
    for card in cards:
        entry = read_display_device(card / "device", card)
        if entry is None:
            continue
        key = entry.pci_bus or str((card / "device").resolve())
        if key in seen:
            continue
        seen.add(key)
        found.append(entry)

    pci = root / "bus" / "pci" / "devices"
    if pci.is_dir():
        for device in sorted(pci.iterdir()):
            pci_class = read_int(device / "class")
            if pci_class is None or pci_class >> 16 != 0x03:
                continue
            entry = read_display_device(device, None)
            if entry is None:
                continue
            key = entry.pci_bus or str(device.resolve())
            if key in seen:
                continue
            seen.add(key)
            found.append(entry)
    return found
