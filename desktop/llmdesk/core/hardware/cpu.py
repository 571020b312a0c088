"""CPU probe: model name, core counts and the instruction sets llama.cpp's CPU backend uses.

Feature names are llama.cpp's, lower case: avx, avx2, avx512f, avx512bw, avx512vl, avx512vnni,
avxvnni, fma, f16c, amx, neon, dotprod, sve, i8mm (and a few more that its system info prints).
"""

from __future__ import annotations

import logging
import platform
import sys
from pathlib import Path

import psutil

from llmdesk.core.hardware._util import CTX, ProbeError, detection_failed, run_command, source_message
from llmdesk.core.hardware.profile import CpuInfo, DetectionIssue
from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage

log = logging.getLogger(__name__)

# /proc/cpuinfo flag (x86 "flags", ARM "Features") -> feature name.
_LINUX_FLAGS = {
    "pni": "sse3", "ssse3": "ssse3", "sse4_1": "sse4_1", "sse4_2": "sse4_2",
    "avx": "avx", "avx2": "avx2", "fma": "fma", "f16c": "f16c", "bmi2": "bmi2",
    "avx_vnni": "avxvnni",
    "avx512f": "avx512f", "avx512bw": "avx512bw", "avx512vl": "avx512vl", "avx512dq": "avx512dq",
    "avx512cd": "avx512cd", "avx512_vnni": "avx512vnni", "avx512vbmi": "avx512vbmi",
    "avx512_bf16": "avx512bf16",
    "amx_tile": "amx", "amx_int8": "amx_int8", "amx_bf16": "amx_bf16",
    # AArch64
    "asimd": "neon", "asimddp": "dotprod", "asimdhp": "fp16", "sve": "sve", "sve2": "sve2",
    "i8mm": "i8mm", "bf16": "bf16", "sme": "sme",
}

# macOS sysctl key -> feature name. Apple Silicon reports hw.optional.arm.FEAT_*, Intel Macs
# hw.optional.avx*_0 / avx512*; machdep.cpu.features lists the rest as upper-case words.
_SYSCTL_KEYS = {
    "hw.optional.AdvSIMD": "neon", "hw.optional.neon": "neon",
    "hw.optional.arm.FEAT_DotProd": "dotprod", "hw.optional.arm.FEAT_I8MM": "i8mm",
    "hw.optional.arm.FEAT_FP16": "fp16", "hw.optional.arm.FEAT_BF16": "bf16",
    "hw.optional.arm.FEAT_SME": "sme", "hw.optional.arm.FEAT_SVE": "sve",
    "hw.optional.avx1_0": "avx", "hw.optional.avx2_0": "avx2", "hw.optional.fma": "fma",
    "hw.optional.avx512f": "avx512f", "hw.optional.avx512bw": "avx512bw",
    "hw.optional.avx512vl": "avx512vl", "hw.optional.avx512vnni": "avx512vnni",
    "hw.optional.avx512dq": "avx512dq", "hw.optional.avx512cd": "avx512cd",
}
_SYSCTL_WORDS = {"AVX1.0": "avx", "AVX2": "avx2", "FMA": "fma", "F16C": "f16c", "SSE3": "sse3",
                 "SSSE3": "ssse3", "AVX512F": "avx512f", "AVX512BW": "avx512bw", "AVX512VL": "avx512vl",
                 "AVX512VNNI": "avx512vnni", "BMI2": "bmi2"}

# Windows IsProcessorFeaturePresent() constants (winnt.h PF_*) -> feature name.
WINDOWS_PF = {
    13: "sse3", 36: "ssse3", 37: "sse4_1", 38: "sse4_2",
    39: "avx", 40: "avx2", 41: "avx512f",
    19: "neon", 43: "dotprod", 46: "sve", 47: "sve2",
}


def normalise_architecture(machine: str) -> str:
    """Map platform.machine() spellings to x86_64 / arm64 (others pass through in lower case)."""
    value = machine.strip().lower()
    if value in {"x86_64", "amd64", "x64", "em64t"}:
        return "x86_64"
    if value in {"arm64", "aarch64", "armv8", "arm64e"}:
        return "arm64"
    if value in {"i386", "i486", "i586", "i686", "x86"}:
        return "x86"
    return value


# ARM (implementer, part) -> core name, for /proc/cpuinfo on ARM Linux, which has no "model name".
_ARM_PARTS = {
    (0x41, 0xD08): "Cortex-A72", (0x41, 0xD0B): "Cortex-A76", (0x41, 0xD0C): "Neoverse N1",
    (0x41, 0xD40): "Neoverse V1", (0x41, 0xD41): "Cortex-A78", (0x41, 0xD49): "Neoverse N2",
    (0x41, 0xD4F): "Neoverse V2", (0x41, 0xD8E): "Neoverse N3", (0x41, 0xD84): "Neoverse V3",
    (0x61, 0x022): "Apple M1", (0x61, 0x023): "Apple M1", (0x51, 0x001): "Qualcomm Oryon",
}


def parse_cpuinfo(text: str) -> tuple[str | None, frozenset[str]]:
    """Parse /proc/cpuinfo into (model name, features) using the first processor block."""
    model: str | None = None
    implementer = part = None
    flags: set[str] = set()
    for line in text.splitlines():
        if not line.strip():
            if flags or model:
                break  # the first processor block is enough: all cores share one flag list
            continue
        key, _, value = line.partition(":")
        key = key.strip().lower()
        value = value.strip()
        if key in {"model name", "cpu model"} and value and model is None:
            model = value
        elif key in {"flags", "features"}:
            flags.update(value.lower().split())
        elif key == "cpu implementer":
            implementer = _parse_int(value)
        elif key == "cpu part":
            part = _parse_int(value)
    if model is None and implementer is not None and part is not None:
        model = _ARM_PARTS.get((implementer, part), f"ARM CPU (implementer 0x{implementer:02x}, "
                                                    f"part 0x{part:03x})")
    features = {_LINUX_FLAGS[f] for f in flags if f in _LINUX_FLAGS}
    return model, frozenset(features)


def _parse_int(text: str) -> int | None:
    try:
        return int(text, 0)
    except ValueError:
        return None


def parse_sysctl(text: str) -> dict[str, str]:
    """Parse ``sysctl name...`` output (``name: value`` lines) into a dict."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            values[key.strip()] = value.strip()
    return values


def features_from_sysctl(values: dict[str, str]) -> frozenset[str]:
    """Return the features that macOS sysctl values report as present."""
    features = {name for key, name in _SYSCTL_KEYS.items() if values.get(key, "0").strip() not in {"", "0"}}
    for key in ("machdep.cpu.features", "machdep.cpu.leaf7_features"):
        for word in values.get(key, "").split():
            if word.upper() in _SYSCTL_WORDS:
                features.add(_SYSCTL_WORDS[word.upper()])
    return frozenset(features)


def features_from_windows(present: dict[int, bool], architecture: str) -> tuple[frozenset[str], list[str]]:
    """Return features from IsProcessorFeaturePresent() answers and notes on inferred ones.

    Windows has no PF_* constant for FMA, F16C or the AVX-512 sub-sets, so those are inferred:
    every AVX2 CPU that Intel (Haswell and later) and AMD (Excavator and later) shipped also has
    FMA and F16C. AArch64 makes NEON mandatory.
    """
    features = {WINDOWS_PF[code] for code, yes in present.items() if yes and code in WINDOWS_PF}
    notes = []
    if "avx2" in features:
        features.update({"fma", "f16c"})
        notes.append(QT_TRANSLATE_NOOP(CTX, "fma and f16c inferred from avx2"))
    if architecture == "arm64":
        features.add("neon")
    return frozenset(features), notes


def detect_cpu() -> tuple[CpuInfo, list[DetectionIssue]]:
    """Read this machine's CPU. Never raises: a failed part leaves a field unknown and adds an issue."""
    issues: list[DetectionIssue] = []
    architecture = normalise_architecture(platform.machine())
    sources: dict[str, str | UserMessage] = {"architecture": "platform.machine()"}
    model: str | None = None
    features: frozenset[str] = frozenset()

    try:
        if sys.platform.startswith("linux"):
            model, features = parse_cpuinfo(Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace"))
            sources["model"] = sources["features"] = "/proc/cpuinfo"
        elif sys.platform == "darwin":
            model, features = _darwin_cpu()
            sources["model"] = "sysctl machdep.cpu.brand_string"
            sources["features"] = "sysctl hw.optional.*"
        elif sys.platform == "win32":
            model, features, notes = _windows_cpu(architecture)
            sources["model"] = "registry CentralProcessor\\0 ProcessorNameString"
            sources["features"] = "IsProcessorFeaturePresent"
            if notes:
                # A single note is a marked template, so it translates as it stands; several stay English.
                sources["features"] = source_message(QT_TRANSLATE_NOOP(CTX, "IsProcessorFeaturePresent ({notes})"),
                                                     notes=source_message("; ".join(notes)))
    except (OSError, ProbeError) as exc:
        issues.append(detection_failed("cpu", f"could not read CPU details: {exc}"))

    if not model:
        model = platform.processor() or "unknown CPU"
        sources["model"] = "platform.processor()"

    physical = psutil.cpu_count(logical=False)
    logical = psutil.cpu_count(logical=True)
    sources["physical_cores"] = sources["logical_cores"] = "psutil.cpu_count"
    cpu = CpuInfo(model=model, architecture=architecture, physical_cores=physical, logical_cores=logical,
                  features=features, sources=sources)
    return cpu, issues


def _darwin_cpu() -> tuple[str | None, frozenset[str]]:
    result = run_command(["/usr/sbin/sysctl", "machdep.cpu.brand_string", "machdep.cpu.features",
                          "machdep.cpu.leaf7_features", "hw.optional"], timeout=5)
    # sysctl exits non-zero when one of several names is unknown but still prints the others.
    values = parse_sysctl(result.stdout)
    if not values:
        raise ProbeError(f"sysctl printed nothing (exit status {result.returncode}): {result.stderr.strip()}")
    return values.get("machdep.cpu.brand_string"), features_from_sysctl(values)


def _windows_cpu(architecture: str) -> tuple[str | None, frozenset[str], list[str]]:
    import ctypes
    import winreg

    model = None
    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE,
                            r"HARDWARE\DESCRIPTION\System\CentralProcessor\0") as key:
            model = str(winreg.QueryValueEx(key, "ProcessorNameString")[0]).strip()
    except OSError as exc:
        log.info("No ProcessorNameString in the registry: %s", exc)
    is_present = ctypes.windll.kernel32.IsProcessorFeaturePresent  # type: ignore[attr-defined]
    present = {code: bool(is_present(code)) for code in WINDOWS_PF}
    features, notes = features_from_windows(present, architecture)
    return model, features, notes
