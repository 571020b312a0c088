"""Typed user settings, declared once, stored as JSON in the config dir.

Each ``Setting`` carries its default, a title and a description; the settings page is built from this
table. The file has a schema version; ``_UPGRADES`` maps an old version to the step that brings it one
version forward, and the old file is kept as ``settings.json.bak-v<N>`` before an upgrade is written.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from llmdesk.core import paths
from llmdesk.core.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_CTX = "Settings"


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    title: str
    description: str
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    secret: bool = False
    group: str = "general"

    def validate(self, value: Any) -> Any:
        """Return ``value`` converted to this setting's type, or raise ValueError saying why not."""
        kind = type(self.default)
        if self.default is None:
            if value is None:
                return None
            kind = float
        if kind is bool:
            if not isinstance(value, bool):
                raise ValueError(f"{self.key}: expected true or false, got {value!r}")
        elif kind in (int, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{self.key}: expected a number, got {value!r}")
            value = kind(value)
            if self.minimum is not None and value < self.minimum:
                raise ValueError(f"{self.key}: {value} is below the minimum {self.minimum}")
            if self.maximum is not None and value > self.maximum:
                raise ValueError(f"{self.key}: {value} is above the maximum {self.maximum}")
        elif kind is str:
            if not isinstance(value, str):
                raise ValueError(f"{self.key}: expected text, got {value!r}")
        elif kind is list:
            if not isinstance(value, list):
                raise ValueError(f"{self.key}: expected a list, got {value!r}")
            value = list(value)
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"{self.key}: {value!r} is not one of {', '.join(map(str, self.choices))}")
        return value


ENDPOINT_PRESETS = {
    "huggingface": "https://huggingface.co",
    "hf-mirror": "https://hf-mirror.com",
}

SETTINGS: tuple[Setting, ...] = (
    Setting("language", "auto", QT_TRANSLATE_NOOP(_CTX, "Language"),
            QT_TRANSLATE_NOOP(_CTX, "Interface language. Auto follows the system."),
            choices=("auto", "en", "zh_CN"), group="appearance"),
    Setting("theme", "system", QT_TRANSLATE_NOOP(_CTX, "Theme"),
            QT_TRANSLATE_NOOP(_CTX, "Light, dark, or follow the system."),
            choices=("system", "light", "dark"), group="appearance"),
    Setting("download_endpoint", "huggingface", QT_TRANSLATE_NOOP(_CTX, "Download source"),
            QT_TRANSLATE_NOOP(_CTX, "Where model files come from. hf-mirror.com is a mirror of Hugging Face "
                                    "that is reachable from mainland China. The HF_ENDPOINT environment "
                                    "variable, when set, takes precedence."),
            choices=("huggingface", "hf-mirror", "custom"), group="downloads"),
    Setting("custom_endpoint", "", QT_TRANSLATE_NOOP(_CTX, "Custom download URL"),
            QT_TRANSLATE_NOOP(_CTX, "Base URL of a Hugging Face compatible server, used when the download "
                                    "source is Custom, e.g. https://example.org"),
            group="downloads"),
    Setting("hf_token", "", QT_TRANSLATE_NOOP(_CTX, "Access token"),
            QT_TRANSLATE_NOOP(_CTX, "Hugging Face access token for gated repositories. Sent only to the "
                                    "download source it was entered for."),
            secret=True, group="downloads"),
    Setting("hf_token_endpoint", "", QT_TRANSLATE_NOOP(_CTX, "Token belongs to"),
            QT_TRANSLATE_NOOP(_CTX, "Base URL the access token was entered for."), group="internal"),
    Setting("max_concurrent_downloads", 2, QT_TRANSLATE_NOOP(_CTX, "Parallel downloads"),
            QT_TRANSLATE_NOOP(_CTX, "How many files download at the same time."),
            minimum=1, maximum=8, group="downloads"),
    Setting("downloads_in_background", False, QT_TRANSLATE_NOOP(_CTX, "Keep downloading after closing"),
            QT_TRANSLATE_NOOP(_CTX, "When off, closing the window pauses downloads and they resume at the "
                                    "next start."),
            group="downloads"),
    Setting("model_folders", [], QT_TRANSLATE_NOOP(_CTX, "Model folders"),
            QT_TRANSLATE_NOOP(_CTX, "Extra folders scanned for GGUF files, e.g. an LM Studio or GPT4All "
                                    "model folder."),
            group="models"),
    Setting("fit_preference", "balanced", QT_TRANSLATE_NOOP(_CTX, "Recommendation preference"),
            QT_TRANSLATE_NOOP(_CTX, "Faster replies picks smaller quantizations; better answers picks the "
                                    "largest one that fits."),
            choices=("speed", "balanced", "quality"), group="models"),
    Setting("default_context", 4096, QT_TRANSLATE_NOOP(_CTX, "Default context length"),
            QT_TRANSLATE_NOOP(_CTX, "Context length in tokens used for fit advice and new chats."),
            minimum=512, maximum=1_048_576, group="models"),
    Setting("kv_cache_type", "f16", QT_TRANSLATE_NOOP(_CTX, "KV cache type"),
            QT_TRANSLATE_NOOP(_CTX, "Element type of the attention cache. q8_0 halves its memory with a "
                                    "small quality cost."),
            choices=("f16", "q8_0", "q4_0"), group="models"),
    Setting("override_ram_gib", None, QT_TRANSLATE_NOOP(_CTX, "RAM override (GiB)"),
            QT_TRANSLATE_NOOP(_CTX, "Use this total RAM instead of the detected figure. Empty means detect."),
            minimum=0.5, maximum=65536, group="hardware"),
    Setting("override_vram_gib", None, QT_TRANSLATE_NOOP(_CTX, "GPU memory override (GiB)"),
            QT_TRANSLATE_NOOP(_CTX, "Use this much free GPU memory for the first GPU instead of the "
                                    "detected figure, e.g. when detection failed. Empty means detect."),
            minimum=0.25, maximum=65536, group="hardware"),
    Setting("override_bandwidth_gbs", None, QT_TRANSLATE_NOOP(_CTX, "Memory bandwidth override (GB/s)"),
            QT_TRANSLATE_NOOP(_CTX, "Memory bandwidth used for speed estimates. Empty means estimate."),
            minimum=1, maximum=100000, group="hardware"),
    Setting("filter_enabled", True, QT_TRANSLATE_NOOP(_CTX, "Output filter"),
            QT_TRANSLATE_NOOP(_CTX, "Filter what the model writes before it is shown or saved."),
            group="filter"),
    Setting("filter_rule_sets", ["profanity", "personal_data", "secrets"],
            QT_TRANSLATE_NOOP(_CTX, "Rule sets"),
            QT_TRANSLATE_NOOP(_CTX, "Rule sets applied to new chats."), group="filter"),
    Setting("filter_custom_rules", [], QT_TRANSLATE_NOOP(_CTX, "Your own rules"),
            QT_TRANSLATE_NOOP(_CTX, "Terms and regular expressions you added."), group="filter"),
    Setting("filter_user_prompt", False, QT_TRANSLATE_NOOP(_CTX, "Check my own messages"),
            QT_TRANSLATE_NOOP(_CTX, "Warn before sending a message that contains personal data."),
            group="filter"),
)

_BY_KEY = {s.key: s for s in SETTINGS}

# version N -> function turning a version-N dict into a version-(N+1) dict
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class Settings:
    """User settings backed by a JSON file. Not thread-safe: use from one thread (the GUI thread)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.config_dir() / "settings.json"
        self._values: dict[str, Any] = {}
        self.load_errors: list[str] = []
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict):
                raise ValueError("top level is not an object")
        except (OSError, ValueError) as exc:
            broken = self.path.with_suffix(".json.broken")
            shutil.copyfile(self.path, broken)
            self.load_errors.append(f"Settings file {self.path} is unreadable ({exc}); "
                                    f"a copy was kept as {broken} and defaults are used.")
            log.warning(self.load_errors[-1])
            return
        version = raw.pop("schema_version", 1)
        if version < SCHEMA_VERSION:
            shutil.copyfile(self.path, self.path.with_name(f"{self.path.name}.bak-v{version}"))
            while version < SCHEMA_VERSION:
                raw = _UPGRADES[version](raw)
                version += 1
        for key, value in raw.items():
            setting = _BY_KEY.get(key)
            if setting is None:
                log.info("Ignoring unknown setting %r in %s", key, self.path)
                continue
            try:
                self._values[key] = setting.validate(value)
            except ValueError as exc:
                self.load_errors.append(f"{exc}; the default is used.")
                log.warning("Invalid setting in %s: %s", self.path, exc)

    def get(self, key: str) -> Any:
        setting = _BY_KEY[key]
        value = self._values.get(key, setting.default)
        return list(value) if isinstance(value, list) else value

    def set(self, key: str, value: Any) -> None:
        """Validate and store one value (raises ValueError with the reason); call ``save()`` to persist."""
        try:
            setting = _BY_KEY[key]
        except KeyError:
            raise KeyError(f"unknown setting {key!r}") from None
        self._values[key] = setting.validate(value)

    def reset(self, key: str) -> None:
        self._values.pop(key, None)

    def save(self) -> None:
        """Write the file atomically; it is readable by the owner only because it may hold a token."""
        data = {"schema_version": SCHEMA_VERSION, **self._values}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, ensure_ascii=False)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @staticmethod
    def definition(key: str) -> Setting:
        return _BY_KEY[key]
