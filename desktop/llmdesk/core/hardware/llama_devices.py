"""Query of the installed llama.cpp build: run the child probe and fold its devices into a profile.

``probe_llama()`` takes a fraction of a second to a few seconds (GPU backends initialise their
drivers), so the UI runs it in the background after ``detect(query_llama=False)`` and then calls
``apply_llama(profile, info)``.
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import time
from typing import Callable

from llmdesk.core.hardware._util import CTX, detection_failed, source_message
from llmdesk.core.hardware.estimates import fill_estimates
from llmdesk.core.hardware.merge import DETECTED_BY, merge_gpus, vendor_from_name
from llmdesk.core.hardware.profile import DetectionIssue, GpuInfo, LlamaBuildInfo, LlamaDevice, MachineProfile
from llmdesk.core.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 20.0
STOP_POLL_S = 0.1  # how often a running probe checks ``should_stop``
LABEL = "llama.cpp"
# NOTE: a frozen (PyInstaller) build has no "python -m"; its entry point must dispatch this module.
PROBE_COMMAND = (sys.executable, "-m", "llmdesk.core.hardware.llama_probe")


def parse_probe_output(stdout: str, returncode: int, stderr: str = "") -> LlamaBuildInfo:
    """Turn the child's output into LlamaBuildInfo; a crash or garbage becomes ``error``."""
    if returncode != 0:
        if returncode < 0:
            try:
                cause = f"killed by {signal.Signals(-returncode).name}"
            except ValueError:
                cause = f"killed by signal {-returncode}"
        else:
            cause = f"exited with status {returncode}"
        tail = " ".join(stderr.strip().splitlines()[-3:])
        return LlamaBuildInfo(available=False, error=f"llama.cpp probe {cause}" + (f": {tail}" if tail else ""))
    try:
        data = json.loads(stdout.strip().splitlines()[-1]) if stdout.strip() else None
    except json.JSONDecodeError as exc:
        data = None
        log.warning("llama.cpp probe printed invalid JSON (%s): %r", exc, stdout[:200])
    if not isinstance(data, dict):
        return LlamaBuildInfo(available=False, error="llama.cpp probe printed no result")
    devices = []
    for item in data.get("devices") or []:
        devices.append(LlamaDevice(name=str(item.get("name", "")), description=str(item.get("description", "")),
                                   kind=str(item.get("kind", "accel")), memory_total=item.get("memory_total"),
                                   memory_free=item.get("memory_free"), backend=str(item.get("backend", ""))))
    return LlamaBuildInfo(available=bool(data.get("available")), version=data.get("version"),
                          system_info=data.get("system_info"),
                          supports_gpu_offload=bool(data.get("supports_gpu_offload")), devices=devices,
                          error=data.get("error"), notes=[str(n) for n in data.get("notes") or []])


def start_llama_probe() -> subprocess.Popen[str]:
    """Start the child probe; pair with ``finish_llama_probe``. Raises OSError when it cannot start."""
    creationflags = subprocess.CREATE_NO_WINDOW if sys.platform == "win32" else 0
    return subprocess.Popen(list(PROBE_COMMAND), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True, errors="replace", creationflags=creationflags)


def finish_llama_probe(process: subprocess.Popen[str], timeout: float = PROBE_TIMEOUT_S,
                       should_stop: Callable[[], bool] | None = None) -> LlamaBuildInfo:
    """Wait for the child probe and parse its output.

    The child is killed after ``timeout`` seconds, or within ``STOP_POLL_S`` of ``should_stop()``
    returning True (the app is closing); both cases return an ``error`` instead of raising.
    """
    deadline = time.monotonic() + timeout
    while True:
        remaining = max(deadline - time.monotonic(), 0.0)
        try:
            stdout, stderr = process.communicate(
                timeout=remaining if should_stop is None else min(remaining, STOP_POLL_S))
            break
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                error = f"llama.cpp probe did not finish within {timeout:g} s"
            elif should_stop is not None and should_stop():
                error = "llama.cpp probe stopped on request"
            else:
                continue
        process.kill()
        process.communicate()
        return LlamaBuildInfo(available=False, error=error)
    if stderr.strip():
        log.debug("llama.cpp probe stderr: %s", stderr.strip()[-2000:])
    info = parse_probe_output(stdout, process.returncode, stderr)
    if info.available:
        log.info("llama.cpp %s, GPU offload %s, devices: %s; system info: %s", info.version or "(unknown version)",
                 "supported" if info.supports_gpu_offload else "not supported",
                 ", ".join(f"{d.name} ({d.kind})" for d in info.devices) or "none",
                 (info.system_info or "").strip())
    else:
        log.warning("llama.cpp probe failed: %s", info.error)
    return info


def probe_llama(timeout: float = PROBE_TIMEOUT_S, should_stop: Callable[[], bool] | None = None) -> LlamaBuildInfo:
    """Query the installed llama.cpp in a child process for its version and devices.

    Failures (no llama_cpp, a crash, a timeout, a stop request) are returned in ``error``, not raised.
    """
    try:
        process = start_llama_probe()
    except OSError as exc:
        return LlamaBuildInfo(available=False, error=f"could not start the llama.cpp probe: {exc}")
    return finish_llama_probe(process, timeout, should_stop)


def llama_gpus(info: LlamaBuildInfo) -> list[GpuInfo]:
    """Convert llama.cpp's GPU and iGPU devices to GpuInfo entries for merging."""
    gpus = []
    for device in info.devices:
        if device.kind not in {"gpu", "igpu"}:
            continue
        name = device.description or device.name
        gpu = GpuInfo(vendor=vendor_from_name(name), name=name, unified=device.kind == "igpu")
        gpu.sources["name"] = source_message(QT_TRANSLATE_NOOP(CTX, "llama.cpp {backend} device {device}"),
                                             backend=device.backend or "ggml", device=device.name)
        memory_source = f"llama.cpp ggml_backend_dev_memory ({device.name})"
        if gpu.unified:
            gpu.shared_memory = device.memory_total
            gpu.sources["shared_memory"] = memory_source
        else:
            gpu.memory_total, gpu.memory_free = device.memory_total, device.memory_free
            gpu.sources["memory_total"] = gpu.sources["memory_free"] = memory_source
        gpus.append(gpu)
    return gpus


def llama_issues(info: LlamaBuildInfo) -> list[DetectionIssue]:
    if info.error:
        return [detection_failed("llama.cpp", info.error)]
    return []


def apply_llama(profile: MachineProfile, info: LlamaBuildInfo) -> MachineProfile:
    """Attach ``info`` to ``profile``, add llama.cpp's devices and set each GPU's usable_by_llama.

    Changes ``profile`` in place and returns it; pass ``copy.deepcopy(profile)`` to keep the original.
    Calling it again with a newer probe result replaces the earlier one's issue and flags.
    """
    profile.llama = info
    profile.issues = [i for i in profile.issues if i.probe != "llama.cpp"] + llama_issues(info)
    profile.gpus = _without_llama_results(profile.gpus)
    if not info.available or info.error:
        for gpu in profile.gpus:
            gpu.usable_by_llama = None
        fill_estimates(profile)
        return profile

    new_gpus = llama_gpus(info)
    profile.gpus = merge_gpus([("detected", profile.gpus), (LABEL, new_gpus)], loose_labels=frozenset({LABEL}))
    for gpu in profile.gpus:
        seen_by = [s.strip() for s in gpu.sources.get(DETECTED_BY, "").split(",")]
        gpu.usable_by_llama = LABEL in seen_by
        if not info.supports_gpu_offload:
            note = source_message(QT_TRANSLATE_NOOP(
                CTX, "this llama.cpp build has no GPU backend (CPU-only wheel); it runs on the CPU"))
            if note not in gpu.notes:
                gpu.notes.append(note)
        elif not gpu.usable_by_llama:
            note = source_message(QT_TRANSLATE_NOOP(CTX, "llama.cpp's backends do not list this GPU"))
            if note not in gpu.notes:
                gpu.notes.append(note)

    _refine_metal_budget(profile, info)
    fill_estimates(profile)
    return profile


def _without_llama_results(gpus: list[GpuInfo]) -> list[GpuInfo]:
    """Drop what an earlier apply_llama() added: GPUs only llama.cpp reported, and its detected_by mark."""
    kept = []
    for gpu in gpus:
        seen_by = [s.strip() for s in gpu.sources.get(DETECTED_BY, "").split(",") if s.strip()]
        if seen_by == [LABEL]:
            continue
        if LABEL in seen_by:
            gpu.sources[DETECTED_BY] = ", ".join(s for s in seen_by if s != LABEL)
        kept.append(gpu)
    return kept


def _refine_metal_budget(profile: MachineProfile, info: LlamaBuildInfo) -> None:
    """Use Metal's own working-set figure, as llama.cpp's Metal device reports it, over the table estimate."""
    if not str(profile.sources.get("metal_budget", "")).startswith("estimate"):
        return
    metal = next((d for d in info.devices if d.backend.lower() == "metal" and d.memory_total), None)
    if metal is None:
        return
    source = source_message(QT_TRANSLATE_NOOP(CTX, "llama.cpp Metal device (Metal recommendedMaxWorkingSetSize)"))
    profile.metal_budget = metal.memory_total
    profile.sources["metal_budget"] = source
    for gpu in profile.gpus:
        if gpu.vendor.value == "apple":
            gpu.shared_memory = metal.memory_total
            gpu.sources["shared_memory"] = source
