"""detect() on this machine, the settings overrides, bandwidth tables and `llm-desk hardware`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from llmdesk.cli import main
from llmdesk.core.hardware import apply_overrides, detect
from llmdesk.core.hardware._util import GIB, normalise_gpu_name
from llmdesk.core.hardware.bandwidth import GB, gpu_bandwidth_from_name, ram_bandwidth
from llmdesk.core.hardware.profile import CpuInfo, GpuInfo, GpuVendor, MachineProfile, MemoryInfo
from llmdesk.core.settings import Settings


def make_profile(gpus: list[GpuInfo]) -> MachineProfile:
    return MachineProfile(os_name="Test", os_version="1", cpu=CpuInfo("test CPU", "x86_64", 4, 8),
                          memory=MemoryInfo(total=32 * GIB, available=20 * GIB), gpus=gpus, ram_bandwidth=70 * GB)


def test_detect_this_machine_without_llama():
    profile = detect(query_llama=False)
    assert profile.llama is None
    assert profile.memory.total > 0
    assert 0 < profile.memory.available <= profile.memory.total
    assert profile.cpu.logical_cores >= 1
    assert profile.cpu.model
    assert profile.ram_bandwidth > 0
    assert str(profile.sources["ram_bandwidth"]).startswith("estimate")
    assert all(gpu.usable_by_llama is None for gpu in profile.gpus)
    json.dumps(profile.to_dict())  # the JSON form must serialise


def test_detect_with_llama_marks_every_gpu():
    profile = detect()
    assert profile.llama is not None
    assert profile.llama.available is True
    for gpu in profile.gpus:
        assert gpu.usable_by_llama is not None


def test_overrides_from_settings():
    settings = Settings()
    settings.set("override_ram_gib", 64)
    settings.set("override_vram_gib", 6)
    settings.set("override_bandwidth_gbs", 300)
    gpu = GpuInfo(vendor=GpuVendor.NVIDIA, name="NVIDIA GeForce RTX 3060", memory_total=12 * GIB,
                  memory_free=11 * GIB)
    profile = apply_overrides(make_profile([gpu]), settings)
    assert profile.memory.total == 64 * GIB
    assert profile.memory.available == 52 * GIB  # the 12 GiB detected in use stays in use
    assert profile.gpus[0].memory_free == 6 * GIB
    assert profile.gpus[0].memory_total == 12 * GIB
    assert profile.ram_bandwidth == 300 * GB
    assert profile.gpus[0].bandwidth == 300 * GB
    assert profile.overrides == {"override_ram_gib": 64.0, "override_vram_gib": 6.0, "override_bandwidth_gbs": 300.0}
    assert str(profile.memory.sources["total"]) == "setting override_ram_gib"
    assert str(profile.gpus[0].sources["memory_free"]) == "setting override_vram_gib"


def test_vram_override_without_gpu_adds_placeholder():
    settings = Settings()
    settings.set("override_vram_gib", 8)
    profile = apply_overrides(make_profile([]), settings)
    assert len(profile.gpus) == 1
    assert profile.gpus[0].memory_total == 8 * GIB
    assert profile.gpus[0].vendor == GpuVendor.OTHER


def test_vram_override_on_apple_sets_metal_budget():
    settings = Settings()
    settings.set("override_vram_gib", 20)
    gpu = GpuInfo(vendor=GpuVendor.APPLE, name="Apple M2 Pro", unified=True, shared_memory=10 * GIB)
    profile = apply_overrides(make_profile([gpu]), settings)
    assert profile.metal_budget == 20 * GIB
    assert profile.gpus[0].shared_memory == 20 * GIB
    assert profile.gpus[0].memory_total is None


def test_no_overrides_change_nothing():
    profile = apply_overrides(make_profile([]), Settings())
    assert profile.overrides == {}
    assert profile.memory.total == 32 * GIB
    assert profile.gpus == []


@pytest.mark.parametrize("name, memory, gbs", [
    ("NVIDIA GeForce RTX 4090", 24 * GIB, 1008), ("NVIDIA GeForce RTX 4070 Ti SUPER", 16 * GIB, 672),
    ("NVIDIA GeForce RTX 4070", 12 * GIB, 504), ("NVIDIA GeForce RTX 4060 Laptop GPU", 8 * GIB, 256),
    ("NVIDIA GeForce RTX 3060", 12 * GIB, 360), ("NVIDIA GeForce RTX 3060", 8 * GIB, 240),
    ("NVIDIA A100-SXM4-80GB", 80 * GIB, 2039), ("NVIDIA A100-PCIE-40GB", 40 * GIB, 1555),
    ("NVIDIA H100 80GB HBM3", 80 * GIB, 3350), ("NVIDIA H200", 141 * GIB, 4800), ("Tesla T4", 15 * GIB, 320),
    ("AMD Radeon RX 7900 XTX", 24 * GIB, 960), ("AMD Radeon RX 7900 XTX (RADV NAVI31)", None, 960),
    ("Intel(R) Arc(TM) A770 Graphics", 16 * GIB, 560), ("Intel(R) Arc(TM) A770 Graphics", 8 * GIB, 512),
])
def test_gpu_bandwidth_table(name, memory, gbs):
    bandwidth, source = gpu_bandwidth_from_name(name, memory)
    assert bandwidth == gbs * GB
    assert str(source).startswith("estimate: spec sheet peak")


def test_unknown_gpu_has_no_table_bandwidth():
    assert gpu_bandwidth_from_name("NVIDIA Graphics Device") is None
    bandwidth, source = gpu_bandwidth_from_name("NVIDIA A10")
    assert (bandwidth, str(source)) == (600 * GB, "estimate: spec sheet peak for 'a10' (600 GB/s)")


@pytest.mark.parametrize("model, os_name, gbs", [
    ("Apple M1", "Darwin", 68.25), ("Apple M1 Max", "Darwin", 400), ("Apple M3 Pro", "Darwin", 150),
    ("Apple M4 Pro", "Darwin", 273), ("Apple M9 Max", "Darwin", None),
    ("AMD Ryzen 9 7950X 16-Core Processor", "Linux", 70), ("AMD Ryzen 7 5800X 8-Core Processor", "Linux", 40),
    ("Intel(R) Core(TM) i7-8700K CPU @ 3.70GHz", "Windows", 40),
    ("AMD RYZEN AI MAX+ 395 w/ Radeon 8060S", "Linux", 256), ("AMD EPYC", "Linux", 70),
])
def test_ram_bandwidth_table(model, os_name, gbs):
    bandwidth, source = ram_bandwidth(model, "x86_64", os_name)
    assert str(source).startswith("estimate")
    if gbs is None:
        assert "not in the table" in str(source)
    else:
        assert bandwidth == gbs * GB


@pytest.mark.parametrize("name, expected", [
    ("Intel(R) Arc(TM) A770 Graphics", "arc a770"), ("AMD Radeon RX 7900 XTX (RADV NAVI31)", "radeon rx 7900 xtx"),
    ("NVIDIA GeForce RTX 4060 Laptop GPU", "geforce rtx 4060 laptop"), ("Apple M2 Pro", "m2 pro"),
])
def test_gpu_name_normalised(name, expected):
    assert normalise_gpu_name(name) == expected


def test_cli_summary(capsys):
    assert main(["hardware", "--no-llama"]) == 0
    output = capsys.readouterr().out
    assert output.startswith("OS:")
    assert "RAM:" in output
    assert "llama.cpp: not checked (--no-llama)" in output
    assert "Issues:" in output


def test_cli_json_with_llama(capsys):
    assert main(["hardware", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["memory"]["total"] > 0
    assert data["llama"]["available"] is True
    assert isinstance(data["cpu"]["features"], list)


def test_cli_runs_as_console_script():
    completed = subprocess.run([sys.executable, "-m", "llmdesk", "hardware", "--no-llama", "--json"],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["llama"] is None
