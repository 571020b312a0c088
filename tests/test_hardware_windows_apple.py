"""Windows registry/CIM parsers and the Apple Silicon probe, on recorded values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmdesk.core.hardware._util import GIB, MIB
from llmdesk.core.hardware.apple import metal_budget_estimate, parse_apple
from llmdesk.core.hardware.cpu import parse_sysctl
from llmdesk.core.hardware.profile import GpuVendor
from llmdesk.core.hardware.windows import (parse_32bit_memory, parse_cim_video_controllers, parse_registry_adapters,
                                           registry_bytes_to_int)

DATA = Path(__file__).parent / "data" / "hardware"


def registry(name: str) -> dict[str, dict[str, Any]]:
    """Load recorded registry values, converted to what winreg.QueryValueEx returns for each type."""
    adapters = json.loads((DATA / "windows" / name).read_text())["adapters"]
    converted: dict[str, dict[str, Any]] = {}
    for subkey, values in adapters.items():
        converted[subkey] = {}
        for value_name, value in values.items():
            if value["type"] == "REG_BINARY":
                converted[subkey][value_name] = bytes.fromhex(value["hex"])
            else:
                converted[subkey][value_name] = value["value"]
    return converted


def apple(name: str, metal: int | None = None):
    return parse_apple(parse_sysctl((DATA / "apple" / name).read_text()), metal)


def test_registry_memory_sizes():
    gpus = {g.name: g for g in parse_registry_adapters(registry("registry_memory_sizes.json"))}
    assert set(gpus) == {"AMD Radeon RX 6600", "NVIDIA GeForce RTX 3070", "NVIDIA GeForce GTX 1050",
                         "NVIDIA GeForce GTX 1080"}  # the basic display adapter is not a GPU
    assert gpus["AMD Radeon RX 6600"].memory_total == 8 * GIB  # 8-byte REG_BINARY
    assert gpus["NVIDIA GeForce RTX 3070"].memory_total == 8 * GIB  # REG_QWORD
    assert gpus["NVIDIA GeForce GTX 1050"].memory_total == 2 * GIB  # 4-byte REG_BINARY
    assert gpus["NVIDIA GeForce GTX 1080"].memory_total is None  # only the saturated 32-bit value
    assert any("saturated" in str(note) for note in gpus["NVIDIA GeForce GTX 1080"].notes)
    assert gpus["NVIDIA GeForce GTX 1050"].pci_id == "10de:1c81"
    assert gpus["AMD Radeon RX 6600"].vendor == GpuVendor.AMD
    assert gpus["AMD Radeon RX 6600"].unified is False
    assert gpus["NVIDIA GeForce RTX 3070"].driver == "32.0.15.6094"
    assert gpus["NVIDIA GeForce RTX 3070"].sources["memory_total"] == \
        "registry 0001 HardwareInformation.qwMemorySize"


def test_registry_hybrid_laptop_igpu_is_unified():
    gpus = {g.vendor: g for g in parse_registry_adapters(registry("registry_hybrid_laptop.json"))}
    intel, nvidia = gpus[GpuVendor.INTEL], gpus[GpuVendor.NVIDIA]
    assert intel.unified is True
    assert intel.memory_total is None  # the 128 MiB carve-out is not VRAM
    assert nvidia.unified is False
    assert nvidia.memory_total == 8 * GIB
    assert nvidia.pci_id == "10de:28e0"


@pytest.mark.parametrize("value, expected", [
    (b"\x00\x00\x00\x00\x02\x00\x00\x00", 8 * GIB),
    (b"\x00\x00\x00\x80", 2 * GIB),
    (8 * GIB, 8 * GIB),
    (b"\x00\x00", None),
    ("8589934592", None),
    (True, None),
])
def test_registry_bytes(value, expected):
    assert registry_bytes_to_int(value) == expected


@pytest.mark.parametrize("value, expected", [
    (4293918720, None), (4294967295, None), (-1, None), (0, None), (None, None),
    (2147483648, 2 * GIB), (b"\x00\x00\xf0\xff", None), ("1073741824", GIB),
])
def test_adapter_ram_saturation(value, expected):
    assert parse_32bit_memory(value) == expected


def test_cim_video_controllers():
    gpus = parse_cim_video_controllers((DATA / "windows" / "cim_video_controllers.json").read_text())
    by_name = {g.name: g for g in gpus}
    assert set(by_name) == {"NVIDIA GeForce RTX 4060 Laptop GPU", "NVIDIA GeForce RTX 3080", "AMD Radeon RX 7900 XTX",
                            "NVIDIA GeForce GTX 1050"}
    for name in ("NVIDIA GeForce RTX 4060 Laptop GPU", "NVIDIA GeForce RTX 3080", "AMD Radeon RX 7900 XTX"):
        assert by_name[name].memory_total is None, name  # 4293918720, 4294967295 and -1 mean unknown
        assert by_name[name].unified is False, name
    assert by_name["NVIDIA GeForce GTX 1050"].memory_total == 2 * GIB
    assert by_name["AMD Radeon RX 7900 XTX"].pci_id == "1002:744c"


def test_cim_single_object():
    gpus = parse_cim_video_controllers('{"Name":"Intel(R) Arc(TM) A770 Graphics","AdapterRAM":2147483648,'
                                       '"PNPDeviceID":"PCI\\\\VEN_8086&DEV_56A0&SUBSYS_10208086","DriverVersion":"1"}')
    assert len(gpus) == 1
    assert gpus[0].unified is False  # a known discrete Arc even with a 2 GiB figure


@pytest.mark.parametrize("name, memory, budget", [
    ("m1_8gb.txt", 8 * GIB, 8 * GIB * 2 // 3),
    ("m2pro_16gb.txt", 16 * GIB, 16 * GIB * 2 // 3),
    ("m3max_64gb.txt", 64 * GIB, 48 * GIB),
])
def test_apple_budget_table(name, memory, budget):
    gpu, metal_budget, source, issues = apple(name)
    assert issues == []
    assert metal_budget == budget
    assert gpu.shared_memory == budget
    assert gpu.unified is True
    assert gpu.memory_total is None
    assert gpu.vendor == GpuVendor.APPLE
    assert str(source).startswith("estimate:")
    assert metal_budget_estimate(memory) == budget


def test_apple_wired_limit_overrides_metal():
    gpu, budget, source, _ = apple("m4max_64gb_wired_limit.txt", metal=48 * GIB)
    assert budget == 57344 * MIB
    assert gpu.shared_memory == 57344 * MIB
    assert source == "sysctl iogpu.wired_limit_mb = 57344"
    assert gpu.bandwidth == 546e9


def test_apple_metal_value_beats_table():
    gpu, budget, source, _ = apple("m2pro_16gb.txt", metal=11453251584)
    assert budget == 11453251584
    assert source == "Metal recommendedMaxWorkingSetSize"
    assert gpu.name == "Apple M2 Pro"
    assert gpu.bandwidth == 200e9


def test_apple_macos13_without_wired_limit_key():
    gpu, budget, _, issues = apple("m1_16gb_macos13.txt")
    assert issues == []
    assert budget == 16 * GIB * 2 // 3
    assert gpu.bandwidth == 68.25e9


def test_intel_mac_has_no_apple_gpu():
    gpu, budget, _, issues = apple("intel_mac_32gb.txt")
    assert gpu is None
    assert budget is None
    assert issues == []


def test_apple_missing_memsize_is_an_issue():
    gpu, _, _, issues = parse_apple({"machdep.cpu.brand_string": "Apple M1"})
    assert gpu is None
    assert issues[0].probe == "apple"
    assert "hw.memsize" in issues[0].message
