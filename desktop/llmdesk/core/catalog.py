"""Load and validate the model catalog (``models.json`` plus the user's ``models.user.json``).

The check is written by hand so the app needs no JSON Schema library at start-up;
``resources/catalog.schema.json`` describes the same format for editors. Every problem becomes a
``CatalogError`` naming the file, the JSON path (``builds[3].quants[1].size_bytes``) and what is wrong.
A broken build, quant or benchmark entry is skipped and the rest still loads. A file that cannot be read
or parsed is one error and contributes no builds.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmdesk.core import paths
from llmdesk.core.catalog_types import ArchFacts, BenchmarkScore, ModelBuild, QuantVariant

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

# Average bits per weight of whole GGUF files, from llama.cpp's tools/quantize/README.md table for
# Llama-3.1-8B (Q3_K_M is not in that table; 3.91 is llama.cpp's usual figure). Used to order quants by
# size and to estimate sizes; real files differ by a few percent between models.
NOMINAL_BITS_PER_WEIGHT: dict[str, float] = {
    "IQ1_S": 2.00, "IQ1_M": 2.15, "IQ2_XXS": 2.38, "IQ2_XS": 2.59, "IQ2_S": 2.74, "IQ2_M": 2.93,
    "Q2_K_S": 2.97, "Q2_K": 3.16, "Q2_K_L": 3.3, "IQ3_XXS": 3.25, "IQ3_XS": 3.50, "IQ3_S": 3.66,
    "IQ3_M": 3.76, "Q3_K_S": 3.64, "Q3_K_M": 3.91, "Q3_K_L": 4.30, "Q3_K_XL": 4.4, "IQ4_XS": 4.46,
    "IQ4_NL": 4.68, "Q4_0": 4.55, "Q4_1": 5.0, "Q4_K_S": 4.67, "Q4_K_M": 4.89, "Q4_K_L": 5.3,
    "Q5_0": 5.5, "Q5_1": 6.0, "Q5_K_S": 5.57, "Q5_K_M": 5.70, "Q5_K_L": 6.0, "Q6_K": 6.56,
    "Q6_K_L": 6.8, "Q8_0": 8.50, "F16": 16.0, "BF16": 16.0, "F32": 32.0,
}
KNOWN_QUANTS = frozenset(NOMINAL_BITS_PER_WEIGHT)

PARTS_JOIN_MODES = ("gguf-split", "concat")

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_ARCH_RE = re.compile(r"^[a-z0-9_]+$")
_REPO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
_SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}$")
_QUANT_IN_NAME_RE = re.compile(
    r"(?<![A-Za-z0-9])(IQ\d_[A-Z]+|Q\d_K(?:_[A-Z]+)?|Q\d_\d|BF16|F16|F32)(?![A-Za-z0-9_])", re.IGNORECASE
)
_TOKEN_SPLIT_RE = re.compile(r"[-_\s/]+")

# Relative tolerance when comparing a file's parameter count with a build's: GGUF converters may add or
# drop a few small tensors (rope frequencies, tied output), which shifts the count by well under 1 %.
_PARAMS_TOLERANCE = 0.02


@dataclass(frozen=True)
class CatalogError:
    """One problem found while loading a catalog file."""

    file: str
    path: str  # JSON path inside the file, "" when the whole file is affected
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class CatalogMatch:
    """A catalog build that a file on disk probably is; ``quant`` is None when the file's quant is unknown."""

    build: ModelBuild
    quant: QuantVariant | None
    reason: str  # "file name", "similar file name" or "architecture and size"


class Catalog:
    """The loaded builds, in file order, with the problems found while loading them."""

    def __init__(self, builds: list[ModelBuild], errors: list[CatalogError]) -> None:
        self.builds = builds
        self.errors = errors
        self._by_id = {build.id: build for build in builds}
        # (repo lower-case or "", file path or base name lower-case) -> (build, quant)
        self._by_file: dict[tuple[str, str], tuple[ModelBuild, QuantVariant]] = {}
        for build in builds:
            for quant in build.quants:
                for name in (quant.filename, *quant.parts):
                    for key_name in {name.lower(), _basename(name).lower()}:
                        self._by_file.setdefault((quant.repo.lower(), key_name), (build, quant))
                        self._by_file.setdefault(("", key_name), (build, quant))

    def get(self, build_id: str) -> ModelBuild | None:
        return self._by_id.get(build_id)

    def families(self) -> list[str]:
        """Family names in the order they first appear in the catalog."""
        return list(dict.fromkeys(build.family for build in self.builds))

    def find_by_file(self, repo: str | None, filename: str) -> tuple[ModelBuild, QuantVariant] | None:
        """Return the build and quant published as ``filename`` (a path in the repo or a base name).

        ``repo`` is the Hugging Face repo id; None matches the file name in any repo. Names of split
        pieces match too. Comparison ignores case.
        """
        repo_key = repo.lower() if repo else ""
        for name in (filename.lower(), _basename(filename).lower()):
            hit = self._by_file.get((repo_key, name))
            if hit is not None:
                return hit
        return None

    def match(self, *, filename: str | None = None, arch: str | None = None, n_params: int | None = None,
              n_ctx_train: int | None = None) -> list[CatalogMatch]:
        """Return the builds a local file probably is, best first.

        An exact file name wins outright. Otherwise builds are filtered by GGUF architecture and by
        parameter count (within 2 %), then ranked by how many words of the file name they share, then by
        native context and parameter count. With only a file name, builds need two shared words to count.
        """
        if filename:
            hit = self.find_by_file(None, filename)
            if hit is not None:
                return [CatalogMatch(hit[0], hit[1], "file name")]
        if arch is None and n_params is None and not filename:
            return []

        quant_name = quant_name_from_filename(filename) if filename else None
        name_tokens = _name_tokens(filename) if filename else set()
        ranked: list[tuple[tuple[float, ...], CatalogMatch]] = []
        for build in self.builds:
            if arch is not None and build.arch.architecture != arch.lower():
                continue
            if n_params is not None and abs(build.arch.n_params - n_params) > _PARAMS_TOLERANCE * build.arch.n_params:
                continue
            shared = len(name_tokens & _build_tokens(build))
            if arch is None and n_params is None and shared < 2:
                continue
            ctx_differs = 1 if (n_ctx_train is not None and build.arch.n_ctx_train != n_ctx_train) else 0
            params_gap = abs(build.arch.n_params - n_params) if n_params is not None else 0
            reason = "architecture and size" if (arch is not None or n_params is not None) else "similar file name"
            quant = build.quant(quant_name) if quant_name else None
            ranked.append(((-shared, ctx_differs, params_gap), CatalogMatch(build, quant, reason)))
        ranked.sort(key=lambda item: item[0])
        return [match for _, match in ranked]


def quant_name_from_filename(filename: str) -> str | None:
    """Return the quantization named in a GGUF file name ("Q4_K_M"), or None when there is none we know."""
    for found in reversed(_QUANT_IN_NAME_RE.findall(_basename(filename))):
        name = found.upper()
        if name in KNOWN_QUANTS:
            return name
    return None


def load_catalog(builtin: Path | None = None, user: Path | None = None) -> Catalog:
    """Load the shipped catalog and the user's catalog; user builds replace shipped builds with the same id.

    Defaults: ``paths.builtin_catalog_path()`` and ``paths.user_catalog_path()``. A missing user file is
    normal and not an error. Bad content does not raise: problems are listed in ``Catalog.errors``.
    """
    builtin = builtin if builtin is not None else paths.builtin_catalog_path()
    user = user if user is not None else paths.user_catalog_path()

    builds, errors = _load_file(builtin, required=True)
    position = {build.id: index for index, build in enumerate(builds)}
    if user.resolve() != builtin.resolve():
        user_builds, user_errors = _load_file(user, required=False)
        errors.extend(user_errors)
        for build in user_builds:
            if build.id in position:
                log.info("user catalog %s replaces build %s", user, build.id)
                builds[position[build.id]] = build
            else:
                position[build.id] = len(builds)
                builds.append(build)

    for error in errors[:20]:
        log.warning("catalog: %s", error)
    if len(errors) > 20:
        log.warning("catalog: %d more problems not logged", len(errors) - 20)
    log.info("catalog: %d builds loaded, %d problems", len(builds), len(errors))
    return Catalog(builds, errors)


def _load_file(path: Path, *, required: bool) -> tuple[list[ModelBuild], list[CatalogError]]:
    file = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        if not required:
            return [], []
        return [], [CatalogError(file, "", "file not found; reinstall LLM Desk to restore the built-in catalog")]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [CatalogError(file, "", f"cannot be read ({exc}); fix or delete the file")]
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}; fix or delete the file"
        return [], [CatalogError(file, "", message)]

    checker = _Checker(file)
    builds = checker.document(document)
    return builds, checker.errors


class _Checker:
    """Validates one parsed catalog file and turns valid entries into records.

    Each ``_read`` call records its own problem, so one pass reports every bad field of an entry. An entry
    whose required fields fail is then skipped as a whole.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[CatalogError] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(CatalogError(self.file, path, message))

    # ------------------------------------------------------------------ top level

    def document(self, document: Any) -> list[ModelBuild]:
        if not isinstance(document, dict):
            self.error("", f"must be a JSON object with a \"builds\" list, got {_json_type(document)}")
            return []
        self._unknown_keys(document, "", {"$schema", "schema_version", "notes", "builds"})

        version = document.get("schema_version", SCHEMA_VERSION)
        if not _is_int(version) or version < 1:
            self.error("schema_version", f"must be a positive integer, got {version!r}")
            return []
        if version > SCHEMA_VERSION:
            self.error("schema_version", f"is {version} but this LLM Desk reads version {SCHEMA_VERSION}; "
                                         "update LLM Desk or rewrite the file for version 1")
            return []
        notes = document.get("notes", [])
        if not isinstance(notes, list) or not all(isinstance(note, str) for note in notes):
            self.error("notes", "must be a list of strings; ignored")

        entries = document.get("builds")
        if not isinstance(entries, list):
            got = "nothing" if entries is None else _json_type(entries)
            self.error("builds", f"must be a list of builds, got {got}")
            return []

        builds: list[ModelBuild] = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(entries):
            path = f"builds[{index}]"
            build = self.build(entry, path)
            if build is None:
                continue
            if build.id in seen:
                self.error(f"{path}.id", f"duplicate id {build.id!r} (first used by builds[{seen[build.id]}]); "
                                         "entry skipped")
                continue
            seen[build.id] = index
            builds.append(build)
        return builds

    # ------------------------------------------------------------------ one build

    def build(self, entry: Any, path: str) -> ModelBuild | None:
        if not isinstance(entry, dict):
            self.error(path, f"must be an object, got {_json_type(entry)}; entry skipped")
            return None
        self._unknown_keys(entry, path, {"id", "name", "family", "description", "license", "homepage", "tags",
                                         "arch", "benchmarks", "quants"})
        errors_before = len(self.errors)

        build_id = self._read(entry, "id", path, str, "a string", required=True)
        if isinstance(build_id, str) and not _ID_RE.match(build_id):
            self.error(f"{path}.id", f"must be a lower-case slug of letters, digits, '.', '-', '_' "
                                     f"(at most 100 characters), got {build_id!r}")
        name = self._text(entry, "name", path, required=True)
        family = self._text(entry, "family", path, required=True)
        license_name = self._text(entry, "license", path, required=True)
        description = self._read(entry, "description", path, str, "a string", default="")
        homepage = self._read(entry, "homepage", path, str, "a URL string or null", nullable=True)
        if isinstance(homepage, str) and not homepage.startswith(("https://", "http://")):
            self.error(f"{path}.homepage", f"must start with https:// or http://, got {homepage!r}")
        tags = self._string_list(entry, "tags", path)
        arch = self.arch(entry.get("arch"), f"{path}.arch") if "arch" in entry else None
        if "arch" not in entry:
            self.error(f"{path}.arch", "missing required field")
        if len(self.errors) > errors_before:
            self.error(path, "entry skipped because of the errors above")
            return None

        quants = self.quants(entry.get("quants"), f"{path}.quants", arch)
        benchmarks = self.benchmarks(entry.get("benchmarks", []), f"{path}.benchmarks")
        if not quants:
            self.error(path, "entry skipped because it has no valid quant")
            return None
        return ModelBuild(id=build_id, name=name, family=family, arch=arch, license=license_name,
                          quants=tuple(quants), description=description, homepage=homepage,
                          benchmarks=tuple(benchmarks), tags=tuple(tags), source_file=self.file)

    def arch(self, value: Any, path: str) -> ArchFacts | None:
        if not isinstance(value, dict):
            self.error(path, f"must be an object, got {_json_type(value)}")
            return None
        self._unknown_keys(value, path, {
            "architecture", "n_params", "n_layer", "n_embd", "n_head", "n_head_kv", "head_dim", "n_vocab",
            "n_ctx_train", "n_ff", "n_expert", "n_expert_used", "n_active_params", "sliding_window",
            "kv_lora_rank", "head_dim_v", "rope_dim", "n_expert_shared", "n_ff_expert"})
        errors_before = len(self.errors)

        architecture = self._read(value, "architecture", path, str, "a string", required=True)
        if isinstance(architecture, str) and not _ARCH_RE.match(architecture):
            self.error(f"{path}.architecture", "must be the GGUF general.architecture name in lower case "
                                               f"(llama, qwen2, deepseek2, ...), got {architecture!r}")
        facts: dict[str, Any] = {"architecture": architecture}
        for key in ("n_params", "n_layer", "n_embd", "n_head", "n_head_kv", "n_vocab", "n_ctx_train"):
            facts[key] = self._positive_int(value, key, path, required=True)
        for key in ("head_dim", "n_ff", "n_active_params", "sliding_window", "kv_lora_rank", "head_dim_v",
                    "rope_dim", "n_ff_expert"):
            facts[key] = self._positive_int(value, key, path, required=False)
        for key in ("n_expert", "n_expert_used", "n_expert_shared"):
            facts[key] = self._count(value, key, path)
        if len(self.errors) > errors_before:
            return None

        self._check_arch_consistency(facts, path)
        if len(self.errors) > errors_before:
            return None
        if facts["head_dim"] is None:
            facts["head_dim"] = facts["n_embd"] // facts["n_head"]
        return ArchFacts(**facts)

    def _check_arch_consistency(self, facts: dict[str, Any], path: str) -> None:
        if facts["head_dim"] is None and facts["n_embd"] % facts["n_head"]:
            self.error(f"{path}.n_embd", f"{facts['n_embd']} is not a multiple of n_head ({facts['n_head']}); "
                                         "give head_dim explicitly")
        if facts["n_head"] % facts["n_head_kv"]:
            self.error(f"{path}.n_head_kv", f"n_head ({facts['n_head']}) must be a multiple of n_head_kv "
                                            f"({facts['n_head_kv']})")
        if (facts["n_expert"] == 0) != (facts["n_expert_used"] == 0):
            self.error(f"{path}.n_expert_used", "n_expert and n_expert_used must both be 0 (dense model) "
                                                f"or both positive, got {facts['n_expert']} and "
                                                f"{facts['n_expert_used']}")
        elif facts["n_expert_used"] > facts["n_expert"]:
            self.error(f"{path}.n_expert_used", f"{facts['n_expert_used']} is more than n_expert "
                                                f"({facts['n_expert']})")
        active = facts["n_active_params"]
        if active is not None and active > facts["n_params"]:
            self.error(f"{path}.n_active_params", f"{active} is more than n_params ({facts['n_params']})")

    # ------------------------------------------------------------------ quants

    def quants(self, value: Any, path: str, arch: ArchFacts) -> list[QuantVariant]:
        if not isinstance(value, list) or not value:
            if value is None:
                got = "nothing"
            elif isinstance(value, list):
                got = "an empty list"
            else:
                got = _json_type(value)
            self.error(path, f"must be a non-empty list of quants, got {got}")
            return []
        quants: list[QuantVariant] = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(value):
            quant_path = f"{path}[{index}]"
            quant = self.quant(entry, quant_path, arch)
            if quant is None:
                continue
            if quant.name in seen:
                self.error(f"{quant_path}.name", f"duplicate quant {quant.name} (first at {path}[{seen[quant.name]}]); "
                                                 "entry skipped")
                continue
            seen[quant.name] = index
            quants.append(quant)
        return quants

    def quant(self, entry: Any, path: str, arch: ArchFacts) -> QuantVariant | None:
        if not isinstance(entry, dict):
            self.error(path, f"must be an object, got {_json_type(entry)}; entry skipped")
            return None
        self._unknown_keys(entry, path, {"name", "repo", "filename", "size_bytes", "size_is_estimate", "sha256",
                                         "ppl_delta_pct", "ppl_source", "bits_per_weight", "parts", "parts_join"})
        errors_before = len(self.errors)

        name = self._read(entry, "name", path, str, "a string", required=True)
        if isinstance(name, str):
            if name.upper() in KNOWN_QUANTS:
                name = name.upper()
            else:
                self.error(f"{path}.name", f"unknown quantization {name!r}; expected one of "
                                           f"{', '.join(sorted(KNOWN_QUANTS))}")
        repo = self._read(entry, "repo", path, str, "a string", required=True)
        if isinstance(repo, str) and not _REPO_RE.match(repo):
            self.error(f"{path}.repo", f"must be a Hugging Face repo id like 'owner/name', got {repo!r}")
        filename = self._read(entry, "filename", path, str, "a string", required=True)
        if isinstance(filename, str):
            self._check_file_path(filename, f"{path}.filename")
        size_bytes = self._positive_int(entry, "size_bytes", path, required=True)
        size_is_estimate = self._read(entry, "size_is_estimate", path, bool, "true or false", required=True)
        sha256 = self._read(entry, "sha256", path, str, "a string or null", nullable=True)
        if isinstance(sha256, str):
            if _SHA256_RE.match(sha256):
                sha256 = sha256.lower()
            else:
                self.error(f"{path}.sha256", f"must be 64 hexadecimal characters or null, got {sha256!r} "
                                             f"({len(sha256)} characters)")
        ppl_delta = self._number(entry, "ppl_delta_pct", path, minimum=0.0)
        ppl_source = self._read(entry, "ppl_source", path, str, "a string or null", nullable=True)
        if ppl_delta is not None and not ppl_source:
            self.error(f"{path}.ppl_source", "is required when ppl_delta_pct is given; name where the figure "
                                             "was measured")
        bits = self._number(entry, "bits_per_weight", path, minimum=0.0, exclusive=True)
        parts, parts_join = self._parts(entry, path, filename, sha256)
        if isinstance(size_bytes, int) and size_bytes * 8 < arch.n_params:
            self.error(f"{path}.size_bytes", f"{size_bytes} is less than 1 bit per weight for "
                                             f"{arch.n_params} parameters; size_bytes counts bytes")
        if len(self.errors) > errors_before:
            self.error(path, "quant skipped because of the errors above")
            return None
        return QuantVariant(name=name, repo=repo, filename=filename, size_bytes=size_bytes,
                            size_is_estimate=size_is_estimate, sha256=sha256, ppl_delta_pct=ppl_delta,
                            ppl_source=ppl_source, bits_per_weight=bits, parts=parts, parts_join=parts_join)

    def _parts(self, entry: dict, path: str, filename: Any, sha256: Any) -> tuple[tuple[str, ...], str | None]:
        parts_value = entry.get("parts", [])
        parts_join = self._read(entry, "parts_join", path, str, "a string or null", nullable=True)
        if not isinstance(parts_value, list) or not all(isinstance(part, str) for part in parts_value):
            self.error(f"{path}.parts", f"must be a list of file names, got {_json_type(parts_value)}")
            return (), None
        parts = tuple(parts_value)
        for index, part in enumerate(parts):
            self._check_file_path(part, f"{path}.parts[{index}]")
        if not parts:
            if parts_join is not None:
                self.error(f"{path}.parts_join", "is only allowed together with parts")
            return (), None
        if len(parts) < 2:
            self.error(f"{path}.parts", "must list at least two pieces; use filename alone for a single file")
        if parts_join not in PARTS_JOIN_MODES:
            self.error(f"{path}.parts_join", f"must be one of {', '.join(PARTS_JOIN_MODES)} when parts is given, "
                                             f"got {parts_join!r}")
        elif parts_join == "gguf-split":
            if filename != parts[0]:
                self.error(f"{path}.filename", f"must equal parts[0] ({parts[0]!r}) for gguf-split shards, "
                                               f"got {filename!r}")
            if sha256 is not None:
                self.error(f"{path}.sha256", "must be null for gguf-split shards, which have no single file")
        return parts, parts_join

    def _check_file_path(self, name: str, path: str) -> None:
        """Reject names that could escape the models folder or are not GGUF pieces."""
        pieces = name.split("/")
        if not name or name.startswith("/") or "\\" in name or ":" in name or ".." in pieces or "" in pieces:
            self.error(path, f"must be a relative path with '/' separators inside the repo, got {name!r}")
        elif ".gguf" not in name.lower():
            self.error(path, f"must name a GGUF file (containing '.gguf'), got {name!r}")

    # ------------------------------------------------------------------ benchmarks

    def benchmarks(self, value: Any, path: str) -> list[BenchmarkScore]:
        if not isinstance(value, list):
            self.error(path, f"must be a list, got {_json_type(value)}; benchmarks ignored")
            return []
        scores: list[BenchmarkScore] = []
        for index, entry in enumerate(value):
            entry_path = f"{path}[{index}]"
            if not isinstance(entry, dict):
                self.error(entry_path, f"must be an object, got {_json_type(entry)}; entry skipped")
                continue
            self._unknown_keys(entry, entry_path, {"name", "value", "source", "setting"})
            errors_before = len(self.errors)
            name = self._text(entry, "name", entry_path, required=True)
            score = self._number(entry, "value", entry_path, required=True)
            source = self._text(entry, "source", entry_path, required=True)
            setting = self._read(entry, "setting", entry_path, str, "a string or null", nullable=True)
            if len(self.errors) > errors_before:
                self.error(entry_path, "benchmark skipped because of the errors above")
                continue
            scores.append(BenchmarkScore(name=name, value=score, source=source, setting=setting))
        return scores

    # ------------------------------------------------------------------ field readers

    def _read(self, obj: dict, key: str, path: str, kind: type, kind_text: str, *, required: bool = False,
              nullable: bool = False, default: Any = None) -> Any:
        if key not in obj:
            if required:
                self.error(f"{path}.{key}", "missing required field")
            return default
        value = obj[key]
        if value is None and nullable:
            return None
        if kind is int:
            ok = _is_int(value)
        elif kind is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        else:
            ok = isinstance(value, kind)
        if not ok:
            self.error(f"{path}.{key}", f"must be {kind_text}, got {_json_type(value)} {_short(value)}")
            return default
        return value

    def _text(self, obj: dict, key: str, path: str, *, required: bool) -> str | None:
        value = self._read(obj, key, path, str, "a string", required=required)
        if isinstance(value, str) and not value.strip():
            self.error(f"{path}.{key}", "must not be empty")
            return None
        return value

    def _positive_int(self, obj: dict, key: str, path: str, *, required: bool) -> int | None:
        value = self._read(obj, key, path, int, "a positive integer" + ("" if required else " or null"),
                           required=required, nullable=not required)
        if value is not None and value <= 0:
            self.error(f"{path}.{key}", f"must be a positive integer, got {value}")
            return None
        return value

    def _count(self, obj: dict, key: str, path: str) -> int:
        value = self._read(obj, key, path, int, "an integer >= 0", default=0)
        if value < 0:
            self.error(f"{path}.{key}", f"must be an integer >= 0, got {value}")
            return 0
        return value

    def _number(self, obj: dict, key: str, path: str, *, required: bool = False, minimum: float | None = None,
                exclusive: bool = False) -> float | None:
        value = self._read(obj, key, path, float, "a number" + ("" if required else " or null"),
                           required=required, nullable=not required)
        if value is None:
            return None
        if not math.isfinite(value):
            self.error(f"{path}.{key}", f"must be a finite number, got {value}")
            return None
        if minimum is not None and (value < minimum or (exclusive and value == minimum)):
            bound = f"> {minimum}" if exclusive else f">= {minimum}"
            self.error(f"{path}.{key}", f"must be {bound}, got {value}")
            return None
        return float(value)

    def _string_list(self, obj: dict, key: str, path: str) -> list[str]:
        value = obj.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            self.error(f"{path}.{key}", f"must be a list of non-empty strings, got {_short(value)}")
            return []
        return value

    def _unknown_keys(self, obj: dict, path: str, known: set[str]) -> None:
        for key in obj:
            if key not in known:
                where = f"{path}.{key}" if path else key
                self.error(where, f"unknown field {key!r} ignored; check the spelling")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _basename(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _name_tokens(name: str) -> set[str]:
    stem = _basename(name).lower()
    if stem.endswith(".gguf"):
        stem = stem[: -len(".gguf")]
    tokens = {token for token in _TOKEN_SPLIT_RE.split(stem) if token}
    # "llama-2-7b-chat.q4_k_m" keeps its quant after a dot; split that off so "chat" still counts.
    for token in list(tokens):
        if "." in token and not token.replace(".", "").isdigit():
            tokens.discard(token)
            tokens.update(piece for piece in token.split(".") if piece)
    return tokens


def _build_tokens(build: ModelBuild) -> set[str]:
    tokens = _name_tokens(build.id)
    for quant in build.quants:
        tokens |= _name_tokens(quant.filename)
    # Quant words ("q4", "k", "m") occur in every build's file names, so they cannot tell builds apart.
    return {token for token in tokens if not re.fullmatch(r"i?q\d|k|[sml]|xs|xxs|xl|\d{5}|of|split|[a-z]", token)}
