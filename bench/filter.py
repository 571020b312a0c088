"""Output filter cost: its share of engine throughput, its own speed, and worst-case scaling.

(a) Engine share. A llama-cpp-python ``Llama.generate()`` loop on generated models (the tiny test model
    and the ~25M-parameter bench model from tests/gguf_factory.py) decodes each token's bytes with an
    incremental UTF-8 decoder. Runs without and with ``StreamFilter.feed()`` (all shipped rule sets
    on) alternate in the same process. The filtered runs feed the text of ``TEXT_BATCH_TOKENS`` tokens
    at a time, as the engine's token loop does, and a third run per repeat feeds every token on its
    own. Two figures come out: the tokens/s ratio of the medians, and the time spent inside feed() as
    a share of the filtered runs' wall time. The second is the precise one because it does not depend
    on run-to-run noise. bench/engine_throughput.py measures the same share inside the real engine.
(b) Filter throughput on English prose with a few matches, fed in 4-character chunks (about one token)
    and at once: MB/s and microseconds per chunk.
(c) Worst case: adversarial texts of 0.25, 0.5 and 1 MB, such as near-miss prefixes, long runs of one
    letter, digit streams that keep Luhn candidates alive and overlapping key prefixes. Each is printed
    as seconds per MB for each size, so linear scaling shows as a flat row.

Run: .venv/bin/python bench/filter.py [--tokens 1000] [--repeats 5] [--max-mb 1.0]
"""

from __future__ import annotations

import argparse
import codecs
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from llmdesk.core.filter import FilterConfig, StreamFilter, compile_filter  # noqa: E402
from llmdesk.engine.tokenloop import TEXT_BATCH_TOKENS as BATCH  # noqa: E402

ALL_SETS = ["profanity", "personal_data", "secrets"]
PROMPT = "Tell me a long story about the city, the people and the music."

PROSE = (
    "The committee met on Tuesday to review the budget for the new library wing. After a long "
    "discussion about shelving, lighting and the cafe, they agreed to ask the architect for two more "
    "drafts. Questions can go to jane.roe@example.org or to the front desk at (212) 555-0147. "
    "One member said the old roof was a damn mess, and another said it was simply shit, which got a "
    "laugh. 会议结束后，大家一起去吃了晚饭。The next meeting is on the first Monday of the month. "
)


def adversarial(kind: str, size: int) -> str:
    rng = random.Random(11)
    if kind == "random digits":
        return "".join(rng.choice("0123456789") for _ in range(size))
    units = {
        "one letter": "a",
        "near-miss terms": "f.u.c.shi.cun.motherfuc ",
        "card-like groups": "4111 1111 1111 111",
        "key prefixes": "sk-",
        "e-mail fragments": "a.b@c.",
        "matches near live threads": "a.fuck.",
        "cjk near-misses": "傻傻他妈妈操作",
    }
    unit = units[kind]
    return (unit * (size // len(unit) + 1))[:size]


ADVERSARIAL_KINDS = ["one letter", "near-miss terms", "card-like groups", "random digits", "key prefixes",
                     "e-mail fragments", "matches near live threads", "cjk near-misses"]


def generate_once(llm, prompt_tokens: list[int], n_tokens: int, compiled, texts: list[str] | None = None,
                  batch: int = 1) -> tuple[float, float, float]:
    """Return (tokens per second, seconds inside feed(), wall seconds); append token texts to ``texts``.

    With ``batch`` > 1 the text of that many tokens is fed at once, as an engine that filters per IPC
    batch would do."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    stream = StreamFilter(compiled) if compiled is not None else None
    in_filter = 0.0
    count = 0
    waiting: list[str] = []
    started = time.perf_counter()
    for token in llm.generate(prompt_tokens, temp=0.0, top_k=40, top_p=0.95, min_p=0.05,
                              repeat_penalty=1.0, reset=True):
        text = decoder.decode(llm.detokenize([token]))
        if texts is not None:
            texts.append(text)
        waiting.append(text)
        if stream is not None and len(waiting) >= batch:
            piece = "".join(waiting) if batch > 1 else text
            waiting.clear()
            if piece:
                before = time.perf_counter()
                stream.feed(piece)
                in_filter += time.perf_counter() - before
        count += 1
        if count >= n_tokens:
            break
    if stream is not None:
        before = time.perf_counter()
        stream.feed("".join(waiting))
        stream.flush()
        in_filter += time.perf_counter() - before
    elapsed = time.perf_counter() - started
    return count / elapsed, in_filter, elapsed


def bench_engine(model_name: str, path: Path, compiled, n_tokens: int, repeats: int) -> None:
    import llama_cpp

    llm = llama_cpp.Llama(model_path=str(path), n_ctx=2048, verbose=False)
    prompt_tokens = llm.tokenize(PROMPT.encode(), add_bos=True)
    generate_once(llm, prompt_tokens, 50, compiled)  # warm-up, also fills the filter's caches
    bare, filtered, shares, per_token_shares = [], [], [], []
    for _ in range(repeats):
        rate, _, _ = generate_once(llm, prompt_tokens, n_tokens, None)
        bare.append(rate)
        rate, in_filter, elapsed = generate_once(llm, prompt_tokens, n_tokens, compiled, batch=BATCH)
        filtered.append(rate)
        shares.append(in_filter / elapsed)
        _, in_filter, elapsed = generate_once(llm, prompt_tokens, n_tokens, compiled)
        per_token_shares.append(in_filter / elapsed)
    texts: list[str] = []
    generate_once(llm, prompt_tokens, n_tokens, None, texts)
    replay = replay_feed_seconds(compiled, texts)
    bare_median = statistics.median(bare)
    filtered_median = statistics.median(filtered)
    share = statistics.median(shares)
    print(f"  {model_name:9s} bare {bare_median:8.1f} tok/s   filtered {filtered_median:8.1f} tok/s   "
          f"ratio {filtered_median / bare_median:.3f}   time in feed() {share * 100:.2f} % "
          f"({'under' if share < 0.02 else 'OVER'} 2 %), fed every {BATCH} tokens")
    per_token_share = statistics.median(per_token_shares)
    in_loop_us = per_token_share * 1e6 / filtered_median
    print(f"  {'':9s} fed every token: time in feed() {per_token_share * 100:.2f} %, "
          f"{in_loop_us:.2f} us per token inside the generate loop, "
          f"{replay * 1e6 / len(texts):.2f} us replaying the same {len(texts)} token texts alone")
    del llm


def replay_feed_seconds(compiled, texts: list[str]) -> float:
    """Best time of 5 for feeding recorded token texts with nothing else running in between."""
    best = float("inf")
    for _ in range(5):
        stream = StreamFilter(compiled)
        started = time.perf_counter()
        for text in texts:
            stream.feed(text)
        stream.flush()
        best = min(best, time.perf_counter() - started)
    return best


def bench_throughput(compiled) -> None:
    text = PROSE * 400
    size_mb = len(text.encode()) / 1e6
    chunks = [text[i:i + 4] for i in range(0, len(text), 4)]
    for label, pieces in (("4-char chunks", chunks), ("one piece", [text])):
        best = float("inf")
        for _ in range(3):
            stream = StreamFilter(compiled)
            started = time.perf_counter()
            for piece in pieces:
                stream.feed(piece)
            stream.flush()
            best = min(best, time.perf_counter() - started)
        per_chunk = best / len(pieces) * 1e6
        print(f"  prose, {label:13s} {size_mb / best:6.2f} MB/s   {per_chunk:10.2f} us per feed() "
              f"({len(pieces)} feeds, {size_mb:.2f} MB)")


def bench_adversarial(compiled, max_mb: float) -> None:
    sizes = [max_mb / 4, max_mb / 2, max_mb]
    header = "".join(f"{s:>10.2f} MB" for s in sizes)
    print(f"  {'text':27s}{header}   (seconds per MB; flat = linear)")
    for kind in ADVERSARIAL_KINDS:
        row = []
        for size_mb in sizes:
            text = adversarial(kind, int(size_mb * 1_000_000))
            mb = len(text.encode()) / 1e6
            started = time.perf_counter()
            compiled.apply(text)
            row.append((time.perf_counter() - started) / mb)
        print(f"  {kind:27s}" + "".join(f"{v:13.2f}" for v in row) + f"   max/min {max(row) / min(row):.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=1000, help="tokens generated per run")
    parser.add_argument("--repeats", type=int, default=5, help="alternating runs per mode")
    parser.add_argument("--max-mb", type=float, default=1.0, help="largest adversarial text, in MB")
    parser.add_argument("--skip-engine", action="store_true", help="skip the llama-cpp-python part")
    args = parser.parse_args()

    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.processor() or 'cpu'}")
    compiled = compile_filter(FilterConfig(ALL_SETS, []))
    print(f"Filter: rule sets {', '.join(ALL_SETS)}; {len(compiled.rules)} rules, "
          f"{len(compiled.automaton.nfa.kind)} NFA states")

    if not args.skip_engine:
        import gguf_factory

        print(f"(a) engine share, {args.tokens} tokens per run, median of {args.repeats} alternating runs")
        with tempfile.TemporaryDirectory() as tmp:
            tiny = gguf_factory.write_tiny_llama(Path(tmp) / "tiny.gguf")
            bench_engine("tiny", tiny, compiled, args.tokens, args.repeats)
            bench25m = gguf_factory.write_bench_llama(Path(tmp) / "bench25m.gguf")
            bench_engine("bench25m", bench25m, compiled, args.tokens, args.repeats)

    print("(b) filter throughput")
    bench_throughput(compiled)
    print("(c) worst case, one apply() per text")
    bench_adversarial(compiled, args.max_mb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
