"""GGUF header reading and model-file checks, without loading the model.

``read_header`` parses the fixed header, the metadata key/values and the tensor infos from a local
file or from any ``fetch(offset, length) -> bytes`` callable (the download module passes one that
issues HTTP Range requests). It reads forward in growing chunks and stops at the end of the tensor
infos, so the header of a multi-GB model costs a few MiB at most. Large tokenizer arrays are skipped,
and only their item type and length are kept.

``check_model_file`` classifies what is wrong with a file before llama.cpp opens it, because some
llama.cpp versions abort the whole process on malformed files. It returns a translatable
``UserMessage``.

The layout follows the GGUF specification in the ggml repository (docs/gguf.md): little-endian,
magic "GGUF", version, tensor count, KV count, KVs, tensor infos, padding to ``general.alignment``,
then tensor data. The validation mirrors the checks of ggml's ``gguf_init_from_file``.
"""

from __future__ import annotations

import enum
import logging
import math
import os
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import gguf

from llmdesk.core.catalog_types import ArchFacts
from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage

log = logging.getLogger(__name__)

Fetch = Callable[[int, int], bytes]
ByteSource = Union[str, os.PathLike, Fetch]

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32
GGML_MAX_DIMS = 4
GGML_MAX_NAME = 64  # including the terminating NUL, so names are at most 63 bytes

DEFAULT_MAX_HEADER_BYTES = 64 * 1024 * 1024
DEFAULT_FIRST_CHUNK = 1024 * 1024
MAX_CHUNK = 16 * 1024 * 1024

# Limits that keep a hostile or corrupt header from allocating much memory or looping for long.
# Real headers stay far below them: a header with Llama 3's array lengths (128K tokens, 280K
# merges) takes about 9 MiB.
MAX_KEY_BYTES = 4096
MAX_STRING_BYTES = 16 * 1024 * 1024
MAX_KV_COUNT = 1 << 20
MAX_TENSOR_COUNT = 1 << 20
# Arrays longer than these, and the tokenizer arrays always, are kept as a GGUFArray (type, count).
MAX_KEPT_STRING_ITEMS = 256
MAX_KEPT_NUMBER_ITEMS = 4096
_SKIPPED_ARRAY_KEYS = frozenset({
    "tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type",
    "tokenizer.ggml.merges", "tokenizer.ggml.added_tokens",
})

_VT = gguf.GGUFValueType
_SCALAR_FORMATS: dict[int, struct.Struct] = {
    _VT.UINT8: struct.Struct("<B"), _VT.INT8: struct.Struct("<b"),
    _VT.UINT16: struct.Struct("<H"), _VT.INT16: struct.Struct("<h"),
    _VT.UINT32: struct.Struct("<I"), _VT.INT32: struct.Struct("<i"),
    _VT.FLOAT32: struct.Struct("<f"), _VT.BOOL: struct.Struct("<?"),
    _VT.UINT64: struct.Struct("<Q"), _VT.INT64: struct.Struct("<q"),
    _VT.FLOAT64: struct.Struct("<d"),
}
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")

# Block size (elements) and block byte size of every ggml tensor type listed by the gguf package.
GGML_TYPE_SIZES: dict[int, tuple[int, int]] = {int(t): size for t, size in gguf.GGML_QUANT_SIZES.items()}

# Architectures llama.cpp can load, taken from the gguf package that ships with it. "clip" is left
# out because it marks multimodal projector files, which are not language models.
# NOTE: the list comes from the installed gguf package (0.19 when written). It matched the
# architecture names inside the libllama of llama-cpp-python 0.3.36, but the two packages are
# versioned separately and may drift.
PROJECTOR_ARCHITECTURES = frozenset({"clip"})
KNOWN_ARCHITECTURES = frozenset(gguf.MODEL_ARCH_NAMES.values()) - PROJECTOR_ARCHITECTURES

_LAYER_TENSOR = re.compile(r"^blk\.(\d+)\.")


class FileProblem(str, enum.Enum):
    """Outcome of ``check_model_file``; ``OK`` means llama.cpp should be able to load the file."""

    OK = "ok"
    MISSING = "missing"
    NOT_A_FILE = "not_a_file"
    UNREADABLE = "unreadable"
    EMPTY = "empty"
    LFS_POINTER = "lfs_pointer"
    HTML = "html"
    NOT_GGUF = "not_gguf"
    UNSUPPORTED_VERSION = "unsupported_version"
    CORRUPT_HEADER = "corrupt_header"
    UNSUPPORTED_TENSOR_TYPE = "unsupported_tensor_type"
    UNKNOWN_ARCH = "unknown_arch"
    TRUNCATED = "truncated"


class GGUFError(ValueError):
    """A byte source that is not a loadable GGUF header.

    ``kind`` classifies the problem, ``variant`` picks a more specific message, ``detail`` is an
    English description for logs, and ``params`` contains the values the user message needs.
    """

    def __init__(self, kind: FileProblem, detail: str, *, variant: str = "", **params: Any) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.variant = variant
        self.params = params


@dataclass(frozen=True)
class GGUFArray:
    """A metadata array that was skipped instead of materialised: its item type and length."""

    item_type: int
    count: int

    def __len__(self) -> int:
        return self.count


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]  # GGUF order: shape[0] is the row length (ne0)
    ggml_type: int
    offset: int  # relative to GGUFHeader.data_offset
    nbytes: int

    @property
    def n_elements(self) -> int:
        return math.prod(self.shape)

    @property
    def type_name(self) -> str:
        return ggml_type_name(self.ggml_type)


def ggml_type_name(type_id: int) -> str:
    """Return the ggml type name ("Q4_K", "F16", ...) or "type<N>" for an unknown id."""
    try:
        return gguf.GGMLQuantizationType(type_id).name
    except ValueError:
        return f"type{type_id}"


def _pad(value: int, alignment: int) -> int:
    return (value + alignment - 1) // alignment * alignment


@dataclass(frozen=True)
class GGUFHeader:
    """Everything before the tensor data of a GGUF file, plus the sizes derived from it."""

    version: int
    kv: dict[str, Any]
    tensors: tuple[TensorInfo, ...]
    alignment: int
    data_offset: int  # file offset where tensor data begins
    bytes_fetched: int = 0  # bytes the reader obtained from its source
    _by_name: dict[str, TensorInfo] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({tensor.name: tensor for tensor in self.tensors})

    @property
    def tensor_count(self) -> int:
        return len(self.tensors)

    @property
    def architecture(self) -> str:
        return str(self.kv.get("general.architecture", ""))

    def arch_value(self, suffix: str, default: Any = None) -> Any:
        """Return metadata key ``{architecture}.{suffix}``, or ``default`` when absent."""
        return self.kv.get(f"{self.architecture}.{suffix}", default)

    def tensor(self, name: str) -> TensorInfo | None:
        return self._by_name.get(name)

    @property
    def tensor_data_size(self) -> int:
        """Bytes of tensor data including the padding after each tensor."""
        return sum(_pad(tensor.nbytes, self.alignment) for tensor in self.tensors)

    @property
    def expected_file_size(self) -> int:
        """File size when the last tensor is padded to the alignment, as gguf writers do."""
        return self.data_offset + self.tensor_data_size

    @property
    def min_file_size(self) -> int:
        """Smallest file size holding all tensor data (the last tensor's padding may be absent)."""
        if not self.tensors:
            return self.data_offset
        return self.data_offset + max(tensor.offset + tensor.nbytes for tensor in self.tensors)

    @property
    def weights_bytes(self) -> int:
        return sum(tensor.nbytes for tensor in self.tensors)

    @property
    def n_params(self) -> int:
        return sum(tensor.n_elements for tensor in self.tensors)

    @property
    def token_embd_bytes(self) -> int:
        """Bytes of the input embedding tensors, which llama.cpp keeps in host memory."""
        return sum(t.nbytes for t in self.tensors if t.name.startswith("token_embd"))

    @property
    def output_is_tied(self) -> bool:
        """Whether the output layer reuses token_embd.weight (no output.weight tensor)."""
        return self.tensor("output.weight") is None and self.tensor("token_embd.weight") is not None

    @property
    def output_bytes(self) -> int:
        """Bytes of the output layer (the "+1" of n_gpu_layers): output norm and projection.

        When the output is tied, llama.cpp loads token_embd.weight a second time for the output
        layer, so its size counts here too.
        """
        total = sum(t.nbytes for t in self.tensors if t.name.startswith("output"))
        if self.output_is_tied:
            total += self.tensor("token_embd.weight").nbytes
        return total

    @property
    def n_layer(self) -> int:
        block_count = self.arch_value("block_count")
        if isinstance(block_count, int) and block_count > 0:
            return block_count
        indices = [int(m.group(1)) for t in self.tensors if (m := _LAYER_TENSOR.match(t.name))]
        return max(indices) + 1 if indices else 0

    def layer_bytes(self) -> list[int]:
        """Return the tensor bytes of each repeating layer ``blk.N``, indexed by layer."""
        sizes = [0] * self.n_layer
        for tensor in self.tensors:
            match = _LAYER_TENSOR.match(tensor.name)
            if match is None:
                continue
            index = int(match.group(1))
            if index >= len(sizes):
                sizes.extend([0] * (index + 1 - len(sizes)))
            sizes[index] += tensor.nbytes
        return sizes

    @property
    def chat_template(self) -> str | None:
        template = self.kv.get("tokenizer.chat_template")
        return template if isinstance(template, str) else None

    @property
    def has_chat_template(self) -> bool:
        return bool(self.chat_template)

    def per_layer_head_count_kv(self) -> list[int]:
        """Return the KV head count of every layer (0 for layers without attention)."""
        n_head = _as_per_layer(self.arch_value("attention.head_count", 0), self.n_layer)
        value = self.arch_value("attention.head_count_kv")
        if value is None:
            return n_head
        return _as_per_layer(value, self.n_layer)

    def file_type_name(self) -> str:
        """Return the quantization name: "Q4_K_M", "Q8_0", "F16", ...

        The name comes from general.file_type. When that is missing or unknown, it is the ggml
        type with the most bytes among the 2-D tensors, so "Q4_K" rather than "Q4_K_M".
        """
        file_type = self.kv.get("general.file_type")
        if isinstance(file_type, int):
            try:
                name = gguf.LlamaFileType(file_type).name
            except ValueError:
                name = ""
            if name and name != "GUESSED":
                return name.removeprefix("MOSTLY_").removeprefix("ALL_")
        bytes_by_type: dict[int, int] = {}
        for tensor in self.tensors:
            if len(tensor.shape) >= 2:
                bytes_by_type[tensor.ggml_type] = bytes_by_type.get(tensor.ggml_type, 0) + tensor.nbytes
        if not bytes_by_type:
            return "unknown"
        dominant = max(bytes_by_type, key=bytes_by_type.__getitem__)
        return ggml_type_name(dominant)

    def arch_facts(self) -> ArchFacts:
        """Build the facts the fit estimate needs; raise GGUFError if required keys are missing."""
        arch = self.architecture
        n_layer = self.n_layer
        n_embd = _required_int(self, "embedding_length")
        n_head = max(_as_per_layer(_required(self, "attention.head_count"), n_layer), default=0)
        n_head_kv = max(self.per_layer_head_count_kv(), default=0) or n_head
        key_length = self.arch_value("attention.key_length")
        value_length = self.arch_value("attention.value_length")
        head_dim = key_length if isinstance(key_length, int) and key_length > 0 else (
            n_embd // n_head if n_head else 0)
        head_dim_v = value_length if isinstance(value_length, int) and value_length != head_dim else None

        n_ff_value = self.arch_value("feed_forward_length")
        n_ff = max(_as_per_layer(n_ff_value, n_layer), default=0) if n_ff_value is not None else None
        n_expert = _int_or(self.arch_value("expert_count"), 0)
        n_expert_used = _int_or(self.arch_value("expert_used_count"), 0)
        sliding_window = self.arch_value("attention.sliding_window")
        kv_lora_rank = self.arch_value("attention.kv_lora_rank")
        rope_dim = self.arch_value("rope.dimension_count")
        n_ff_expert = self.arch_value("expert_feed_forward_length")

        n_params = self.n_params
        n_active = None
        if n_expert > 0 and n_expert_used > 0:
            expert_params = sum(t.n_elements for t in self.tensors if "_exps." in t.name)
            n_active = n_params - round(expert_params * (1 - n_expert_used / n_expert))

        return ArchFacts(
            architecture=arch,
            n_params=n_params,
            n_layer=n_layer,
            n_embd=n_embd,
            n_head=n_head,
            n_head_kv=n_head_kv,
            head_dim=head_dim,
            n_vocab=self.n_vocab,
            n_ctx_train=_int_or(self.arch_value("context_length"), 0),
            n_ff=n_ff,
            n_expert=n_expert,
            n_expert_used=n_expert_used,
            n_active_params=n_active,
            sliding_window=sliding_window if isinstance(sliding_window, int) and sliding_window > 0 else None,
            kv_lora_rank=kv_lora_rank if isinstance(kv_lora_rank, int) and kv_lora_rank > 0 else None,
            head_dim_v=head_dim_v,
            rope_dim=rope_dim if isinstance(rope_dim, int) and rope_dim > 0 else None,
            n_expert_shared=_int_or(self.arch_value("expert_shared_count"), 0),
            n_ff_expert=n_ff_expert if isinstance(n_ff_expert, int) and n_ff_expert > 0 else None,
        )

    @property
    def n_vocab(self) -> int:
        tokens = self.kv.get("tokenizer.ggml.tokens")
        if tokens is not None:
            return len(tokens)
        vocab_size = self.arch_value("vocab_size")
        if isinstance(vocab_size, int):
            return vocab_size
        embd = self.tensor("token_embd.weight")
        return embd.shape[1] if embd is not None and len(embd.shape) >= 2 else 0


def _required(header: GGUFHeader, suffix: str) -> Any:
    value = header.arch_value(suffix)
    if value is None:
        key = f"{header.architecture}.{suffix}"
        raise GGUFError(FileProblem.CORRUPT_HEADER, f"metadata key {key} is missing", key=key)
    return value


def _required_int(header: GGUFHeader, suffix: str) -> int:
    value = _required(header, suffix)
    if not isinstance(value, int):
        raise GGUFError(FileProblem.CORRUPT_HEADER,
                        f"metadata key {header.architecture}.{suffix} is {value!r}, expected an integer")
    return value


def _int_or(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _as_per_layer(value: Any, n_layer: int) -> list[int]:
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    if isinstance(value, int):
        return [value] * max(n_layer, 1)
    return []


# ---------------------------------------------------------------------------------------------
# Reading


class _EndOfData(Exception):
    """The source ended before the bytes a read needed."""


class _ForwardReader:
    """Sequential reads over a fetch callable, with a window that grows by doubling chunks.

    Bytes skipped past the window are never fetched, so skipping numeric arrays costs nothing.
    """

    def __init__(self, fetch: Fetch, max_bytes: int, first_chunk: int) -> None:
        self._fetch = fetch
        self.max_bytes = max_bytes
        self._chunk = max(first_chunk, 64)
        self._buf = b""
        self._buf_start = 0
        self._eof_at: int | None = None
        self.pos = 0
        self.bytes_fetched = 0

    def ensure(self, n: int) -> None:
        """Make bytes [pos, pos + n) available in the window; raise _EndOfData at end of source."""
        end = self.pos + n
        buf_end = self._buf_start + len(self._buf)
        if self._buf_start <= self.pos and end <= buf_end:
            return
        if end > self.max_bytes:
            raise GGUFError(
                FileProblem.CORRUPT_HEADER,
                f"the header extends past {self.max_bytes} bytes, the limit for a GGUF header",
            )
        if self._eof_at is not None and end > self._eof_at:
            raise _EndOfData
        if self._buf_start <= self.pos <= buf_end:
            keep = self._buf[self.pos - self._buf_start:]
            fetch_from = buf_end
        else:
            keep = b""
            fetch_from = self.pos
        length = min(max(end - fetch_from, self._chunk), self.max_bytes - fetch_from)
        data = bytes(self._fetch(fetch_from, length))[:length]
        self.bytes_fetched += len(data)
        self._chunk = min(self._chunk * 2, MAX_CHUNK)
        if len(data) < length:
            self._eof_at = fetch_from + len(data)
        self._buf = keep + data
        self._buf_start = self.pos
        if end > fetch_from + len(data):
            raise _EndOfData

    def peek(self, n: int) -> bytes:
        """Return up to ``n`` bytes from ``pos`` without advancing (fewer at end of source)."""
        try:
            self.ensure(n)
        except _EndOfData:
            pass
        start = self.pos - self._buf_start
        return self._buf[start:start + n]

    def read(self, n: int) -> bytes:
        self.ensure(n)
        start = self.pos - self._buf_start
        self.pos += n
        return self._buf[start:start + n]

    def unpack(self, fmt: struct.Struct) -> Any:
        self.ensure(fmt.size)
        (value,) = fmt.unpack_from(self._buf, self.pos - self._buf_start)
        self.pos += fmt.size
        return value

    def skip(self, n: int) -> None:
        if self.pos + n > self.max_bytes:
            raise GGUFError(
                FileProblem.CORRUPT_HEADER,
                f"the header extends past {self.max_bytes} bytes, the limit for a GGUF header",
            )
        self.pos += n

    def skip_strings(self, count: int, max_length: int, what: str) -> None:
        """Skip ``count`` length-prefixed strings, fetching only the windows that hold lengths."""
        unpack = _U64.unpack_from
        remaining = count
        while remaining > 0:
            self.ensure(8)
            buf = self._buf
            base = self._buf_start
            offset = self.pos - base
            limit = len(buf) - 8
            # Walk the lengths inside the current window without a method call per string.
            while remaining > 0 and offset <= limit:
                (length,) = unpack(buf, offset)
                if length > max_length:
                    raise GGUFError(FileProblem.CORRUPT_HEADER,
                                    f"a string in {what} claims {length} bytes")
                offset += 8 + length
                remaining -= 1
            self.skip(base + offset - self.pos)


def _read_string(reader: _ForwardReader, max_length: int, what: str) -> str:
    length = reader.unpack(_U64)
    if length > max_length:
        raise GGUFError(FileProblem.CORRUPT_HEADER,
                        f"{what} claims a length of {length} bytes (limit {max_length})")
    return reader.read(length).decode("utf-8", errors="replace")


def _read_value(reader: _ForwardReader, value_type: int, key: str) -> Any:
    scalar = _SCALAR_FORMATS.get(value_type)
    if scalar is not None:
        return reader.unpack(scalar)
    if value_type == _VT.STRING:
        return _read_string(reader, MAX_STRING_BYTES, f"the value of {key}")
    if value_type == _VT.ARRAY:
        return _read_array(reader, key)
    raise GGUFError(FileProblem.CORRUPT_HEADER, f"metadata key {key} has unknown value type {value_type}")


def _read_array(reader: _ForwardReader, key: str) -> Any:
    item_type = reader.unpack(_U32)
    count = reader.unpack(_U64)
    remaining_budget = reader.max_bytes - reader.pos
    if item_type == _VT.STRING:
        if count * 8 > remaining_budget:
            raise GGUFError(FileProblem.CORRUPT_HEADER,
                            f"metadata array {key} claims {count} strings, more than the header can hold")
        if key in _SKIPPED_ARRAY_KEYS or count > MAX_KEPT_STRING_ITEMS:
            reader.skip_strings(count, MAX_STRING_BYTES, f"metadata array {key}")
            return GGUFArray(item_type, count)
        return tuple(_read_string(reader, MAX_STRING_BYTES, f"an item of {key}") for _ in range(count))

    scalar = _SCALAR_FORMATS.get(item_type)
    if scalar is None:
        raise GGUFError(FileProblem.CORRUPT_HEADER,
                        f"metadata array {key} has unsupported item type {item_type}")
    if count * scalar.size > remaining_budget:
        raise GGUFError(FileProblem.CORRUPT_HEADER,
                        f"metadata array {key} claims {count} items, more than the header can hold")
    if key in _SKIPPED_ARRAY_KEYS or count > MAX_KEPT_NUMBER_ITEMS:
        reader.skip(count * scalar.size)
        return GGUFArray(item_type, count)
    data = reader.read(count * scalar.size)
    return tuple(v for (v,) in scalar.iter_unpack(data))


def _read_tensor_info(reader: _ForwardReader, index: int) -> TensorInfo:
    name = _read_string(reader, MAX_KEY_BYTES, f"the name of tensor {index}")
    if len(name.encode("utf-8")) >= GGML_MAX_NAME:
        raise GGUFError(FileProblem.CORRUPT_HEADER,
                        f"tensor name {name[:80]!r} is longer than {GGML_MAX_NAME - 1} bytes")
    n_dims = reader.unpack(_U32)
    if not 1 <= n_dims <= GGML_MAX_DIMS:
        raise GGUFError(FileProblem.CORRUPT_HEADER, f"tensor {name} has {n_dims} dimensions (1 to {GGML_MAX_DIMS} allowed)")
    shape = tuple(reader.unpack(_U64) for _ in range(n_dims))
    ggml_type = reader.unpack(_U32)
    offset = reader.unpack(_U64)

    if any(dim >= 1 << 62 for dim in shape) or math.prod(shape) >= 1 << 62:
        raise GGUFError(FileProblem.CORRUPT_HEADER, f"tensor {name} has an impossible shape {shape}")
    sizes = GGML_TYPE_SIZES.get(ggml_type)
    if sizes is None:
        raise GGUFError(FileProblem.UNSUPPORTED_TENSOR_TYPE,
                        f"tensor {name} has unknown ggml type {ggml_type}",
                        tensor=name, type_id=ggml_type)
    block_size, type_size = sizes
    if shape[0] % block_size:
        raise GGUFError(FileProblem.CORRUPT_HEADER,
                        f"tensor {name} has a row of {shape[0]} elements, not a multiple of the "
                        f"block size {block_size} of its type")
    nbytes = math.prod(shape) // block_size * type_size
    return TensorInfo(name, shape, ggml_type, offset, nbytes)


def _header_too_short(reader: _ForwardReader) -> GGUFError:
    return GGUFError(FileProblem.TRUNCATED,
                     f"the data ends inside the GGUF header, at byte {reader.pos} or earlier",
                     variant="in_header", size=reader.bytes_fetched)


def _classify_foreign(prefix: bytes) -> GGUFError:
    """Return the error for a source whose first bytes are not the GGUF magic."""
    if not prefix:
        return GGUFError(FileProblem.EMPTY, "the data is empty")
    if prefix.startswith(b"version https://git-lfs.github.com/spec/"):
        match = re.search(rb"\nsize (\d+)", prefix)
        if match:
            return GGUFError(FileProblem.LFS_POINTER, "the data is a Git LFS pointer",
                             size=int(match.group(1)))
        return GGUFError(FileProblem.LFS_POINTER, "the data is a Git LFS pointer", variant="no_size")
    text = prefix.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (
            text.startswith(b"<") and b"<html" in text):
        return GGUFError(FileProblem.HTML, "the data is an HTML page")

    if prefix.startswith(b"PK\x03\x04"):
        return GGUFError(FileProblem.NOT_GGUF, "the data is a ZIP archive", variant="zip")
    if prefix[:4] in (b"lmgg", b"fmgg", b"tjgg"):
        return GGUFError(FileProblem.NOT_GGUF, "the data is a legacy GGML model", variant="ggml")
    if len(prefix) > 9 and _U64.unpack_from(prefix)[0] < MAX_STRING_BYTES and prefix[8:10] == b'{"':
        return GGUFError(FileProblem.NOT_GGUF, "the data is a safetensors file", variant="safetensors")

    head = prefix[:256]
    try:
        decoded = head.decode("utf-8")
    except UnicodeDecodeError:
        decoded = None
    if decoded is not None and all(ch.isprintable() or ch in "\r\n\t" for ch in decoded):
        preview = " ".join(decoded.split())[:80]
        return GGUFError(FileProblem.NOT_GGUF, f"the data is text: {preview!r}",
                         variant="text", preview=preview)
    magic = prefix[:4].hex(" ")
    return GGUFError(FileProblem.NOT_GGUF, f"the data starts with bytes {magic}, not GGUF", magic=magic)


def _read_fixed_header(reader: _ForwardReader) -> tuple[int, int, int]:
    prefix = reader.peek(2048)
    if not prefix.startswith(GGUF_MAGIC):
        if len(prefix) < len(GGUF_MAGIC) and GGUF_MAGIC.startswith(prefix) and prefix:
            raise _header_too_short(reader)
        raise _classify_foreign(prefix)
    reader.skip(len(GGUF_MAGIC))
    version = reader.unpack(_U32)
    if version not in SUPPORTED_VERSIONS:
        if version & 0xFFFF == 0 and (version >> 24) in SUPPORTED_VERSIONS:
            raise GGUFError(FileProblem.UNSUPPORTED_VERSION, "the file is a big-endian GGUF",
                            variant="big_endian", version=version >> 24)
        raise GGUFError(FileProblem.UNSUPPORTED_VERSION, f"GGUF version {version} is not supported",
                        version=version)
    tensor_count = reader.unpack(_U64)
    kv_count = reader.unpack(_U64)
    # A KV takes at least 8 + 1 + 4 + 1 bytes and a tensor info at least 8 + 1 + 4 + 8 + 4 + 8.
    if kv_count > MAX_KV_COUNT or kv_count * 14 > reader.max_bytes:
        raise GGUFError(FileProblem.CORRUPT_HEADER, f"the header claims {kv_count} metadata entries")
    if tensor_count > MAX_TENSOR_COUNT or tensor_count * 33 > reader.max_bytes:
        raise GGUFError(FileProblem.CORRUPT_HEADER, f"the header claims {tensor_count} tensors")
    return version, tensor_count, kv_count


def _read_metadata(reader: _ForwardReader, kv_count: int) -> dict[str, Any]:
    kv: dict[str, Any] = {}
    for index in range(kv_count):
        key = _read_string(reader, MAX_KEY_BYTES, f"the name of metadata key {index}")
        if not key:
            raise GGUFError(FileProblem.CORRUPT_HEADER, f"metadata key {index} has an empty name")
        if key in kv:
            raise GGUFError(FileProblem.CORRUPT_HEADER, f"metadata key {key} appears twice")
        value_type = reader.unpack(_U32)
        kv[key] = _read_value(reader, value_type, key)
    return kv


def _alignment_of(kv: dict[str, Any]) -> int:
    alignment = kv.get("general.alignment", DEFAULT_ALIGNMENT)
    if isinstance(alignment, bool) or not isinstance(alignment, int) or alignment <= 0 or (
            alignment & (alignment - 1)):
        raise GGUFError(FileProblem.CORRUPT_HEADER,
                        f"general.alignment is {alignment!r}, expected a power of two")
    return alignment


def _read_tensor_infos(reader: _ForwardReader, tensor_count: int, alignment: int) -> tuple[TensorInfo, ...]:
    tensors: list[TensorInfo] = []
    names: set[str] = set()
    expected_offset = 0
    for index in range(tensor_count):
        tensor = _read_tensor_info(reader, index)
        if tensor.name in names:
            raise GGUFError(FileProblem.CORRUPT_HEADER, f"tensor {tensor.name} appears twice")
        names.add(tensor.name)
        # ggml's gguf_init_from_file rejects tensors that are not stored in order, each padded to
        # the alignment.
        if tensor.offset != expected_offset:
            raise GGUFError(FileProblem.CORRUPT_HEADER,
                            f"tensor {tensor.name} starts at data offset {tensor.offset}, "
                            f"expected {expected_offset}")
        expected_offset += _pad(tensor.nbytes, alignment)
        tensors.append(tensor)
    return tuple(tensors)


def read_header(
    source: ByteSource,
    *,
    max_bytes: int = DEFAULT_MAX_HEADER_BYTES,
    first_chunk: int = DEFAULT_FIRST_CHUNK,
) -> GGUFHeader:
    """Parse the GGUF header of a local file or of a ``fetch(offset, length) -> bytes`` callable.

    ``fetch`` returns the bytes at ``offset``; fewer than ``length`` (or none) means the source ends
    there. Reads start with ``first_chunk`` bytes and double up to 16 MiB, never past ``max_bytes``.
    Raises GGUFError for anything that is not a well-formed GGUF header (including a source that
    ends inside the header) and OSError when a local file cannot be opened or read. Exceptions
    raised by ``fetch`` propagate unchanged.
    """
    if callable(source):
        return _read_header_from(source, max_bytes, first_chunk)
    with open(source, "rb") as handle:
        def fetch(offset: int, length: int) -> bytes:
            handle.seek(offset)
            return handle.read(length)

        return _read_header_from(fetch, max_bytes, first_chunk)


def _read_header_from(fetch: Fetch, max_bytes: int, first_chunk: int) -> GGUFHeader:
    reader = _ForwardReader(fetch, max_bytes, first_chunk)
    try:
        version, tensor_count, kv_count = _read_fixed_header(reader)
        kv = _read_metadata(reader, kv_count)
        alignment = _alignment_of(kv)
        tensors = _read_tensor_infos(reader, tensor_count, alignment)
    except _EndOfData:
        raise _header_too_short(reader) from None
    if not isinstance(kv.get("general.architecture"), str):
        raise GGUFError(FileProblem.CORRUPT_HEADER, "metadata key general.architecture is missing")
    return GGUFHeader(
        version=version,
        kv=kv,
        tensors=tensors,
        alignment=alignment,
        data_offset=_pad(reader.pos, alignment),
        bytes_fetched=reader.bytes_fetched,
    )


# ---------------------------------------------------------------------------------------------
# File checks

_CONTEXT = "ModelFile"
_TEMPLATES: dict[tuple[FileProblem, str], str] = {
    (FileProblem.OK, ""): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} is a complete GGUF model ({arch}, {file_type}, {size:,} bytes)."),
    (FileProblem.MISSING, ""): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} does not exist. Check the path, or download the model again."),
    (FileProblem.NOT_A_FILE, ""): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} is a folder, not a model file. Choose the .gguf file inside it."),
    (FileProblem.UNREADABLE, ""): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} cannot be read: {error}. Check that your user account may read the file."),
    (FileProblem.EMPTY, ""): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} is empty (0 bytes). Download the model again."),
    (FileProblem.LFS_POINTER, ""): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} is a Git LFS pointer, not the model: download the real file "
        "({size:,} bytes) from the model page, or run \"git lfs pull\" in the cloned repository."),
    (FileProblem.LFS_POINTER, "no_size"): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} is a Git LFS pointer, not the model: download the real file from the "
        "model page, or run \"git lfs pull\" in the cloned repository."),
    (FileProblem.HTML, ""): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} is an HTML page that was saved instead of the model, for example a "
        "login or error page. Download the model again from its direct file link."),
    (FileProblem.NOT_GGUF, ""): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} is not a GGUF model: it starts with the bytes {magic} instead of "
        "\"GGUF\". Choose a .gguf file, or download the model again."),
    (FileProblem.NOT_GGUF, "zip"): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} is a ZIP archive, not a GGUF model. Extract the .gguf file from it, "
        "or download a GGUF build of the model."),
    (FileProblem.NOT_GGUF, "safetensors"): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} is a safetensors file, not a GGUF model. Download a GGUF build of the "
        "model."),
    (FileProblem.NOT_GGUF, "ggml"): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} is in the old GGML format, which llama.cpp no longer loads. Download a "
        "GGUF build of the model."),
    (FileProblem.NOT_GGUF, "text"): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} is a text file, not a GGUF model. It starts with: {preview}"),
    (FileProblem.UNSUPPORTED_VERSION, ""): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} uses GGUF version {version}, which llama.cpp cannot load (it loads "
        "versions 2 and 3). Download a current GGUF build of the model."),
    (FileProblem.UNSUPPORTED_VERSION, "big_endian"): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} is a big-endian GGUF file, which this computer cannot load. Download "
        "the standard (little-endian) GGUF build of the model."),
    (FileProblem.CORRUPT_HEADER, ""): QT_TRANSLATE_NOOP(
        "ModelFile", "The header of {name} is damaged: {detail}. Download the model again."),
    (FileProblem.UNSUPPORTED_TENSOR_TYPE, ""): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} stores tensor {tensor} in ggml type {type_id}, which the bundled "
        "llama.cpp does not support. Choose another quantization, or update LLM Desk."),
    (FileProblem.UNKNOWN_ARCH, ""): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} is a model of architecture \"{arch}\", which the bundled llama.cpp "
        "does not support. Choose a model of a supported architecture, such as llama, qwen2 or "
        "gemma3."),
    (FileProblem.UNKNOWN_ARCH, "projector"): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} is a multimodal projector (mmproj) file, not a language model. Load "
        "the language model's GGUF file instead."),
    (FileProblem.TRUNCATED, ""): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} is incomplete: {missing:,} of {expected:,} bytes are missing. Resume "
        "or restart the download."),
    (FileProblem.TRUNCATED, "no_data"): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} holds only the GGUF header: all {missing:,} bytes of tensor data are "
        "missing. Resume or restart the download."),
    (FileProblem.TRUNCATED, "in_header"): QT_TRANSLATE_NOOP(
        "ModelFile", "{name} ends inside its GGUF header, after {size:,} bytes. Resume or restart "
        "the download."),
}


@dataclass(frozen=True)
class FileCheck:
    """Result of ``check_model_file``: the problem kind, a message for the user, and what was read."""

    path: Path
    kind: FileProblem
    message: UserMessage
    header: GGUFHeader | None = None
    file_size: int | None = None
    missing_bytes: int | None = None  # for TRUNCATED files whose header could be read

    @property
    def ok(self) -> bool:
        return self.kind is FileProblem.OK


def _message(kind: FileProblem, variant: str, name: str, **params: Any) -> UserMessage:
    template = _TEMPLATES.get((kind, variant)) or _TEMPLATES[(kind, "")]
    return UserMessage(_CONTEXT, template, name=name, **params)


def _check_from_error(path: Path, error: GGUFError, file_size: int | None) -> FileCheck:
    params = dict(error.params)
    if error.kind is FileProblem.CORRUPT_HEADER:
        # NOTE: the detail stays English in a translated UI; it names format fields, not actions.
        params = {"detail": error.detail}
    elif error.kind is FileProblem.TRUNCATED and file_size is not None:
        params["size"] = file_size
    elif error.kind is FileProblem.NOT_GGUF and not error.variant and "magic" not in params:
        params["magic"] = "?"
    message = _message(error.kind, error.variant, path.name, **params)
    return FileCheck(path, error.kind, message, file_size=file_size)


def classify_header(path: Path, header: GGUFHeader, file_size: int | None) -> FileCheck:
    """Check a parsed header against the architecture list and, when known, the file size."""
    name = path.name
    arch = header.architecture
    if arch in PROJECTOR_ARCHITECTURES:
        return FileCheck(path, FileProblem.UNKNOWN_ARCH,
                         _message(FileProblem.UNKNOWN_ARCH, "projector", name, arch=arch),
                         header=header, file_size=file_size)
    if arch not in KNOWN_ARCHITECTURES:
        return FileCheck(path, FileProblem.UNKNOWN_ARCH,
                         _message(FileProblem.UNKNOWN_ARCH, "", name, arch=arch),
                         header=header, file_size=file_size)
    needed = header.min_file_size
    if file_size is None:
        file_size = header.expected_file_size
    elif file_size < needed:
        missing = needed - file_size
        variant = "no_data" if file_size <= header.data_offset else ""
        return FileCheck(path, FileProblem.TRUNCATED,
                         _message(FileProblem.TRUNCATED, variant, name, missing=missing, expected=needed),
                         header=header, file_size=file_size, missing_bytes=missing)
    elif file_size > header.expected_file_size:
        log.debug("%s has %d bytes after its tensor data", path, file_size - header.expected_file_size)
    return FileCheck(path, FileProblem.OK,
                     _message(FileProblem.OK, "", name, arch=arch, file_type=header.file_type_name(),
                              size=file_size),
                     header=header, file_size=file_size)


def check_model_file(path: str | os.PathLike, *, max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES) -> FileCheck:
    """Classify a local model file before llama.cpp opens it.

    Only the header is read (a few MiB at most), and the size it implies is compared with the
    file size. The tensor data is neither read nor hashed. Never raises for a bad file.
    """
    path = Path(path)
    name = path.name or str(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return FileCheck(path, FileProblem.MISSING, _message(FileProblem.MISSING, "", str(path)))
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in the path
        reason = getattr(error, "strerror", None) or str(error)
        return FileCheck(path, FileProblem.UNREADABLE, _message(FileProblem.UNREADABLE, "", name, error=reason))
    if path.is_dir():
        return FileCheck(path, FileProblem.NOT_A_FILE, _message(FileProblem.NOT_A_FILE, "", name))
    file_size = stat.st_size
    if file_size == 0:
        return FileCheck(path, FileProblem.EMPTY, _message(FileProblem.EMPTY, "", name), file_size=0)

    try:
        header = read_header(path, max_bytes=max_header_bytes)
    except GGUFError as error:
        log.info("model file %s failed the header check: %s", path, error.detail)
        return _check_from_error(path, error, file_size)
    except OSError as error:
        log.info("model file %s cannot be read: %s", path, error)
        return FileCheck(path, FileProblem.UNREADABLE,
                         _message(FileProblem.UNREADABLE, "", name, error=error.strerror or str(error)),
                         file_size=file_size)
    check = classify_header(path, header, file_size)
    if not check.ok:
        log.info("model file %s: %s", path, check.message)
    return check


def check_header_source(
    fetch: Fetch, name: str, *, file_size: int | None = None,
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
) -> FileCheck:
    """Classify a model reached through ``fetch`` (for example HTTP Range requests) by its header.

    ``name`` labels the messages (a file name or URL; ``FileCheck.path`` is ``Path(name)``). With
    ``file_size``, such as a Content-Length, a size too small for the tensors is TRUNCATED.
    Raises only what ``fetch`` raises.
    """
    path = Path(name)
    try:
        header = read_header(fetch, max_bytes=max_header_bytes)
    except GGUFError as error:
        log.info("model %s failed the header check: %s", name, error.detail)
        return _check_from_error(path, error, file_size)
    return classify_header(path, header, file_size)
