"""GGUF header reading and model-file checks on generated, sparse and hand-built files."""

from __future__ import annotations

import os
import struct

import gguf
import gguf_factory
import pytest

from llmdesk.core import gguf_meta
from llmdesk.core.gguf_meta import FileProblem, GGUFArray, GGUFError
from llmdesk.core.i18n import UserMessage

VT = gguf.GGUFValueType


# Raw GGUF building blocks for files that no well-behaved writer produces.

def gguf_string(text: str | bytes) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(data)) + data


def kv_uint32(key: str, value: int) -> bytes:
    return gguf_string(key) + struct.pack("<II", VT.UINT32, value)


def kv_string(key: str, value: str) -> bytes:
    return gguf_string(key) + struct.pack("<I", VT.STRING) + gguf_string(value)


def tensor_info(name: str, shape: tuple[int, ...], ggml_type: int, offset: int) -> bytes:
    dims = b"".join(struct.pack("<Q", dim) for dim in shape)
    return gguf_string(name) + struct.pack("<I", len(shape)) + dims + struct.pack("<IQ", ggml_type, offset)


def raw_gguf(kvs: list[bytes], tensors: list[bytes] = (), *, version: int = 3,
             kv_count: int | None = None, tensor_count: int | None = None) -> bytes:
    counts = struct.pack("<QQ", len(tensors) if tensor_count is None else tensor_count,
                         len(kvs) if kv_count is None else kv_count)
    return b"GGUF" + struct.pack("<I", version) + counts + b"".join(kvs) + b"".join(tensors)


ARCH_KV = kv_string("general.architecture", "llama")


class CountingFetch:
    """A fetch callable over a local file that records every request."""

    def __init__(self, path):
        self.handle = open(path, "rb")
        self.requests: list[tuple[int, int]] = []
        self.bytes_returned = 0

    def __call__(self, offset: int, length: int) -> bytes:
        self.requests.append((offset, length))
        self.handle.seek(offset)
        data = self.handle.read(length)
        self.bytes_returned += len(data)
        return data

    def close(self):
        self.handle.close()


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return gguf_factory.write_tiny_llama(tmp_path_factory.mktemp("meta") / "tiny.gguf")


@pytest.fixture(scope="module")
def llama3_sparse(tmp_path_factory):
    path = tmp_path_factory.mktemp("sparse") / "llama3-8b-q4_k_m.gguf"
    return gguf_factory.write_sparse_model(path, n_merges=280_000)


# Facts and sizes of generated models


def test_tiny_model_facts_match_written(tiny_model):
    facts = gguf_meta.read_header(tiny_model).arch_facts()
    assert facts.architecture == "llama"
    assert facts.n_layer == 2
    assert facts.n_embd == 64
    assert facts.n_head == 4
    assert facts.n_head_kv == 2
    assert facts.head_dim == 16
    assert facts.n_ff == 128
    assert facts.n_ctx_train == 2048
    assert facts.n_vocab == len(gguf_factory.build_spm_vocab())
    assert facts.n_params == gguf_factory.tiny_llama_param_count()
    assert facts.n_expert == 0
    assert facts.n_active_params is None
    assert facts.sliding_window is None
    assert facts.kv_lora_rank is None


def test_tiny_model_metadata(tiny_model):
    header = gguf_meta.read_header(tiny_model)
    assert header.version == 3
    assert header.tensor_count == 3 + 2 * 9
    assert header.alignment == 32
    assert header.kv["general.name"] == "LLM Desk tiny llama"
    assert header.chat_template == gguf_factory.DEFAULT_TEMPLATE
    assert header.has_chat_template
    tokens = header.kv["tokenizer.ggml.tokens"]
    assert isinstance(tokens, GGUFArray)
    assert tokens.item_type == VT.STRING
    assert len(tokens) == len(gguf_factory.build_spm_vocab())
    assert isinstance(header.kv["tokenizer.ggml.scores"], GGUFArray)


def test_header_matches_gguf_package_reader(tiny_model):
    reference = gguf.GGUFReader(tiny_model)
    header = gguf_meta.read_header(tiny_model)
    assert header.data_offset == reference.data_offset
    assert [t.name for t in header.tensors] == [t.name for t in reference.tensors]
    for ours, theirs in zip(header.tensors, reference.tensors):
        assert ours.shape == tuple(int(d) for d in theirs.shape), ours.name
        assert ours.ggml_type == int(theirs.tensor_type), ours.name
        assert ours.nbytes == int(theirs.n_bytes), ours.name
        assert header.data_offset + ours.offset == int(theirs.data_offset), ours.name


@pytest.mark.parametrize("dtype, type_name", [("f32", "F32"), ("f16", "F16"), ("q8_0", "Q8_0")])
def test_expected_size_equals_file_size(tmp_path, dtype, type_name):
    path = gguf_factory.write_tiny_llama(tmp_path / "model.gguf", dtype=dtype)
    header = gguf_meta.read_header(path)
    assert header.expected_file_size == path.stat().st_size
    assert header.min_file_size <= header.expected_file_size
    assert header.file_type_name() == type_name


def test_byte_breakdown_adds_up(tmp_path):
    path = gguf_factory.write_tiny_llama(tmp_path / "model.gguf", n_layer=3, dtype="q8_0")
    header = gguf_meta.read_header(path)
    layers = header.layer_bytes()
    assert len(layers) == 3
    assert len(set(layers)) == 1
    assert not header.output_is_tied
    assert header.token_embd_bytes == header.tensor("token_embd.weight").nbytes
    assert header.output_bytes == (header.tensor("output.weight").nbytes
                                   + header.tensor("output_norm.weight").nbytes)
    assert header.token_embd_bytes + header.output_bytes + sum(layers) == header.weights_bytes
    assert header.weights_bytes < header.tensor_data_size <= header.expected_file_size


def test_facts_agree_with_llama_cpp(tiny_model):
    llama_cpp = pytest.importorskip("llama_cpp")
    header = gguf_meta.read_header(tiny_model)
    facts = header.arch_facts()
    llm = llama_cpp.Llama(model_path=str(tiny_model), n_ctx=64, verbose=False)
    try:
        model = llm.model
        assert llama_cpp.llama_model_n_params(model) == facts.n_params
        assert llama_cpp.llama_model_size(model) == header.weights_bytes
        assert llm.n_embd() == facts.n_embd
        assert llm.n_vocab() == facts.n_vocab
        assert llama_cpp.llama_model_n_ctx_train(model) == facts.n_ctx_train
        assert llama_cpp.llama_model_n_layer(model) == facts.n_layer
        assert llama_cpp.llama_model_n_head_kv(model) == facts.n_head_kv
    finally:
        llm.close()


def test_per_layer_head_count_kv_array(tmp_path):
    path = gguf_factory.write_tiny_llama(tmp_path / "kv.gguf", n_layer=4, n_head_kv=[4, 2, 1, 2])
    header = gguf_meta.read_header(path)
    assert header.kv["llama.attention.head_count_kv"] == (4, 2, 1, 2)
    assert header.per_layer_head_count_kv() == [4, 2, 1, 2]
    facts = header.arch_facts()
    assert facts.n_head_kv == 4
    assert facts.head_dim == 16
    layers = header.layer_bytes()
    assert layers[0] > layers[1] > layers[2]
    assert layers[1] == layers[3]


def test_scalar_head_count_kv_repeats_per_layer(tiny_model):
    header = gguf_meta.read_header(tiny_model)
    assert header.per_layer_head_count_kv() == [2, 2]


def test_llama3_sized_header_facts(llama3_sparse):
    header = gguf_meta.read_header(llama3_sparse)
    facts = header.arch_facts()
    assert facts.n_params == 8_030_261_248  # Llama 3 8B as llama.cpp reports it
    assert facts.n_vocab == 128_256
    assert facts.n_head_kv == 8
    assert facts.head_dim == 128
    assert facts.n_ctx_train == 131_072
    assert header.file_type_name() == "Q4_K_M"
    assert header.kv["tokenizer.ggml.merges"] == GGUFArray(VT.STRING, 280_000)
    assert header.expected_file_size == llama3_sparse.stat().st_size
    assert len(header.layer_bytes()) == 32


def test_moe_active_params_and_tied_output(tmp_path):
    path = gguf_factory.write_sparse_model(
        tmp_path / "moe.gguf", n_layer=2, n_embd=512, n_head=8, n_head_kv=8, n_ff=256, n_vocab=1000,
        n_expert=8, n_expert_used=2, tie_output=True, file_type=None)
    header = gguf_meta.read_header(path)
    facts = header.arch_facts()
    expert_params = 2 * 3 * 8 * 256 * 512
    assert facts.n_expert == 8
    assert facts.n_expert_used == 2
    assert facts.n_active_params == facts.n_params - expert_params * 6 // 8
    assert header.output_is_tied
    embd = header.tensor("token_embd.weight").nbytes
    assert header.output_bytes == embd + header.tensor("output_norm.weight").nbytes
    assert header.file_type_name() == "Q4_K"


def test_optional_arch_keys_reach_facts(tmp_path):
    path = gguf_factory.write_sparse_model(
        tmp_path / "swa.gguf", n_layer=2, n_embd=512, n_head=8, n_head_kv=8, n_ff=256, n_vocab=500,
        extra_kv={"llama.attention.sliding_window": 4096, "llama.attention.key_length": 128,
                  "llama.attention.value_length": 96, "llama.attention.kv_lora_rank": 512})
    facts = gguf_meta.read_header(path).arch_facts()
    assert facts.sliding_window == 4096
    assert facts.head_dim == 128
    assert facts.head_dim_v == 96
    assert facts.kv_lora_rank == 512


# Reading through a fetch callable


def test_fetch_reads_only_header_bytes(llama3_sparse):
    fetch = CountingFetch(llama3_sparse)
    try:
        header = gguf_meta.read_header(fetch)
    finally:
        fetch.close()
    file_size = llama3_sparse.stat().st_size
    assert file_size > 4_000_000_000
    assert header.bytes_fetched == fetch.bytes_returned
    # Doubling chunks fetch at most twice the header plus the first chunk.
    assert fetch.bytes_returned <= 2 * header.data_offset + gguf_meta.DEFAULT_FIRST_CHUNK
    assert fetch.bytes_returned < 32 * 1024 * 1024
    assert len(fetch.requests) <= 6
    assert max(offset + length for offset, length in fetch.requests) <= gguf_meta.DEFAULT_MAX_HEADER_BYTES


def test_fetch_result_equals_file_result(tiny_model):
    fetch = CountingFetch(tiny_model)
    try:
        from_fetch = gguf_meta.read_header(fetch, first_chunk=256)
    finally:
        fetch.close()
    from_file = gguf_meta.read_header(tiny_model)
    assert from_fetch.kv == from_file.kv
    assert from_fetch.tensors == from_file.tensors
    assert from_fetch.data_offset == from_file.data_offset
    # Small chunks force many refills, and doubling keeps the overshoot under the header size.
    assert len(fetch.requests) > 5
    assert fetch.bytes_returned <= 2 * from_file.data_offset + 256


def test_skipped_numeric_array_not_fetched(tmp_path):
    n_scores = 1_000_000
    scores = (gguf_string("tokenizer.ggml.scores") + struct.pack("<IIQ", VT.ARRAY, VT.FLOAT32, n_scores)
              + bytes(4 * n_scores))
    path = tmp_path / "scores.gguf"
    path.write_bytes(raw_gguf([scores, ARCH_KV]))
    fetch = CountingFetch(path)
    try:
        header = gguf_meta.read_header(fetch, first_chunk=4096)
    finally:
        fetch.close()
    assert header.kv["tokenizer.ggml.scores"] == GGUFArray(VT.FLOAT32, n_scores)
    assert header.architecture == "llama"
    assert fetch.bytes_returned < 64 * 1024


def test_fetch_requests_stay_under_cap(tiny_model):
    fetch = CountingFetch(tiny_model)
    try:
        with pytest.raises(GGUFError) as caught:
            gguf_meta.read_header(fetch, max_bytes=4096, first_chunk=1024)
    finally:
        fetch.close()
    assert caught.value.kind is FileProblem.CORRUPT_HEADER
    assert max(offset + length for offset, length in fetch.requests) <= 4096


def test_fetch_returning_too_much_is_cut(tiny_model):
    blob = tiny_model.read_bytes()
    header = gguf_meta.read_header(lambda offset, length: blob[offset:], first_chunk=100)
    assert header.data_offset == gguf_meta.read_header(tiny_model).data_offset


# Classification of bad files

BAD_KIND_RESULTS = {
    "lfs_pointer": FileProblem.LFS_POINTER,
    "html": FileProblem.HTML,
    "truncated": FileProblem.TRUNCATED,
    "not_gguf": FileProblem.NOT_GGUF,
    "zero_length_key": FileProblem.CORRUPT_HEADER,
    "header_only": FileProblem.TRUNCATED,
    "unknown_arch": FileProblem.UNKNOWN_ARCH,
    "empty": FileProblem.EMPTY,
}


@pytest.mark.parametrize("kind", gguf_factory.BAD_KINDS)
def test_bad_file_classified(tmp_path, kind):
    path = gguf_factory.write_bad_file(tmp_path / f"{kind}.gguf", kind)
    check = gguf_meta.check_model_file(path)
    assert check.kind is BAD_KIND_RESULTS[kind]
    assert not check.ok
    assert isinstance(check.message, UserMessage)
    assert check.message.context == "ModelFile"
    assert path.name in str(check.message)


def test_good_file_ok(tiny_model):
    check = gguf_meta.check_model_file(tiny_model)
    assert check.ok
    assert check.kind is FileProblem.OK
    assert check.header is not None
    assert check.file_size == tiny_model.stat().st_size
    assert "llama" in str(check.message)


def test_truncated_reports_missing_bytes(tmp_path, tiny_model):
    path = gguf_factory.write_bad_file(tmp_path / "cut.gguf", "truncated")
    check = gguf_meta.check_model_file(path)
    missing = tiny_model.stat().st_size - path.stat().st_size
    assert check.missing_bytes == missing
    assert f"{missing:,}" in str(check.message)


def test_header_only_says_data_missing(tmp_path):
    path = gguf_factory.write_bad_file(tmp_path / "head.gguf", "header_only")
    check = gguf_meta.check_model_file(path)
    assert check.missing_bytes == check.header.tensor_data_size
    assert "only the GGUF header" in str(check.message)


def test_cut_inside_header_is_truncated(tmp_path, tiny_model):
    blob = tiny_model.read_bytes()
    data_offset = gguf_meta.read_header(tiny_model).data_offset
    for cut in (2, 10, 30, 200, data_offset // 2, data_offset - 40):
        path = tmp_path / f"cut{cut}.gguf"
        path.write_bytes(blob[:cut])
        check = gguf_meta.check_model_file(path)
        assert check.kind is FileProblem.TRUNCATED, cut
        assert "inside its GGUF header" in str(check.message), cut


def test_lfs_pointer_message_has_real_size(tmp_path, tiny_model):
    path = gguf_factory.write_bad_file(tmp_path / "lfs.gguf", "lfs_pointer")
    check = gguf_meta.check_model_file(path)
    assert f"{tiny_model.stat().st_size:,} bytes" in str(check.message)


def test_missing_and_folder(tmp_path):
    missing = gguf_meta.check_model_file(tmp_path / "absent.gguf")
    assert missing.kind is FileProblem.MISSING
    folder = gguf_meta.check_model_file(tmp_path)
    assert folder.kind is FileProblem.NOT_A_FILE


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="file permissions do not apply to root")
def test_unreadable_file(tmp_path, tiny_model):
    path = tmp_path / "locked.gguf"
    path.write_bytes(tiny_model.read_bytes())
    path.chmod(0)
    try:
        check = gguf_meta.check_model_file(path)
    finally:
        path.chmod(0o600)
    assert check.kind is FileProblem.UNREADABLE


@pytest.mark.parametrize("content, variant_text", [
    (b'{"error":"Repository not found"}', "text file"),
    (struct.pack("<Q", 40) + b'{"__metadata__":{}}' + b" " * 21, "safetensors"),
    (b"tjgg" + bytes(60), "old GGML format"),
    (bytes(range(200, 256)) * 4, "starts with the bytes c8 c9 ca cb"),
    (b"\xef\xbb\xbf  <html><body>Bad gateway</body></html>", "HTML page"),
])
def test_foreign_content_described(tmp_path, content, variant_text):
    path = tmp_path / "model.gguf"
    path.write_bytes(content)
    check = gguf_meta.check_model_file(path)
    assert check.kind in (FileProblem.NOT_GGUF, FileProblem.HTML)
    assert variant_text in str(check.message)


def test_projector_file_named(tmp_path):
    writer = gguf.GGUFWriter(tmp_path / "mmproj.gguf", "clip")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    check = gguf_meta.check_model_file(tmp_path / "mmproj.gguf")
    assert check.kind is FileProblem.UNKNOWN_ARCH
    assert "mmproj" in str(check.message)


def test_supported_architectures_cover_catalog_families():
    for arch in ("llama", "qwen2", "qwen3", "deepseek2", "gemma3", "phi3", "mistral3"):
        assert arch in gguf_meta.KNOWN_ARCHITECTURES
    assert "clip" not in gguf_meta.KNOWN_ARCHITECTURES


# Hand-built hostile headers

HOSTILE_HEADERS = {
    "version 1": (raw_gguf([ARCH_KV], version=1), FileProblem.UNSUPPORTED_VERSION),
    "big endian": (b"GGUF" + struct.pack(">IQQ", 3, 0, 0), FileProblem.UNSUPPORTED_VERSION),
    "absurd kv count": (raw_gguf([ARCH_KV], kv_count=1 << 40), FileProblem.CORRUPT_HEADER),
    "absurd tensor count": (raw_gguf([ARCH_KV], tensor_count=1 << 40), FileProblem.CORRUPT_HEADER),
    "key length past limit": (
        raw_gguf([struct.pack("<Q", 1 << 50) + b"x" * 16]), FileProblem.CORRUPT_HEADER),
    "string value past limit": (
        raw_gguf([gguf_string("k") + struct.pack("<IQ", VT.STRING, 1 << 40)]), FileProblem.CORRUPT_HEADER),
    "unknown value type": (
        raw_gguf([gguf_string("k") + struct.pack("<I", 99) + bytes(8)]), FileProblem.CORRUPT_HEADER),
    "nested array": (
        raw_gguf([gguf_string("k") + struct.pack("<IIQ", VT.ARRAY, VT.ARRAY, 1) + bytes(16)]),
        FileProblem.CORRUPT_HEADER),
    "string array too long": (
        raw_gguf([gguf_string("k") + struct.pack("<IIQ", VT.ARRAY, VT.STRING, 1 << 40)]),
        FileProblem.CORRUPT_HEADER),
    "numeric array too long": (
        raw_gguf([gguf_string("k") + struct.pack("<IIQ", VT.ARRAY, VT.FLOAT32, 1 << 40)]),
        FileProblem.CORRUPT_HEADER),
    "duplicate key": (raw_gguf([ARCH_KV, ARCH_KV]), FileProblem.CORRUPT_HEADER),
    "no architecture": (raw_gguf([kv_uint32("general.alignment", 32)]), FileProblem.CORRUPT_HEADER),
    "alignment not power of two": (
        raw_gguf([ARCH_KV, kv_uint32("general.alignment", 48)]), FileProblem.CORRUPT_HEADER),
    "too many dimensions": (
        raw_gguf([ARCH_KV], [tensor_info("t", (32, 1, 1, 1, 1), 0, 0)]), FileProblem.CORRUPT_HEADER),
    "tensor name too long": (
        raw_gguf([ARCH_KV], [tensor_info("t" * 64, (32,), 0, 0)]), FileProblem.CORRUPT_HEADER),
    "row not a block multiple": (
        raw_gguf([ARCH_KV], [tensor_info("t", (33,), int(gguf.GGMLQuantizationType.Q8_0), 0)]),
        FileProblem.CORRUPT_HEADER),
    "unknown tensor type": (
        raw_gguf([ARCH_KV], [tensor_info("t", (32,), 77, 0)]), FileProblem.UNSUPPORTED_TENSOR_TYPE),
    "tensor offset out of order": (
        raw_gguf([ARCH_KV], [tensor_info("a", (32,), 0, 0), tensor_info("b", (32,), 0, 0)]),
        FileProblem.CORRUPT_HEADER),
    "duplicate tensor": (
        raw_gguf([ARCH_KV], [tensor_info("a", (32,), 0, 0), tensor_info("a", (32,), 0, 128)]),
        FileProblem.CORRUPT_HEADER),
    "impossible shape": (
        raw_gguf([ARCH_KV], [tensor_info("a", (1 << 40, 1 << 40), 0, 0)]), FileProblem.CORRUPT_HEADER),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_HEADERS))
def test_hostile_header_rejected(tmp_path, case):
    blob, expected = HOSTILE_HEADERS[case]
    path = tmp_path / "hostile.gguf"
    path.write_bytes(blob + bytes(64))
    with pytest.raises(GGUFError) as caught:
        gguf_meta.read_header(path)
    assert caught.value.kind is expected
    check = gguf_meta.check_model_file(path)
    assert check.kind is expected
    assert isinstance(check.message, UserMessage)


def test_hostile_string_array_reads_little(tmp_path):
    # A string array whose first item claims a huge length must not be fetched.
    blob = raw_gguf([gguf_string("tokenizer.ggml.tokens")
                     + struct.pack("<IIQ", VT.ARRAY, VT.STRING, 1000) + struct.pack("<Q", 1 << 50)])
    path = tmp_path / "hostile.gguf"
    path.write_bytes(blob)
    fetch = CountingFetch(path)
    try:
        with pytest.raises(GGUFError):
            gguf_meta.read_header(fetch)
    finally:
        fetch.close()
    assert fetch.bytes_returned == len(blob)


def test_minimal_valid_raw_header(tmp_path):
    blob = raw_gguf([ARCH_KV, kv_uint32("general.alignment", 64)], [tensor_info("a", (16,), 0, 0)])
    data_offset = -(-len(blob) // 64) * 64
    path = tmp_path / "raw.gguf"
    path.write_bytes(blob + bytes(data_offset - len(blob)) + bytes(64))
    header = gguf_meta.read_header(path)
    assert header.alignment == 64
    assert header.data_offset == data_offset
    assert header.expected_file_size == data_offset + 64
    assert header.min_file_size == data_offset + 64
    assert gguf_meta.check_model_file(path).ok


def test_message_templates_distinct_per_kind():
    templates = list(gguf_meta._TEMPLATES.values())
    assert len(templates) == len(set(templates))
    kinds = {kind for kind, _variant in gguf_meta._TEMPLATES}
    assert kinds == set(FileProblem)


def test_path_error_is_unreadable(tmp_path):
    check = gguf_meta.check_model_file(tmp_path / ("x" * 300 + ".gguf"))
    assert check.kind is FileProblem.UNREADABLE
    assert "cannot be read" in str(check.message)


def test_arch_facts_missing_key_raises(tmp_path):
    path = gguf_factory.write_bad_file(tmp_path / "odd.gguf", "unknown_arch")
    header = gguf_meta.read_header(path)
    assert header.n_layer == 1
    with pytest.raises(GGUFError, match="nosucharch.embedding_length"):
        header.arch_facts()


def test_nul_in_path_is_unreadable(tmp_path):
    check = gguf_meta.check_model_file(str(tmp_path / "bad\0name.gguf"))
    assert check.kind is FileProblem.UNREADABLE


def bytes_fetch(blob: bytes):
    return lambda offset, length: blob[offset:offset + length]


def test_header_source_checks(tmp_path, tiny_model):
    blob = tiny_model.read_bytes()
    good = gguf_meta.check_header_source(bytes_fetch(blob), "https://example.invalid/m/tiny.gguf",
                                         file_size=len(blob))
    assert good.ok
    assert good.path.name == "tiny.gguf"
    unknown_size = gguf_meta.check_header_source(bytes_fetch(blob), "tiny.gguf")
    assert unknown_size.ok
    assert unknown_size.file_size == len(blob)
    short = gguf_meta.check_header_source(bytes_fetch(blob), "tiny.gguf", file_size=len(blob) - 100)
    assert short.kind is FileProblem.TRUNCATED
    assert short.missing_bytes == 100
    html = gguf_factory.write_bad_file(tmp_path / "page.gguf", "html").read_bytes()
    page = gguf_meta.check_header_source(bytes_fetch(html), "page.gguf", file_size=len(html))
    assert page.kind is FileProblem.HTML
    empty = gguf_meta.check_header_source(bytes_fetch(b""), "nothing.gguf")
    assert empty.kind is FileProblem.EMPTY


def test_header_source_fetch_errors_propagate():
    def failing_fetch(offset, length):
        raise ConnectionResetError("connection reset by peer")

    with pytest.raises(ConnectionResetError):
        gguf_meta.check_header_source(failing_fetch, "remote.gguf")
