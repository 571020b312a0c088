"""Hardware figures an estimate is judged against: GPU, free memory, RAM, bandwidth and FLOPS.

Figures come from the MachineProfile with their sources. Where the profile has no figure, a stated
default is used and its source starts with "assumed", so the explanation shows every guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from llmdesk.core.fit.memory import BACKEND_OVERHEAD, GIB
from llmdesk.core.hardware.profile import GpuInfo, GpuVendor, MachineProfile
from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage

CTX = "Fit"

# Share of peak memory bandwidth that llama.cpp's decode loop reaches. Assumptions: published
# llama.cpp decode speeds on GPUs correspond to roughly 50-70 % of the memory bandwidth, on CPUs to
# roughly 40-60 %.
GPU_DECODE_EFFICIENCY = 0.6
CPU_DECODE_EFFICIENCY = 0.5
# Share of peak arithmetic throughput reached while reading a prompt (an assumption, good to
# about a factor of two).
GPU_PROMPT_EFFICIENCY = 0.5
CPU_PROMPT_EFFICIENCY = 0.5

# Fixed work per generated token besides reading weights: building the graph, sampling, and on a GPU
# launching kernels. Estimates fitted to generated models on a 2-core x86_64 VM (a 2-layer model ran at
# 2000-6000 tokens/s); they matter only for small models, where they set the speed.
# Memory bandwidth one decoding thread can use: a single core cannot keep enough reads in flight to
# use a whole memory system. An estimate from one machine: a 726M-parameter Q8_0 model decoded at
# 21-24 tokens/s on one thread of an AMD EPYC VM (about 17 GB/s) and 34 tokens/s on two.
CPU_BANDWIDTH_PER_THREAD = 16e9

CPU_SECONDS_PER_TOKEN = 150e-6
CPU_SECONDS_PER_LAYER = 20e-6
GPU_SECONDS_PER_TOKEN = 300e-6
GPU_SECONDS_PER_LAYER = 20e-6

# Used when the profile has no bandwidth figure.
DEFAULT_RAM_BANDWIDTH = 51.2e9  # dual-channel DDR4-3200 peak
DEFAULT_DISCRETE_GPU_BANDWIDTH = 300e9  # a mid-range discrete GPU
DEFAULT_CPU_CLOCK_HZ = 3.0e9
DEFAULT_DISCRETE_GPU_FLOPS = 20e12
DEFAULT_INTEGRATED_GPU_FLOPS = 2e12
DEFAULT_APPLE_GPU_FLOPS = 4e12

# Approximate peak dense FP16 throughput in TFLOPS from vendor specifications: tensor cores with FP16
# accumulation for NVIDIA, FP32 shader throughput for Apple GPUs. Matched as a substring of the GPU
# name, longest key first, so "M2 Max" wins over "M2".
GPU_TFLOPS: dict[str, float] = {
    "H200": 989, "H100 PCIe": 756, "H100": 989, "A100": 312, "A10": 125, "L40S": 362, "L4": 121,
    "T4": 65, "RTX 4090": 330, "RTX 4080": 195, "RTX 4070 Ti": 160, "RTX 4070": 117,
    "RTX 4060 Ti": 88, "RTX 4060": 60, "RTX 3090": 142, "RTX 3080": 119, "RTX 3070": 81,
    "RTX 3060": 51, "RTX 2080": 80, "RTX 2070": 60, "RTX 2060": 52,
    "M1 Ultra": 20.8, "M1 Max": 10.4, "M1 Pro": 5.2, "M1": 2.6,
    "M2 Ultra": 27.2, "M2 Max": 13.6, "M2 Pro": 6.8, "M2": 3.6,
    "M3 Ultra": 28.4, "M3 Max": 16.4, "M3 Pro": 7.4, "M3": 4.1,
    "M4 Max": 18.4, "M4 Pro": 9.2, "M4": 4.3,
}


@dataclass
class Hardware:
    """The devices one estimate is judged against, with each figure's source."""

    gpu: GpuInfo | None
    gpu_name: str | None
    backend: str | None  # "CUDA", "Metal", ... ; None when the model runs on the CPU only
    unified: bool  # the GPU draws on system RAM (Apple Silicon, integrated GPUs)
    gpu_budget: int  # bytes the GPU side may use: free VRAM, or the unified-memory budget
    gpu_budget_source: str | UserMessage
    gpu_total: int | None
    ram_available: int
    ram_total: int
    physical_cores: int
    cpu_bandwidth: float
    cpu_bandwidth_source: str | UserMessage
    gpu_bandwidth: float | None
    gpu_bandwidth_source: str | UserMessage | None
    cpu_flops: float
    cpu_flops_source: UserMessage
    gpu_flops: float | None
    gpu_flops_source: UserMessage | None
    cpu_only_reason: UserMessage | None = None  # why no GPU is used, when a GPU exists
    notes: list[UserMessage] = field(default_factory=list)

    @property
    def backend_overhead(self) -> int:
        return BACKEND_OVERHEAD.get(self.backend, 0) if self.backend else 0


def _backend_for(gpu: GpuInfo) -> str:
    if gpu.vendor == GpuVendor.APPLE:
        return "Metal"
    if gpu.vendor == GpuVendor.NVIDIA:
        return "CUDA"
    if gpu.vendor == GpuVendor.AMD and not gpu.unified:
        return "ROCm"
    if gpu.vendor == GpuVendor.INTEL:
        return "SYCL"
    return "Vulkan"


def metal_budget_estimate(ram_total: int) -> int:
    """Return Metal's default working-set limit for a Mac with ``ram_total`` bytes of unified memory.

    macOS lets one process wire about 2/3 of unified memory up to 32 GiB and about 3/4 above that
    (recommendedMaxWorkingSetSize; 10922.67 MiB on a 16 GiB Mac). Recent macOS versions allow more.
    """
    if ram_total <= 32 * GIB:
        return ram_total * 2 // 3
    return ram_total * 3 // 4


def _pick_gpu(profile: MachineProfile) -> tuple[GpuInfo | None, UserMessage | None]:
    """Return the GPU to judge against, or None with the reason no GPU is used."""
    if not profile.gpus:
        return None, None
    llama = profile.llama
    if llama is not None and llama.available and not llama.supports_gpu_offload:
        names = ", ".join(g.name for g in profile.gpus)
        return None, UserMessage(CTX, QT_TRANSLATE_NOOP(
            CTX, "The installed llama.cpp build has no GPU support, so {gpu} is not used."), gpu=names)
    usable = [g for g in profile.gpus if g.usable_by_llama is not False]
    if not usable:
        names = ", ".join(g.name for g in profile.gpus)
        return None, UserMessage(CTX, QT_TRANSLATE_NOOP(
            CTX, "The installed llama.cpp build cannot use {gpu}, so the model runs on the CPU."), gpu=names)

    def rank(gpu: GpuInfo) -> tuple[int, int]:
        memory = gpu.memory_free if gpu.memory_free is not None else (gpu.memory_total or 0)
        # Discrete GPUs first (their memory is faster), then the one with the most memory.
        return (0 if gpu.unified else 1, memory)

    return max(usable, key=rank), None


def _parse_clock_hz(cpu_model: str) -> float | None:
    match = re.search(r"(\d+(?:\.\d+)?)\s*GHz", cpu_model, re.IGNORECASE)
    return float(match.group(1)) * 1e9 if match else None


def _source(template: str, **params: object) -> UserMessage:
    """Wrap a figure's source in words so the UI translates it along with the fit working."""
    return UserMessage(CTX, template, **params)


def cpu_peak_flops(profile: MachineProfile) -> tuple[float, UserMessage]:
    """Estimate peak f32 FLOPS of the CPU: cores x SIMD lanes x 2 (FMA) x FMA units x clock."""
    cpu = profile.cpu
    cores = cpu.physical_cores or cpu.logical_cores or 1
    features = cpu.features
    if "avx512f" in features:
        lanes, simd = 16, "AVX-512"
    elif "avx2" in features or "avx" in features:
        lanes, simd = 8, "AVX2" if "avx2" in features else "AVX"
    elif cpu.architecture in ("arm64", "aarch64") or "neon" in features:
        lanes, simd = 4, "NEON"
    else:
        lanes, simd = 4, "SSE"
    fma_units = 2 if ("fma" in features or "avx512f" in features or simd == "NEON") else 1
    clock = _parse_clock_hz(cpu.model)
    clock_source = (_source(QT_TRANSLATE_NOOP(CTX, "{ghz} GHz from the CPU name"), ghz=f"{clock / 1e9:.2f}")
                    if clock else _source(QT_TRANSLATE_NOOP(CTX, "assumed 3.0 GHz")))
    clock = clock or DEFAULT_CPU_CLOCK_HZ
    flops = cores * lanes * 2 * fma_units * clock
    source = _source(QT_TRANSLATE_NOOP(
        CTX, "{cores} cores x {lanes} {simd} f32 lanes x 2 (FMA) x {fma_units} FMA units x {clock}"),
        cores=cores, lanes=lanes, simd=simd, fma_units=fma_units, clock=clock_source)
    return flops, source


def gpu_peak_flops(gpu: GpuInfo) -> tuple[float, UserMessage]:
    """Return the GPU's peak FP16 FLOPS from the name table, or a stated default."""
    for key in sorted(GPU_TFLOPS, key=len, reverse=True):
        if re.search(rf"\b{re.escape(key)}\b", gpu.name, re.IGNORECASE):
            return GPU_TFLOPS[key] * 1e12, _source(QT_TRANSLATE_NOOP(
                CTX, "{tflops} TFLOPS from the {gpu} specification"), tflops=f"{GPU_TFLOPS[key]:g}", gpu=key)
    if gpu.vendor == GpuVendor.APPLE:
        return DEFAULT_APPLE_GPU_FLOPS, _source(QT_TRANSLATE_NOOP(CTX, "assumed 4 TFLOPS (Apple GPU not in the table)"))
    if gpu.unified:
        return DEFAULT_INTEGRATED_GPU_FLOPS, _source(QT_TRANSLATE_NOOP(
            CTX, "assumed 2 TFLOPS (integrated GPU not in the table)"))
    return DEFAULT_DISCRETE_GPU_FLOPS, _source(QT_TRANSLATE_NOOP(CTX, "assumed 20 TFLOPS (GPU not in the table)"))


def _unified_budget(gpu: GpuInfo, profile: MachineProfile) -> tuple[int, str | UserMessage]:
    ram_total = profile.memory.total
    if gpu.vendor == GpuVendor.APPLE:
        if profile.metal_budget:
            source = profile.sources.get("metal_budget") or _source(QT_TRANSLATE_NOOP(CTX, "Metal working-set limit"))
            return profile.metal_budget, source
        return metal_budget_estimate(ram_total), _source(QT_TRANSLATE_NOOP(
            CTX, "estimated Metal working-set limit (2/3 or 3/4 of RAM)"))
    carve_out = gpu.memory_total or 0
    if gpu.shared_memory:
        source = gpu.sources.get("shared_memory") or _source(QT_TRANSLATE_NOOP(CTX, "shared GPU memory"))
        return carve_out + gpu.shared_memory, source
    # Windows lets an integrated GPU share up to half of system RAM; amdgpu's default GTT size on
    # Linux is at least that much.
    return carve_out + ram_total // 2, _source(QT_TRANSLATE_NOOP(CTX, "assumed: half of RAM as shared GPU memory"))


def judge_hardware(profile: MachineProfile) -> Hardware:
    """Collect the figures an estimate is judged against from ``profile``."""
    notes: list[UserMessage] = []
    ram_total = profile.memory.total
    ram_available = min(profile.memory.available, ram_total)

    if profile.ram_bandwidth:
        cpu_bw = profile.ram_bandwidth
        cpu_bw_source = (profile.sources.get("ram_bandwidth")
                         or _source(QT_TRANSLATE_NOOP(CTX, "detected RAM bandwidth")))
    else:
        cpu_bw = DEFAULT_RAM_BANDWIDTH
        cpu_bw_source = _source(QT_TRANSLATE_NOOP(CTX, "assumed: dual-channel DDR4-3200, 51.2 GB/s"))
    cpu_flops, cpu_flops_source = cpu_peak_flops(profile)
    cores = profile.cpu.physical_cores or profile.cpu.logical_cores or 1

    gpu, cpu_only_reason = _pick_gpu(profile)
    hardware = Hardware(
        gpu=None, gpu_name=None, backend=None, unified=False, gpu_budget=0, gpu_budget_source="",
        gpu_total=None, ram_available=ram_available, ram_total=ram_total, physical_cores=cores,
        cpu_bandwidth=cpu_bw, cpu_bandwidth_source=cpu_bw_source, gpu_bandwidth=None,
        gpu_bandwidth_source=None, cpu_flops=cpu_flops, cpu_flops_source=cpu_flops_source,
        gpu_flops=None, gpu_flops_source=None, cpu_only_reason=cpu_only_reason, notes=notes)
    if gpu is None:
        return hardware

    unified = gpu.unified or gpu.vendor == GpuVendor.APPLE
    if unified:
        budget, budget_source = _unified_budget(gpu, profile)
        gpu_total = budget
    elif gpu.memory_free is not None:
        budget = gpu.memory_free
        budget_source = gpu.sources.get("memory_free") or _source(QT_TRANSLATE_NOOP(CTX, "reported free GPU memory"))
        gpu_total = gpu.memory_total
    elif gpu.memory_total is not None:
        budget = gpu.memory_total
        budget_source = _source(QT_TRANSLATE_NOOP(CTX, "total GPU memory (free memory unknown)"))
        gpu_total = gpu.memory_total
        notes.append(UserMessage(CTX, QT_TRANSLATE_NOOP(
            CTX, "Free memory on {gpu} is unknown, so it is judged on its total memory."), gpu=gpu.name))
    else:
        hardware.cpu_only_reason = UserMessage(CTX, QT_TRANSLATE_NOOP(
            CTX, "The memory size of {gpu} is unknown, so the estimate assumes the CPU. Set the GPU "
                 "memory in Settings to include it."), gpu=gpu.name)
        return hardware

    others = [g.name for g in profile.gpus
              if g is not gpu and g.usable_by_llama is not False and not g.unified]
    if others and not gpu.unified:
        # NOTE: llama.cpp splits layers across all GPUs by default; the estimate judges one.
        notes.append(UserMessage(CTX, QT_TRANSLATE_NOOP(
            CTX, "Only {gpu} is counted; llama.cpp can also use {others}, so more may fit."),
            gpu=gpu.name, others=", ".join(others)))

    if gpu.usable_by_llama is None:
        notes.append(UserMessage(CTX, QT_TRANSLATE_NOOP(
            CTX, "Whether the installed llama.cpp build can use {gpu} was not checked."), gpu=gpu.name))

    if gpu.bandwidth:
        gpu_bw = gpu.bandwidth
        gpu_bw_source = gpu.sources.get("bandwidth") or _source(QT_TRANSLATE_NOOP(CTX, "reported GPU memory bandwidth"))
    elif unified:
        gpu_bw, gpu_bw_source = cpu_bw, _source(QT_TRANSLATE_NOOP(CTX, "same as RAM ({source})"), source=cpu_bw_source)
    else:
        gpu_bw, gpu_bw_source = DEFAULT_DISCRETE_GPU_BANDWIDTH, _source(QT_TRANSLATE_NOOP(
            CTX, "assumed: 300 GB/s, a mid-range GPU"))
    gpu_flops, gpu_flops_source = gpu_peak_flops(gpu)

    hardware.gpu = gpu
    hardware.gpu_name = gpu.name
    hardware.backend = _backend_for(gpu)
    hardware.unified = unified
    hardware.gpu_budget = max(0, budget)
    hardware.gpu_budget_source = budget_source
    hardware.gpu_total = gpu_total
    hardware.gpu_bandwidth = gpu_bw
    hardware.gpu_bandwidth_source = gpu_bw_source
    hardware.gpu_flops = gpu_flops
    hardware.gpu_flops_source = gpu_flops_source
    return hardware
