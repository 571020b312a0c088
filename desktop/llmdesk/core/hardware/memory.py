"""System memory probe: total and available RAM.

psutil is the source on every OS. On Linux the figures are cross-checked with /proc/meminfo, and a
container's cgroup memory limit caps the available figure, because a model loaded past that limit is
killed even when the host has free memory.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import psutil

from llmdesk.core.hardware._util import CTX, GIB, KIB, detection_failed, read_text, source_message
from llmdesk.core.hardware.profile import DetectionIssue, MemoryInfo
from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage

log = logging.getLogger(__name__)


def parse_meminfo(text: str) -> dict[str, int]:
    """Parse /proc/meminfo into field -> bytes (the file states kB, meaning KiB)."""
    values: dict[str, int] = {}
    for line in text.splitlines():
        key, sep, rest = line.partition(":")
        if not sep:
            continue
        parts = rest.split()
        if not parts:
            continue
        try:
            number = int(parts[0])
        except ValueError:
            continue
        unit = parts[1].lower() if len(parts) > 1 else ""
        values[key.strip()] = number * KIB if unit == "kb" else number
    return values


def parse_cgroup_limit(limit_text: str | None, usage_text: str | None) -> tuple[int, int] | None:
    """Return (limit, usage) in bytes from cgroup memory.max/memory.current text, or None if unlimited.

    cgroup v2 writes "max" for no limit; cgroup v1 writes a huge number (about 2^63) instead.
    """
    if not limit_text or limit_text.strip() == "max":
        return None
    try:
        limit = int(limit_text)
        usage = int(usage_text) if usage_text else 0
    except ValueError:
        return None
    if limit >= 1 << 60:
        return None
    return limit, usage


def _read_cgroup_limit() -> tuple[int, int] | None:
    base = Path("/sys/fs/cgroup")
    relative = ""
    cgroup_file = read_text(Path("/proc/self/cgroup")) or ""
    for line in cgroup_file.splitlines():
        if line.startswith("0::"):
            relative = line[3:].lstrip("/")
    candidates = [
        (base / relative / "memory.max", base / relative / "memory.current"),
        (base / "memory.max", base / "memory.current"),
        (base / "memory" / "memory.limit_in_bytes", base / "memory" / "memory.usage_in_bytes"),
    ]
    for limit_path, usage_path in candidates:
        found = parse_cgroup_limit(read_text(limit_path), read_text(usage_path))
        if found:
            return found
    return None


def detect_memory() -> tuple[MemoryInfo, list[DetectionIssue]]:
    """Read total and available RAM. Never raises; a failed cross-check adds an issue."""
    issues: list[DetectionIssue] = []
    vm = psutil.virtual_memory()
    total, available = int(vm.total), int(vm.available)
    sources: dict[str, str | UserMessage] = {"total": "psutil.virtual_memory",
                                             "available": "psutil.virtual_memory"}

    if sys.platform.startswith("linux"):
        text = read_text(Path("/proc/meminfo"))
        meminfo = parse_meminfo(text or "")
        if "MemTotal" not in meminfo:
            issues.append(detection_failed("memory", "/proc/meminfo is unreadable or has no MemTotal"))
        else:
            if abs(meminfo["MemTotal"] - total) > total // 100:
                log.warning("psutil total RAM %d differs from /proc/meminfo MemTotal %d; using the latter",
                            total, meminfo["MemTotal"])
                sources["total"] = source_message(QT_TRANSLATE_NOOP(
                    CTX, "/proc/meminfo MemTotal (psutil reported {total} bytes)"), total=total)
            else:
                sources["total"] = source_message(QT_TRANSLATE_NOOP(
                    CTX, "/proc/meminfo MemTotal (agrees with psutil)"))
            total = meminfo["MemTotal"]
            if "MemAvailable" in meminfo:
                available = meminfo["MemAvailable"]
                sources["available"] = "/proc/meminfo MemAvailable"
        limit = _read_cgroup_limit()
        if limit is not None:
            cap = max(0, limit[0] - limit[1])
            if cap < available:
                available = cap
                sources["available"] = source_message(QT_TRANSLATE_NOOP(
                    CTX, "{source}, capped by the cgroup memory limit {limit} GiB"),
                    source=sources["available"], limit=f"{limit[0] / GIB:.1f}")
    return MemoryInfo(total=total, available=available, sources=sources), issues
