"""CPU and memory probes: parsers on recorded output, and the real probes against /proc and lscpu."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from llmdesk.core.hardware.cpu import (WINDOWS_PF, detect_cpu, features_from_sysctl, features_from_windows,
                                       normalise_architecture, parse_cpuinfo, parse_sysctl)
from llmdesk.core.hardware.memory import detect_memory, parse_cgroup_limit, parse_meminfo

DATA = Path(__file__).parent / "data" / "hardware" / "cpu"
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_cpuinfo_x86_model_and_features():
    model, features = parse_cpuinfo((DATA / "cpuinfo_i7_12700.txt").read_text())
    assert model == "12th Gen Intel(R) Core(TM) i7-12700"
    for name in ("avx", "avx2", "fma", "f16c", "avxvnni", "sse3", "bmi2"):
        assert name in features
    assert "avx512f" not in features
    assert "neon" not in features


def test_cpuinfo_arm64_features_and_part_name():
    model, features = parse_cpuinfo((DATA / "cpuinfo_graviton3.txt").read_text())
    assert model == "Neoverse V1"
    assert {"neon", "dotprod", "sve", "i8mm", "fp16", "bf16"} <= features
    assert "avx" not in features


def test_cpuinfo_unknown_arm_part_named_by_ids():
    text = "processor\t: 0\nFeatures\t: fp asimd\nCPU implementer\t: 0x48\nCPU part\t: 0xd01\n"
    model, features = parse_cpuinfo(text)
    assert model == "ARM CPU (implementer 0x48, part 0xd01)"
    assert features == frozenset({"neon"})


def test_sysctl_apple_silicon_features():
    values = parse_sysctl((DATA / "sysctl_m2.txt").read_text())
    assert values["machdep.cpu.brand_string"] == "Apple M2"
    features = features_from_sysctl(values)
    assert {"neon", "dotprod", "i8mm", "fp16", "bf16"} <= features
    assert "sme" not in features  # FEAT_SME: 0


def test_sysctl_intel_mac_features():
    features = features_from_sysctl(parse_sysctl((DATA / "sysctl_intel_mac.txt").read_text()))
    assert {"avx", "avx2", "fma", "f16c", "sse3", "bmi2"} <= features
    assert "avx512f" not in features


def test_windows_features_infer_fma_from_avx2():
    present = {code: False for code in WINDOWS_PF}
    present.update({39: True, 40: True})
    features, notes = features_from_windows(present, "x86_64")
    assert {"avx", "avx2", "fma", "f16c"} <= features
    assert "avx512f" not in features
    assert notes == ["fma and f16c inferred from avx2"]


def test_windows_features_arm64_has_neon():
    features, notes = features_from_windows({43: True, 46: False}, "arm64")
    assert features == frozenset({"neon", "dotprod"})
    assert notes == []


@pytest.mark.parametrize("machine, expected", [
    ("x86_64", "x86_64"), ("AMD64", "x86_64"), ("aarch64", "arm64"), ("arm64", "arm64"), ("i686", "x86"),
    ("riscv64", "riscv64"),
])
def test_architecture_normalised(machine, expected):
    assert normalise_architecture(machine) == expected


def test_meminfo_parsed_in_bytes():
    values = parse_meminfo((DATA / "meminfo_debian12_vm.txt").read_text())
    assert values["MemTotal"] == 24683784 * 1024
    assert values["MemAvailable"] > 0
    assert "HugePages_Total" in values  # a field without a unit stays a plain number


@pytest.mark.parametrize("limit, usage, expected", [
    ("max", "123", None),
    ("9223372036854771712", "5", None),  # cgroup v1's "no limit"
    ("8589934592", "1073741824", (8589934592, 1073741824)),
    ("garbage", "1", None),
    (None, None, None),
])
def test_cgroup_limit(limit, usage, expected):
    assert parse_cgroup_limit(limit, usage) == expected


@linux_only
def test_real_memory_matches_proc_meminfo():
    memory, issues = detect_memory()
    meminfo = parse_meminfo(Path("/proc/meminfo").read_text())
    assert issues == []
    assert memory.total == meminfo["MemTotal"]
    # MemAvailable moves between two reads; a 5 % window still catches a wrong field or unit.
    assert abs(memory.available - meminfo["MemAvailable"]) < meminfo["MemTotal"] * 0.05
    assert str(memory.sources["total"]).startswith("/proc/meminfo MemTotal")


def _lscpu() -> dict[str, str]:
    output = subprocess.run(["lscpu"], capture_output=True, text=True, env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
                            check=True).stdout
    values = {}
    for line in output.splitlines():
        key, _, value = line.partition(":")
        values[key.strip()] = value.strip()
    return values


@linux_only
@pytest.mark.skipif(shutil.which("lscpu") is None, reason="lscpu is not installed")
def test_real_cpu_matches_lscpu():
    cpu, issues = detect_cpu()
    lscpu = _lscpu()
    assert issues == []
    if "Model name" in lscpu and re.match(r"x86|i.86", lscpu.get("Architecture", "")):
        assert cpu.model == lscpu["Model name"]
    assert cpu.logical_cores == int(lscpu["CPU(s)"])
    physical = int(lscpu["Core(s) per socket"]) * int(lscpu.get("Socket(s)", "1"))
    assert cpu.physical_cores == physical
    assert cpu.architecture == normalise_architecture(lscpu["Architecture"])
    lscpu_flags = set(lscpu.get("Flags", "").split())
    for flag, feature in (("avx", "avx"), ("avx2", "avx2"), ("avx512f", "avx512f"), ("fma", "fma"),
                          ("asimd", "neon"), ("asimddp", "dotprod")):
        assert (feature in cpu.features) == (flag in lscpu_flags), flag
