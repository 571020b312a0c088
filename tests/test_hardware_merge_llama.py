"""Merging GPUs across probes (hybrid laptops in any order) and the llama.cpp device probe."""

from __future__ import annotations

import copy
import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from llmdesk.core.hardware import probe_llama
from llmdesk.core.hardware._util import GIB, MIB
from llmdesk.core.hardware.intel import parse_intel_sysfs
from llmdesk.core.hardware.llama_devices import apply_llama, finish_llama_probe, parse_probe_output
from llmdesk.core.hardware.merge import merge_gpus
from llmdesk.core.hardware.nvidia import nvidia_on_pci_bus, parse_nvidia_smi
from llmdesk.core.hardware.amd import parse_amd_sysfs
from llmdesk.core.hardware.profile import CpuInfo, GpuInfo, GpuVendor, MachineProfile, MemoryInfo
from llmdesk.core.hardware.windows import parse_registry_adapters

DATA = Path(__file__).parent / "data" / "hardware"


def smi(name: str) -> list[GpuInfo]:
    recording = json.loads((DATA / "nvidia" / name).read_text())
    gpus, issues = parse_nvidia_smi(recording["stdout"], recording["returncode"])
    assert issues == []
    return gpus


def llama_output(name: str, reverse: bool = False) -> str:
    data = json.loads((DATA / "llama" / name).read_text())
    if reverse:
        data["devices"].reverse()
    return json.dumps(data)


def registry(name: str, reverse: bool = False) -> dict[str, dict[str, Any]]:
    adapters = json.loads((DATA / "windows" / name).read_text())["adapters"]
    converted = {}
    for subkey, values in adapters.items():
        converted[subkey] = {k: bytes.fromhex(v["hex"]) if v["type"] == "REG_BINARY" else v["value"]
                             for k, v in values.items()}
    if reverse:
        keys = sorted(k for k in converted if k.isdigit())
        converted = {new: converted[old] for new, old in zip(keys, reversed(keys))}
    return converted


def build_tree(root: Path, name: str, swap_cards: bool = False) -> Path:
    for relative, content in json.loads((DATA / "sysfs" / name).read_text())["files"].items():
        if swap_cards:
            relative = relative.replace("card0/", "cardX/").replace("card1/", "card0/").replace("cardX/", "card1/")
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def profile_with(gpus: list[GpuInfo]) -> MachineProfile:
    return MachineProfile(os_name="Test", os_version="1", cpu=CpuInfo("test CPU", "x86_64", 4, 8),
                          memory=MemoryInfo(total=32 * GIB, available=20 * GIB), gpus=gpus)


def summary(gpus: list[GpuInfo]) -> list[tuple]:
    """The facts that must not depend on the order sources listed the devices in."""
    return [(g.vendor, g.name, g.memory_total, g.memory_free, g.shared_memory, g.unified, g.pci_id, g.pci_bus,
             g.usable_by_llama) for g in gpus]


def windows_hybrid(reverse: bool, llama: str) -> MachineProfile:
    gpus = merge_gpus([("nvidia-smi", smi("smi_laptop_4060.json")),
                       ("registry", parse_registry_adapters(registry("registry_hybrid_laptop.json", reverse)))])
    profile = profile_with(gpus)
    apply_llama(profile, parse_probe_output(llama_output(llama, reverse), 0))
    return profile


@pytest.mark.parametrize("llama", ["vulkan_hybrid_laptop.json", "cuda_laptop_4060.json"])
def test_windows_hybrid_same_in_both_orders(llama):
    forward = windows_hybrid(False, llama)
    backward = windows_hybrid(True, llama)
    assert summary(forward.gpus) == summary(backward.gpus)

    nvidia, intel = forward.gpus
    assert nvidia.vendor == GpuVendor.NVIDIA
    assert nvidia.memory_total == 8188 * MIB  # nvidia-smi wins over the registry's 8 GiB
    assert nvidia.pci_bus == "0000:01:00.0"
    assert nvidia.pci_id == "10de:28e0"
    assert nvidia.usable_by_llama is True
    assert nvidia.sources["detected_by"] == "nvidia-smi, registry, llama.cpp"
    assert intel.vendor == GpuVendor.INTEL
    assert intel.unified is True
    assert intel.memory_total is None  # shared memory never becomes a discrete GPU's VRAM
    assert intel.usable_by_llama is (llama == "vulkan_hybrid_laptop.json")


def linux_hybrid(root: Path, swap: bool) -> MachineProfile:
    build_tree(root, "hybrid_laptop_i915_nvidia.json", swap_cards=swap)
    intel, _ = parse_intel_sysfs(root, use_system_lists=False)
    gpus = merge_gpus([("nvidia-smi", smi("smi_laptop_4060.json")),
                       ("sysfs", intel + nvidia_on_pci_bus(root, use_system_lists=False))])
    profile = profile_with(gpus)
    apply_llama(profile, parse_probe_output(llama_output("cuda_laptop_4060.json", swap), 0))
    return profile


def test_linux_hybrid_same_in_both_orders(tmp_path):
    forward = linux_hybrid(tmp_path / "a", swap=False)
    backward = linux_hybrid(tmp_path / "b", swap=True)
    assert summary(forward.gpus) == summary(backward.gpus)
    assert len(forward.gpus) == 2
    nvidia, intel = forward.gpus
    assert nvidia.name == "NVIDIA GeForce RTX 4060 Laptop GPU"
    assert nvidia.memory_total == 8188 * MIB
    assert nvidia.sources["detected_by"] == "nvidia-smi, sysfs, llama.cpp"
    assert intel.unified is True
    assert intel.usable_by_llama is False


def test_identical_gpus_matched_by_bus_not_position():
    smi_gpus, _ = parse_nvidia_smi("0, NVIDIA GeForce RTX 3090, 00000000:01:00.0, 24576, 0, 20000, 550.1\n"
                                   "1, NVIDIA GeForce RTX 3090, 00000000:02:00.0, 24576, 0, 24000, 550.1\n")
    on_bus = [GpuInfo(vendor=GpuVendor.NVIDIA, name="NVIDIA GPU [10de:2204]", pci_id="10de:2204", pci_bus=bus,
                      driver="nvidia", sources={"name": "PCI id only"}) for bus in ("0000:02:00.0", "0000:01:00.0")]
    merged = merge_gpus([("nvidia-smi", smi_gpus), ("sysfs", on_bus)])
    assert [(g.pci_bus, g.memory_free) for g in merged] == [("0000:01:00.0", 20000 * MIB),
                                                            ("0000:02:00.0", 24000 * MIB)]
    assert all(g.pci_id == "10de:2204" for g in merged)
    assert all(g.name == "NVIDIA GeForce RTX 3090" for g in merged)


def test_different_bus_never_merged_even_with_same_name():
    first = GpuInfo(vendor=GpuVendor.AMD, name="AMD Radeon RX 7900 XTX", pci_bus="0000:03:00.0", memory_total=24 * GIB)
    second = copy.deepcopy(first)
    second.pci_bus = "0000:07:00.0"
    assert len(merge_gpus([("sysfs", [first]), ("other", [second])])) == 2


def test_apu_matched_loosely_keeps_unified(tmp_path):
    build_tree(tmp_path, "amd_apu_780m.json")
    gpus, _ = parse_amd_sysfs(tmp_path, use_system_lists=False)
    profile = profile_with(merge_gpus([("sysfs", gpus)]))
    apply_llama(profile, parse_probe_output(llama_output("vulkan_apu_780m.json"), 0))
    assert len(profile.gpus) == 1
    apu = profile.gpus[0]
    assert apu.unified is True
    assert apu.memory_total is None
    assert apu.shared_memory == 16441548800  # sysfs GTT, not the Vulkan heap
    assert apu.usable_by_llama is True
    assert any("by vendor" in str(note) for note in apu.notes)


def test_llama_only_gpu_is_added():
    profile = profile_with([])
    apply_llama(profile, parse_probe_output(llama_output("cuda_laptop_4060.json"), 0))
    assert len(profile.gpus) == 1
    gpu = profile.gpus[0]
    assert gpu.vendor == GpuVendor.NVIDIA
    assert gpu.memory_total == 8585216000
    assert gpu.usable_by_llama is True
    assert gpu.sources["memory_total"] == "llama.cpp ggml_backend_dev_memory (CUDA0)"
    assert gpu.bandwidth == 256e9  # the name table knows the RTX 4060 Laptop GPU


def test_cpu_only_build_marks_gpus_unusable():
    profile = profile_with(smi("smi_one_gpu.json"))
    apply_llama(profile, parse_probe_output((DATA / "llama" / "cpu_only_this_vm.json").read_text(), 0))
    assert profile.gpus[0].usable_by_llama is False
    assert any("CPU-only" in str(note) for note in profile.gpus[0].notes)
    assert profile.llama.supports_gpu_offload is False


def test_metal_device_refines_budget_estimate():
    from llmdesk.core.hardware.apple import parse_apple
    from llmdesk.core.hardware.cpu import parse_sysctl

    gpu, budget, source, _ = parse_apple(parse_sysctl((DATA / "apple" / "m2pro_16gb.txt").read_text()))
    profile = profile_with([gpu])
    profile.metal_budget = budget
    profile.sources["metal_budget"] = source
    apply_llama(profile, parse_probe_output(llama_output("metal_m2pro_16gb.json"), 0))
    assert profile.metal_budget == 11453251584
    assert profile.gpus[0].shared_memory == 11453251584
    assert profile.gpus[0].usable_by_llama is True
    assert len(profile.gpus) == 1


@pytest.mark.parametrize("stdout, returncode, stderr, expected", [
    ("", -11, "ggml_cuda_init: failed", "llama.cpp probe killed by SIGSEGV: ggml_cuda_init: failed"),
    ("", 1, "Traceback\nOSError: libcudart.so.12: cannot open shared object file",
     "llama.cpp probe exited with status 1: Traceback OSError: libcudart.so.12: cannot open shared object file"),
    ("not json", 0, "", "llama.cpp probe printed no result"),
])
def test_probe_failures_become_errors(stdout, returncode, stderr, expected):
    info = parse_probe_output(stdout, returncode, stderr)
    assert info.available is False
    assert info.error == expected
    profile = profile_with(smi("smi_one_gpu.json"))
    apply_llama(profile, info)
    assert profile.gpus[0].usable_by_llama is None
    assert profile.issues[0].probe == "llama.cpp"
    assert profile.issues[0].message == f"detection failed: {expected}"


def test_probe_timeout_kills_child():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    info = finish_llama_probe(process, timeout=0.5)
    assert info.error == "llama.cpp probe did not finish within 0.5 s"
    assert process.poll() is not None


def test_probe_stop_request_kills_child():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    checks = []

    def should_stop() -> bool:
        checks.append(process.poll())
        return len(checks) >= 2

    info = finish_llama_probe(process, timeout=30, should_stop=should_stop)
    assert info.available is False
    assert info.error == "llama.cpp probe stopped on request"
    assert process.poll() is not None
    assert checks == [None, None]


def test_probe_with_stop_check_still_reads_output():
    process = subprocess.Popen([sys.executable, "-c", "print('{\"available\": false, \"error\": \"no module\"}')"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    info = finish_llama_probe(process, timeout=30, should_stop=lambda: False)
    assert info.available is False
    assert info.error == "no module"


def test_llama_probe_child_on_this_machine():
    info = probe_llama()
    assert info.error is None
    assert info.available is True
    assert info.version == importlib.metadata.version("llama_cpp_python")
    assert "CPU" in info.system_info
    cpu_devices = [d for d in info.devices if d.kind == "cpu"]
    assert len(cpu_devices) == 1
    assert cpu_devices[0].backend == "CPU"
    assert cpu_devices[0].memory_total > 0
    # This machine has no GPU and a CPU-only wheel; on a GPU build the GPU devices come first.
    if not info.supports_gpu_offload:
        assert [d.kind for d in info.devices] == ["cpu"]


def test_second_probe_result_replaces_first():
    profile = profile_with(merge_gpus([("nvidia-smi", smi("smi_laptop_4060.json"))]))
    apply_llama(profile, parse_probe_output(llama_output("vulkan_hybrid_laptop.json"), 0))
    assert [g.usable_by_llama for g in profile.gpus] == [True, True]  # the iGPU came from llama.cpp only

    apply_llama(profile, parse_probe_output((DATA / "llama" / "cpu_only_this_vm.json").read_text(), 0))
    assert len(profile.gpus) == 1
    assert profile.gpus[0].usable_by_llama is False
    assert profile.gpus[0].sources["detected_by"] == "nvidia-smi"
