"""Memory bandwidth estimates for speed advice.

Decoding a token reads every active weight once, so tokens/s is bounded by memory bandwidth. No probe
measures bandwidth here: the figures are vendors' published peak numbers looked up by chip or card
name, or typical figures for a memory type, and every result says which row it came from. All values
are GB/s in the tables (1 GB = 10^9 bytes) and bytes per second in the results.
"""

from __future__ import annotations

import re

from llmdesk.core.hardware._util import CTX, GIB, normalise_gpu_name, source_message
from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage

GB = 1_000_000_000

# Apple Silicon unified memory, peak GB/s from Apple's product pages. Where a chip came in two
# memory configurations (M3 Max 300/400, M4 Max 410/546) the row is the larger one.
APPLE_CHIPS: dict[str, float] = {
    "m1": 68.25, "m1 pro": 200, "m1 max": 400, "m1 ultra": 800,
    "m2": 100, "m2 pro": 200, "m2 max": 400, "m2 ultra": 800,
    "m3": 100, "m3 pro": 150, "m3 max": 400, "m3 ultra": 819,
    "m4": 120, "m4 pro": 273, "m4 max": 546,
    "m5": 153,
}

# Other platforms: (regex on the CPU model, GB/s, what the row assumes). First match wins.
# Desktop rows are dual-channel and give typical figures below the modules' peak.
PLATFORMS: tuple[tuple[str, float, str], ...] = (
    (r"ryzen ai max", 256, QT_TRANSLATE_NOOP(CTX, "AMD Ryzen AI Max: 256-bit LPDDR5X-8000")),
    (r"core\(tm\) ultra \d \d{3}v|core ultra \d \d{3}v", 136,
     QT_TRANSLATE_NOOP(CTX, "Intel Lunar Lake: LPDDR5X-8533 on package")),
    (r"ryzen ai \d+ ", 120, QT_TRANSLATE_NOOP(CTX, "AMD Ryzen AI 300 series: 128-bit LPDDR5X-7500")),
    (r"snapdragon x|oryon", 135, QT_TRANSLATE_NOOP(CTX, "Snapdragon X: LPDDR5X-8448")),
    (r"core\(tm\) ultra|core ultra", 70, QT_TRANSLATE_NOOP(CTX, "Intel Core Ultra: dual-channel DDR5")),
    (r"ryzen (?:\d+ )?(?:pro )?[789]\d{3}", 70,
     QT_TRANSLATE_NOOP(CTX, "AMD Ryzen 7000 series or later: dual-channel DDR5")),
    (r"ryzen (?:\d+ )?(?:pro )?[1-5]\d{3}", 40,
     QT_TRANSLATE_NOOP(CTX, "AMD Ryzen 1000-5000 series: dual-channel DDR4")),
    (r"i\d-(?:[6-9]\d{3}|1[01]\d{3})", 40,
     QT_TRANSLATE_NOOP(CTX, "Intel Core 6th-11th generation: dual-channel DDR4")),
    (r"i\d-[2-5]\d{3}", 21, QT_TRANSLATE_NOOP(CTX, "Intel Core 2nd-5th generation: dual-channel DDR3")),
)
DDR4_DUAL_CHANNEL = 40.0
DDR5_DUAL_CHANNEL = 70.0

# Discrete GPUs: normalised name key -> GB/s, or a list of (minimum memory in GiB, GB/s) for cards
# sold with several memory sizes, largest first. Spec-sheet peak figures. The longest key contained
# in the normalised name wins, so "rtx 4070 ti super" beats "rtx 4070".
GPUS: dict[str, float | list[tuple[float, float]]] = {
    # NVIDIA GeForce
    "rtx 5090": 1792, "rtx 5080": 960, "rtx 5070 ti": 896, "rtx 5070": 672, "rtx 5060 ti": 448,
    "rtx 5060": 448,
    "rtx 4090": 1008, "rtx 4080 super": 736, "rtx 4080": 717, "rtx 4070 ti super": 672,
    "rtx 4070 ti": 504, "rtx 4070 super": 504, "rtx 4070": 504, "rtx 4060 ti": 288, "rtx 4060": 272,
    "rtx 4090 laptop": 576, "rtx 4080 laptop": 432, "rtx 4070 laptop": 256, "rtx 4060 laptop": 256,
    "rtx 4050 laptop": 192,
    "rtx 3090 ti": 1008, "rtx 3090": 936, "rtx 3080 ti": 912, "rtx 3080": [(11, 912), (0, 760)],
    "rtx 3070 ti": 608, "rtx 3070": 448, "rtx 3060 ti": 448, "rtx 3060": [(11, 360), (0, 240)],
    "rtx 3050": 224,
    "rtx 2080 ti": 616, "rtx 2080 super": 496, "rtx 2080": 448, "rtx 2070 super": 448, "rtx 2070": 448,
    "rtx 2060 super": 448, "rtx 2060": 336, "titan rtx": 672,
    "gtx 1080 ti": 484, "gtx 1080": 320, "gtx 1070": 256, "gtx 1660 ti": 288, "gtx 1660 super": 336,
    "gtx 1660": 192, "gtx 1650": 128,
    # NVIDIA workstation and data centre
    "rtx pro 6000": 1792, "rtx 6000 ada": 960, "rtx a6000": 768, "rtx a5000": 768, "rtx a4000": 448,
    "a100": [(60, 1935), (0, 1555)], "a100 sxm4 80gb": 2039, "a100 80gb pcie": 1935,
    "h100": 2000, "h100 pcie": 2000, "h100 80gb hbm3": 3350, "h100 sxm": 3350, "h100 nvl": 3900,
    "h200": 4800, "h200 nvl": 4800, "gh200": 4000, "b200": 8000,
    "l40s": 864, "l40": 864, "l4": 300, "a10": 600, "a10g": 600, "a40": 696, "t4": 320, "v100": 900,
    "p100": 732,
    # AMD
    "rx 9070 xt": 640, "rx 9070": 640, "rx 9060 xt": 322,
    "rx 7900 xtx": 960, "rx 7900 xt": 800, "rx 7900 gre": 576, "rx 7800 xt": 624, "rx 7700 xt": 432,
    "rx 7600 xt": 288, "rx 7600": 288,
    "rx 6950 xt": 576, "rx 6900 xt": 512, "rx 6800 xt": 512, "rx 6800": 512, "rx 6750 xt": 432,
    "rx 6700 xt": 384, "rx 6600 xt": 256, "rx 6600": 224, "radeon vii": 1024,
    "pro w7900": 864, "pro w7800": 576,
    "mi300x": 5300, "mi250x": 3277, "mi250": 3277, "mi210": 1638, "mi100": 1229,
    # Intel
    "arc a770": [(12, 560), (0, 512)], "arc a750": 512, "arc a580": 512, "arc a380": 186, "arc a310": 124,
    "arc b580": 456, "arc b570": 380, "data center max 1550": 3277,
}


def _contains_words(haystack: str, needle: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])", haystack) is not None


def apple_chip_key(brand: str) -> str | None:
    """Return "m3 pro" for "Apple M3 Pro", or None when the brand is not an Apple M chip."""
    match = re.search(r"\b(m\d+)(?:\s+(pro|max|ultra))?\b", brand.lower())
    if not match or "apple" not in brand.lower():
        return None
    return " ".join(part for part in match.groups() if part)


def ram_bandwidth(cpu_model: str, architecture: str, os_name: str) -> tuple[float, UserMessage]:
    """Return (bytes/s, source) for system RAM, always an estimate; ``str(source)`` starts with "estimate"."""
    key = apple_chip_key(cpu_model) if os_name == "Darwin" or "apple" in cpu_model.lower() else None
    if key is not None:
        if key in APPLE_CHIPS:
            return APPLE_CHIPS[key] * GB, source_message(QT_TRANSLATE_NOOP(
                CTX, "estimate: Apple {chip} published peak ({gbps} GB/s)"),
                chip=key.upper(), gbps=f"{APPLE_CHIPS[key]:g}")
        base = key.split()[0]
        if base in APPLE_CHIPS:
            return APPLE_CHIPS[base] * GB, source_message(QT_TRANSLATE_NOOP(
                CTX, "estimate: {chip} is not in the table; used the base {base} figure"),
                chip=key, base=base.upper())
    model = cpu_model.lower()
    for pattern, gbps, assumption in PLATFORMS:
        if re.search(pattern, model):
            return gbps * GB, source_message(QT_TRANSLATE_NOOP(CTX, "estimate: {assumption} (~{gbps} GB/s)"),
                                             assumption=source_message(assumption), gbps=f"{gbps:g}")
    return DDR5_DUAL_CHANNEL * GB, source_message(QT_TRANSLATE_NOOP(
        CTX, "estimate: platform not in the table, assumed dual-channel DDR5 (~{ddr5} GB/s; DDR4 would be "
             "~{ddr4})"), ddr5=f"{DDR5_DUAL_CHANNEL:g}", ddr4=f"{DDR4_DUAL_CHANNEL:g}")


def gpu_bandwidth_from_name(name: str, memory_total: int | None = None) -> tuple[float, UserMessage] | None:
    """Return (bytes/s, source) for a known card name, or None when the name is not in the table."""
    normalised = normalise_gpu_name(name)
    matches = [key for key in GPUS if _contains_words(normalised, key)]
    if not matches:
        return None
    key = max(matches, key=len)
    value = GPUS[key]
    if isinstance(value, list):
        memory_gib = (memory_total or 0) / GIB
        gbps = next((v for minimum, v in value if memory_gib >= minimum), value[-1][1])
    else:
        gbps = value
    return gbps * GB, source_message(QT_TRANSLATE_NOOP(CTX, "estimate: spec sheet peak for {card} ({gbps} GB/s)"),
                                     card=repr(key), gbps=f"{gbps:g}")


def gpu_bandwidth_from_bus(bus_width_bits: int, max_memory_clock_mhz: int) -> float:
    """Return peak bytes/s from NVML's memory bus width and maximum memory clock.

    NVML reports the memory clock at half the data rate (GDDR and HBM transfer twice per clock), so
    the RTX 4090's 384 bits x 10501 MHz gives 1008 GB/s and the A100's 5120 bits x 1215 MHz 1555 GB/s.
    """
    return bus_width_bits / 8 * max_memory_clock_mhz * 1_000_000 * 2
