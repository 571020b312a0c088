"""Sources in words: translatable messages whose English form reaches the CLI and JSON unchanged."""

from __future__ import annotations

import json

from llmdesk.core.fit.devices import cpu_peak_flops, judge_hardware
from llmdesk.core.hardware._util import GIB
from llmdesk.core.hardware.estimates import fill_estimates
from llmdesk.core.hardware.profile import CpuInfo, GpuInfo, GpuVendor, MachineProfile, MemoryInfo
from llmdesk.core.i18n import UserMessage


def integrated_laptop() -> MachineProfile:
    return MachineProfile(
        os_name="Linux", os_version="6.8",
        cpu=CpuInfo(model="Intel(R) Core(TM) i7-8550U CPU @ 1.80GHz", architecture="x86_64", physical_cores=4,
                    logical_cores=8, features=frozenset({"avx", "avx2", "fma"})),
        memory=MemoryInfo(total=16 * GIB, available=10 * GIB),
        gpus=[GpuInfo(vendor=GpuVendor.INTEL, name="Intel UHD Graphics 620", unified=True)])


def test_estimates_are_messages_with_english_text():
    profile = integrated_laptop()
    fill_estimates(profile)
    ram_source = profile.sources["ram_bandwidth"]
    assert isinstance(ram_source, UserMessage) and ram_source.context == "Hardware"
    assert str(ram_source) == "estimate: Intel Core 6th-11th generation: dual-channel DDR4 (~40 GB/s)"
    gpu_source = profile.gpus[0].sources["bandwidth"]
    assert str(gpu_source) == f"system RAM: {ram_source}"
    assert gpu_source.params["source"] is ram_source


def test_fill_estimates_again_replaces_an_estimate():
    profile = integrated_laptop()
    fill_estimates(profile)
    profile.cpu.model = "AMD Ryzen 9 7950X 16-Core Processor"
    fill_estimates(profile)
    assert profile.ram_bandwidth == 70e9
    assert "AMD Ryzen 7000 series or later" in str(profile.sources["ram_bandwidth"])


def test_profile_to_dict_turns_messages_into_english_strings():
    profile = integrated_laptop()
    fill_estimates(profile)
    data = profile.to_dict()
    assert data["sources"]["ram_bandwidth"] == str(profile.sources["ram_bandwidth"])
    assert data["gpus"][0]["sources"]["shared_memory"] == (
        "estimate: half of system RAM (what drivers usually allow)")
    json.dumps(data)


def test_cpu_flops_source_with_named_clock():
    flops, source = cpu_peak_flops(integrated_laptop())
    assert flops == 4 * 8 * 2 * 2 * 1.8e9
    assert str(source) == "4 cores x 8 AVX2 f32 lanes x 2 (FMA) x 2 FMA units x 1.80 GHz from the CPU name"


def test_unified_gpu_bandwidth_source_nests_the_ram_source():
    profile = integrated_laptop()
    profile.ram_bandwidth = 40e9
    profile.sources["ram_bandwidth"] = "test figure"
    hardware = judge_hardware(profile)
    assert str(hardware.gpu_bandwidth_source) == "same as RAM (test figure)"
    assert str(hardware.gpu_budget_source) == "assumed: half of RAM as shared GPU memory"
