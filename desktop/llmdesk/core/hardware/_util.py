"""Helpers shared by the hardware probes: running tools with a timeout, reading sysfs, PCI ids."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from llmdesk.core.hardware.profile import DetectionIssue
from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage

log = logging.getLogger(__name__)

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

# Translation context of hardware texts: issue messages and the "how it was obtained" sources.
CTX = "Hardware"

# Template of every DetectionIssue message; the UI translates it with the reason filled in.
ISSUE_TEMPLATE = QT_TRANSLATE_NOOP("Hardware", "detection failed: {reason}")


def source_message(template: str, **params: object) -> UserMessage:
    """A figure's source in words: ``source_message(QT_TRANSLATE_NOOP(CTX, "... {x}"), x=...)``.

    ``str()`` gives the English text (CLI, JSON); the This machine page shows it translated. Tool
    names, sysfs files and registry keys go in as parameters or stay literal in the template.
    """
    return UserMessage(CTX, template, **params)


class ProbeError(Exception):
    """A probe ran but could not produce a result; the message is the reason shown to the user."""


def detection_failed(probe: str, reason: str) -> DetectionIssue:
    """Build the issue for a probe that failed, logging it once."""
    log.warning("Hardware probe %s: detection failed: %s", probe, reason)
    return DetectionIssue(probe=probe, message=ISSUE_TEMPLATE.format(reason=reason), reason=reason)


def issue_user_message(issue: DetectionIssue) -> UserMessage:
    """Return the translatable form of ``issue.message``."""
    return UserMessage("Hardware", ISSUE_TEMPLATE, reason=issue.reason or issue.message)


@dataclass
class CommandResult:
    returncode: int
    stdout: str
    stderr: str


def run_command(args: list[str], timeout: float) -> CommandResult:
    """Run a tool and capture its output as text.

    Raises ProbeError when the tool is missing, cannot start, or runs past ``timeout`` seconds.
    A non-zero exit status is returned, not raised, because callers read the tool's own message.
    """
    creationflags = 0
    if sys.platform == "win32":
        creationflags = subprocess.CREATE_NO_WINDOW  # no console window flashing up from the GUI
    try:
        completed = subprocess.run(args, capture_output=True, text=True, errors="replace", timeout=timeout,
                                   stdin=subprocess.DEVNULL, creationflags=creationflags)
    except FileNotFoundError:
        raise ProbeError(f"{args[0]} not found") from None
    except subprocess.TimeoutExpired:
        raise ProbeError(f"{Path(args[0]).name} did not answer within {timeout:g} s") from None
    except OSError as exc:
        raise ProbeError(f"{args[0]} could not start: {exc}") from None
    return CommandResult(completed.returncode, completed.stdout, completed.stderr)


def read_text(path: Path) -> str | None:
    """Return a sysfs or proc file's text stripped, or None when it is missing or unreadable."""
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None


def read_int(path: Path) -> int | None:
    """Return a file's content as an integer (decimal, or hex with 0x), or None when unusable."""
    text = read_text(path)
    if not text:
        return None
    try:
        return int(text, 0)
    except ValueError:
        return None


_BUS_RE = re.compile(r"^(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])$")


def normalise_pci_bus(text: str | None) -> str | None:
    """Return a PCI address as ``dddd:bb:dd.f`` in lower case, or None when ``text`` is not one.

    nvidia-smi and NVML write an 8-digit domain (``00000000:01:00.0``), sysfs a 4-digit one.
    """
    if not text:
        return None
    match = _BUS_RE.match(text.strip())
    if not match:
        return None
    domain, bus, device, function = match.groups()
    return f"{int(domain or '0', 16):04x}:{int(bus, 16):02x}:{int(device, 16):02x}.{function}"


def pci_id(vendor: int, device: int) -> str:
    return f"{vendor:04x}:{device:04x}"


_NAME_NOISE = re.compile(r"\((?:r|tm|c)\)|[®™]", re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^)]*\)")


def normalise_gpu_name(name: str) -> str:
    """Return a GPU name reduced for matching across sources.

    "Intel(R) Arc(TM) A770 Graphics" and "AMD Radeon RX 7900 XTX (RADV NAVI31)" become
    "arc a770" and "radeon rx 7900 xtx": trade marks, driver suffixes in brackets, vendor words
    and the words "graphics"/"gpu" are dropped.
    """
    text = _NAME_NOISE.sub(" ", name.lower())
    text = _PARENTHESES.sub(" ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    words = [w for w in text.split() if w not in {"nvidia", "amd", "ati", "intel", "corporation",
                                                   "graphics", "gpu", "apple"}]
    return " ".join(words)
