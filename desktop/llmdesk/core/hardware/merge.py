"""Merge GPU lists from several probes into one list with one entry per physical device.

A hybrid laptop is listed by several sources at once (NVML or nvidia-smi, sysfs, the registry,
llama.cpp), each in its own order. Entries are matched by PCI bus address, Windows LUID, PCI
vendor:device id and normalised name, in that order of strength, never by list position. Two entries
whose bus addresses, LUIDs or PCI ids differ never match. The first source to report a field wins;
later sources only fill fields still unknown. Memory figures of an integrated GPU (shared system
memory) are never copied into a discrete GPU's VRAM, nor the reverse.
"""

from __future__ import annotations

import copy
from typing import Callable

from llmdesk.core.hardware._util import CTX, normalise_gpu_name, source_message
from llmdesk.core.hardware.profile import GpuInfo, GpuVendor
from llmdesk.core.i18n import QT_TRANSLATE_NOOP

DETECTED_BY = "detected_by"  # sources key listing every probe that reported the device
_FILLABLE = ("driver", "pci_id", "pci_bus", "luid", "bandwidth")
_VENDOR_WORDS = {GpuVendor.NVIDIA: ("nvidia", "geforce", "quadro", "tesla"),
                 GpuVendor.AMD: ("amd", "radeon", "instinct"),
                 GpuVendor.INTEL: ("intel", "arc", "iris", "uhd"),
                 GpuVendor.APPLE: ("apple",)}


def vendor_from_name(name: str) -> GpuVendor:
    words = name.lower().replace("(", " ").replace(")", " ").split()
    for vendor, markers in _VENDOR_WORDS.items():
        if any(marker in words for marker in markers):
            return vendor
    return GpuVendor.OTHER


def _conflict(a: GpuInfo, b: GpuInfo) -> bool:
    if a.vendor != b.vendor and GpuVendor.OTHER not in (a.vendor, b.vendor):
        return True
    for field in ("pci_bus", "luid", "pci_id"):
        left, right = getattr(a, field), getattr(b, field)
        if left and right and left != right:
            return True
    return False


def _same(field: str) -> Callable[[GpuInfo, GpuInfo], bool]:
    return lambda a, b: bool(getattr(a, field)) and getattr(a, field) == getattr(b, field)


def _same_name(a: GpuInfo, b: GpuInfo) -> bool:
    return normalise_gpu_name(a.name) == normalise_gpu_name(b.name) != ""


_MATCHERS: tuple[Callable[[GpuInfo, GpuInfo], bool], ...] = (
    _same("pci_bus"), _same("luid"), _same("pci_id"), _same_name)


def _sort_key(gpu: GpuInfo) -> tuple:
    return (gpu.unified, gpu.pci_bus or "~", gpu.pci_id or "~", normalise_gpu_name(gpu.name),
            -(gpu.memory_total or 0), gpu.luid or "")


def _absorb(target: GpuInfo, incoming: GpuInfo, label: str) -> None:
    """Fill ``target``'s unknown fields from ``incoming``."""
    if str(target.sources.get("name", "")).startswith("PCI id only") and incoming.name:
        target.name = incoming.name
        target.sources["name"] = incoming.sources.get("name", label)
    for field in _FILLABLE:
        if getattr(target, field) is None and getattr(incoming, field) is not None:
            setattr(target, field, getattr(incoming, field))
            if field in incoming.sources:
                target.sources[field] = incoming.sources[field]
    if target.unified or incoming.unified:
        if target.memory_total is None and not target.unified:
            target.unified = True
            target.sources["unified"] = incoming.sources.get("unified", label)
        if target.unified and target.shared_memory is None and incoming.shared_memory is not None:
            target.shared_memory = incoming.shared_memory
            target.sources["shared_memory"] = incoming.sources.get("shared_memory", label)
    else:
        for field in ("memory_total", "memory_free"):
            if getattr(target, field) is None and getattr(incoming, field) is not None:
                setattr(target, field, getattr(incoming, field))
                target.sources[field] = incoming.sources.get(field, label)
    for note in incoming.notes:
        if note not in target.notes:
            target.notes.append(note)


def merge_gpus(groups: list[tuple[str, list[GpuInfo]]], *, loose_labels: frozenset[str] = frozenset()
               ) -> list[GpuInfo]:
    """Merge ``(source label, gpus)`` groups, highest priority first, into one sorted list.

    For a label in ``loose_labels`` an entry that matched nothing else is matched by vendor when that
    vendor has exactly one unmatched device left (llama.cpp names devices in its own words, e.g.
    "AMD Radeon Graphics (RADV PHOENIX)" for an APU that sysfs calls "AMD Radeon 780M").
    The inputs are not modified. The result's order depends on the devices, not on the input order.
    """
    merged: list[GpuInfo] = []
    for label, group in groups:
        matched: set[int] = set()
        pending = sorted((copy.deepcopy(g) for g in group), key=_sort_key)
        for matcher in _MATCHERS:
            still_pending = []
            for gpu in pending:
                index = next((i for i, existing in enumerate(merged)
                              if i not in matched and not _conflict(existing, gpu) and matcher(existing, gpu)), None)
                if index is None:
                    still_pending.append(gpu)
                    continue
                matched.add(index)
                _absorb(merged[index], gpu, label)
                merged[index].sources[DETECTED_BY] += f", {label}"
            pending = still_pending
        if label in loose_labels:
            still_pending = []
            for gpu in pending:
                vendor = gpu.vendor if gpu.vendor != GpuVendor.OTHER else vendor_from_name(gpu.name)
                candidates = [i for i, existing in enumerate(merged)
                              if i not in matched and existing.vendor == vendor and not _conflict(existing, gpu)]
                if len(candidates) == 1 and vendor != GpuVendor.OTHER:
                    matched.add(candidates[0])
                    _absorb(merged[candidates[0]], gpu, label)
                    merged[candidates[0]].sources[DETECTED_BY] += f", {label}"
                    merged[candidates[0]].notes.append(source_message(QT_TRANSLATE_NOOP(
                        CTX, "matched to {label} device {device} by vendor"), label=label, device=repr(gpu.name)))
                else:
                    still_pending.append(gpu)
            pending = still_pending
        for gpu in pending:
            gpu.sources.setdefault(DETECTED_BY, label)
            merged.append(gpu)
        merged.sort(key=_sort_key)
    return merged
