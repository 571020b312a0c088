"""``llm-desk hardware``: show what LLM Desk detected on this machine."""

from __future__ import annotations

import argparse
import json
import sys

from llmdesk.core.hardware import MachineProfile, detect
from llmdesk.core.hardware.merge import DETECTED_BY

GIB = 1024 ** 3


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("hardware", help="show the detected CPU, memory, GPUs and llama.cpp build",
                                   description="Show the detected CPU, memory, GPUs and llama.cpp build, "
                                               "with where each figure came from.")
    parser.add_argument("--json", action="store_true", help="print the profile as JSON")
    parser.add_argument("--no-llama", action="store_true",
                        help="skip the llama.cpp probe (a child process that may take seconds)")


def _gib(value: int | None) -> str:
    return "unknown" if value is None else f"{value / GIB:.1f} GiB"


def _gbs(value: float | None) -> str:
    return "unknown" if value is None else f"{value / 1e9:.0f} GB/s"


def format_profile(profile: MachineProfile) -> str:
    """Return the readable multi-line summary printed by ``llm-desk hardware``."""
    cpu, memory = profile.cpu, profile.memory
    lines = [
        f"OS:        {profile.os_name} {profile.os_version}",
        f"CPU:       {cpu.model} ({cpu.architecture}, {cpu.physical_cores or '?'} cores, "
        f"{cpu.logical_cores or '?'} threads)",
        f"Features:  {' '.join(sorted(cpu.features)) or 'none detected'}",
        f"RAM:       {_gib(memory.total)} total, {_gib(memory.available)} available "
        f"({memory.sources.get('total', '?')}; {memory.sources.get('available', '?')})",
        f"Bandwidth: {_gbs(profile.ram_bandwidth)} ({profile.sources.get('ram_bandwidth', '?')})",
    ]
    if profile.metal_budget is not None:
        lines.append(f"Metal:     {_gib(profile.metal_budget)} GPU working-set budget "
                     f"({profile.sources.get('metal_budget', '?')})")

    lines.append("GPUs:" if profile.gpus else "GPUs:      none found")
    for index, gpu in enumerate(profile.gpus):
        lines.append(f"  [{index}] {gpu.name} ({gpu.vendor.value})")
        if gpu.unified:
            lines.append(f"      memory:   unified, up to {_gib(gpu.shared_memory)} of system RAM "
                         f"({gpu.sources.get('shared_memory', '?')})")
        else:
            lines.append(f"      memory:   {_gib(gpu.memory_total)} total, {_gib(gpu.memory_free)} free "
                         f"({gpu.sources.get('memory_total', '?')})")
        if gpu.driver:
            lines.append(f"      driver:   {gpu.driver}")
        if gpu.pci_bus or gpu.pci_id:
            lines.append(f"      PCI:      {gpu.pci_bus or '?'} [{gpu.pci_id or '?'}]")
        lines.append(f"      bandwidth: {_gbs(gpu.bandwidth)} ({gpu.sources.get('bandwidth', 'no estimate')})")
        usable = {True: "yes", False: "no", None: "not checked"}[gpu.usable_by_llama]
        lines.append(f"      llama.cpp can use it: {usable}")
        lines.append(f"      detected by: {gpu.sources.get(DETECTED_BY, '?')}")
        lines.extend(f"      note: {note}" for note in gpu.notes)

    llama = profile.llama
    if llama is None:
        lines.append("llama.cpp: not checked (--no-llama)")
    elif not llama.available or llama.error:
        lines.append(f"llama.cpp: unavailable: {llama.error or 'unknown reason'}")
    else:
        offload = "yes" if llama.supports_gpu_offload else "no (CPU-only build)"
        lines.append(f"llama.cpp: llama-cpp-python {llama.version}, GPU offload: {offload}")
        for device in llama.devices:
            lines.append(f"  {device.name}: {device.description} ({device.kind}, {device.backend or '?'}, "
                         f"{_gib(device.memory_free)} free of {_gib(device.memory_total)})")
        if llama.system_info:
            lines.append(f"  system info: {llama.system_info}")
        lines.extend(f"  note: {note}" for note in llama.notes)

    if profile.overrides:
        lines.append("Overrides: " + ", ".join(f"{k} = {v}" for k, v in profile.overrides.items()))
    lines.append("Issues:" if profile.issues else "Issues:    none")
    lines.extend(f"  {issue.probe}: {issue.message}" for issue in profile.issues)
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from llmdesk.core.settings import Settings

    settings = Settings()
    for message in settings.load_errors:
        print(f"llm-desk hardware: warning: {message}", file=sys.stderr)
    profile = detect(settings, query_llama=not args.no_llama)
    if args.json:
        print(json.dumps(profile.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_profile(profile))
    return 0
