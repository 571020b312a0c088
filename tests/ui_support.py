"""Machines and services for the UI tests.

The profiles are hand-written MachineProfile records (the same type the hardware probes return), so the
Models page runs the real fit code against a known machine instead of whatever runs the tests.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool

from llmdesk.core.hardware.profile import (CpuInfo, GpuInfo, GpuVendor, LlamaBuildInfo, LlamaDevice,
                                           MachineProfile, MemoryInfo)
from llmdesk.ui.services import Services

GIB = 1024 ** 3
REPO_TOOLS = Path(__file__).resolve().parents[1] / "tools"

# Qt messages that the offscreen platform prints for every top-level window; not a fault of the app.
OFFSCREEN_NOISE = ("This plugin does not support propagateSizeHints()",)

# Marks for UI test modules: any Qt warning fails the test, except the offscreen platform's own noise.
QT_LOG_MARKS = [pytest.mark.qt_log_level_fail("WARNING"),
                pytest.mark.qt_log_ignore(*(re.escape(text) for text in OFFSCREEN_NOISE))]


@pytest.fixture(autouse=True)
def no_threads_left():
    """Fail a test that leaves a task running on the global thread pool (import into a test module)."""
    yield
    assert QThreadPool.globalInstance().waitForDone(20_000), "a pool task was still running after the test"


@pytest.fixture(autouse=True)
def no_logged_errors(caplog):
    """Fail a test that logged an error (import into a test module)."""
    yield
    # caplog.records would hold only this teardown phase's records; the test ran in "setup" and "call".
    records = caplog.get_records("setup") + caplog.get_records("call")
    errors = [record.getMessage() for record in records if record.levelno >= logging.ERROR]
    assert errors == []


def gaming_pc() -> MachineProfile:
    """A desktop with an 8 GiB NVIDIA GPU and 32 GiB of RAM."""
    return MachineProfile(
        os_name="Linux", os_version="6.8",
        cpu=CpuInfo(model="AMD Ryzen 7 5800X", architecture="x86_64", physical_cores=8, logical_cores=16,
                    features=frozenset({"avx", "avx2", "fma", "f16c", "sse4_2"}),
                    sources={"model": "/proc/cpuinfo", "features": "/proc/cpuinfo"}),
        memory=MemoryInfo(total=32 * GIB, available=24 * GIB,
                          sources={"total": "/proc/meminfo MemTotal", "available": "/proc/meminfo MemAvailable"}),
        gpus=[GpuInfo(vendor=GpuVendor.NVIDIA, name="NVIDIA GeForce RTX 3070", memory_total=8 * GIB,
                      memory_free=int(7.5 * GIB), driver="550.54", bandwidth=448e9, usable_by_llama=True,
                      sources={"memory_total": "nvidia-smi memory.total", "memory_free": "nvidia-smi memory.free",
                               "driver": "nvidia-smi driver_version"})],
        ram_bandwidth=51.2e9,
        sources={"ram_bandwidth": "assumed: dual-channel DDR4-3200"},
    )


def laptop_without_gpu() -> MachineProfile:
    """A laptop with 8 GiB of RAM and no usable GPU."""
    return MachineProfile(
        os_name="Windows", os_version="11",
        cpu=CpuInfo(model="Intel Core i5-8250U", architecture="x86_64", physical_cores=4, logical_cores=8,
                    features=frozenset({"avx", "avx2", "fma"})),
        memory=MemoryInfo(total=8 * GIB, available=5 * GIB),
    )


def llama_info(should_stop=None) -> LlamaBuildInfo:
    return LlamaBuildInfo(available=True, version="0.3.16", supports_gpu_offload=True,
                          devices=[LlamaDevice(name="CUDA0", description="NVIDIA GeForce RTX 3070", kind="gpu",
                                               memory_total=8 * GIB, memory_free=int(7.5 * GIB))])


class GatedDetect:
    """A detect function that blocks its worker thread until ``release()``; counts its calls."""

    def __init__(self, profile: MachineProfile) -> None:
        self.profile = profile
        self._gate = threading.Event()
        self.started = threading.Event()
        self.calls = 0

    def __call__(self, settings) -> MachineProfile:
        self.calls += 1
        self.started.set()
        if not self._gate.wait(30):
            raise TimeoutError("the test never released detection")
        return self.profile

    def release(self) -> None:
        self._gate.set()


def services_for(profile: MachineProfile, detect=None) -> Services:
    """Services with a fixed machine, the real catalog, and a llama.cpp probe that returns at once."""
    return Services(detect=detect or (lambda settings: profile), probe_llama=llama_info)
