"""Regenerate models.json from the tables below: python tools/generate_catalog.py models.json"""
import json, sys
from collections import OrderedDict

PPL = OrderedDict([("Q2_K", 56.0), ("Q3_K_M", 10.5), ("Q4_K_M", 2.8), ("Q5_K_M", 0.91), ("Q6_K", 0.35), ("Q8_0", 0.04)])
PPL_SRC = ("llama.cpp perplexity (wikitext-2) versus F16 measured on Llama-3-8B; "
           "applied to this model as an approximation")
PPL_SRC_OWN = "llama.cpp perplexity (wikitext-2) versus F16 measured on Llama-3-8B, the base of this model"
# bits per weight used for estimated sizes (whole file bits / parameters)
BPW = {"Q2_K": 3.16, "Q3_K_M": 3.91, "Q4_K_M": 4.89, "Q5_K_M": 5.70, "Q6_K": 6.56, "Q8_0": 8.50}
BPW_2023_Q2K = 3.35  # TheBloke's 2023 files: Q2_K then kept more tensors at higher precision

KNOWN = {
    ("TheBloke/Llama-2-7B-Chat-GGUF", "llama-2-7b-chat.Q2_K.gguf"):
        (2825940672, "c0dd304d761e8e05d082cc2902d7624a7f87858fdfaa4ef098330ffe767ff0d3"),
    ("TheBloke/Llama-2-7B-Chat-GGUF", "llama-2-7b-chat.Q4_K_M.gguf"):
        (4081004224, "08a5566d61d7cb6b420c3e4387a39e0078e1f2fe5f055f3a03887385304d4bfa"),
    ("TheBloke/Llama-2-7B-Chat-GGUF", "llama-2-7b-chat.Q5_K_M.gguf"):
        (4783156928, "e0b99920cf47b94c78d2fb06a1eceb9ed795176dfa3f7feac64629f1b52b997f"),
    ("TheBloke/Llama-2-7B-Chat-GGUF", "llama-2-7b-chat.Q6_K.gguf"): (5529194176, None),
    ("TheBloke/Llama-2-7B-Chat-GGUF", "llama-2-7b-chat.Q8_0.gguf"):
        (7161089728, "f47dade5e86466edb66c5afe6f8e9fb1fbb2c292827b90bd46b7a1817d864bf2"),
}

def quants(n_params, repo, pattern, q2=True, thebloke=False, split=None, own_ppl=False):
    """pattern: format string with {q}; split: {quant: ('concat'|'gguf-split', n_parts)}."""
    split = split or {}
    out = []
    for q, ppl in PPL.items():
        if q == "Q2_K" and not q2:
            continue
        filename = pattern.format(q=q)
        bpw = BPW_2023_Q2K if (q == "Q2_K" and thebloke) else BPW[q]
        entry = OrderedDict()
        entry["name"] = q
        entry["repo"] = repo
        if q in split:
            mode, n = split[q]
            if mode == "concat":
                entry["filename"] = filename
                entry["parts"] = [f"{filename}-split-{chr(ord('a') + i)}" for i in range(n)]
            else:
                stem = filename[: -len(".gguf")]
                parts = [f"{stem}/{stem}-{i + 1:05d}-of-{n:05d}.gguf" for i in range(n)]
                entry["filename"] = parts[0]
                entry["parts"] = parts
            entry["parts_join"] = mode
        else:
            entry["filename"] = filename
        known = KNOWN.get((repo, filename))
        if known:
            entry["size_bytes"] = known[0]
            entry["size_is_estimate"] = False
            entry["sha256"] = known[1]
            entry["bits_per_weight"] = round(known[0] * 8 / n_params, 3)
        else:
            entry["size_bytes"] = round(n_params * bpw / 8)
            entry["size_is_estimate"] = True
            entry["sha256"] = None
            entry["bits_per_weight"] = bpw
        entry["ppl_delta_pct"] = ppl
        entry["ppl_source"] = PPL_SRC_OWN if own_ppl else PPL_SRC
        out.append(entry)
    return out

def arch(architecture, n_params, n_layer, n_embd, n_head, n_head_kv, n_vocab, n_ctx_train, n_ff, **extra):
    a = OrderedDict(architecture=architecture, n_params=n_params, n_layer=n_layer, n_embd=n_embd,
                    n_head=n_head, n_head_kv=n_head_kv)
    if "head_dim" in extra:
        a["head_dim"] = extra.pop("head_dim")
    a.update(n_vocab=n_vocab, n_ctx_train=n_ctx_train, n_ff=n_ff)
    a.update(extra)
    return a

L3_CARD = "Meta Llama 3 model card, instruction tuned models table (github.com/meta-llama/llama3, MODEL_CARD.md)"
L31_CARD = "Meta Llama 3.1 model card, instruction tuned models table (github.com/meta-llama/llama-models, models/llama3_1/MODEL_CARD.md)"
L32_CARD = "Meta Llama 3.2 model card, instruction tuned models table (github.com/meta-llama/llama-models, models/llama3_2/MODEL_CARD.md)"
L33_CARD = "Meta Llama 3.3 model card, instruction tuned models table (github.com/meta-llama/llama-models, models/llama3_3/MODEL_CARD.md)"
DSLLM = "DeepSeek LLM repository, evaluation/more_results.md (github.com/deepseek-ai/DeepSeek-LLM)"
R1 = "DeepSeek-R1 README, distilled model evaluation table (github.com/deepseek-ai/DeepSeek-R1)"
CODER = "DeepSeek-Coder-V2 README, evaluation results (github.com/deepseek-ai/DeepSeek-Coder-V2)"

def b(name, value, source, setting=None):
    d = OrderedDict(name=name, value=value, source=source)
    if setting:
        d["setting"] = setting
    return d

def r1_scores(aime, math500, gpqa, lcb, cf):
    return [b("AIME 2024", aime, R1, "pass@1"), b("MATH-500", math500, R1, "pass@1"),
            b("GPQA Diamond", gpqa, R1, "pass@1"), b("LiveCodeBench", lcb, R1, "pass@1"),
            b("Codeforces rating", cf, R1)]

def build(id, name, family, description, license, homepage, tags, a, qs, benchmarks=()):
    d = OrderedDict(id=id, name=name, family=family, description=description, license=license,
                    homepage=homepage, tags=list(tags), arch=a, benchmarks=list(benchmarks), quants=qs)
    return d

B = []
# ---------------------------------------------------------------- Llama
p = 6_738_415_616
B.append(build("llama-2-7b-chat", "Llama 2 7B Chat", "Llama",
    "Meta's 2023 dialogue model; 4k context, full multi-head attention (no GQA), so its KV cache is large for its size.",
    "Llama 2 Community License", "https://huggingface.co/meta-llama/Llama-2-7b-chat-hf", [],
    arch("llama", p, 32, 4096, 32, 32, 32000, 4096, 11008),
    quants(p, "TheBloke/Llama-2-7B-Chat-GGUF", "llama-2-7b-chat.{q}.gguf", thebloke=True),
    [b("MMLU", 34.1, L3_CARD, "5-shot"), b("GPQA", 21.7, L3_CARD, "0-shot"), b("HumanEval", 7.9, L3_CARD, "0-shot"),
     b("GSM8K", 25.7, L3_CARD, "8-shot, CoT"), b("MATH", 3.8, L3_CARD, "4-shot, CoT")]))
p = 13_015_864_320
B.append(build("llama-2-13b-chat", "Llama 2 13B Chat", "Llama",
    "Meta's 2023 dialogue model; 4k context, full multi-head attention (no GQA).",
    "Llama 2 Community License", "https://huggingface.co/meta-llama/Llama-2-13b-chat-hf", [],
    arch("llama", p, 40, 5120, 40, 40, 32000, 4096, 13824),
    quants(p, "TheBloke/Llama-2-13B-chat-GGUF", "llama-2-13b-chat.{q}.gguf", thebloke=True),
    [b("MMLU", 47.8, L3_CARD, "5-shot"), b("GPQA", 22.3, L3_CARD, "0-shot"), b("HumanEval", 14.0, L3_CARD, "0-shot"),
     b("GSM8K", 77.4, L3_CARD, "8-shot, CoT"), b("MATH", 6.7, L3_CARD, "4-shot, CoT")]))
p = 68_976_648_192
B.append(build("llama-2-70b-chat", "Llama 2 70B Chat", "Llama",
    "Meta's largest Llama 2 dialogue model; 4k context, grouped-query attention with 8 KV heads.",
    "Llama 2 Community License", "https://huggingface.co/meta-llama/Llama-2-70b-chat-hf", [],
    arch("llama", p, 80, 8192, 64, 8, 32000, 4096, 28672),
    quants(p, "TheBloke/Llama-2-70B-Chat-GGUF", "llama-2-70b-chat.{q}.gguf", thebloke=True,
           split={"Q6_K": ("concat", 2), "Q8_0": ("concat", 2)}),
    [b("MMLU", 52.9, L3_CARD, "5-shot"), b("GPQA", 21.0, L3_CARD, "0-shot"), b("HumanEval", 25.6, L3_CARD, "0-shot"),
     b("GSM8K", 57.5, L3_CARD, "8-shot, CoT"), b("MATH", 11.6, L3_CARD, "4-shot, CoT")]))
p = 8_030_261_248
B.append(build("llama-3-8b-instruct", "Llama 3 8B Instruct", "Llama",
    "Meta's April 2024 instruction model; 8k context, 128k-token vocabulary.",
    "Llama 3 Community License", "https://huggingface.co/meta-llama/Meta-Llama-3-8B-Instruct", [],
    arch("llama", p, 32, 4096, 32, 8, 128256, 8192, 14336),
    quants(p, "bartowski/Meta-Llama-3-8B-Instruct-GGUF", "Meta-Llama-3-8B-Instruct-{q}.gguf", own_ppl=True),
    [b("MMLU", 68.4, L3_CARD, "5-shot"), b("GPQA", 34.2, L3_CARD, "0-shot"), b("HumanEval", 62.2, L3_CARD, "0-shot"),
     b("GSM8K", 79.6, L3_CARD, "8-shot, CoT"), b("MATH", 30.0, L3_CARD, "4-shot, CoT")]))
B.append(build("llama-3.1-8b-instruct", "Llama 3.1 8B Instruct", "Llama",
    "Meta's July 2024 instruction model; 128k context, multilingual, tool use.",
    "Llama 3.1 Community License", "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct", [],
    arch("llama", p, 32, 4096, 32, 8, 128256, 131072, 14336),
    quants(p, "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", "Meta-Llama-3.1-8B-Instruct-{q}.gguf"),
    [b("MMLU", 69.4, L31_CARD, "5-shot, macro_avg/acc"), b("MMLU (CoT)", 73.0, L31_CARD, "0-shot"),
     b("IFEval", 80.4, L31_CARD), b("GPQA", 30.4, L31_CARD, "0-shot"), b("HumanEval", 72.6, L31_CARD, "0-shot, pass@1"),
     b("GSM8K", 84.5, L31_CARD, "8-shot, CoT"), b("MATH", 51.9, L31_CARD, "0-shot, CoT")]))
p = 1_235_814_400
B.append(build("llama-3.2-1b-instruct", "Llama 3.2 1B Instruct", "Llama",
    "Meta's smallest Llama 3.2 text model, pruned and distilled from Llama 3.1 8B; 128k context, tied embeddings.",
    "Llama 3.2 Community License", "https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct", [],
    arch("llama", p, 16, 2048, 32, 8, 128256, 131072, 8192),
    quants(p, "bartowski/Llama-3.2-1B-Instruct-GGUF", "Llama-3.2-1B-Instruct-{q}.gguf", q2=False),
    [b("MMLU", 49.3, L32_CARD, "5-shot"), b("IFEval", 59.5, L32_CARD), b("GSM8K", 44.4, L32_CARD, "8-shot, CoT"),
     b("MATH", 30.6, L32_CARD, "0-shot, CoT")]))
p = 3_212_749_824
B.append(build("llama-3.2-3b-instruct", "Llama 3.2 3B Instruct", "Llama",
    "Meta's small Llama 3.2 text model for constrained devices; 128k context, tied embeddings.",
    "Llama 3.2 Community License", "https://huggingface.co/meta-llama/Llama-3.2-3B-Instruct", [],
    arch("llama", p, 28, 3072, 24, 8, 128256, 131072, 8192, head_dim=128),
    quants(p, "bartowski/Llama-3.2-3B-Instruct-GGUF", "Llama-3.2-3B-Instruct-{q}.gguf", q2=False),
    [b("MMLU", 63.4, L32_CARD, "5-shot"), b("IFEval", 77.4, L32_CARD), b("GSM8K", 77.7, L32_CARD, "8-shot, CoT"),
     b("MATH", 47.3, L32_CARD, "0-shot, CoT")]))
p = 70_553_706_496
SPLIT70 = {"Q5_K_M": ("gguf-split", 2), "Q6_K": ("gguf-split", 2), "Q8_0": ("gguf-split", 2)}
B.append(build("llama-3.3-70b-instruct", "Llama 3.3 70B Instruct", "Llama",
    "Meta's December 2024 70B instruction model; 128k context, multilingual.",
    "Llama 3.3 Community License", "https://huggingface.co/meta-llama/Llama-3.3-70B-Instruct", [],
    arch("llama", p, 80, 8192, 64, 8, 128256, 131072, 28672),
    quants(p, "bartowski/Llama-3.3-70B-Instruct-GGUF", "Llama-3.3-70B-Instruct-{q}.gguf", split=SPLIT70),
    [b("MMLU (CoT)", 86.0, L33_CARD, "0-shot"), b("MMLU-Pro (CoT)", 68.9, L33_CARD, "5-shot"), b("IFEval", 92.1, L33_CARD),
     b("GPQA Diamond (CoT)", 50.5, L33_CARD, "0-shot"), b("HumanEval", 88.4, L33_CARD, "0-shot, pass@1"),
     b("MATH", 77.0, L33_CARD, "0-shot, CoT")]))
# ---------------------------------------------------------------- Mistral
p = 7_248_023_552
B.append(build("mistral-7b-instruct-v0.3", "Mistral 7B Instruct v0.3", "Mistral",
    "Mistral AI's 7B instruction model, v0.3: 32768-token vocabulary, function calling, 32k context without a sliding window.",
    "Apache-2.0", "https://huggingface.co/mistralai/Mistral-7B-Instruct-v0.3", [],
    arch("llama", p, 32, 4096, 32, 8, 32768, 32768, 14336),
    quants(p, "bartowski/Mistral-7B-Instruct-v0.3-GGUF", "Mistral-7B-Instruct-v0.3-{q}.gguf")))
p = 12_247_782_400
B.append(build("mistral-nemo-instruct-2407", "Mistral Nemo Instruct 2407 (12B)", "Mistral",
    "Mistral AI and NVIDIA's 12B model with the Tekken tokenizer; trained with a 128k context window "
    "(config.json and the GGUF header state 1024000 positions, the catalog uses the documented 128k).",
    "Apache-2.0", "https://huggingface.co/mistralai/Mistral-Nemo-Instruct-2407", [],
    arch("llama", p, 40, 5120, 32, 8, 131072, 131072, 14336, head_dim=128),
    quants(p, "bartowski/Mistral-Nemo-Instruct-2407-GGUF", "Mistral-Nemo-Instruct-2407-{q}.gguf")))
p = 23_572_403_200
B.append(build("mistral-small-24b-instruct-2501", "Mistral Small 3 24B Instruct 2501", "Mistral",
    "Mistral AI's January 2025 24B instruction model; 32k context, Tekken tokenizer.",
    "Apache-2.0", "https://huggingface.co/mistralai/Mistral-Small-24B-Instruct-2501", [],
    arch("llama", p, 40, 5120, 32, 8, 131072, 32768, 32768, head_dim=128),
    quants(p, "bartowski/Mistral-Small-24B-Instruct-2501-GGUF", "Mistral-Small-24B-Instruct-2501-{q}.gguf")))
p = 46_702_792_704
B.append(build("mixtral-8x7b-instruct-v0.1", "Mixtral 8x7B Instruct v0.1", "Mistral",
    "Mistral AI's sparse mixture-of-experts model: 8 experts per layer, 2 active per token; all weights must be in memory, "
    "but each token reads only about 13B parameters.",
    "Apache-2.0", "https://huggingface.co/mistralai/Mixtral-8x7B-Instruct-v0.1", ["moe"],
    arch("llama", p, 32, 4096, 32, 8, 32000, 32768, 14336, n_expert=8, n_expert_used=2,
         n_active_params=12_879_925_248),
    quants(p, "TheBloke/Mixtral-8x7B-Instruct-v0.1-GGUF", "mixtral-8x7b-instruct-v0.1.{q}.gguf", thebloke=True)))
# ---------------------------------------------------------------- DeepSeek
p = 6_910_365_696
B.append(build("deepseek-llm-7b-chat", "DeepSeek LLM 7B Chat", "DeepSeek",
    "DeepSeek's first 7B chat model (2023), trained on 2T English and Chinese tokens; 4k context, full multi-head attention.",
    "DeepSeek License", "https://huggingface.co/deepseek-ai/deepseek-llm-7b-chat", [],
    arch("llama", p, 30, 4096, 32, 32, 102400, 4096, 11008),
    quants(p, "TheBloke/deepseek-llm-7B-chat-GGUF", "deepseek-llm-7b-chat.{q}.gguf", thebloke=True),
    [b("MMLU", 49.4, DSLLM), b("GSM8K", 62.6, DSLLM), b("HumanEval", 48.2, DSLLM)]))
p = 67_425_001_472
B.append(build("deepseek-llm-67b-chat", "DeepSeek LLM 67B Chat", "DeepSeek",
    "DeepSeek's 67B chat model (2023); 4k context, 95 layers with grouped-query attention.",
    "DeepSeek License", "https://huggingface.co/deepseek-ai/deepseek-llm-67b-chat", [],
    arch("llama", p, 95, 8192, 64, 8, 102400, 4096, 22016),
    quants(p, "TheBloke/deepseek-llm-67b-chat-GGUF", "deepseek-llm-67b-chat.{q}.gguf", thebloke=True,
           split={"Q6_K": ("concat", 2), "Q8_0": ("concat", 2)}),
    [b("MMLU", 71.1, DSLLM), b("GSM8K", 84.1, DSLLM, "0-shot, CoT"), b("HumanEval", 73.8, DSLLM),
     b("MATH", 32.6, DSLLM, "0-shot, CoT")]))
R1_DESC = ("Reasoning model distilled from DeepSeek-R1 outputs; writes its chain of thought inside <think> tags "
           "before the answer. Base: {base}.")
QWEN_LIC = "MIT"
for size, p, nl, ne, nh, nkv, nv, nff, base, sc in [
    ("1.5B", 1_777_088_000, 28, 1536, 12, 2, 151936, 8960, "Qwen2.5-Math-1.5B (Apache-2.0)", (28.9, 83.9, 33.8, 16.9, 954)),
    ("7B", 7_615_616_512, 28, 3584, 28, 4, 152064, 18944, "Qwen2.5-Math-7B (Apache-2.0)", (55.5, 92.8, 49.1, 37.6, 1189)),
    ("14B", 14_770_033_664, 48, 5120, 40, 8, 152064, 13824, "Qwen2.5-14B (Apache-2.0)", (69.7, 93.9, 59.1, 53.1, 1481)),
    ("32B", 32_763_876_352, 64, 5120, 40, 8, 152064, 27648, "Qwen2.5-32B (Apache-2.0)", (72.6, 94.3, 62.1, 57.2, 1691)),
]:
    B.append(build(f"deepseek-r1-distill-qwen-{size.lower()}", f"DeepSeek R1 Distill Qwen {size}", "DeepSeek",
        R1_DESC.format(base=base), QWEN_LIC, f"https://huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Qwen-{size}",
        ["reasoning"], arch("qwen2", p, nl, ne, nh, nkv, nv, 131072, nff),
        quants(p, f"bartowski/DeepSeek-R1-Distill-Qwen-{size}-GGUF", f"DeepSeek-R1-Distill-Qwen-{size}-{{q}}.gguf",
               q2=p > 5e9),
        r1_scores(*sc)))
p = 8_030_261_248
B.append(build("deepseek-r1-distill-llama-8b", "DeepSeek R1 Distill Llama 8B", "DeepSeek",
    R1_DESC.format(base="Llama-3.1-8B, whose Llama 3.1 Community License terms also apply"),
    "MIT", "https://huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Llama-8B", ["reasoning"],
    arch("llama", p, 32, 4096, 32, 8, 128256, 131072, 14336),
    quants(p, "bartowski/DeepSeek-R1-Distill-Llama-8B-GGUF", "DeepSeek-R1-Distill-Llama-8B-{q}.gguf"),
    r1_scores(50.4, 89.1, 49.0, 39.6, 1205)))
p = 70_553_706_496
B.append(build("deepseek-r1-distill-llama-70b", "DeepSeek R1 Distill Llama 70B", "DeepSeek",
    R1_DESC.format(base="Llama-3.3-70B-Instruct, whose Llama 3.3 Community License terms also apply"),
    "MIT", "https://huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Llama-70B", ["reasoning"],
    arch("llama", p, 80, 8192, 64, 8, 128256, 131072, 28672),
    quants(p, "bartowski/DeepSeek-R1-Distill-Llama-70B-GGUF", "DeepSeek-R1-Distill-Llama-70B-{q}.gguf", split=SPLIT70),
    r1_scores(70.0, 94.5, 65.2, 57.5, 1633)))
p = 15_706_484_224
B.append(build("deepseek-coder-v2-lite-instruct", "DeepSeek Coder V2 Lite Instruct (16B MoE)", "DeepSeek",
    "DeepSeek's mixture-of-experts code model: 64 routed experts (6 active) plus 2 shared experts per layer, "
    "multi-head latent attention (compressed KV cache), 128k context (163840 positions in config.json). "
    "DeepSeek quotes 2.4B active parameters excluding embeddings.",
    "DeepSeek License", "https://huggingface.co/deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct", ["code", "moe"],
    arch("deepseek2", p, 27, 2048, 16, 16, 102400, 163840, 10944, head_dim=192, n_expert=64, n_expert_used=6,
         n_expert_shared=2, n_ff_expert=1408, n_active_params=2_661_150_208, kv_lora_rank=512, head_dim_v=128,
         rope_dim=64),
    quants(p, "bartowski/DeepSeek-Coder-V2-Lite-Instruct-GGUF", "DeepSeek-Coder-V2-Lite-Instruct-{q}.gguf"),
    [b("HumanEval", 81.1, CODER), b("MBPP+", 68.8, CODER), b("LiveCodeBench", 24.3, CODER), b("GSM8K", 86.4, CODER),
     b("MATH", 61.8, CODER), b("MMLU", 60.1, CODER), b("Arena-Hard", 38.1, CODER), b("MT-Bench", 7.81, CODER)]))

NOTES = [
    "Units: size_bytes is bytes; n_params counts parameters (not billions); n_ctx_train is tokens.",
    "arch fields come from each model's config.json on Hugging Face, named as llama.cpp's GGUF keys name them "
    "(architecture = general.architecture). n_params was recomputed from those shapes and matches the published counts. "
    "head_dim is listed only where it differs from n_embd / n_head.",
    "Sizes: size_is_estimate false means the exact byte count of the published file; true means "
    "n_params x bits_per_weight / 8 rounded, using llama.cpp's bits per weight for Llama-3.1-8B "
    "(tools/quantize/README.md: Q2_K 3.16, Q4_K_M 4.89, Q5_K_M 5.70, Q6_K 6.56, Q8_0 8.50) and 3.91 for Q3_K_M; "
    "TheBloke's 2023 Q2_K files use 3.35 because that Q2_K mix kept more tensors at higher precision. "
    "Expect estimates to be off by a few percent, more for models with large vocabularies or tied embeddings.",
    "Exact sizes: TheBloke/Llama-2-7B-Chat-GGUF Q2_K, Q4_K_M, Q5_K_M, Q6_K and Q8_0, unchanged since that repo's "
    "initial GGUF commit (llama.cpp bd33e5a). Their sha256 values are the Git LFS object ids shown on the Hugging Face "
    "file pages; Q6_K's is not known. The byte counts come from public code that lists these files, each agreeing with "
    "the size Hugging Face shows; Q4_K_M's was also checked against its LFS pointer at revision 191239b.",
    "Every other sha256 is null (unknown), so those downloads are checked by size and GGUF header only. "
    "bartowski has re-uploaded files under the same name (Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf has had at least two "
    "different SHA256 values), so a hash for a file on the main branch can go stale; none is pinned here.",
    "Split files: quants larger than Hugging Face's 50 GB file limit list their pieces in parts. "
    "parts_join 'gguf-split' means llama.cpp shards kept as they are (filename is the first shard, llama.cpp opens the rest); "
    "'concat' means raw pieces that must be joined byte for byte into filename (TheBloke's -split-a/-split-b files). "
    "size_bytes is the total of all parts.",
    "ppl_delta_pct: perplexity increase versus F16 from llama.cpp's figures for Llama-3-8B (Q8_0 +0.04 %, Q6_K +0.35 %, "
    "Q5_K_M +0.91 %, Q4_K_M +2.8 %, Q3_K_M +10.5 %, Q2_K +56 %), applied to every build as an approximation. "
    "These figures were not re-checked against the llama.cpp repository for this catalog revision.",
    "Benchmarks are the figures published by each model's authors (source names the document) and are attached only to "
    "the model they were measured on. Llama 2 chat scores are Meta's re-evaluation in the Llama 3 model card. "
    "No scores are listed for the Mistral builds because none were traced to a document opened for this catalog.",
    "Left out: a comparison article reports 'DeepSeek' MMLU 78.1 / GSM8K 85.5 without naming the model. "
    "MMLU 78.1 equals DeepSeek-V2 Chat's figure in the DeepSeek-Coder-V2 README, a model not in this catalog, and "
    "GSM8K 85.5 matches no DeepSeek build here (7B chat 62.6, 67B chat 84.1, Coder-V2-Lite 86.4), so neither figure is attached.",
    "Licences: DeepSeek-R1 distills are MIT, and their base models' licences (Qwen2.5: Apache-2.0; Llama 3.1 / 3.3 "
    "Community License) also apply, as each description says.",
]

doc = OrderedDict()
doc["$schema"] = "./resources/catalog.schema.json"
doc["schema_version"] = 1
doc["notes"] = NOTES
doc["builds"] = B
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
    f.write("\n")
print(len(B), "builds")
