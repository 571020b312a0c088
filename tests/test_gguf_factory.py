"""The generated GGUF models load in llama.cpp, generate, and round-trip any UTF-8 text."""

from __future__ import annotations

import hashlib

import gguf
import gguf_factory
import pytest

llama_cpp = pytest.importorskip("llama_cpp")

pytestmark = pytest.mark.slow


def sha256_of(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(path, **kwargs):
    return llama_cpp.Llama(model_path=str(path), n_ctx=256, verbose=False, **kwargs)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return gguf_factory.write_tiny_llama(tmp_path_factory.mktemp("factory") / "tiny.gguf")


@pytest.fixture(scope="module")
def tiny_llm(tiny_model):
    llm = load(tiny_model)
    yield llm
    llm.close()


def test_tiny_model_generates_tokens(tiny_llm):
    result = tiny_llm("The", max_tokens=16, temperature=0)
    assert result["usage"]["completion_tokens"] >= 10
    assert result["choices"][0]["finish_reason"] == "length"


@pytest.mark.parametrize("text", [
    "Hello world",
    "the model answer",
    "emoji 👋🏽🚀 and ZWJ 👩‍💻",
    "안녕하세요, 한국어 텍스트입니다",
    "你好，世界。这是中文。",
    "mixed: naïve café — 日本語 ✓",
    " leading space and trailing ",
    "line\nbreaks\tand\ttabs",
])
def test_tokenize_detokenize_round_trip(tiny_llm, text):
    ids = tiny_llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)
    assert ids[0] == tiny_llm.token_bos()
    assert tiny_llm.detokenize(ids).decode("utf-8") == text


def test_unknown_characters_use_byte_fallback(tiny_llm):
    vocab = gguf_factory.build_spm_vocab()
    ids = tiny_llm.tokenize("🚀".encode("utf-8"), add_bos=False, special=False)
    pieces = [vocab.tokens[i] for i in ids]
    assert pieces[-4:] == ["<0xF0>", "<0x9F>", "<0x9A>", "<0x80>"]


def test_words_merge_into_whole_pieces(tiny_llm):
    vocab = gguf_factory.build_spm_vocab()
    ids = tiny_llm.tokenize(b"the model", add_bos=False, special=False)
    assert [vocab.tokens[i] for i in ids] == ["▁the", "▁model"]


def test_control_tokens_parse_as_special(tiny_llm):
    vocab = gguf_factory.build_spm_vocab()
    ids = tiny_llm.tokenize(b"<|im_start|>user", add_bos=False, special=True)
    assert ids[0] == vocab.id_of("<|im_start|>")


def test_eos_and_eot_ids_written(tiny_llm):
    vocab = gguf_factory.build_spm_vocab()
    assert tiny_llm.token_eos() == vocab.id_of("</s>")
    assert tiny_llm.metadata["tokenizer.ggml.eot_token_id"] == str(vocab.id_of("<|im_end|>"))


def test_chat_template_stored(tiny_llm):
    assert tiny_llm.metadata["tokenizer.chat_template"] == gguf_factory.DEFAULT_TEMPLATE


def test_no_template_leaves_key_out(tmp_path):
    path = gguf_factory.write_tiny_llama(tmp_path / "plain.gguf", chat_template=None)
    reader = gguf.GGUFReader(path)
    assert "tokenizer.chat_template" not in reader.fields


@pytest.mark.parametrize("dtype", ["f16", "q8_0"])
def test_other_dtypes_load_and_generate(tmp_path, dtype):
    path = gguf_factory.write_tiny_llama(tmp_path / f"{dtype}.gguf", dtype=dtype)
    llm = load(path)
    try:
        result = llm("The", max_tokens=12, temperature=0)
    finally:
        llm.close()
    assert result["usage"]["completion_tokens"] >= 10


@pytest.mark.parametrize("template, eos_ids", [
    (gguf_factory.CHATML_TEMPLATE, ("</s>", "<|im_end|>")),
    (gguf_factory.LLAMA3_TEMPLATE, ("</s>", "<|eot_id|>")),
    (gguf_factory.THINK_TEMPLATE, ("<｜end▁of▁sentence｜>",)),
])
def test_chat_completion_with_each_template(tmp_path, template, eos_ids):
    path = gguf_factory.write_tiny_llama(tmp_path / "chat.gguf", chat_template=template, eos_ids=eos_ids)
    llm = load(path)
    try:
        reply = llm.create_chat_completion(
            [{"role": "user", "content": "Hi"}], max_tokens=12, temperature=0)
    finally:
        llm.close()
    assert reply["usage"]["completion_tokens"] >= 10
    assert reply["usage"]["prompt_tokens"] > 3


def test_think_template_opens_think_block():
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    formatter = Jinja2ChatFormatter(gguf_factory.THINK_TEMPLATE, eos_token="</s>", bos_token="<s>")
    prompt = formatter(messages=[{"role": "user", "content": "Hi"}]).prompt
    assert prompt.endswith("<｜Assistant｜><think>\n")


def test_no_system_template_rejects_system_role():
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    formatter = Jinja2ChatFormatter(gguf_factory.NO_SYSTEM_TEMPLATE, eos_token="</s>", bos_token="<s>")
    with pytest.raises(Exception, match="System role not supported"):
        formatter(messages=[{"role": "system", "content": "x"}, {"role": "user", "content": "Hi"}])


def test_uniform_per_layer_kv_heads_load(tmp_path):
    path = gguf_factory.write_tiny_llama(tmp_path / "kv.gguf", n_layer=3, n_head_kv=[2, 2, 2])
    reader = gguf.GGUFReader(path)
    field = reader.fields["llama.attention.head_count_kv"]
    assert [int(field.parts[i][0]) for i in field.data] == [2, 2, 2]
    llm = load(path)
    try:
        result = llm("The", max_tokens=10, temperature=0)
    finally:
        llm.close()
    assert result["usage"]["completion_tokens"] == 10


def test_same_arguments_same_bytes(tmp_path):
    first = gguf_factory.write_tiny_llama(tmp_path / "a.gguf", seed=7, dtype="q8_0")
    second = gguf_factory.write_tiny_llama(tmp_path / "b.gguf", seed=7, dtype="q8_0")
    other_seed = gguf_factory.write_tiny_llama(tmp_path / "c.gguf", seed=8, dtype="q8_0")
    assert sha256_of(first) == sha256_of(second)
    assert sha256_of(first) != sha256_of(other_seed)


@pytest.mark.parametrize("shapes", [
    {},
    {"n_layer": 3, "n_embd": 96, "n_head": 6, "n_head_kv": [3, 2, 1], "n_ff": 160},
    gguf_factory.BENCH_25M,
])
def test_param_count_matches_written_tensors(tmp_path, shapes):
    path = gguf_factory.write_tiny_llama(tmp_path / "count.gguf", dtype="f16", **shapes)
    reader = gguf.GGUFReader(path)
    written = sum(int(tensor.n_elements) for tensor in reader.tensors)
    assert gguf_factory.tiny_llama_param_count(**shapes) == written


def test_bench_model_is_about_25m_params():
    count = gguf_factory.tiny_llama_param_count(**gguf_factory.BENCH_25M)
    assert 24_000_000 <= count <= 26_000_000


def test_bad_files_are_what_they_claim(tmp_path):
    model = gguf_factory.write_tiny_llama(tmp_path / "good.gguf")
    model_size = model.stat().st_size
    data_offset = gguf.GGUFReader(model).data_offset
    paths = {kind: gguf_factory.write_bad_file(tmp_path / f"{kind}.gguf", kind)
             for kind in gguf_factory.BAD_KINDS}

    assert paths["lfs_pointer"].read_bytes().startswith(b"version https://git-lfs.github.com/spec/v1\n")
    assert f"size {model_size}\n".encode() in paths["lfs_pointer"].read_bytes()
    assert paths["html"].read_bytes().lstrip().lower().startswith(b"<!doctype html")
    assert data_offset < paths["truncated"].stat().st_size < model_size
    assert paths["header_only"].stat().st_size == data_offset
    assert paths["not_gguf"].read_bytes()[:4] == b"PK\x03\x04"
    assert paths["zero_length_key"].stat().st_size == 37
    assert paths["zero_length_key"].read_bytes()[:4] == b"GGUF"
    assert paths["empty"].stat().st_size == 0
    unknown = gguf.GGUFReader(paths["unknown_arch"])
    assert unknown.fields["general.architecture"].contents() == "nosucharch"


def test_bad_files_are_deterministic(tmp_path):
    for kind in gguf_factory.BAD_KINDS:
        first = gguf_factory.write_bad_file(tmp_path / f"{kind}-1.gguf", kind)
        second = gguf_factory.write_bad_file(tmp_path / f"{kind}-2.gguf", kind)
        assert sha256_of(first) == sha256_of(second), kind


def test_bad_arguments_rejected(tmp_path):
    with pytest.raises(ValueError, match="dtype"):
        gguf_factory.write_tiny_llama(tmp_path / "x.gguf", dtype="q4_k")
    with pytest.raises(ValueError, match="n_layer"):
        gguf_factory.write_tiny_llama(tmp_path / "x.gguf", n_layer=2, n_head_kv=[2])
    with pytest.raises(ValueError, match="kind"):
        gguf_factory.write_bad_file(tmp_path / "x.gguf", "nonsense")
