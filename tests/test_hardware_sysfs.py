"""AMD and Intel probes on sysfs trees built from recordings under tests/data/hardware/sysfs."""

from __future__ import annotations

import json
from pathlib import Path

from llmdesk.core.hardware._util import GIB
from llmdesk.core.hardware.amd import parse_amd_sysfs
from llmdesk.core.hardware.intel import parse_intel_sysfs
from llmdesk.core.hardware.pci_names import lookup_pci_ids, parse_amdgpu_ids
from llmdesk.core.hardware.profile import GpuVendor
from llmdesk.core.hardware.sysfs import list_display_devices

DATA = Path(__file__).parent / "data" / "hardware" / "sysfs"


def build_tree(root: Path, name: str, replace: dict[str, str] | None = None) -> Path:
    for relative, content in json.loads((DATA / name).read_text())["files"].items():
        for old, new in (replace or {}).items():
            content = content.replace(old, new)
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def test_amd_discrete_rx7900xtx(tmp_path):
    gpus, issues = parse_amd_sysfs(build_tree(tmp_path, "amd_rx7900xtx.json"), use_system_lists=False)
    assert issues == []
    assert len(gpus) == 1  # the card0-DP-1 connector is not a second card
    gpu = gpus[0]
    assert gpu.vendor == GpuVendor.AMD
    assert gpu.name == "AMD Radeon RX 7900 XTX"
    assert gpu.unified is False
    assert gpu.memory_total == 25753026560
    assert gpu.memory_free == 25753026560 - 1354342400
    assert gpu.shared_memory is None  # GTT is system memory, never counted as VRAM
    assert gpu.pci_bus == "0000:03:00.0"
    assert gpu.pci_id == "1002:744c"
    assert gpu.driver == "amdgpu"
    assert gpu.sources["memory_total"] == "sysfs mem_info_vram_total"


def test_amd_apu_is_unified_not_512_mib(tmp_path):
    gpus, issues = parse_amd_sysfs(build_tree(tmp_path, "amd_apu_780m.json"), use_system_lists=False)
    assert issues == []
    gpu = gpus[0]
    assert gpu.unified is True
    assert gpu.memory_total is None
    assert gpu.memory_free is None
    assert gpu.shared_memory == 16441548800
    assert gpu.name == "AMD Radeon 780M (Phoenix)"
    assert str(gpu.sources["unified"]) == "built-in APU device id table"
    assert any("512 MiB firmware carve-out" in str(note) for note in gpu.notes)


def test_amd_apu_unknown_id_detected_by_carve_out(tmp_path):
    root = build_tree(tmp_path, "amd_apu_780m.json", {"15BF": "1900", "0x15bf": "0x1900"})
    gpus, _ = parse_amd_sysfs(root, use_system_lists=False)
    assert gpus[0].unified is True
    assert gpus[0].shared_memory == 16441548800
    assert gpus[0].name == "AMD GPU [1002:1900]"
    assert str(gpus[0].sources["unified"]).startswith("sysfs: VRAM carve-out below 2 GiB")


def test_amd_missing_memory_file_is_an_issue(tmp_path):
    root = build_tree(tmp_path, "amd_rx7900xtx.json")
    (root / "class/drm/card0/device/mem_info_vram_total").unlink()
    gpus, issues = parse_amd_sysfs(root, use_system_lists=False)
    assert len(gpus) == 1
    assert gpus[0].memory_total is None
    assert len(issues) == 1
    assert "mem_info_vram_total" in issues[0].message


def test_amd_without_driver_is_an_issue(tmp_path):
    root = build_tree(tmp_path, "amd_rx7900xtx.json", {"DRIVER=amdgpu\n": ""})
    gpus, issues = parse_amd_sysfs(root, use_system_lists=False)
    assert len(gpus) == 1
    assert "no kernel driver bound" in issues[0].message


def test_intel_xe_arc_discrete(tmp_path):
    gpus, issues = parse_intel_sysfs(build_tree(tmp_path, "intel_xe_arc_b580.json"), use_system_lists=False)
    assert issues == []
    gpu = gpus[0]
    assert gpu.vendor == GpuVendor.INTEL
    assert gpu.name == "Intel Arc B580"
    assert gpu.unified is False
    assert gpu.memory_total == 12 * GIB
    assert gpu.driver == "xe"
    assert gpu.sources["memory_total"] == "sysfs tile0/physical_vram_size_bytes"


def test_intel_xe_tiles_summed(tmp_path):
    gpus, _ = parse_intel_sysfs(build_tree(tmp_path, "intel_xe_max_two_tiles.json"), use_system_lists=False)
    assert gpus[0].memory_total == 128 * GIB
    assert gpus[0].sources["memory_total"] == ("sysfs tile0/physical_vram_size_bytes + "
                                              "tile1/physical_vram_size_bytes")


def test_intel_i915_igpu_is_unified(tmp_path):
    gpus, issues = parse_intel_sysfs(build_tree(tmp_path, "intel_i915_igpu.json"), use_system_lists=False)
    assert issues == []
    gpu = gpus[0]
    assert gpu.unified is True
    assert gpu.memory_total is None
    assert gpu.name == "Intel UHD Graphics 770"
    assert gpu.pci_bus == "0000:00:02.0"


def test_intel_i915_lmem_on_card(tmp_path):
    gpus, _ = parse_intel_sysfs(build_tree(tmp_path, "intel_i915_arc_lmem.json"), use_system_lists=False)
    gpu = gpus[0]
    assert gpu.unified is False
    assert gpu.memory_total == 16 * GIB
    assert gpu.memory_free == 16777216000
    assert gpu.sources["memory_free"] == "sysfs lmem_avail_bytes"


def test_intel_known_discrete_without_size_stays_discrete(tmp_path):
    root = build_tree(tmp_path, "intel_i915_arc_lmem.json")
    (root / "class/drm/card0/lmem_total_bytes").unlink()
    gpus, issues = parse_intel_sysfs(root, use_system_lists=False)
    assert gpus[0].unified is False
    assert gpus[0].memory_total is None
    assert any("publishes no local memory size" in str(note) for note in gpus[0].notes)
    assert issues == []


def test_display_devices_skip_connectors_and_bridges(tmp_path):
    build_tree(tmp_path, "hybrid_laptop_i915_nvidia.json")
    build_tree(tmp_path, "nvidia_without_driver.json")
    devices = list_display_devices(tmp_path)
    assert [(d.pci_bus, d.driver) for d in devices] == [
        ("0000:00:02.0", "i915"), ("0000:01:00.0", "nvidia"), ("0000:65:00.0", None)]


def test_missing_sysfs_root_lists_nothing(tmp_path):
    assert list_display_devices(tmp_path / "absent") == []
    assert parse_amd_sysfs(tmp_path / "absent") == ([], [])


def test_amdgpu_ids_and_pci_ids_lookup():
    names = parse_amdgpu_ids("# comment\n1.0.0\n744C,\tC8,\tAMD Radeon RX 7900 XTX\n15BF,\tC1,\tAMD Radeon 780M\n")
    assert names[(0x744C, 0xC8)] == "AMD Radeon RX 7900 XTX"
    assert names[(0x15BF, 0xC1)] == "AMD Radeon 780M"
    pci_ids = ("1002  Advanced Micro Devices, Inc. [AMD/ATI]\n"
               "\t744c  Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]\n"
               "\t\t1da2 e471  NITRO+ RX 7900 XTX\n"
               "10de  NVIDIA Corporation\n"
               "\t2684  AD102 [GeForce RTX 4090]\n")
    assert lookup_pci_ids(pci_ids, 0x10DE, 0x2684) == "NVIDIA GeForce RTX 4090"
    assert lookup_pci_ids(pci_ids, 0x1002, 0x744C) == "AMD Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M"
    assert lookup_pci_ids(pci_ids, 0x1002, 0x2684) is None
