"""NVIDIA probe on recorded nvidia-smi output, NVML values and sysfs trees."""

from __future__ import annotations

import ctypes.util
import json
import sys
import types
from pathlib import Path

import pytest

from llmdesk.core.hardware import nvidia
from llmdesk.core.hardware._util import GIB, MIB, normalise_pci_bus
from llmdesk.core.hardware.nvidia import nvidia_on_pci_bus, parse_nvidia_smi, parse_nvml_records
from llmdesk.core.hardware.profile import GpuVendor

DATA = Path(__file__).parent / "data" / "hardware"


def smi(name: str):
    recording = json.loads((DATA / "nvidia" / name).read_text())
    return parse_nvidia_smi(recording["stdout"], recording["returncode"], recording["stderr"])


def build_tree(root: Path, name: str) -> Path:
    for relative, content in json.loads((DATA / "sysfs" / name).read_text())["files"].items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def test_smi_one_gpu():
    gpus, issues = smi("smi_one_gpu.json")
    assert issues == []
    assert len(gpus) == 1
    gpu = gpus[0]
    assert gpu.vendor == GpuVendor.NVIDIA
    assert gpu.name == "NVIDIA GeForce RTX 4090"
    assert gpu.memory_total == 24564 * MIB
    assert gpu.memory_free == 23144 * MIB
    assert gpu.pci_bus == "0000:01:00.0"
    assert gpu.pci_id == "10de:2684"
    assert gpu.driver == "550.54.14"
    assert gpu.unified is False
    assert gpu.sources["memory_total"] == "nvidia-smi memory.total"


def test_smi_two_gpus_without_device_id_column():
    gpus, issues = smi("smi_two_gpus.json")
    assert issues == []
    assert [g.name for g in gpus] == ["NVIDIA GeForce RTX 3090", "NVIDIA GeForce RTX 3060"]
    assert [g.pci_bus for g in gpus] == ["0000:21:00.0", "0000:4b:00.0"]
    assert [g.memory_total for g in gpus] == [24 * GIB, 12 * GIB]
    assert all(g.pci_id is None for g in gpus)


def test_smi_driver_error_is_issue():
    gpus, issues = smi("smi_driver_error.json")
    assert gpus == []
    assert len(issues) == 1
    assert issues[0].probe == "nvidia"
    assert issues[0].message.startswith("detection failed: nvidia-smi exited with status 9")
    assert "couldn't communicate with the NVIDIA driver" in issues[0].reason


def test_smi_version_mismatch_is_an_issue():
    gpus, issues = smi("smi_version_mismatch.json")
    assert gpus == []
    assert "Driver/library version mismatch" in issues[0].message


def test_smi_not_available_values_are_unknown():
    gpus, issues = smi("smi_not_supported.json")
    assert issues == []
    gpu = gpus[0]
    assert gpu.memory_total == 15360 * MIB
    assert gpu.memory_free is None
    assert gpu.pci_id is None


def test_smi_unified_memory_system():
    gpus, issues = smi("smi_unified_na.json")
    assert issues == []
    assert gpus[0].name == "NVIDIA GB10"
    assert gpus[0].memory_total is None
    assert gpus[0].unified is True
    assert gpus[0].pci_bus == "000f:01:00.0"


def test_smi_no_devices_is_not_an_issue():
    gpus, issues = parse_nvidia_smi("No devices were found\n", 6)
    assert gpus == []
    assert issues == []


def test_smi_unexpected_text_is_an_issue():
    gpus, issues = parse_nvidia_smi("garbage\n", 0)
    assert gpus == []
    assert "unexpected line" in issues[0].message


def test_smi_quoted_name_with_comma():
    gpus, issues = parse_nvidia_smi('0, "NVIDIA RTX A6000, Engineering Sample", 00000000:65:00.0, 49140, 0, 48669, '
                                    '550.54.14, 0x223010DE\n')
    assert issues == []
    assert gpus[0].name == "NVIDIA RTX A6000, Engineering Sample"
    assert gpus[0].memory_total == 49140 * MIB


def test_nvml_records_with_bus_bandwidth():
    recording = json.loads((DATA / "nvidia" / "nvml_a100_h100.json").read_text())
    gpus = parse_nvml_records(recording["devices"], recording["driver_version"])
    h100, a100, unknown = gpus
    assert h100.pci_id == "10de:2330"
    assert h100.pci_bus == "0000:18:00.0"
    assert h100.memory_total == 85520809984
    assert h100.driver == "550.90.07"
    assert a100.pci_id == "10de:20b0"
    assert a100.bandwidth == pytest.approx(1555.2e9)
    assert unknown.bandwidth == pytest.approx(1008.096e9)  # 48 bytes x 10501 MHz x 2
    assert str(unknown.sources["bandwidth"]).startswith("estimate: NVML memory bus 384 bits")


def test_nvidia_on_bus_without_driver(tmp_path):
    build_tree(tmp_path, "nvidia_without_driver.json")
    gpus = nvidia_on_pci_bus(tmp_path, use_system_lists=False)
    assert len(gpus) == 1
    assert gpus[0].pci_bus == "0000:65:00.0"
    assert gpus[0].pci_id == "10de:2230"
    assert gpus[0].driver is None
    assert gpus[0].memory_total is None


@pytest.mark.parametrize("text, expected", [
    ("00000000:01:00.0", "0000:01:00.0"), ("0000:4B:00.0", "0000:4b:00.0"), ("01:00.0", "0000:01:00.0"),
    ("[N/A]", None), ("", None), (None, None),
])
def test_pci_bus_normalised(text, expected):
    assert normalise_pci_bus(text) == expected


class FakeNvml(types.ModuleType):
    """Stand-in for nvidia-ml-py on a machine without NVIDIA hardware, shaped like pynvml's API."""

    NVML_CLOCK_MEM = 2

    class NVMLError(Exception):
        pass

    class NVMLError_LibraryNotFound(NVMLError):
        pass

    class NVMLError_DriverNotLoaded(NVMLError):
        def __str__(self):
            return "Driver Not Loaded"

    class NVMLError_NotSupported(NVMLError):
        pass

    def __init__(self, init_error: type[Exception] | None = None):
        super().__init__("pynvml")
        self.init_error = init_error
        self.shutdown_calls = 0

    def nvmlInit(self):
        if self.init_error is not None:
            raise self.init_error()

    def nvmlShutdown(self):
        self.shutdown_calls += 1

    def nvmlSystemGetDriverVersion(self):
        return b"550.54.14"  # older nvidia-ml-py releases return bytes

    def nvmlDeviceGetCount(self):
        return 1

    def nvmlDeviceGetHandleByIndex(self, index):
        return index

    def nvmlDeviceGetName(self, handle):
        return "NVIDIA GeForce RTX 4090"

    def nvmlDeviceGetMemoryInfo(self, handle):
        return types.SimpleNamespace(total=24 * GIB, free=23 * GIB, used=GIB)

    def nvmlDeviceGetPciInfo(self, handle):
        return types.SimpleNamespace(busId=b"00000000:01:00.0", pciDeviceId=0x268410DE)

    def nvmlDeviceGetMemoryBusWidth(self, handle):
        raise self.NVMLError_NotSupported()

    def nvmlDeviceGetMaxClockInfo(self, handle, clock):
        return 10501


@pytest.fixture
def no_nvidia_smi(monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(nvidia, "SMI_PATHS", ())


def test_nvml_driver_not_loaded_is_issue(monkeypatch, tmp_path, no_nvidia_smi):
    fake = FakeNvml(FakeNvml.NVMLError_DriverNotLoaded)
    monkeypatch.setitem(sys.modules, "pynvml", fake)
    gpus, issues = nvidia.detect_nvidia(tmp_path)
    assert gpus == []
    assert [issue.message for issue in issues] == ["detection failed: NVML: Driver Not Loaded"]


def test_nvml_missing_library_is_silent(monkeypatch, tmp_path, no_nvidia_smi):
    monkeypatch.setitem(sys.modules, "pynvml", FakeNvml(FakeNvml.NVMLError_LibraryNotFound))
    assert nvidia.detect_nvidia(tmp_path) == ([], [])


def test_nvml_missing_library_but_gpu_on_bus(monkeypatch, tmp_path, no_nvidia_smi):
    monkeypatch.setitem(sys.modules, "pynvml", FakeNvml(FakeNvml.NVMLError_LibraryNotFound))
    build_tree(tmp_path, "nvidia_without_driver.json")
    gpus, issues = nvidia.detect_nvidia(tmp_path)
    assert gpus == []
    assert "neither NVML nor nvidia-smi was found" in issues[0].message
    assert "0000:65:00.0" in issues[0].message


def test_nvml_reads_devices(monkeypatch, tmp_path):
    fake = FakeNvml()
    monkeypatch.setitem(sys.modules, "pynvml", fake)
    gpus, issues = nvidia.detect_nvidia(tmp_path)
    assert issues == []
    assert len(gpus) == 1
    assert gpus[0].name == "NVIDIA GeForce RTX 4090"
    assert gpus[0].driver == "550.54.14"
    assert gpus[0].pci_bus == "0000:01:00.0"
    assert gpus[0].pci_id == "10de:2684"
    assert gpus[0].memory_free == 23 * GIB
    assert gpus[0].bandwidth is None  # the bus width was not supported
    assert fake.shutdown_calls == 1


@pytest.mark.skipif(ctypes.util.find_library("nvidia-ml") is not None, reason="this machine has NVML")
def test_real_nvml_absent_on_this_machine():
    pytest.importorskip("pynvml")
    assert nvidia._read_nvml() == ([], "")
