"""Tests of the fit estimate: memory arithmetic, placement, speed, recommendation, fine-tuning.

Architecture figures are those of the published models (config.json / GGUF headers); file sizes are
those of common GGUF uploads. The records and profiles at the top are shared with test_fit_cli.py.
"""

from __future__ import annotations

import json

import pytest

from llmdesk.core.fit import (
    Placement,
    estimate,
    estimate_facts,
    finetune_advice,
    format_bytes,
    kv_cache_bytes,
    recommend,
)
from llmdesk.core.fit.devices import metal_budget_estimate
from llmdesk.core.fit.memory import compute_buffer
from llmdesk.core.catalog_types import ArchFacts, ModelBuild, QuantVariant
from llmdesk.core.hardware.profile import (
    CpuInfo,
    GpuInfo,
    GpuVendor,
    LlamaBuildInfo,
    MachineProfile,
    MemoryInfo,
)

GIB = 1024**3
MIB = 1024**2

LLAMA_31_8B = ArchFacts(architecture="llama", n_params=8_030_261_248, n_layer=32, n_embd=4096, n_head=32,
                        n_head_kv=8, head_dim=128, n_vocab=128256, n_ctx_train=131072, n_ff=14336)
MISTRAL_7B = ArchFacts(architecture="llama", n_params=7_241_732_096, n_layer=32, n_embd=4096, n_head=32,
                       n_head_kv=8, head_dim=128, n_vocab=32000, n_ctx_train=32768, n_ff=14336,
                       sliding_window=4096)
MIXTRAL_8X7B = ArchFacts(architecture="llama", n_params=46_702_792_704, n_layer=32, n_embd=4096, n_head=32,
                         n_head_kv=8, head_dim=128, n_vocab=32000, n_ctx_train=32768, n_ff=14336,
                         n_expert=8, n_expert_used=2, n_active_params=12_879_925_248)
GEMMA2_9B = ArchFacts(architecture="gemma2", n_params=9_241_705_984, n_layer=42, n_embd=3584, n_head=16,
                      n_head_kv=8, head_dim=256, n_vocab=256000, n_ctx_train=8192, n_ff=14336,
                      sliding_window=4096)
DEEPSEEK_V3 = ArchFacts(architecture="deepseek2", n_params=671_026_419_200, n_layer=61, n_embd=7168,
                        n_head=128, n_head_kv=128, head_dim=192, head_dim_v=128, n_vocab=129280,
                        n_ctx_train=163840, n_ff=18432, n_expert=256, n_expert_used=8,
                        n_active_params=37_000_000_000, kv_lora_rank=512)

LLAMA_8B_SIZES = {
    "Q2_K": 3_179_131_104, "Q3_K_M": 4_018_917_600, "Q4_K_M": 4_920_739_232, "Q5_K_M": 5_732_992_032,
    "Q6_K": 6_596_006_112, "Q8_0": 8_540_770_336, "F16": 16_068_890_848,
}


def make_build(build_id: str, arch: ArchFacts, sizes: dict[str, int], family: str = "Llama") -> ModelBuild:
    quants = tuple(QuantVariant(name=name, repo="example/repo-GGUF", filename=f"{build_id}-{name}.gguf",
                                size_bytes=size, size_is_estimate=False)
                   for name, size in sizes.items())
    return ModelBuild(id=build_id, name=build_id, family=family, arch=arch, license="test", quants=quants)


def llama_8b() -> ModelBuild:
    return make_build("llama-3.1-8b-instruct", LLAMA_31_8B, LLAMA_8B_SIZES)


def mistral_7b() -> ModelBuild:
    return make_build("mistral-7b-instruct-v0.1", MISTRAL_7B, {"Q4_K_M": 4_368_438_976},
                      family="Mistral")


def desktop_cpu(cores: int = 8) -> CpuInfo:
    return CpuInfo(model="AMD Ryzen 7 5800X 8-Core Processor", architecture="x86_64", physical_cores=cores,
                   logical_cores=cores * 2, features=frozenset({"avx", "avx2", "fma", "f16c"}))


def nvidia_pc(free_gib: float, total_gib: float = 12.0, ram_gib: float = 32.0,
              ram_available_gib: float = 24.0, usable: bool | None = True,
              name: str = "NVIDIA GeForce RTX 3060") -> MachineProfile:
    gpu = GpuInfo(vendor=GpuVendor.NVIDIA, name=name, memory_total=int(total_gib * GIB),
                  memory_free=int(free_gib * GIB), bandwidth=360e9, usable_by_llama=usable,
                  sources={"memory_free": "nvidia-smi memory.free", "bandwidth": "test figure"})
    return MachineProfile(os_name="Linux", os_version="6.8", cpu=desktop_cpu(),
                          memory=MemoryInfo(total=int(ram_gib * GIB), available=int(ram_available_gib * GIB)),
                          gpus=[gpu], ram_bandwidth=51.2e9, sources={"ram_bandwidth": "test figure"})


def cpu_only_pc(ram_gib: float = 32.0, ram_available_gib: float = 24.0) -> MachineProfile:
    return MachineProfile(os_name="Linux", os_version="6.8", cpu=desktop_cpu(),
                          memory=MemoryInfo(total=int(ram_gib * GIB), available=int(ram_available_gib * GIB)),
                          ram_bandwidth=51.2e9, sources={"ram_bandwidth": "test figure"})


def mac(ram_gib: float = 8.0, ram_available_gib: float = 7.0, metal_budget: int | None = None
        ) -> MachineProfile:
    gpu = GpuInfo(vendor=GpuVendor.APPLE, name="Apple M2", unified=True, bandwidth=100e9,
                  usable_by_llama=True)
    return MachineProfile(os_name="Darwin", os_version="14.5",
                          cpu=CpuInfo(model="Apple M2", architecture="arm64", physical_cores=8,
                                      logical_cores=8, features=frozenset({"neon", "dotprod"})),
                          memory=MemoryInfo(total=int(ram_gib * GIB), available=int(ram_available_gib * GIB)),
                          gpus=[gpu], metal_budget=metal_budget, ram_bandwidth=100e9,
                          llama=LlamaBuildInfo(available=True, supports_gpu_offload=True))


# --- memory arithmetic -------------------------------------------------------------------------------

def test_kv_cache_llama_8b_8k_f16_is_one_gib():
    # 32 layers x 8192 tokens x 8 KV heads x 128 dims x 2 (K and V) x 2 bytes
    assert kv_cache_bytes(LLAMA_31_8B, 8192, "f16") == 1 * GIB


def test_kv_cache_q8_0_and_q4_0_block_sizes():
    half_f16 = kv_cache_bytes(LLAMA_31_8B, 8192, "f16") // 2
    assert kv_cache_bytes(LLAMA_31_8B, 8192, "q8_0") == half_f16 * 34 // 32
    assert kv_cache_bytes(LLAMA_31_8B, 8192, "q4_0") == half_f16 * 18 // 32


def test_kv_cache_unknown_type_rejected():
    with pytest.raises(ValueError, match="q5_1"):
        kv_cache_bytes(LLAMA_31_8B, 8192, "q5_1")


def test_kv_cache_sliding_window_layers_capped():
    # Gemma 2 alternates sliding-window and global layers: 21 layers cache all 32768 tokens and
    # 21 cache window + n_ubatch = 4096 + 512 tokens; each token is 8 heads x (256 + 256) x 2 bytes.
    per_token = 8 * 512 * 2
    expected = 21 * 32768 * per_token + 21 * (4096 + 512) * per_token
    assert kv_cache_bytes(GEMMA2_9B, 32768, "f16") == expected


def test_kv_cache_sliding_window_not_capped_for_llama_arch():
    # llama.cpp keeps a full cache for Mistral 7B v0.1 although its config names a 4096 window.
    assert kv_cache_bytes(MISTRAL_7B, 32768, "f16") == 32 * 32768 * 8 * 256 * 2


def test_kv_cache_short_context_below_window_is_uncapped():
    assert kv_cache_bytes(GEMMA2_9B, 2048, "f16") == 42 * 2048 * 8 * 512 * 2


def test_kv_cache_mla_uses_latent_width():
    # DeepSeek-V3 caches kv_lora_rank + 64 values per layer and token. At 32768 tokens in q8_0 that is
    # 61 x 32768 x 576 x 34/32 bytes = 1166.6 MiB, the size llama.cpp logs for this model.
    size = kv_cache_bytes(DEEPSEEK_V3, 32768, "q8_0")
    assert size == 61 * 32768 * 576 * 34 // 32
    assert round(size / MIB, 2) == 1166.62


def test_compute_buffer_flash_attention_drops_scores():
    without = compute_buffer(LLAMA_31_8B, 32768, flash_attn=False)
    with_fa = compute_buffer(LLAMA_31_8B, 32768, flash_attn=True)
    assert without.attention_scores == 32768 * 512 * 32 * 4
    assert without.total == 32768 * 512 * 32 * 4 + 32768 * 512 * 4 + int(5.5 * 4096 * 512 * 4)
    assert with_fa.attention_scores == 0
    # Without the scores the f32 logits (128256 x 512 x 4 bytes) are the peak.
    assert with_fa.total == 128256 * 512 * 4 + 4096 * 512 * 4


def test_compute_buffer_llama_3b_matches_log():
    # A CUDA log of Llama 3.2 3B at 2048 tokens, n_ubatch 512, flash attention off reported a
    # 256.50 MiB compute buffer: 250.5 MiB of logits plus one 6 MiB activation.
    facts = ArchFacts(architecture="llama", n_params=3_212_749_824, n_layer=28, n_embd=3072, n_head=24,
                      n_head_kv=8, head_dim=128, n_vocab=128256, n_ctx_train=131072, n_ff=8192)
    assert compute_buffer(facts, 2048, flash_attn=False).total == int(256.5 * MIB)


def test_breakdown_sums_to_total():
    result = estimate(llama_8b(), "Q4_K_M", nvidia_pc(free_gib=10.5), n_ctx=8192)
    memory = result.memory
    assert memory.total == memory.weights + memory.kv_cache + memory.compute + memory.overhead + memory.margin
    assert memory.kv_cache == 1 * GIB
    assert memory.weights == LLAMA_8B_SIZES["Q4_K_M"]
    assert memory.gpu.total + memory.host.total == memory.total


def test_format_bytes_gib_one_decimal():
    assert format_bytes(1.5 * GIB) == "1.5 GiB"
    assert format_bytes(10 * GIB + 200 * MIB) == "10.2 GiB"


def test_format_bytes_below_one_gib_uses_mib_and_kib():
    assert format_bytes(32 * MIB) == "32 MiB"
    assert format_bytes(1023 * MIB) == "1023 MiB"
    assert format_bytes(GIB) == "1.0 GiB"
    assert format_bytes(4096) == "4 KiB"
    assert format_bytes(100) == "100 B"


# --- placement ---------------------------------------------------------------------------------------

def test_7b_q4_on_8gib_gpu_fits_at_2k_not_at_32k():
    build = mistral_7b()
    profile = nvidia_pc(free_gib=8.0, total_gib=8.0)
    short = estimate(build, "Q4_K_M", profile, n_ctx=2048)
    long = estimate(build, "Q4_K_M", profile, n_ctx=32768)
    assert short.placement == Placement.FULL_GPU
    assert short.n_gpu_layers == 33
    assert long.placement == Placement.PARTIAL_GPU
    assert 0 < long.n_gpu_layers < 33


def test_gpu_judged_on_free_not_total():
    build = llama_8b()
    busy = nvidia_pc(free_gib=10.5, total_gib=12.0)
    idle = nvidia_pc(free_gib=12.0, total_gib=12.0)
    on_busy = estimate(build, "Q8_0", busy, n_ctx=16384, flash_attn=True)
    on_idle = estimate(build, "Q8_0", idle, n_ctx=16384, flash_attn=True)
    need = on_idle.memory.gpu.total
    assert 10.5 * GIB < need <= 12 * GIB  # the case sits between the two budgets
    assert on_busy.memory.gpu.available == int(10.5 * GIB)
    assert on_idle.placement == Placement.FULL_GPU
    assert on_busy.placement == Placement.PARTIAL_GPU


def test_split_computes_layers_on_gpu():
    # Each layer has 100 MiB of weights and 16 MiB of KV cache (4096 tokens x 8 heads x 256 x 2 bytes).
    # With flash attention the feed-forward step is the compute peak: 3 x 14336 x 512 x 4 bytes (84 MiB)
    # + f16 mask (4 MiB) + 3 x 8 MiB activations = 112 MiB. CUDA adds 512 MiB and the margin is
    # 5 % + 256 MiB. So n layers need (116 n + 112 + 512) x 1.05 + 256 MiB: 2981.8 MiB for 17 and
    # 3103.6 MiB for 18, against 3 GiB (3072 MiB) free.
    facts = MISTRAL_7B
    result = estimate_facts(facts, 32 * 100 * MIB + 500 * MIB, nvidia_pc(free_gib=3.0), n_ctx=4096,
                            flash_attn=True, layer_bytes=[100 * MIB] * 32, token_embd_bytes=200 * MIB,
                            output_bytes=300 * MIB)
    assert result.placement == Placement.PARTIAL_GPU
    assert result.n_gpu_layers == 17
    assert result.n_layers_total == 33
    assert result.memory.gpu.compute == 112 * MIB
    assert result.memory.gpu.weights == 17 * 100 * MIB
    assert result.memory.host.weights == 15 * 100 * MIB + 200 * MIB + 300 * MIB
    assert result.settings.n_gpu_layers == 17


def test_output_layer_is_the_plus_one_layer():
    build = llama_8b()
    result = estimate(build, "Q4_K_M", nvidia_pc(free_gib=10.5), n_ctx=4096)
    assert result.placement == Placement.FULL_GPU
    assert result.memory.gpu.weights == LLAMA_8B_SIZES["Q4_K_M"] - result.memory.token_embd
    assert result.memory.host.weights == result.memory.token_embd


def test_mac_8gib_judged_on_metal_budget():
    budget = int(5.3 * GIB)
    profile = mac(ram_gib=8.0, ram_available_gib=7.5, metal_budget=budget)
    result = estimate(llama_8b(), "Q4_K_M", profile, n_ctx=4096)
    assert result.memory.gpu.available == budget
    assert result.placement != Placement.FULL_GPU
    assert result.n_gpu_layers < 33
    assert any("5.3 GiB" in str(line) for line in result.explanation)


def test_mac_small_model_fits_on_metal():
    build = make_build("llama-3.2-3b", ArchFacts(
        architecture="llama", n_params=3_212_749_824, n_layer=28, n_embd=3072, n_head=24, n_head_kv=8,
        head_dim=128, n_vocab=128256, n_ctx_train=131072, n_ff=8192), {"Q4_K_M": 2_019_377_696})
    result = estimate(build, "Q4_K_M", mac(metal_budget=int(5.3 * GIB)), n_ctx=4096)
    assert result.placement == Placement.FULL_GPU


def test_mac_budget_estimated_without_profile_figure():
    assert metal_budget_estimate(16 * GIB) == 16 * GIB * 2 // 3
    assert metal_budget_estimate(64 * GIB) == 64 * GIB * 3 // 4
    result = estimate(llama_8b(), "Q4_K_M", mac(metal_budget=None), n_ctx=4096)
    assert result.memory.gpu.available == 8 * GIB * 2 // 3


def test_gpu_unusable_by_llama_runs_on_cpu():
    result = estimate(llama_8b(), "Q4_K_M", nvidia_pc(free_gib=10.5, usable=False), n_ctx=4096)
    assert result.placement == Placement.CPU_ONLY
    assert result.n_gpu_layers == 0
    assert result.memory.gpu is None
    assert "cannot use NVIDIA GeForce RTX 3060" in result.explain()


def test_llama_build_without_gpu_support_runs_on_cpu():
    profile = nvidia_pc(free_gib=10.5, usable=None)
    profile.llama = LlamaBuildInfo(available=True, supports_gpu_offload=False)
    result = estimate(llama_8b(), "Q4_K_M", profile, n_ctx=4096)
    assert result.placement == Placement.CPU_ONLY
    assert "no GPU support" in result.explain()


def test_cpu_only_fits_in_available_ram():
    result = estimate(llama_8b(), "Q4_K_M", cpu_only_pc(ram_gib=32, ram_available_gib=24), n_ctx=4096)
    assert result.placement == Placement.CPU_ONLY
    assert result.device == "RAM"
    assert result.free_memory == 24 * GIB
    assert result.headroom == 24 * GIB - result.memory.host.total


def test_cpu_only_tight_when_over_available_under_total():
    result = estimate(llama_8b(), "Q4_K_M", cpu_only_pc(ram_gib=16, ram_available_gib=4), n_ctx=4096)
    assert result.placement == Placement.TIGHT
    assert result.headroom < 0
    assert "close other programs" in result.explain()


def test_cpu_only_no_fit_over_total():
    result = estimate(llama_8b(), "F16", cpu_only_pc(ram_gib=8, ram_available_gib=6), n_ctx=4096)
    assert result.placement == Placement.NO_FIT
    assert result.decode_tps is None
    assert not result.fits


def test_unknown_quant_rejected_with_choices():
    with pytest.raises(ValueError, match="Q4_K_M"):
        estimate(llama_8b(), "IQ1_S", cpu_only_pc())


def test_non_positive_context_rejected():
    with pytest.raises(ValueError, match="context length"):
        estimate(llama_8b(), "Q4_K_M", cpu_only_pc(), n_ctx=0)


def test_layer_bytes_length_checked():
    with pytest.raises(ValueError, match="3 entries"):
        estimate_facts(LLAMA_31_8B, 4 * GIB, cpu_only_pc(), layer_bytes=[1, 2, 3])


# --- speed -------------------------------------------------------------------------------------------

def test_decode_speed_bandwidth_bound():
    full = estimate(llama_8b(), "Q4_K_M", nvidia_pc(free_gib=10.5), n_ctx=4096)
    cpu = estimate(llama_8b(), "Q4_K_M", cpu_only_pc(), n_ctx=4096)
    # 360 GB/s GPU at 60 % against 51.2 GB/s RAM at 50 %, plus the fixed cost of each token.
    gpu_seconds = full.speed.bytes_per_token_gpu / (0.6 * 360e9) + full.speed.fixed_seconds_per_token
    cpu_seconds = cpu.speed.bytes_per_token_cpu / (0.5 * 51.2e9) + cpu.speed.fixed_seconds_per_token
    assert full.decode_tps == pytest.approx(1 / gpu_seconds)
    assert cpu.decode_tps == pytest.approx(1 / cpu_seconds)
    assert 6 < full.decode_tps / cpu.decode_tps < 8.5
    assert full.speed.bytes_per_token_cpu == 0
    assert full.speed.gpu_bandwidth_source == "test figure"


def test_split_speed_between_gpu_and_cpu():
    profile = nvidia_pc(free_gib=10.5)
    split = estimate(llama_8b(), "F16", profile, n_ctx=4096)
    full = estimate(llama_8b(), "F16", nvidia_pc(free_gib=24.0, total_gib=24.0), n_ctx=4096)
    cpu = estimate(llama_8b(), "F16", cpu_only_pc(), n_ctx=4096)
    assert split.placement == Placement.PARTIAL_GPU
    seconds = (split.speed.bytes_per_token_gpu / (0.6 * 360e9)
               + split.speed.bytes_per_token_cpu / (0.5 * 51.2e9) + split.speed.fixed_seconds_per_token)
    assert split.decode_tps == pytest.approx(1 / seconds)
    assert cpu.decode_tps < split.decode_tps < full.decode_tps


def test_moe_decode_uses_active_params():
    size = 26_441_533_440  # Mixtral 8x7B Q4_K_M
    moe = make_build("mixtral", MIXTRAL_8X7B, {"Q4_K_M": size})
    dense_facts = ArchFacts(**{**MIXTRAL_8X7B.__dict__, "n_expert": 0, "n_expert_used": 0,
                               "n_active_params": None})
    dense = make_build("dense", dense_facts, {"Q4_K_M": size})
    profile = cpu_only_pc(ram_gib=64, ram_available_gib=48)
    moe_result = estimate(moe, "Q4_K_M", profile, n_ctx=4096)
    dense_result = estimate(dense, "Q4_K_M", profile, n_ctx=4096)
    # About 12.9 of 46.7 billion parameters are active, so a token reads about 28 % of the file.
    assert moe_result.speed.bytes_per_token_cpu < 0.32 * size
    assert moe_result.decode_tps > 3 * dense_result.decode_tps
    assert moe_result.speed.flops_per_token == 2 * 12_879_925_248


def test_prompt_speed_positive_and_faster_on_gpu():
    gpu = estimate(llama_8b(), "Q4_K_M", nvidia_pc(free_gib=10.5), n_ctx=4096)
    cpu = estimate(llama_8b(), "Q4_K_M", cpu_only_pc(), n_ctx=4096)
    assert cpu.prompt_tps > 0
    assert gpu.prompt_tps > 10 * cpu.prompt_tps


def test_load_settings_use_physical_cores():
    result = estimate(llama_8b(), "Q4_K_M", nvidia_pc(free_gib=10.5), n_ctx=8192, kv_type="q8_0",
                      flash_attn=True)
    settings = result.settings
    assert settings.n_threads == 8
    assert settings.n_ctx == 8192
    assert settings.kv_type == "q8_0"
    assert settings.flash_attn is True
    assert settings.n_gpu_layers == result.n_gpu_layers


# --- explanation -------------------------------------------------------------------------------------

def test_explanation_carries_numbers():
    result = estimate(llama_8b(), "Q4_K_M", nvidia_pc(free_gib=10.5), n_ctx=8192)
    first = str(result.explanation[0])
    assert first.startswith("Weights 4.6 GiB + KV cache 1.0 GiB (8192 tokens, f16)")
    assert first.endswith(f"= {format_bytes(result.memory.total)}.")
    text = result.explain()
    assert "10.5 GiB free of 12.0 GiB" in text
    assert "All 33 layers fit on the GPU" in text
    assert all(line.context == "Fit" for line in result.explanation)


def test_explanation_split_names_layer_counts():
    result = estimate(llama_8b(), "F16", nvidia_pc(free_gib=10.5), n_ctx=4096)
    assert f"{result.n_gpu_layers}/33 layers fit on the GPU" in result.explain()


def test_explanation_template_is_untranslated_form():
    result = estimate(llama_8b(), "Q4_K_M", cpu_only_pc(), n_ctx=4096)
    line = result.explanation[0]
    assert "{weights}" in line.template
    assert line.params["kv"] == "512 MiB"


def test_result_to_dict_is_json():
    result = estimate(llama_8b(), "Q4_K_M", nvidia_pc(free_gib=10.5), n_ctx=8192)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["placement"] == "full_gpu"
    assert data["memory"]["kv_cache"] == GIB
    assert data["memory"]["total"] == result.memory.total
    assert data["explanation"][0].startswith("Weights")


# --- recommendation ----------------------------------------------------------------------------------

def test_recommend_larger_quant_with_more_memory():
    build = llama_8b()
    big = recommend(build, nvidia_pc(free_gib=12.0, total_gib=12.0), n_ctx=4096)
    small = recommend(build, nvidia_pc(free_gib=6.0, total_gib=6.0), n_ctx=4096)
    assert big.quant == "Q8_0"
    assert big.chosen.placement == Placement.FULL_GPU
    assert big.chosen.file_size > small.chosen.file_size
    # On 6 GiB only Q3_K_M and Q2_K fit fully, both below the 4.5 bits floor. Q6_K would still decode
    # 8 tokens/s but at less than half the speed of Q4_K_M, so a file in between is chosen.
    by_quant = {r.quant: r for r in small.results}
    assert by_quant["Q6_K"].decode_tps < 0.5 * by_quant["Q4_K_M"].decode_tps
    assert small.quant in ("Q4_K_M", "Q5_K_M")
    assert small.chosen.decode_tps >= 0.5 * by_quant["Q4_K_M"].decode_tps


def test_recommend_lists_every_quant_largest_first():
    rec = recommend(llama_8b(), nvidia_pc(free_gib=10.5), n_ctx=4096)
    sizes = [r.file_size for r in rec.results]
    assert len(rec.results) == len(LLAMA_8B_SIZES)
    assert sizes == sorted(sizes, reverse=True)
    assert rec.quant in str(rec.reason)


def test_recommend_speed_prefers_q4_over_larger():
    rec = recommend(llama_8b(), nvidia_pc(free_gib=12.0, total_gib=12.0), n_ctx=4096, preference="speed")
    # Q4_K_M is the smallest file at or above 4.5 bits per weight, so it decodes fastest among those.
    assert rec.quant == "Q4_K_M"


def test_recommend_quality_takes_largest_usable():
    rec = recommend(llama_8b(), cpu_only_pc(ram_gib=32, ram_available_gib=24), n_ctx=4096,
                    preference="quality")
    by_quant = {r.quant: r for r in rec.results}
    # F16 fits in RAM but decodes below 2 tokens/s at 51.2 GB/s, so Q8_0 is the largest usable one.
    assert by_quant["F16"].placement == Placement.CPU_ONLY
    assert by_quant["F16"].decode_tps < 2.0
    assert rec.quant == "Q8_0"


def test_recommend_quality_on_gpu_takes_largest():
    rec = recommend(llama_8b(), nvidia_pc(free_gib=10.5), n_ctx=4096, preference="quality")
    by_quant = {r.quant: r for r in rec.results}
    assert by_quant["F16"].placement == Placement.PARTIAL_GPU
    assert rec.quant == "F16"


def test_recommend_balanced_cpu_keeps_reading_speed():
    profile = cpu_only_pc(ram_gib=32, ram_available_gib=24)
    profile.ram_bandwidth = 120e9  # a workstation with fast RAM
    rec = recommend(llama_8b(), profile, n_ctx=4096)
    assert rec.chosen.decode_tps >= 8.0
    larger = [r for r in rec.results if r.file_size > rec.chosen.file_size]
    assert all(r.decode_tps is None or r.decode_tps < 8.0 for r in larger)


def test_recommend_balanced_slow_cpu_keeps_q4_floor():
    # At 51.2 GB/s nothing of at least 4.5 bits per weight reaches 8 tokens/s. The choice is then the
    # fastest above that floor, not Q2_K or Q3_K_M.
    rec = recommend(llama_8b(), cpu_only_pc(ram_gib=32, ram_available_gib=24), n_ctx=4096)
    assert rec.quant == "Q4_K_M"
    assert rec.chosen.decode_tps < 8.0


def test_recommend_nothing_fits():
    rec = recommend(llama_8b(), cpu_only_pc(ram_gib=2, ram_available_gib=1), n_ctx=4096)
    assert rec.chosen is None
    assert "No quantization fits" in str(rec.reason)


def test_recommend_unknown_preference_rejected():
    with pytest.raises(ValueError, match="fastest"):
        recommend(llama_8b(), cpu_only_pc(), preference="fastest")


# --- fine-tuning -------------------------------------------------------------------------------------

def test_finetune_7b_full_above_lora_above_qlora():
    full, lora, qlora = finetune_advice(mistral_7b(), nvidia_pc(free_gib=22.0, total_gib=24.0))
    assert (full.method, lora.method, qlora.method) == ("full", "lora", "qlora")
    assert full.total > lora.total > qlora.total
    assert full.weights + full.gradients + full.optimizer == 16 * MISTRAL_7B.n_params
    assert lora.trainable_params < MISTRAL_7B.n_params // 100


def test_finetune_fit_verdicts_on_24gib_gpu():
    full, lora, qlora = finetune_advice(mistral_7b(), nvidia_pc(free_gib=22.0, total_gib=24.0))
    assert full.fits_gpu is False
    assert qlora.fits_gpu is True
    assert "Fits on NVIDIA GeForce RTX 3060" in str(qlora.explanation[-2])


def test_finetune_cpu_only_notes_slowness():
    estimates = finetune_advice(mistral_7b(), cpu_only_pc(ram_gib=64, ram_available_gib=60))
    qlora = estimates[2]
    assert qlora.fits_gpu is None
    assert qlora.fits_cpu is True
    assert "impractically slow" in str(qlora.explanation[-1])


def test_finetune_cpu_only_ram_too_small():
    full = finetune_advice(mistral_7b(), cpu_only_pc(ram_gib=16, ram_available_gib=12))[0]
    assert full.fits_gpu is None
    assert full.fits_cpu is False
    assert str(full.explanation[-1]).startswith("Does not fit in RAM (")


def test_finetune_gpu_and_ram_too_small():
    full = finetune_advice(mistral_7b(), nvidia_pc(free_gib=10.5))[0]
    assert full.fits_gpu is False
    assert full.fits_cpu is False
    assert str(full.explanation[-1]).startswith("Does not fit in RAM either (")


# --- GGUF headers and newer ArchFacts fields ---------------------------------------------------------

def test_estimate_gguf_uses_tensor_sizes(tmp_path):
    import gguf_factory
    from llmdesk.core.fit import estimate_gguf
    from llmdesk.core.gguf_meta import read_header

    path = gguf_factory.write_tiny_llama(tmp_path / "tiny.gguf", n_layer=4, n_embd=64, n_head=4, n_head_kv=2)
    header = read_header(path)
    result = estimate_gguf(header, nvidia_pc(free_gib=10.5), n_ctx=256)
    assert result.placement == Placement.FULL_GPU
    assert result.n_layers_total == 5
    assert result.memory.weights_estimated is False
    assert result.memory.token_embd == header.token_embd_bytes
    assert result.memory.gpu.weights == sum(header.layer_bytes()) + header.output_bytes
    # 4 layers x 256 tokens x 2 KV heads x (16 + 16) dims x 2 bytes
    assert result.memory.kv_cache == 4 * 256 * 2 * 32 * 2


def test_kv_cache_mla_uses_given_rope_dim():
    facts = ArchFacts(**{**DEEPSEEK_V3.__dict__, "rope_dim": 32})
    assert kv_cache_bytes(facts, 1024, "f16") == 61 * 1024 * (512 + 32) * 2


def test_lora_params_count_moe_experts():
    from llmdesk.core.fit.finetune import lora_params

    dense = ArchFacts(**{**MIXTRAL_8X7B.__dict__, "n_expert": 0, "n_expert_used": 0, "n_active_params": None})
    # Attention adapters are the same. Eight expert MLPs carry eight times the dense MLP adapters.
    attention = 16 * (6 * 4096 + 2 * 1024) * 32
    dense_mlp = lora_params(dense) - attention
    assert lora_params(MIXTRAL_8X7B) - attention == 8 * dense_mlp


def test_second_gpu_noted_not_counted():
    profile = nvidia_pc(free_gib=6.0, total_gib=8.0)
    profile.gpus.append(GpuInfo(vendor=GpuVendor.NVIDIA, name="NVIDIA GeForce RTX 3090", memory_total=24 * GIB,
                                memory_free=23 * GIB, bandwidth=936e9, usable_by_llama=True))
    result = estimate(llama_8b(), "Q4_K_M", profile, n_ctx=4096)
    assert result.memory.gpu.available == 23 * GIB
    assert "Only NVIDIA GeForce RTX 3090 is counted" in result.explain()
    assert "RTX 3060" in result.explain()


def test_max_context_keeps_full_gpu():
    from llmdesk.core.fit import max_context

    build = llama_8b()
    profile = nvidia_pc(free_gib=8.0, total_gib=8.0)
    n_ctx = max_context(build, "Q4_K_M", profile)
    assert n_ctx is not None
    assert n_ctx % 256 == 0
    assert estimate(build, "Q4_K_M", profile, n_ctx).placement == Placement.FULL_GPU
    assert estimate(build, "Q4_K_M", profile, n_ctx + 256).placement != Placement.FULL_GPU


def test_max_context_none_and_trained_limit():
    from llmdesk.core.fit import max_context

    assert max_context(llama_8b(), "F16", nvidia_pc(free_gib=8.0, total_gib=8.0)) is None
    roomy = nvidia_pc(free_gib=80.0, total_gib=80.0)
    assert max_context(mistral_7b(), "Q4_K_M", roomy, flash_attn=True) == 32768


def test_small_model_speed_has_fixed_cost():
    from llmdesk.core.fit.devices import CPU_SECONDS_PER_LAYER, CPU_SECONDS_PER_TOKEN

    facts = ArchFacts(architecture="llama", n_params=200_000, n_layer=2, n_embd=64, n_head=4, n_head_kv=2,
                      head_dim=16, n_vocab=1000, n_ctx_train=2048, n_ff=128)
    result = estimate_facts(facts, 800_000, cpu_only_pc(), n_ctx=512)
    fixed = CPU_SECONDS_PER_TOKEN + 2 * CPU_SECONDS_PER_LAYER
    assert result.speed.fixed_seconds_per_token == pytest.approx(fixed)
    # Reading 0.8 MB takes microseconds; the fixed work sets the speed.
    assert result.decode_tps < 1 / fixed
    assert result.decode_tps > 0.8 / fixed
    assert any("fixed work" in str(line) for line in result.explanation)


def test_decode_threads_leave_core_on_small_machines():
    from llmdesk.core.fit.estimate import decode_threads

    assert decode_threads(1) == 1
    assert decode_threads(2) == 1
    assert decode_threads(4) == 3
    assert decode_threads(8) == 8


def test_few_threads_limit_cpu_read_rate():
    from dataclasses import replace as replace_field

    from llmdesk.core.fit.devices import CPU_BANDWIDTH_PER_THREAD

    small = cpu_only_pc()
    small.cpu = replace_field(small.cpu, physical_cores=2, logical_cores=2)
    result = estimate(llama_8b(), "Q4_K_M", small, n_ctx=4096)
    assert result.settings.n_threads == 1
    assert result.speed.cpu_read_rate == CPU_BANDWIDTH_PER_THREAD
    seconds = result.speed.bytes_per_token_cpu / CPU_BANDWIDTH_PER_THREAD + result.speed.fixed_seconds_per_token
    assert result.decode_tps == pytest.approx(1 / seconds)
    assert any("1 decoding thread" in str(line) for line in result.explanation)

    roomy = estimate(llama_8b(), "Q4_K_M", cpu_only_pc(), n_ctx=4096)
    assert roomy.speed.cpu_read_rate == pytest.approx(0.5 * 51.2e9)
    assert not any("decoding thread" in str(line) for line in roomy.explanation)
