"""PCI device ids -> marketing names, and which AMD/Intel ids are integrated GPUs.

The system's own lists come first: libdrm's amdgpu.ids (names AMD devices per revision) and the
pci.ids database. The built-in tables cover common devices on systems that ship neither.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from llmdesk.core.hardware._util import CTX, source_message
from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage

AMD_VENDOR = 0x1002
INTEL_VENDOR = 0x8086
NVIDIA_VENDOR = 0x10DE

AMDGPU_IDS_PATHS = (Path("/usr/share/libdrm/amdgpu.ids"), Path("/opt/amdgpu/share/libdrm/amdgpu.ids"))
PCI_IDS_PATHS = (Path("/usr/share/hwdata/pci.ids"), Path("/usr/share/misc/pci.ids"), Path("/usr/share/pci.ids"))

# (device, revision or None) -> name, for discrete AMD cards.
AMD_DISCRETE: dict[tuple[int, int | None], str] = {
    (0x744C, 0xC8): "AMD Radeon RX 7900 XTX", (0x744C, 0xCC): "AMD Radeon RX 7900 XT",
    (0x744C, 0xCE): "AMD Radeon RX 7900 GRE", (0x744C, None): "AMD Radeon RX 7900 series",
    (0x747E, 0xC8): "AMD Radeon RX 7800 XT", (0x747E, 0xFF): "AMD Radeon RX 7700 XT",
    (0x747E, None): "AMD Radeon RX 7800/7700 series", (0x7480, None): "AMD Radeon RX 7600 series",
    (0x73BF, None): "AMD Radeon RX 6800/6900 series", (0x73A5, None): "AMD Radeon RX 6950 XT",
    (0x73DF, None): "AMD Radeon RX 6700 series", (0x73FF, None): "AMD Radeon RX 6600 series",
    (0x7550, None): "AMD Radeon RX 9070 series", (0x74A1, None): "AMD Instinct MI300X",
    (0x740C, None): "AMD Instinct MI250X/MI250", (0x740F, None): "AMD Instinct MI210",
}

# AMD APU graphics (integrated: memory comes out of system RAM).
AMD_INTEGRATED: dict[int, str] = {
    0x15DD: "AMD Radeon Vega (Raven Ridge)", 0x15D8: "AMD Radeon Vega (Picasso)",
    0x1636: "AMD Radeon Graphics (Renoir)", 0x1638: "AMD Radeon Graphics (Cezanne)",
    0x164C: "AMD Radeon Graphics (Lucienne)", 0x1681: "AMD Radeon 680M (Rembrandt)",
    0x164E: "AMD Radeon Graphics (Raphael)", 0x13C0: "AMD Radeon Graphics (Granite Ridge)",
    0x15BF: "AMD Radeon 780M (Phoenix)", 0x15C8: "AMD Radeon 740M (Phoenix2)",
    0x150E: "AMD Radeon 890M (Strix Point)", 0x1586: "AMD Radeon 8060S (Strix Halo)",
    0x1435: "AMD Custom GPU 0405 (Van Gogh)", 0x1506: "AMD Radeon 610M (Mendocino)",
}

# Intel discrete GPUs; every other Intel display device is taken as integrated.
INTEL_DISCRETE: dict[int, str] = {
    0x56A0: "Intel Arc A770", 0x56A1: "Intel Arc A750", 0x56A2: "Intel Arc A580",
    0x56A5: "Intel Arc A380", 0x56A6: "Intel Arc A310",
    0x5690: "Intel Arc A770M", 0x5691: "Intel Arc A730M", 0x5692: "Intel Arc A550M",
    0x5693: "Intel Arc A370M", 0x5694: "Intel Arc A350M",
    0xE20B: "Intel Arc B580", 0xE20C: "Intel Arc B570",
    0x56C0: "Intel Data Center GPU Flex 170", 0x56C1: "Intel Data Center GPU Flex 140",
    0x0BD5: "Intel Data Center GPU Max 1550", 0x0BDA: "Intel Data Center GPU Max 1100",
}

INTEL_INTEGRATED: dict[int, str] = {
    0x3E92: "Intel UHD Graphics 630", 0x9BC5: "Intel UHD Graphics 630", 0x4680: "Intel UHD Graphics 770",
    0xA780: "Intel UHD Graphics 770", 0x9A49: "Intel Iris Xe Graphics", 0x46A6: "Intel Iris Xe Graphics",
    0x7D55: "Intel Arc Graphics (Meteor Lake)", 0x64A0: "Intel Arc 140V (Lunar Lake)",
}


def parse_amdgpu_ids(text: str) -> dict[tuple[int, int], str]:
    """Parse libdrm's amdgpu.ids ("DEVICE,\\tREVISION,\\tNAME" lines) into (device, revision) -> name."""
    names: dict[tuple[int, int], str] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split(",", 2)]
        if len(parts) != 3:
            continue  # the version line
        try:
            names[(int(parts[0], 16), int(parts[1], 16))] = parts[2]
        except ValueError:
            continue
    return names


def lookup_pci_ids(text: str, vendor: int, device: int) -> str | None:
    """Return "Vendor [marketing name]" style text for a device from pci.ids content, or None.

    A device line reads "\\t2684  AD102 [GeForce RTX 4090]"; the bracketed part is the marketing name.
    """
    vendor_line = f"{vendor:04x}  "
    device_prefix = f"\t{device:04x}  "
    vendor_name = None
    in_vendor = False
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if not line.startswith("\t"):
            if in_vendor:
                return None
            in_vendor = line.lower().startswith(vendor_line)
            if in_vendor:
                vendor_name = line[len(vendor_line):].strip()
            continue
        if in_vendor and line.lower().startswith(device_prefix):
            description = line[len(device_prefix):].strip()
            if "[" in description and description.endswith("]"):
                description = description[description.index("[") + 1:-1]
            short_vendor = {AMD_VENDOR: "AMD", INTEL_VENDOR: "Intel", NVIDIA_VENDOR: "NVIDIA"}.get(
                vendor, vendor_name or "")
            return f"{short_vendor} {description}".strip()
    return None


@lru_cache(maxsize=1)
def _system_amdgpu_ids() -> dict[tuple[int, int], str]:
    for path in AMDGPU_IDS_PATHS:
        try:
            return parse_amdgpu_ids(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    return {}


@lru_cache(maxsize=1)
def _system_pci_ids() -> str:
    for path in PCI_IDS_PATHS:
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    return ""


_BUILT_IN_TABLE = source_message(QT_TRANSLATE_NOOP(CTX, "built-in device id table"))


def gpu_name(vendor: int, device: int, revision: int | None, *, use_system_lists: bool = True
             ) -> tuple[str, str | UserMessage]:
    """Return (name, source) for a PCI display device; the name is never empty."""
    if vendor == AMD_VENDOR:
        if use_system_lists and revision is not None and (device, revision) in _system_amdgpu_ids():
            return _system_amdgpu_ids()[(device, revision)], "libdrm amdgpu.ids"
        for key in ((device, revision), (device, None)):
            if key in AMD_DISCRETE:
                return AMD_DISCRETE[key], _BUILT_IN_TABLE
        if device in AMD_INTEGRATED:
            return AMD_INTEGRATED[device], _BUILT_IN_TABLE
    if vendor == INTEL_VENDOR:
        table = INTEL_DISCRETE if device in INTEL_DISCRETE else INTEL_INTEGRATED
        if device in table:
            return table[device], _BUILT_IN_TABLE
    if use_system_lists:
        found = lookup_pci_ids(_system_pci_ids(), vendor, device)
        if found:
            return found, "pci.ids"
    vendor_word = {AMD_VENDOR: "AMD GPU", INTEL_VENDOR: "Intel GPU", NVIDIA_VENDOR: "NVIDIA GPU"}.get(vendor, "GPU")
    return f"{vendor_word} [{vendor:04x}:{device:04x}]", source_message(QT_TRANSLATE_NOOP(
        CTX, "PCI id only (no name list knows it)"))
