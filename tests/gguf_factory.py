"""Small but real GGUF models, and deliberately broken files, for tests and bench scripts.

``write_tiny_llama`` writes a llama-architecture model with random weights (fixed seed) that
llama.cpp loads and generates from. Its SentencePiece-style vocabulary has the 256 byte-fallback
tokens, so any UTF-8 text (emoji, Korean, Chinese) tokenizes and detokenizes back exactly.
The same arguments always produce the same bytes, so tests can compare hashes.

``write_bad_file`` writes the broken files a user ends up with in practice: a Git LFS pointer, an
HTML error page saved under the model's name, a partial download, and headers that crash some
llama.cpp versions.

Import from tests as ``import gguf_factory``; bench scripts first put ``tests/`` on ``sys.path``.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import gguf
import numpy as np

# Chat templates, in the Jinja dialect that llama-cpp-python's formatter renders.
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
DEFAULT_TEMPLATE = CHATML_TEMPLATE

# Like Gemma and early Mistral templates: a system message raises instead of rendering.
NO_SYSTEM_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

LLAMA3_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
    " + message['content'] | trim + '<|eot_id|>' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}"
)

# DeepSeek-R1 style: the generation prompt opens a <think> block, and earlier assistant turns
# are stored without their reasoning.
THINK_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ message['content'] }}"
    "{% elif message['role'] == 'user' %}{{ '<｜User｜>' + message['content'] }}"
    "{% elif message['role'] == 'assistant' %}"
    "{% set content = message['content'] %}"
    "{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}"
    "{{ '<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>' }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<｜Assistant｜><think>\\n' }}{% endif %}"
)

UNK, BOS, EOS = "<unk>", "<s>", "</s>"
CONTROL_TOKENS = (
    "<|im_start|>", "<|im_end|>",
    "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
    "<｜User｜>", "<｜Assistant｜>", "<｜end▁of▁sentence｜>",
)
# Reasoning markers are ordinary added tokens in DeepSeek-R1, not control tokens.
USER_DEFINED_TOKENS = ("<think>", "</think>")

_WORDS = (
    "the a an and or but if of to in on at by for with from as is are was were be been it this that"
    " these those he she they we you I me my your our his her their not no yes do does did have has"
    " had can could will would should may might must what which who when where why how all any some"
    " one two three many more most other such only own same so than too very just now then there here"
    " up down out over under again once about into through during before after above below between"
    " hello world model token text chat answer question time day year people way thing man woman"
    " child life work school system number part place case point group problem fact good new first"
    " last long great little old big high small large next early young important few public bad"
    " able run make know take see come think look want give use find tell ask seem feel try leave"
    " call write read speak memory speed fast slow file download local machine computer language"
    " water light sound music story game book word name home city country world friend"
).split()
_CJK_PIECES = tuple(
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可"
    "她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三"
    "已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女"
    "问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由"
    "안녕하세요감사합니다한국어"
)
_PUNCTUATION = tuple(".,!?;:'\"-()[]{}<>/\\@#$%^&*_+=~`|0123456789")


@dataclass(frozen=True)
class Vocab:
    """A tokenizer vocabulary as GGUF stores it: parallel lists indexed by token id."""

    tokens: tuple[str, ...]
    scores: tuple[float, ...]
    types: tuple[int, ...]

    def id_of(self, piece: str) -> int:
        return self.tokens.index(piece)

    def __len__(self) -> int:
        return len(self.tokens)


def build_spm_vocab() -> Vocab:
    """Build the SentencePiece-style vocabulary that ``write_tiny_llama`` writes.

    Token ids: 0 ``<unk>``, 1 ``<s>``, 2 ``</s>``, 3..258 the bytes ``<0x00>``..``<0xFF>``, then the
    control tokens, the user-defined tokens and the normal pieces. Every prefix of each
    ``▁word`` is a piece too, so the SentencePiece merge loop can reach whole words.
    """
    token_type = gguf.TokenType
    tokens: list[str] = [UNK, BOS, EOS]
    types: list[int] = [token_type.UNKNOWN, token_type.CONTROL, token_type.CONTROL]
    for byte in range(256):
        tokens.append(f"<0x{byte:02X}>")
        types.append(token_type.BYTE)
    for piece in CONTROL_TOKENS:
        tokens.append(piece)
        types.append(token_type.CONTROL)
    for piece in USER_DEFINED_TOKENS:
        tokens.append(piece)
        types.append(token_type.USER_DEFINED)
    n_special = len(tokens)

    normal: list[str] = ["▁"]
    normal += [chr(c) for c in range(ord("a"), ord("z") + 1)]
    normal += [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    normal += list(_PUNCTUATION)
    for word in _WORDS:
        spaced = "▁" + word
        for end in range(2, len(spaced) + 1):
            normal.append(spaced[:end])
    normal += list(_CJK_PIECES)
    seen = set(tokens)
    for piece in normal:
        if piece in seen:
            continue
        seen.add(piece)
        tokens.append(piece)
        types.append(token_type.NORMAL)

    # SentencePiece merges the adjacent pair whose joined piece scores highest. Longer pieces
    # score higher so whole words win over their fragments.
    scores = [0.0] * n_special + [
        float(len(tokens[i])) - i * 1e-4 for i in range(n_special, len(tokens))
    ]
    return Vocab(tuple(tokens), tuple(scores), tuple(int(t) for t in types))


_DTYPES = {
    "f32": gguf.GGMLQuantizationType.F32,
    "f16": gguf.GGMLQuantizationType.F16,
    "q8_0": gguf.GGMLQuantizationType.Q8_0,
}
_FILE_TYPES = {
    "f32": gguf.LlamaFileType.ALL_F32,
    "f16": gguf.LlamaFileType.MOSTLY_F16,
    "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0,
}

# About 25 million parameters (``tiny_llama_param_count(**BENCH_25M)`` is 25,232,896): each
# decoded token reads about 50 MB of F16 weights, yet the file is written in under a second.
BENCH_25M = dict(n_layer=8, n_embd=512, n_head=8, n_head_kv=8, n_ff=1280)


def _per_layer(value: int | Sequence[int], n_layer: int, name: str) -> list[int]:
    if isinstance(value, int):
        return [value] * n_layer
    values = [int(v) for v in value]
    if len(values) != n_layer:
        raise ValueError(f"{name} has {len(values)} entries but n_layer is {n_layer}")
    return values


def tiny_llama_param_count(
    *, n_layer: int = 2, n_embd: int = 64, n_head: int = 4, n_head_kv: int | Sequence[int] = 2,
    n_ff: int = 128, n_vocab: int | None = None,
) -> int:
    """Return the number of parameters ``write_tiny_llama`` writes for these shapes."""
    if n_vocab is None:
        n_vocab = len(build_spm_vocab())
    head_dim = n_embd // n_head
    total = 2 * n_vocab * n_embd + n_embd  # token_embd, output, output_norm
    for kv_heads in _per_layer(n_head_kv, n_layer, "n_head_kv"):
        n_embd_kv = kv_heads * head_dim
        total += 2 * n_embd  # attn_norm, ffn_norm
        total += 2 * n_embd * n_embd + 2 * n_embd * n_embd_kv  # q, output, k, v
        total += 3 * n_embd * n_ff  # gate, up, down
    return total


def _resolve_token(vocab: Vocab, token: str | int) -> int:
    if isinstance(token, int):
        if not 0 <= token < len(vocab):
            raise ValueError(f"token id {token} is outside the vocabulary of {len(vocab)} tokens")
        return token
    return vocab.id_of(token)


def write_tiny_llama(
    path: str | Path,
    *,
    n_layer: int = 2,
    n_embd: int = 64,
    n_head: int = 4,
    n_head_kv: int | Sequence[int] = 2,
    n_ff: int = 128,
    n_ctx_train: int = 2048,
    vocab: str = "spm",
    chat_template: str | None = DEFAULT_TEMPLATE,
    seed: int = 0,
    eos_ids: Sequence[str | int] = (EOS, "<|im_end|>"),
    dtype: str = "f32",
    suppress_eog: bool = True,
    name: str = "LLM Desk tiny llama",
) -> Path:
    """Write a llama-architecture GGUF model with random weights and return its path.

    ``n_head_kv`` may be a list with one entry per layer, written as an array as some models do.
    NOTE: llama.cpp's llama architecture sizes every layer's K/V tensors from one head count.
    It loads such a file only when all entries are equal, so other lists suit header tests only.
    ``eos_ids`` are tokens (pieces or ids) that end generation: the first is written as
    ``tokenizer.ggml.eos_token_id``, the second as ``eot_token_id`` and a third as
    ``eom_token_id``. ``dtype`` sets the type of the 2-D weights ("f32", "f16" or "q8_0"); norm
    weights stay F32 as in converted models. With ``suppress_eog`` the output rows of the
    control and end-of-generation tokens are zero, so greedy decoding practically never ends
    early on random weights. With sampling, each step still has a small chance of ending.
    """
    if vocab != "spm":
        raise ValueError(f"vocab {vocab!r} is not supported; only 'spm' is implemented")
    if dtype not in _DTYPES:
        raise ValueError(f"dtype {dtype!r} is not supported; use one of {sorted(_DTYPES)}")
    if n_embd % n_head:
        raise ValueError(f"n_embd {n_embd} is not divisible by n_head {n_head}")
    if not 1 <= len(eos_ids) <= 3:
        raise ValueError(f"eos_ids needs 1 to 3 tokens (eos, eot, eom), got {len(eos_ids)}")
    kv_heads = _per_layer(n_head_kv, n_layer, "n_head_kv")
    for heads in kv_heads:
        if heads <= 0 or n_head % heads:
            raise ValueError(f"n_head {n_head} is not a multiple of n_head_kv {heads}")

    spm = build_spm_vocab()
    eog = [_resolve_token(spm, token) for token in eos_ids]
    head_dim = n_embd // n_head
    qtype = _DTYPES[dtype]
    rng = np.random.default_rng(seed)
    path = Path(path)

    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name(name)
    writer.add_file_type(int(_FILE_TYPES[dtype]))
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    writer.add_context_length(n_ctx_train)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head_kv if isinstance(n_head_kv, int) else kv_heads)
    writer.add_rope_dimension_count(head_dim)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_vocab_size(len(spm))

    writer.add_tokenizer_model("llama")
    writer.add_token_list(list(spm.tokens))
    writer.add_token_scores(list(spm.scores))
    writer.add_token_types(list(spm.types))
    writer.add_unk_token_id(spm.id_of(UNK))
    writer.add_bos_token_id(spm.id_of(BOS))
    writer.add_eos_token_id(eog[0])
    if len(eog) > 1:
        writer.add_eot_token_id(eog[1])
    if len(eog) > 2:
        writer.add_eom_token_id(eog[2])
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    if chat_template is not None:
        writer.add_chat_template(chat_template)

    def matrix(rows: int, cols: int) -> np.ndarray:
        return (rng.standard_normal((rows, cols), dtype=np.float32) / np.sqrt(cols)).astype(np.float32)

    def add_weight(tensor_name: str, data: np.ndarray) -> None:
        if qtype == gguf.GGMLQuantizationType.F32:
            writer.add_tensor(tensor_name, data)
        elif qtype == gguf.GGMLQuantizationType.F16:
            writer.add_tensor(tensor_name, data.astype(np.float16))
        else:
            writer.add_tensor(tensor_name, gguf.quants.quantize(data, qtype), raw_dtype=qtype)

    def add_norm(tensor_name: str) -> None:
        writer.add_tensor(tensor_name, np.ones(n_embd, dtype=np.float32))

    n_vocab = len(spm)
    token_embd = rng.standard_normal((n_vocab, n_embd), dtype=np.float32)
    output = matrix(n_vocab, n_embd) * np.float32(4.0)
    if suppress_eog:
        for token_id, token_type in enumerate(spm.types):
            if token_type == gguf.TokenType.CONTROL or token_id in eog:
                output[token_id] = 0.0
    add_weight("token_embd.weight", token_embd)
    add_norm("output_norm.weight")
    add_weight("output.weight", output)
    for layer, heads in enumerate(kv_heads):
        prefix = f"blk.{layer}"
        add_norm(f"{prefix}.attn_norm.weight")
        add_weight(f"{prefix}.attn_q.weight", matrix(n_embd, n_embd))
        add_weight(f"{prefix}.attn_k.weight", matrix(heads * head_dim, n_embd))
        add_weight(f"{prefix}.attn_v.weight", matrix(heads * head_dim, n_embd))
        add_weight(f"{prefix}.attn_output.weight", matrix(n_embd, n_embd))
        add_norm(f"{prefix}.ffn_norm.weight")
        add_weight(f"{prefix}.ffn_gate.weight", matrix(n_ff, n_embd))
        add_weight(f"{prefix}.ffn_up.weight", matrix(n_ff, n_embd))
        add_weight(f"{prefix}.ffn_down.weight", matrix(n_embd, n_ff))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def write_bench_llama(path: str | Path, *, dtype: str = "f16", seed: int = 0, **overrides) -> Path:
    """Write the ``BENCH_25M`` model (about 25 million parameters) for speed measurements."""
    return write_tiny_llama(path, dtype=dtype, seed=seed, **{**BENCH_25M, **overrides})


def _tensor_bytes(shape: Sequence[int], qtype: gguf.GGMLQuantizationType) -> int:
    block_size, type_size = gguf.GGML_QUANT_SIZES[qtype]
    n_elements = int(np.prod(shape))
    if shape[-1] % block_size:
        raise ValueError(f"row length {shape[-1]} is not a multiple of {qtype.name} block size {block_size}")
    return n_elements // block_size * type_size


def write_sparse_model(
    path: str | Path,
    *,
    arch: str = "llama",
    n_layer: int = 32,
    n_embd: int = 4096,
    n_head: int = 32,
    n_head_kv: int | Sequence[int] = 8,
    n_ff: int = 14336,
    n_vocab: int = 128256,
    n_merges: int = 0,
    n_ctx_train: int = 131072,
    weight_type: str = "Q4_K",
    file_type: int | None = gguf.LlamaFileType.MOSTLY_Q4_K_M,
    n_expert: int = 0,
    n_expert_used: int = 0,
    tie_output: bool = False,
    chat_template: str | None = DEFAULT_TEMPLATE,
    extra_kv: dict[str, int | float | str] | None = None,
) -> Path:
    """Write a full-size model header whose tensor data is a sparse hole of zeros.

    The defaults give a Llama-3-8B-shaped Q4_K file of about 4.4 GB that takes a few MiB of disk
    (on file systems with sparse files), for header reading and fit estimates at real sizes.
    Token strings are placeholders ``t0``, ``t1``, ... and ``n_merges`` adds BPE merges of the
    same kind, so the tokenizer arrays have realistic lengths. Norm weights are F32, the other
    2-D weights ``weight_type``; MoE models (``n_expert`` > 0) get ``ffn_*_exps`` tensors.
    llama.cpp is not meant to load these files.
    """
    path = Path(path)
    qtype = gguf.GGMLQuantizationType[weight_type]
    f32 = gguf.GGMLQuantizationType.F32
    kv_heads = _per_layer(n_head_kv, n_layer, "n_head_kv")
    head_dim = n_embd // n_head

    writer = gguf.GGUFWriter(path, arch)
    writer.add_name(f"sparse {arch} test model")
    if file_type is not None:
        writer.add_file_type(int(file_type))
    writer.add_context_length(n_ctx_train)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head_kv if isinstance(n_head_kv, int) else kv_heads)
    writer.add_rope_dimension_count(head_dim)
    if n_expert:
        writer.add_expert_count(n_expert)
        writer.add_expert_used_count(n_expert_used)
    for key, value in (extra_kv or {}).items():
        if isinstance(value, bool):
            writer.add_bool(key, value)
        elif isinstance(value, int):
            writer.add_uint32(key, value)
        elif isinstance(value, float):
            writer.add_float32(key, value)
        else:
            writer.add_string(key, value)
    writer.add_tokenizer_model("gpt2" if n_merges else "llama")
    writer.add_token_list([f"t{i}" for i in range(n_vocab)])
    writer.add_token_types([int(gguf.TokenType.NORMAL)] * n_vocab)
    if n_merges:
        writer.add_token_merges([f"t{i} t{i + 1}" for i in range(n_merges)])
    else:
        writer.add_token_scores([0.0] * n_vocab)
    writer.add_bos_token_id(0)
    writer.add_eos_token_id(1)
    if chat_template is not None:
        writer.add_chat_template(chat_template)

    def add_info(name: str, shape: Sequence[int], tensor_type: gguf.GGMLQuantizationType) -> None:
        writer.add_tensor_info(name, shape, np.dtype(np.float32), _tensor_bytes(shape, tensor_type),
                               raw_dtype=tensor_type)

    add_info("token_embd.weight", (n_vocab, n_embd), qtype)
    for layer, heads in enumerate(kv_heads):
        prefix = f"blk.{layer}"
        add_info(f"{prefix}.attn_norm.weight", (n_embd,), f32)
        add_info(f"{prefix}.attn_q.weight", (n_embd, n_embd), qtype)
        add_info(f"{prefix}.attn_k.weight", (heads * head_dim, n_embd), qtype)
        add_info(f"{prefix}.attn_v.weight", (heads * head_dim, n_embd), qtype)
        add_info(f"{prefix}.attn_output.weight", (n_embd, n_embd), qtype)
        add_info(f"{prefix}.ffn_norm.weight", (n_embd,), f32)
        if n_expert:
            add_info(f"{prefix}.ffn_gate_inp.weight", (n_expert, n_embd), f32)
            add_info(f"{prefix}.ffn_gate_exps.weight", (n_expert, n_ff, n_embd), qtype)
            add_info(f"{prefix}.ffn_up_exps.weight", (n_expert, n_ff, n_embd), qtype)
            add_info(f"{prefix}.ffn_down_exps.weight", (n_expert, n_embd, n_ff), qtype)
        else:
            add_info(f"{prefix}.ffn_gate.weight", (n_ff, n_embd), qtype)
            add_info(f"{prefix}.ffn_up.weight", (n_ff, n_embd), qtype)
            add_info(f"{prefix}.ffn_down.weight", (n_embd, n_ff), qtype)
    add_info("output_norm.weight", (n_embd,), f32)
    if not tie_output:
        add_info("output.weight", (n_vocab, n_embd), qtype)

    data_size = sum(
        gguf.GGUFWriter.ggml_pad(info.nbytes, writer.data_alignment) for info in writer.tensors[0].values()
    )
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    writer.close()
    with open(path, "r+b") as handle:
        handle.seek(0, io.SEEK_END)
        data_offset = gguf.GGUFWriter.ggml_pad(handle.tell(), writer.data_alignment)
        handle.truncate(data_offset + data_size)
    return path


BAD_KINDS = (
    "lfs_pointer", "html", "truncated", "not_gguf", "zero_length_key", "header_only",
    "unknown_arch", "empty",
)


def _tensor_data_offset(path: Path) -> int:
    return int(gguf.GGUFReader(path).data_offset)


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("model.gguf", date_time=(2024, 1, 1, 0, 0, 0))
        archive.writestr(info, b"not really a model\n" * 64)
    return buffer.getvalue()


def write_bad_file(path: str | Path, kind: str) -> Path:
    """Write a broken model file of ``kind`` (one of ``BAD_KINDS``) and return its path.

    - lfs_pointer: the text Git LFS leaves in place of an unfetched file.
    - html: an HTML error page saved under the model's name.
    - truncated: a valid tiny model cut in the middle of its tensor data.
    - not_gguf: a ZIP archive.
    - zero_length_key: a 37-byte GGUF with one metadata key of length 0 (aborts some llama.cpp
      versions).
    - header_only: a valid tiny model's header, metadata and tensor infos, with no tensor data.
    - unknown_arch: a complete, valid GGUF whose general.architecture is "nosucharch".
    - empty: 0 bytes.
    """
    path = Path(path)
    if kind == "lfs_pointer":
        model = write_tiny_llama(path)
        oid = hashlib.sha256(model.read_bytes()).hexdigest()
        size = model.stat().st_size
        path.write_bytes(
            f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n".encode()
        )
    elif kind == "html":
        path.write_bytes(
            b"<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
            b"<title>401 Unauthorized</title></head>\n<body><h1>Access to this model is restricted"
            b"</h1><p>You must be logged in to download this file.</p></body>\n</html>\n"
        )
    elif kind in ("truncated", "header_only"):
        write_tiny_llama(path)
        data_offset = _tensor_data_offset(path)
        blob = path.read_bytes()
        cut = data_offset if kind == "header_only" else data_offset + (len(blob) - data_offset) // 2
        path.write_bytes(blob[:cut])
    elif kind == "not_gguf":
        path.write_bytes(_zip_bytes())
    elif kind == "zero_length_key":
        # magic, version 3, 0 tensors, 1 KV; key length 0; value type UINT8; value 1.
        blob = b"GGUF" + struct.pack("<IQQQIB", 3, 0, 1, 0, int(gguf.GGUFValueType.UINT8), 1)
        assert len(blob) == 37
        path.write_bytes(blob)
    elif kind == "unknown_arch":
        writer = gguf.GGUFWriter(path, "nosucharch")
        writer.add_name("model of an unknown architecture")
        writer.add_uint32("nosucharch.block_count", 1)
        writer.add_tensor("token_embd.weight", np.zeros((8, 32), dtype=np.float32))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        raise ValueError(f"unknown bad file kind {kind!r}; use one of {BAD_KINDS}")
    return path
