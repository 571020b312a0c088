"""Tests of the model catalog: the shipped models.json and the loader's validation."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from llmdesk.core import paths
from llmdesk.core.catalog import (
    KNOWN_QUANTS,
    NOMINAL_BITS_PER_WEIGHT,
    Catalog,
    load_catalog,
    quant_name_from_filename,
)

SHIPPED = paths.builtin_catalog_path()
NO_USER_FILE = Path("/nonexistent/llmdesk/models.user.json")

REQUIRED_IDS = [
    "llama-2-7b-chat", "llama-2-13b-chat", "llama-2-70b-chat",
    "llama-3-8b-instruct", "llama-3.1-8b-instruct", "llama-3.2-1b-instruct", "llama-3.2-3b-instruct",
    "llama-3.3-70b-instruct",
    "mistral-7b-instruct-v0.3", "mistral-nemo-instruct-2407", "mistral-small-24b-instruct-2501",
    "mixtral-8x7b-instruct-v0.1",
    "deepseek-llm-7b-chat", "deepseek-llm-67b-chat",
    "deepseek-r1-distill-qwen-1.5b", "deepseek-r1-distill-qwen-7b", "deepseek-r1-distill-qwen-14b",
    "deepseek-r1-distill-qwen-32b", "deepseek-r1-distill-llama-8b", "deepseek-r1-distill-llama-70b",
    "deepseek-coder-v2-lite-instruct",
]
CORE_QUANTS = ["Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0"]


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return load_catalog(SHIPPED, NO_USER_FILE)


def minimal_build(build_id: str = "test-model", **overrides) -> dict:
    build = {
        "id": build_id,
        "name": "Test Model",
        "family": "Llama",
        "license": "MIT",
        "arch": {"architecture": "llama", "n_params": 1_000_000_000, "n_layer": 16, "n_embd": 2048,
                 "n_head": 32, "n_head_kv": 8, "n_vocab": 32000, "n_ctx_train": 4096},
        "quants": [{"name": "Q4_K_M", "repo": "owner/Test-GGUF", "filename": "test-Q4_K_M.gguf",
                    "size_bytes": 611_250_000, "size_is_estimate": True}],
    }
    build.update(overrides)
    return build


def write_catalog(path: Path, builds: list, **top) -> Path:
    document = {"schema_version": 1, "builds": builds, **top}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def error_paths(catalog: Catalog) -> list[str]:
    return [error.path for error in catalog.errors]


# ---------------------------------------------------------------- the shipped catalog

def test_shipped_catalog_has_no_errors(shipped):
    assert [str(error) for error in shipped.errors] == []


def test_shipped_catalog_has_required_builds(shipped):
    missing = [build_id for build_id in REQUIRED_IDS if shipped.get(build_id) is None]
    assert missing == []


def test_shipped_families(shipped):
    assert shipped.families() == ["Llama", "Mistral", "DeepSeek"]
    for build in shipped.builds:
        assert build.family in ("Llama", "Mistral", "DeepSeek"), build.id


def test_every_build_has_core_quants(shipped):
    for build in shipped.builds:
        names = [quant.name for quant in build.quants]
        for name in CORE_QUANTS:
            assert name in names, f"{build.id} lacks {name}"


def test_every_quant_has_ppl_figure(shipped):
    for build in shipped.builds:
        for quant in build.quants:
            assert quant.ppl_delta_pct is not None, f"{build.id} {quant.name}"
            assert quant.ppl_source and "Llama-3-8B" in quant.ppl_source, f"{build.id} {quant.name}"


def test_ppl_cost_falls_with_more_bits(shipped):
    for build in shipped.builds:
        ordered = sorted(build.quants, key=lambda quant: NOMINAL_BITS_PER_WEIGHT[quant.name])
        costs = [quant.ppl_delta_pct for quant in ordered]
        assert costs == sorted(costs, reverse=True), build.id


def test_sizes_grow_with_bits_per_weight(shipped):
    for build in shipped.builds:
        ordered = sorted(build.quants, key=lambda quant: NOMINAL_BITS_PER_WEIGHT[quant.name])
        sizes = [quant.size_bytes for quant in ordered]
        assert sizes == sorted(sizes), build.id
        assert len(set(sizes)) == len(sizes), build.id


def test_sizes_plausible_for_parameter_count(shipped):
    for build in shipped.builds:
        for quant in build.quants:
            bits = quant.size_bytes * 8 / build.arch.n_params
            nominal = NOMINAL_BITS_PER_WEIGHT[quant.name]
            assert 0.85 * nominal < bits < 1.15 * nominal, f"{build.id} {quant.name}: {bits:.2f} bpw"


def test_exact_sizes_are_known_files(shipped):
    llama2 = shipped.get("llama-2-7b-chat")
    q4 = llama2.quant("Q4_K_M")
    assert q4.size_is_estimate is False
    assert q4.size_bytes == 4_081_004_224
    assert q4.sha256 == "08a5566d61d7cb6b420c3e4387a39e0078e1f2fe5f055f3a03887385304d4bfa"
    assert llama2.quant("Q8_0").size_bytes == 7_161_089_728
    assert llama2.quant("Q6_K").sha256 is None
    exact = [(build.id, quant.name) for build in shipped.builds for quant in build.quants
             if not quant.size_is_estimate]
    assert exact == [("llama-2-7b-chat", name) for name in ("Q2_K", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0")]


def test_unknown_hashes_are_null(shipped):
    for build in shipped.builds:
        for quant in build.quants:
            if quant.size_is_estimate:
                assert quant.sha256 is None, f"{build.id} {quant.name}"


def test_head_dim_consistent(shipped):
    explicit = {"mistral-nemo-instruct-2407": 128, "mistral-small-24b-instruct-2501": 128,
                "deepseek-coder-v2-lite-instruct": 192}
    for build in shipped.builds:
        arch = build.arch
        expected = explicit.get(build.id, arch.n_embd // arch.n_head)
        assert arch.head_dim == expected, build.id
        assert arch.n_head % arch.n_head_kv == 0, build.id


@pytest.mark.parametrize(("build_id", "n_layer", "n_head_kv", "head_dim", "n_vocab", "n_ctx_train"), [
    ("llama-3.1-8b-instruct", 32, 8, 128, 128256, 131072),
    ("llama-3-8b-instruct", 32, 8, 128, 128256, 8192),
    ("mistral-7b-instruct-v0.3", 32, 8, 128, 32768, 32768),
    ("llama-2-7b-chat", 32, 32, 128, 32000, 4096),
    ("llama-2-70b-chat", 80, 8, 128, 32000, 4096),
    ("llama-3.2-1b-instruct", 16, 8, 64, 128256, 131072),
    ("deepseek-r1-distill-qwen-7b", 28, 4, 128, 152064, 131072),
    ("deepseek-llm-67b-chat", 95, 8, 128, 102400, 4096),
])
def test_arch_known_facts(shipped, build_id, n_layer, n_head_kv, head_dim, n_vocab, n_ctx_train):
    arch = shipped.get(build_id).arch
    assert arch.n_layer == n_layer
    assert arch.n_head_kv == n_head_kv
    assert arch.head_dim == head_dim
    assert arch.n_vocab == n_vocab
    assert arch.n_ctx_train == n_ctx_train


def test_arch_names_match_gguf(shipped):
    assert shipped.get("deepseek-r1-distill-qwen-14b").arch.architecture == "qwen2"
    assert shipped.get("deepseek-r1-distill-llama-8b").arch.architecture == "llama"
    assert shipped.get("mixtral-8x7b-instruct-v0.1").arch.architecture == "llama"
    assert shipped.get("deepseek-coder-v2-lite-instruct").arch.architecture == "deepseek2"


def test_moe_builds_have_expert_facts(shipped):
    mixtral = shipped.get("mixtral-8x7b-instruct-v0.1")
    assert (mixtral.arch.n_expert, mixtral.arch.n_expert_used) == (8, 2)
    assert mixtral.arch.n_active_params < mixtral.arch.n_params
    assert "moe" in mixtral.tags

    coder = shipped.get("deepseek-coder-v2-lite-instruct")
    assert (coder.arch.n_expert, coder.arch.n_expert_used, coder.arch.n_expert_shared) == (64, 6, 2)
    assert coder.arch.kv_lora_rank == 512
    assert coder.arch.rope_dim == 64
    assert coder.arch.head_dim_v == 128
    assert {"code", "moe"} <= set(coder.tags)


def test_dense_builds_have_no_experts(shipped):
    for build in shipped.builds:
        if "moe" not in build.tags:
            assert build.arch.n_expert == 0, build.id
            assert build.arch.n_active_params is None, build.id


def test_reasoning_tag_on_r1_distills(shipped):
    for build in shipped.builds:
        assert ("reasoning" in build.tags) == build.id.startswith("deepseek-r1-distill"), build.id


def test_licenses(shipped):
    assert shipped.get("llama-2-13b-chat").license == "Llama 2 Community License"
    assert shipped.get("llama-3.1-8b-instruct").license == "Llama 3.1 Community License"
    assert shipped.get("mistral-nemo-instruct-2407").license == "Apache-2.0"
    assert shipped.get("deepseek-r1-distill-qwen-32b").license == "MIT"
    assert shipped.get("deepseek-llm-7b-chat").license == "DeepSeek License"


def test_homepages_are_original_repos(shipped):
    for build in shipped.builds:
        assert build.homepage.startswith("https://huggingface.co/"), build.id
        assert "GGUF" not in build.homepage, build.id


def test_split_quants_are_consistent(shipped):
    llama33_q8 = shipped.get("llama-3.3-70b-instruct").quant("Q8_0")
    assert llama33_q8.parts_join == "gguf-split"
    assert llama33_q8.filename == llama33_q8.parts[0]
    assert llama33_q8.parts[1].endswith("-00002-of-00002.gguf")

    llama2_q6 = shipped.get("llama-2-70b-chat").quant("Q6_K")
    assert llama2_q6.parts_join == "concat"
    assert llama2_q6.filename == "llama-2-70b-chat.Q6_K.gguf"
    assert llama2_q6.parts == ("llama-2-70b-chat.Q6_K.gguf-split-a", "llama-2-70b-chat.Q6_K.gguf-split-b")


def test_scores_attached_only_to_their_model(shipped):
    llama3 = {score.name: score for score in shipped.get("llama-3-8b-instruct").benchmarks}
    assert llama3["MMLU"].value == 68.4
    assert llama3["HumanEval"].value == 62.2
    assert llama3["GSM8K"].value == 79.6
    assert "Llama 3 model card" in llama3["MMLU"].source

    # The comparison article's "DeepSeek" MMLU 78.1 / GSM8K 85.5 and Mistral-7B MMLU 60.1 / GSM8K 50.0
    # name no build of this catalog, so no build may carry them.
    for build in shipped.builds:
        values = {(score.name, score.value) for score in build.benchmarks}
        assert ("MMLU", 78.1) not in values, build.id
        assert ("GSM8K", 85.5) not in values, build.id
        assert ("MMLU", 60.1) not in values or build.id == "deepseek-coder-v2-lite-instruct", build.id
        assert ("GSM8K", 50.0) not in values, build.id
        if build.id != "llama-3-8b-instruct":
            assert ("MMLU", 68.4) not in values, build.id
            assert ("HumanEval", 62.2) not in values, build.id
    assert shipped.get("mistral-7b-instruct-v0.3").benchmarks == ()


def test_every_score_names_its_source(shipped):
    for build in shipped.builds:
        for score in build.benchmarks:
            assert score.source.strip(), f"{build.id} {score.name}"


def test_notes_explain_left_out_scores():
    document = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert document["schema_version"] == 1
    notes = " ".join(document["notes"])
    assert "78.1" in notes
    assert "85.5" in notes
    assert "bytes" in notes


def test_schema_file_is_valid_json():
    schema = json.loads((paths.resources_dir() / "catalog.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["schema_version"]["const"] == 1
    quant_names = set(schema["$defs"]["quant"]["properties"]["name"]["enum"])
    assert quant_names == set(KNOWN_QUANTS)


def test_schema_accepts_shipped_catalog():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((paths.resources_dir() / "catalog.schema.json").read_text(encoding="utf-8"))
    document = json.loads(SHIPPED.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)


# ---------------------------------------------------------------- lookups

def test_find_by_file(shipped):
    build, quant = shipped.find_by_file("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
                                        "Meta-Llama-3.1-8B-Instruct-Q5_K_M.gguf")
    assert build.id == "llama-3.1-8b-instruct"
    assert quant.name == "Q5_K_M"


def test_find_by_file_ignores_case_and_repo(shipped):
    build, quant = shipped.find_by_file(None, "/home/me/models/LLAMA-2-13B-CHAT.Q6_K.GGUF")
    assert build.id == "llama-2-13b-chat"
    assert quant.name == "Q6_K"


def test_find_by_file_matches_split_piece(shipped):
    build, quant = shipped.find_by_file("bartowski/DeepSeek-R1-Distill-Llama-70B-GGUF",
                                        "DeepSeek-R1-Distill-Llama-70B-Q8_0-00002-of-00002.gguf")
    assert build.id == "deepseek-r1-distill-llama-70b"
    assert quant.name == "Q8_0"


def test_find_by_file_wrong_repo(shipped):
    assert shipped.find_by_file("someone/else", "Meta-Llama-3.1-8B-Instruct-Q5_K_M.gguf") is None
    assert shipped.find_by_file(None, "unknown-model.gguf") is None


def test_match_ranks_by_name_words(shipped):
    matches = shipped.match(filename="DeepSeek-R1-Distill-Llama-8B.q4_k_m (1).gguf", arch="llama",
                            n_params=8_030_261_248, n_ctx_train=131072)
    assert matches[0].build.id == "deepseek-r1-distill-llama-8b"
    assert matches[0].quant.name == "Q4_K_M"
    assert matches[0].reason == "architecture and size"
    assert {match.build.id for match in matches} == {
        "deepseek-r1-distill-llama-8b", "llama-3.1-8b-instruct", "llama-3-8b-instruct"}


def test_match_context_breaks_tie(shipped):
    matches = shipped.match(filename="model.gguf", arch="llama", n_params=8_030_261_248, n_ctx_train=8192)
    assert matches[0].build.id == "llama-3-8b-instruct"
    assert matches[0].quant is None


def test_match_filters_architecture(shipped):
    matches = shipped.match(arch="qwen2", n_params=7_615_616_512)
    assert [match.build.id for match in matches] == ["deepseek-r1-distill-qwen-7b"]
    assert shipped.match(arch="gemma3", n_params=7_615_616_512) == []


def test_match_exact_file_name(shipped):
    matches = shipped.match(filename="mixtral-8x7b-instruct-v0.1.Q5_K_M.gguf")
    assert len(matches) == 1
    assert matches[0].build.id == "mixtral-8x7b-instruct-v0.1"
    assert matches[0].reason == "file name"


def test_match_similar_file_name_only(shipped):
    matches = shipped.match(filename="Mistral-Nemo-Instruct-2407.IQ4_XS.gguf")
    assert matches[0].build.id == "mistral-nemo-instruct-2407"
    assert matches[0].quant is None
    assert matches[0].reason == "similar file name"
    assert shipped.match() == []


@pytest.mark.parametrize(("filename", "expected"), [
    ("llama-2-7b-chat.Q4_K_M.gguf", "Q4_K_M"),
    ("Meta-Llama-3.1-8B-Instruct-q8_0.gguf", "Q8_0"),
    ("Llama-3.3-70B-Instruct-Q6_K-00001-of-00002.gguf", "Q6_K"),
    ("dir/Model-IQ4_XS.gguf", "IQ4_XS"),
    ("model-f16.gguf", "F16"),
    ("model.gguf", None),
    ("model-Q4_0_4_4.gguf", None),
])
def test_quant_name_from_filename(filename, expected):
    assert quant_name_from_filename(filename) == expected


# ---------------------------------------------------------------- validation

def test_broken_entries_reported_and_skipped(tmp_path):
    bad_size = minimal_build("bad-size")
    bad_size["quants"][0]["size_bytes"] = -5
    bad_arch = minimal_build("bad-arch")
    bad_arch["arch"]["n_layer"] = "32"
    bad_quant_name = minimal_build("bad-quant-name")
    bad_quant_name["quants"].append({**bad_quant_name["quants"][0], "name": "Q4_K_X"})
    catalog = load_catalog(write_catalog(tmp_path / "models.json", [
        minimal_build("good-one"), bad_size, bad_arch, bad_quant_name, "not an object", minimal_build("good-two"),
    ]), NO_USER_FILE)

    assert [build.id for build in catalog.builds] == ["good-one", "bad-quant-name", "good-two"]
    paths_found = error_paths(catalog)
    assert "builds[1].quants[0].size_bytes" in paths_found
    assert "builds[2].arch.n_layer" in paths_found
    assert "builds[3].quants[1].name" in paths_found
    assert "builds[4]" in paths_found
    # The bad extra quant is dropped while the build keeps its good quant.
    assert [quant.name for quant in catalog.get("bad-quant-name").quants] == ["Q4_K_M"]
    assert all(error.file == str(tmp_path / "models.json") for error in catalog.errors)


def test_error_message_names_value_and_fix(tmp_path):
    build = minimal_build()
    build["quants"][0]["sha256"] = "abc123"
    catalog = load_catalog(write_catalog(tmp_path / "models.json", [build]), NO_USER_FILE)
    sha_errors = [error for error in catalog.errors if error.path == "builds[0].quants[0].sha256"]
    assert len(sha_errors) == 1
    assert "64 hexadecimal" in sha_errors[0].message
    assert "'abc123'" in sha_errors[0].message
    assert str(sha_errors[0]).startswith(str(tmp_path / "models.json") + ": builds[0].quants[0].sha256: ")


def test_sha256_is_normalized(tmp_path):
    build = minimal_build()
    build["quants"][0]["sha256"] = "AB" * 32
    catalog = load_catalog(write_catalog(tmp_path / "models.json", [build]), NO_USER_FILE)
    assert catalog.errors == []
    assert catalog.builds[0].quants[0].sha256 == "ab" * 32


@pytest.mark.parametrize(("field", "value", "path_suffix"), [
    ("n_head_kv", 3, "n_head_kv"),
    ("n_embd", 2050, "n_embd"),
    ("n_params", 0, "n_params"),
    ("n_expert_used", 2, "n_expert_used"),
    ("n_active_params", 2_000_000_000, "n_active_params"),
    ("architecture", "Llama", "architecture"),
])
def test_arch_inconsistency_rejected(tmp_path, field, value, path_suffix):
    build = minimal_build()
    build["arch"][field] = value
    catalog = load_catalog(write_catalog(tmp_path / "models.json", [build]), NO_USER_FILE)
    assert catalog.builds == []
    assert f"builds[0].arch.{path_suffix}" in error_paths(catalog)


def test_explicit_head_dim_accepted(tmp_path):
    build = minimal_build()
    build["arch"].update(n_embd=5120, n_head=32, head_dim=128)
    catalog = load_catalog(write_catalog(tmp_path / "models.json", [build]), NO_USER_FILE)
    assert catalog.errors == []
    assert catalog.builds[0].arch.head_dim == 128


def test_missing_required_fields(tmp_path):
    build = minimal_build()
    del build["license"]
    del build["quants"][0]["size_is_estimate"]
    catalog = load_catalog(write_catalog(tmp_path / "models.json", [build]), NO_USER_FILE)
    assert catalog.builds == []
    assert "builds[0].license" in error_paths(catalog)


def test_build_without_valid_quant_skipped(tmp_path):
    build = minimal_build()
    build["quants"][0]["size_is_estimate"] = "yes"
    catalog = load_catalog(write_catalog(tmp_path / "models.json", [build]), NO_USER_FILE)
    assert catalog.builds == []
    assert "builds[0].quants[0].size_is_estimate" in error_paths(catalog)
    assert "builds[0]" in error_paths(catalog)


def test_size_in_wrong_unit_rejected(tmp_path):
    build = minimal_build()
    build["quants"][0]["size_bytes"] = 611
    catalog = load_catalog(write_catalog(tmp_path / "models.json", [build]), NO_USER_FILE)
    messages = [error.message for error in catalog.errors if error.path == "builds[0].quants[0].size_bytes"]
    assert messages and "bytes" in messages[0]


@pytest.mark.parametrize("filename", ["../escape.gguf", "/abs/model.gguf", "dir\\model.gguf", "C:model.gguf",
                                      "model.bin", ""])
def test_unsafe_filename_rejected(tmp_path, filename):
    build = minimal_build()
    build["quants"][0]["filename"] = filename
    catalog = load_catalog(write_catalog(tmp_path / "models.json", [build]), NO_USER_FILE)
    assert catalog.builds == []
    assert "builds[0].quants[0].filename" in error_paths(catalog)


def test_parts_rules(tmp_path):
    quant = minimal_build()["quants"][0]
    good_split = {**quant, "filename": "d/m-00001-of-00002.gguf",
                  "parts": ["d/m-00001-of-00002.gguf", "d/m-00002-of-00002.gguf"], "parts_join": "gguf-split"}
    wrong_first = {**good_split, "name": "Q8_0", "filename": "m.gguf"}
    no_join = {**quant, "name": "Q6_K", "parts": ["a.gguf-split-a", "a.gguf-split-b"]}
    join_alone = {**quant, "name": "Q5_K_M", "parts_join": "concat"}
    build = minimal_build(quants=[good_split, wrong_first, no_join, join_alone])
    catalog = load_catalog(write_catalog(tmp_path / "models.json", [build]), NO_USER_FILE)
    assert [quant.name for quant in catalog.builds[0].quants] == ["Q4_K_M"]
    paths_found = error_paths(catalog)
    assert "builds[0].quants[1].filename" in paths_found
    assert "builds[0].quants[2].parts_join" in paths_found
    assert "builds[0].quants[3].parts_join" in paths_found


def test_duplicate_ids_and_quants(tmp_path):
    build = minimal_build("dup")
    build["quants"].append(copy.deepcopy(build["quants"][0]))
    catalog = load_catalog(write_catalog(tmp_path / "models.json", [build, minimal_build("dup")]), NO_USER_FILE)
    assert [build.id for build in catalog.builds] == ["dup"]
    assert len(catalog.builds[0].quants) == 1
    assert "builds[0].quants[1].name" in error_paths(catalog)
    assert "builds[1].id" in error_paths(catalog)


def test_unknown_field_reported_but_loaded(tmp_path):
    build = minimal_build(homepge="https://example.org")
    catalog = load_catalog(write_catalog(tmp_path / "models.json", [build]), NO_USER_FILE)
    assert [build.id for build in catalog.builds] == ["test-model"]
    assert error_paths(catalog) == ["builds[0].homepge"]


def test_bad_benchmark_skipped_alone(tmp_path):
    build = minimal_build(benchmarks=[{"name": "MMLU", "value": 50.0, "source": "a paper"},
                                      {"name": "GSM8K", "value": "high", "source": "a paper"}])
    catalog = load_catalog(write_catalog(tmp_path / "models.json", [build]), NO_USER_FILE)
    assert [score.name for score in catalog.builds[0].benchmarks] == ["MMLU"]
    assert "builds[0].benchmarks[1].value" in error_paths(catalog)


@pytest.mark.parametrize("bad_value", [None, "x", -1, 0, 1.5, True, [], {}, float("nan")])
def test_wrong_types_never_raise(tmp_path, bad_value):
    template = minimal_build(description="d", homepage="https://example.org", tags=["t"],
                             benchmarks=[{"name": "MMLU", "value": 1.0, "source": "s", "setting": None}])
    template["quants"][0].update(sha256=None, ppl_delta_pct=1.0, ppl_source="s", bits_per_weight=4.9)
    slots = [(template, key) for key in template]
    slots += [(template["arch"], key) for key in template["arch"]]
    slots += [(template["quants"][0], key) for key in template["quants"][0]]
    slots += [(template["benchmarks"][0], key) for key in template["benchmarks"][0]]
    for container, key in slots:
        original = container[key]
        container[key] = bad_value
        catalog = load_catalog(write_catalog(tmp_path / "models.json", [template, minimal_build("intact")]),
                               NO_USER_FILE)
        container[key] = original
        assert catalog.get("intact") is not None, key
        assert catalog.errors or len(catalog.builds) == 2, key


def test_invalid_json_is_one_error(tmp_path):
    path = tmp_path / "models.json"
    path.write_text('{"schema_version": 1, "builds": [ {"id": "x",} ]}', encoding="utf-8")
    catalog = load_catalog(path, NO_USER_FILE)
    assert catalog.builds == []
    assert len(catalog.errors) == 1
    assert catalog.errors[0].path == ""
    assert "invalid JSON at line 1" in catalog.errors[0].message


def test_wrong_top_level_is_one_error(tmp_path):
    path = tmp_path / "models.json"
    path.write_text("[1, 2]", encoding="utf-8")
    catalog = load_catalog(path, NO_USER_FILE)
    assert catalog.builds == []
    assert len(catalog.errors) == 1


def test_newer_schema_version_rejected(tmp_path):
    catalog = load_catalog(write_catalog(tmp_path / "models.json", [minimal_build()], schema_version=2),
                           NO_USER_FILE)
    assert catalog.builds == []
    assert error_paths(catalog) == ["schema_version"]


def test_missing_builtin_is_error(tmp_path):
    catalog = load_catalog(tmp_path / "absent.json", NO_USER_FILE)
    assert catalog.builds == []
    assert len(catalog.errors) == 1
    assert "not found" in catalog.errors[0].message


def test_utf8_bom_accepted(tmp_path):
    path = tmp_path / "models.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"schema_version": 1, "builds": [minimal_build()]}).encode())
    catalog = load_catalog(path, NO_USER_FILE)
    assert catalog.errors == []
    assert len(catalog.builds) == 1


# ---------------------------------------------------------------- the user catalog

def test_user_catalog_adds_and_overrides(tmp_path):
    override = minimal_build("llama-3.1-8b-instruct", name="My Llama 3.1")
    user = write_catalog(tmp_path / "models.user.json", [override, minimal_build("my-own-model")])
    catalog = load_catalog(SHIPPED, user)

    assert catalog.errors == []
    ids = [build.id for build in catalog.builds]
    assert ids[:len(REQUIRED_IDS)] == [build.id for build in load_catalog(SHIPPED, NO_USER_FILE).builds]
    assert ids[-1] == "my-own-model"
    replaced = catalog.get("llama-3.1-8b-instruct")
    assert replaced.name == "My Llama 3.1"
    assert replaced.source_file == str(user)
    assert catalog.get("llama-3-8b-instruct").source_file == str(SHIPPED)


def test_user_catalog_default_path(tmp_path, llmdesk_home):
    write_catalog(paths.user_catalog_path(), [minimal_build("from-default-user-file")])
    catalog = load_catalog()
    assert catalog.get("from-default-user-file") is not None
    assert catalog.get("llama-3.3-70b-instruct") is not None


def test_broken_user_catalog_keeps_builtin(tmp_path):
    user = tmp_path / "models.user.json"
    user.write_text("not json at all", encoding="utf-8")
    catalog = load_catalog(SHIPPED, user)
    assert len(catalog.builds) == len(REQUIRED_IDS)
    assert len(catalog.errors) == 1
    assert catalog.errors[0].file == str(user)


def test_missing_user_catalog_is_not_an_error():
    catalog = load_catalog(SHIPPED, NO_USER_FILE)
    assert catalog.errors == []
