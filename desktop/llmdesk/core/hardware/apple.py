"""Apple Silicon: unified memory size, chip name, and Metal's working-set budget.

Metal lets one process wire only part of unified memory for the GPU. The budget is, in order:
``sysctl iogpu.wired_limit_mb`` when a user raised it (a value above 0), else Metal's own
``recommendedMaxWorkingSetSize`` read through pyobjc when installed, else an estimate from the table
below: about 2/3 of unified memory up to 32 GiB and about 3/4 above, which is what Metal reported on
M1/M2 Macs with macOS 13/14 (e.g. 10.67 GiB of 16 GiB, 48 GiB of 64 GiB).
"""

from __future__ import annotations

import logging

from llmdesk.core.hardware._util import CTX, GIB, MIB, ProbeError, detection_failed, run_command, source_message
from llmdesk.core.hardware.bandwidth import ram_bandwidth
from llmdesk.core.hardware.cpu import parse_sysctl
from llmdesk.core.hardware.profile import DetectionIssue, GpuInfo, GpuVendor
from llmdesk.core.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

SYSCTL_NAMES = ("hw.memsize", "machdep.cpu.brand_string", "iogpu.wired_limit_mb")


def metal_budget_estimate(memory: int) -> int:
    """Return the estimated Metal working-set budget in bytes for ``memory`` bytes of unified memory."""
    if memory <= 32 * GIB:
        return memory * 2 // 3
    return memory * 3 // 4


def parse_apple(values: dict[str, str], metal_working_set: int | None = None
                ) -> tuple[GpuInfo | None, int | None, str | None, list[DetectionIssue]]:
    """Build the Apple GPU from sysctl values: returns (gpu, metal budget, budget source, issues)."""
    issues: list[DetectionIssue] = []
    brand = values.get("machdep.cpu.brand_string", "").strip()
    try:
        memory = int(values["hw.memsize"])
    except (KeyError, ValueError):
        issues.append(detection_failed("apple", f"sysctl hw.memsize is missing or invalid: "
                                                f"{values.get('hw.memsize')!r}"))
        return None, None, None, issues
    if not brand.lower().startswith("apple"):
        return None, None, None, issues  # an Intel Mac: its GPU is not Apple's

    wired_limit = 0
    try:
        wired_limit = int(values.get("iogpu.wired_limit_mb", "0") or 0)
    except ValueError:
        log.warning("Ignoring invalid iogpu.wired_limit_mb %r", values.get("iogpu.wired_limit_mb"))
    if wired_limit > 0:
        budget, source = wired_limit * MIB, f"sysctl iogpu.wired_limit_mb = {wired_limit}"
    elif metal_working_set:
        budget, source = metal_working_set, "Metal recommendedMaxWorkingSetSize"
    else:
        budget = metal_budget_estimate(memory)
        share = "2/3" if memory <= 32 * GIB else "3/4"
        source = source_message(QT_TRANSLATE_NOOP(
            CTX, "estimate: {share} of {memory} GiB unified memory (Metal's usual default)"),
            share=share, memory=f"{memory / GIB:.0f}")

    gpu = GpuInfo(vendor=GpuVendor.APPLE, name=brand, unified=True, shared_memory=budget, driver="Metal")
    gpu.sources.update(name="sysctl machdep.cpu.brand_string", shared_memory=source, unified="Apple Silicon")
    bandwidth, bandwidth_source = ram_bandwidth(brand, "arm64", "Darwin")
    gpu.bandwidth = bandwidth
    gpu.sources["bandwidth"] = bandwidth_source
    return gpu, budget, source, issues


def _metal_working_set() -> int | None:
    try:
        import Metal  # pyobjc-framework-Metal, optional
    except ImportError:
        return None
    try:
        device = Metal.MTLCreateSystemDefaultDevice()
        return int(device.recommendedMaxWorkingSetSize()) if device is not None else None
    except Exception as exc:  # noqa: BLE001 - a pyobjc failure must not stop detection
        log.warning("Metal recommendedMaxWorkingSetSize failed: %s", exc)
        return None


def detect_apple() -> tuple[GpuInfo | None, int | None, str | None, list[DetectionIssue]]:
    """Read the Apple GPU of this Mac. Never raises."""
    try:
        result = run_command(["/usr/sbin/sysctl", *SYSCTL_NAMES], timeout=5)
    except ProbeError as exc:
        return None, None, None, [detection_failed("apple", str(exc))]
    # sysctl exits 1 when iogpu.wired_limit_mb does not exist (macOS 13 and older) yet prints the rest.
    return parse_apple(parse_sysctl(result.stdout), _metal_working_set())
