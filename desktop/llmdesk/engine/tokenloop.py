"""The token loop: one chat reply from sampled tokens to batched text events.

Runs in the engine worker. Per token it looks up the token's bytes in a cache
(``llama_token_to_piece`` with ``special=False``, so control tokens have no text). Every few tokens
the collected bytes go through the text pipeline: an incremental UTF-8 decoder (a character split
across tokens comes out once, whole, when its last byte arrives), the stop strings (text that could
start one is held back), the reasoning split and the output filter. It never re-detokenizes the growing reply, which is what makes
llama-cpp-python's streaming ``create_completion`` slow down on long replies.

Events leave in batches: text is coalesced and sent at most every ``FLUSH_SECONDS``, with a stats
sample every ``SAMPLE_SECONDS``. Cancellation is a shared integer read after every token.
"""

from __future__ import annotations

import codecs
import ctypes
import json
import logging
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from llmdesk.engine import protocol as p
from llmdesk.engine.reasoning import ReasoningSplitter

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.04  # text batches at most 25 times a second
# Token bytes go through the text pipeline every this many tokens, or at every flush if sooner.
# Per-token Python work costs more than its few microseconds suggest, because each decode step
# evicts it from the CPU caches; batching keeps it small. A stop string or filter stop is
# therefore seen up to this many tokens late: the extra tokens are generated and counted, but
# their text is dropped.
TEXT_BATCH_TOKENS = 8
SAMPLE_SECONDS = 0.2  # stats samples at 5 Hz


class PieceCache:
    """Bytes of each token as llama.cpp renders it (``special=False``), cached by token id."""

    def __init__(self, vocab: Any) -> None:
        import llama_cpp

        self._vocab = vocab
        self._to_piece = llama_cpp.llama_token_to_piece
        self._buffer = ctypes.create_string_buffer(64)
        self.cache: dict[int, bytes] = {}

    def __call__(self, token: int) -> bytes:
        piece = self.cache.get(token)
        if piece is None:
            piece = self._convert(token)
            self.cache[token] = piece
        return piece

    def _convert(self, token: int) -> bytes:
        size = len(self._buffer)
        n = self._to_piece(self._vocab, token, self._buffer, size, 0, False)
        if n < 0:  # the buffer is too small: -n is the size needed
            self._buffer = ctypes.create_string_buffer(-n)
            n = self._to_piece(self._vocab, token, self._buffer, -n, 0, False)
        return self._buffer.raw[:n]


class StopMatcher:
    """Find stop strings in streamed text, holding back a tail that could still become one."""

    def __init__(self, stops: Sequence[str]) -> None:
        self.stops = tuple(s for s in dict.fromkeys(stops) if s)
        self._prefixes = {s[:i] for s in self.stops for i in range(1, len(s))}
        self._first_chars = {s[0] for s in self.stops}
        self._max_hold = max((len(s) - 1 for s in self.stops), default=0)
        self._buffer = ""

    def feed(self, text: str) -> tuple[str, str | None]:
        """Return (text safe to show, matched stop string or None). After a match, stop feeding."""
        if not self.stops:
            return text, None
        buffer = self._buffer + text
        first: tuple[int, str] | None = None
        for stop in self.stops:
            index = buffer.find(stop)
            if index >= 0 and (first is None or index < first[0]):
                first = (index, stop)
        if first is not None:
            self._buffer = ""
            return buffer[:first[0]], first[1]
        hold = 0
        for length in range(min(self._max_hold, len(buffer)), 0, -1):
            if buffer[-length] in self._first_chars and buffer[-length:] in self._prefixes:
                hold = length
                break
        if hold:
            self._buffer = buffer[-hold:]
            return buffer[:-hold], None
        self._buffer = ""
        return buffer, None

    def flush(self) -> str:
        text, self._buffer = self._buffer, ""
        return text


class FilterStage:
    """The output filter for one stream (answer or reasoning); passes text through without a config."""

    def __init__(self, compiled: Any | None) -> None:
        self._filter = None
        self._flushed = False
        self.seconds = 0.0  # time spent inside the filter, for ReplyStats.filter_seconds
        if compiled is not None:
            from llmdesk.core.filter import StreamFilter

            self._filter = StreamFilter(compiled)

    def feed(self, text: str) -> tuple[str, tuple[Any, ...], bool]:
        if self._filter is None:
            return text, (), False
        started = time.perf_counter()
        out = self._filter.feed(text)
        self.seconds += time.perf_counter() - started
        return out.text, tuple(out.events), bool(out.stop)

    def flush(self) -> tuple[str, tuple[Any, ...], bool]:
        """Release held-back text; later calls return nothing (the stream has ended)."""
        if self._filter is None or self._flushed:
            return "", (), False
        self._flushed = True
        started = time.perf_counter()
        out = self._filter.flush()
        self.seconds += time.perf_counter() - started
        return out.text, tuple(out.events), bool(out.stop)


def compile_filter_config(config: dict[str, Any] | None) -> Any | None:
    """Compile the request's filter config; None when there is none, it has no rules, or no filter module.

    Raises ``llmdesk.core.filter.RuleError`` for an invalid config, which fails the request.
    """
    if not config:
        return None
    try:
        from llmdesk.core.filter import FilterConfig, compile_filter
    except ImportError:
        log.warning("A filter config was sent but llmdesk.core.filter is not available; text is unfiltered")
        return None
    key = json.dumps(config, sort_keys=True)
    if key not in _compiled_filters:
        parsed = FilterConfig.from_dict(config)
        compiled = compile_filter(parsed) if parsed.rule_sets or parsed.custom_rules else None
        _compiled_filters.clear()  # a chat uses one config at a time; keep only the latest
        _compiled_filters[key] = compiled
    return _compiled_filters[key]


_compiled_filters: dict[str, Any] = {}


class TextPipeline:
    """Bytes in, (kind, text) pieces out: UTF-8 decoding, stop strings, reasoning split, filter.

    ``stop_reason`` is set once the reply must end (a stop string or a filter stop).
    """

    def __init__(self, stops: Sequence[str], end_texts: Sequence[str], opens_reasoning: bool,
                 compiled_filter: Any | None) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._end_texts = frozenset(end_texts)
        self._stops = StopMatcher(list(stops) + list(end_texts))
        self._splitter = ReasoningSplitter(opened_in_prompt=opens_reasoning)
        self._filters = {"answer": FilterStage(compiled_filter),
                         "reasoning": FilterStage(compiled_filter)}
        self._answer_started = False
        self.filter_events: list[Any] = []
        self.stop_reason: str | None = None

    @property
    def filter_seconds(self) -> float:
        """Time spent inside the output filter so far, both streams together."""
        return sum(stage.seconds for stage in self._filters.values())

    def feed_bytes(self, data: bytes) -> list[tuple[str, str]]:
        if self.stop_reason is not None:
            return []
        text = self._decoder.decode(data)
        if not text:
            return []
        return self._feed_text(text)

    def _feed_text(self, text: str) -> list[tuple[str, str]]:
        text, matched = self._stops.feed(text)
        if matched is not None:
            self.stop_reason = p.STOP_EOS if matched in self._end_texts else p.STOP_STRING
        pieces = self._splitter.feed(text) if text else []
        if matched is not None:
            pieces += self._splitter.flush()
        return self._filter_pieces(pieces)

    def _filter_pieces(self, pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for kind, text in pieces:
            if kind == "answer" and not self._answer_started:
                out += self._flush_filter("reasoning")
                text = text.lstrip()
                if not text:
                    continue
                self._answer_started = True
            filtered, events, stop = self._filters[kind].feed(text)
            self.filter_events.extend(events)
            if filtered:
                out.append((kind, filtered))
            if stop:
                self.stop_reason = p.STOP_FILTER
                out += self._flush_filter(kind)
                break
        return out

    def _flush_filter(self, kind: str) -> list[tuple[str, str]]:
        text, events, stop = self._filters[kind].flush()
        self.filter_events.extend(events)
        if stop and self.stop_reason is None:
            self.stop_reason = p.STOP_FILTER
        return [(kind, text)] if text else []

    def finish(self) -> list[tuple[str, str]]:
        """Release everything held back at the end of the reply."""
        pieces: list[tuple[str, str]] = []
        tail = self._decoder.decode(b"", final=True)
        if self.stop_reason is None and tail:
            pieces += self._feed_text(tail)
        if self.stop_reason is None:
            rest = self._stops.flush()
            if rest:
                pieces += self._filter_pieces(self._splitter.feed(rest))
        if self.stop_reason != p.STOP_FILTER:
            pieces += self._filter_pieces(self._splitter.flush())
        pieces += self._flush_filter("reasoning") + self._flush_filter("answer")
        return pieces


@dataclass
class EventBatcher:
    """Coalesce text chunks for one request and hand them to ``emit`` in batches."""

    request_id: str
    emit: Callable[[list[Any]], None]
    chunks: list[list[Any]] = field(default_factory=list)  # [kind, text]
    others: list[Any] = field(default_factory=list)
    pending_tokens: int = 0

    def add_text(self, kind: str, text: str) -> None:
        if self.chunks and self.chunks[-1][0] == kind:
            self.chunks[-1][1] += text
        else:
            self.chunks.append([kind, text])

    def add_event(self, event: Any) -> None:
        self.others.append(event)

    def flush(self, final: bool = False) -> None:
        events: list[Any] = []
        tokens = self.pending_tokens
        if self.chunks:
            for kind, text in self.chunks:
                events.append(p.TextChunk(self.request_id, kind, text, tokens))
                tokens = 0
            self.pending_tokens = 0
            self.chunks = []
        elif final and tokens:
            events.append(p.TextChunk(self.request_id, "answer", "", tokens))
            self.pending_tokens = 0
        events += self.others
        self.others = []
        if events:
            self.emit(events)


@dataclass
class ReplyContext:
    """Model facts and helpers for the token loop, built once per load by the worker."""

    llm: Any  # llama_cpp.Llama
    pieces: PieceCache
    eog_ids: frozenset[int]
    end_texts: tuple[str, ...]  # text of end-of-turn tokens, also treated as stop strings
    n_ctx: int
    rss: Callable[[], int]


class PromptAbort:
    """Let a cancel interrupt prompt processing, which runs as one llama_decode() call per batch.

    While installed, llama.cpp calls a callback before each node of the compute graph (on the CPU
    backend) and aborts the decode when it returns true, which llama-cpp-python raises as a
    RuntimeError. The callback runs Python, so it is removed at the first generated token: on every
    node of every token it would slow decoding down.

    NOTE: tested on the CPU backend only. A GPU backend that does not call the callback makes a
    cancel wait for the current prompt batch, as before.
    """

    def __init__(self, llm: Any, cancel: Any, serial: int) -> None:
        import llama_cpp

        self._llm = llm
        self._cancel = cancel
        self._serial = serial
        self._callback = llama_cpp.ggml_abort_callback(self._should_abort)  # kept alive while installed
        self._installed = False
        self.aborted = False

    def _should_abort(self, _data: Any) -> bool:
        if self._cancel.value >= self._serial:
            self.aborted = True
        return self.aborted

    def install(self) -> None:
        import llama_cpp

        llama_cpp.llama_set_abort_callback(self._llm.ctx, self._callback, None)
        self._installed = True

    def remove(self) -> None:
        if not self._installed:
            return
        import llama_cpp

        llama_cpp.llama_set_abort_callback(self._llm.ctx, llama_cpp.ggml_abort_callback(), None)
        self._installed = False


def _perf_prompt(llm: Any) -> tuple[int, float]:
    """Prompt tokens evaluated and milliseconds, from llama.cpp's context counters."""
    import llama_cpp

    data = llama_cpp.llama_perf_context(llm.ctx)
    return int(data.n_p_eval), float(data.t_p_eval_ms)


def run_reply(ctx: ReplyContext, request: p.GenerateRequest, prompt_tokens: list[int],
              opens_reasoning: bool, extra_stops: Sequence[str], serial: int, cancel: Any,
              emit: Callable[[list[Any]], None], started: float) -> tuple[p.ReplyStats, str]:
    """Generate one reply, emitting TextChunk / StatsSample / FilterApplied batches.

    Returns the reply's stats and a message explaining the stop when it needs words.

    ``cancel.value >= serial`` cancels. ``started`` is the perf_counter time the request arrived.
    """
    import llama_cpp

    llm = ctx.llm
    sampling = request.sampling
    pipeline = TextPipeline(list(request.stop) + list(extra_stops), ctx.end_texts, opens_reasoning,
                            compile_filter_config(request.filter_config))
    batcher = EventBatcher(request.request_id, emit)
    llm.set_seed(sampling.seed if sampling.seed is not None else random.getrandbits(31))
    llama_cpp.llama_perf_context_reset(llm.ctx)

    generated = 0
    first_token_at: float | None = None
    last_token_at = started
    stop_reason = p.STOP_LENGTH
    message = ""
    next_flush = time.perf_counter() + FLUSH_SECONDS
    next_sample = time.perf_counter() + SAMPLE_SECONDS
    sample_tokens, sample_time = 0, time.perf_counter()
    prompt_evaluated, prompt_ms = 0, 0.0
    eog_ids = ctx.eog_ids if not request.ignore_eos else frozenset()
    max_tokens = sampling.max_tokens
    n_ctx = ctx.n_ctx
    pieces = ctx.pieces
    cached_piece = pieces.cache.get
    pending: list[bytes] = []  # token bytes not yet run through the text pipeline
    filter_seen = 0
    loop_seconds = 0.0  # time spent in this loop's own per-token work, outside llama.cpp

    generator = llm.generate(prompt_tokens, top_k=sampling.top_k, top_p=sampling.top_p,
                             min_p=sampling.min_p, temp=sampling.temperature,
                             repeat_penalty=sampling.repeat_penalty, reset=True)
    prompt_abort = PromptAbort(llm, cancel, serial)
    try:
        if cancel.value >= serial:
            stop_reason = p.STOP_CANCELLED
        else:
            prompt_abort.install()
            for token in generator:
                now = time.perf_counter()
                generated += 1
                batcher.pending_tokens += 1
                if first_token_at is None:
                    prompt_abort.remove()
                    first_token_at = now
                    prompt_evaluated, prompt_ms = _perf_prompt(llm)
                last_token_at = now
                if token in eog_ids:
                    stop_reason = p.STOP_EOS
                    break
                piece = cached_piece(token)
                pending.append(piece if piece is not None else pieces(token))
                if len(pending) >= TEXT_BATCH_TOKENS or now >= next_flush:
                    for kind, text in pipeline.feed_bytes(b"".join(pending)):
                        batcher.add_text(kind, text)
                    pending.clear()
                    if pipeline.stop_reason is not None:
                        stop_reason = pipeline.stop_reason
                        break
                if generated >= max_tokens:
                    stop_reason = p.STOP_LENGTH
                    break
                if llm.n_tokens >= n_ctx:
                    stop_reason = p.STOP_CONTEXT_FULL
                    message = f"The context of {n_ctx} tokens is full."
                    break
                if cancel.value >= serial:
                    stop_reason = p.STOP_CANCELLED
                    break
                if now >= next_flush:
                    if len(pipeline.filter_events) > filter_seen:
                        batcher.add_event(p.FilterApplied(request.request_id,
                                                          tuple(pipeline.filter_events[filter_seen:])))
                        filter_seen = len(pipeline.filter_events)
                    if now >= next_sample:
                        interval = now - sample_time
                        rate = (generated - sample_tokens) / interval if interval > 0 else 0.0
                        batcher.add_event(p.StatsSample(request.request_id, now - started, rate, generated,
                                                        ctx.rss(), llm.n_tokens, n_ctx))
                        sample_tokens, sample_time = generated, now
                        next_sample = now + SAMPLE_SECONDS
                    batcher.flush()
                    next_flush = now + FLUSH_SECONDS
                loop_seconds += time.perf_counter() - now
    except Exception as exc:  # noqa: BLE001 - llama.cpp decode errors end the reply, not the worker
        if prompt_abort.aborted:
            log.info("Request %s was cancelled during prompt processing", request.request_id)
            stop_reason = p.STOP_CANCELLED
        else:
            log.exception("Generation of request %s failed", request.request_id)
            stop_reason = p.STOP_ERROR
            message = f"Generation failed: {exc}"
    finally:
        prompt_abort.remove()
        generator.close()

    if pending and pipeline.stop_reason is None:
        for kind, text in pipeline.feed_bytes(b"".join(pending)):
            batcher.add_text(kind, text)
    for kind, text in pipeline.finish():
        batcher.add_text(kind, text)
    if pipeline.stop_reason == p.STOP_FILTER and stop_reason != p.STOP_ERROR:
        stop_reason = p.STOP_FILTER
    if len(pipeline.filter_events) > filter_seen:
        batcher.add_event(p.FilterApplied(request.request_id, tuple(pipeline.filter_events[filter_seen:])))
    end = time.perf_counter()
    decode_seconds = (last_token_at - first_token_at) if first_token_at is not None else 0.0
    decode_tps = (generated - 1) / decode_seconds if generated > 1 and decode_seconds > 0 else 0.0
    ttft = (first_token_at - started) if first_token_at is not None else end - started
    if prompt_evaluated == 0 and first_token_at is not None:
        prompt_ms = ttft * 1000.0  # nothing counted as a prompt batch (e.g. one token past the cache)
        prompt_evaluated = 1
    prompt_seconds = prompt_ms / 1000.0
    batcher.add_event(p.StatsSample(request.request_id, end - started,
                                    decode_tps, generated, ctx.rss(), llm.n_tokens, n_ctx))
    batcher.flush(final=True)
    return p.ReplyStats(
        prompt_tokens=len(prompt_tokens), prompt_tokens_evaluated=prompt_evaluated,
        prompt_seconds=prompt_seconds,
        prompt_tps=prompt_evaluated / prompt_seconds if prompt_seconds > 0 else 0.0,
        time_to_first_token=ttft, generated_tokens=generated, decode_seconds=decode_seconds,
        decode_tps=decode_tps, stop_reason=stop_reason, filter_events=len(pipeline.filter_events),
        n_ctx_used=llm.n_tokens, n_ctx=n_ctx, loop_seconds=loop_seconds,
        filter_seconds=pipeline.filter_seconds,
    ), message


def process_rss() -> Callable[[], int]:
    """Return a function giving this process's resident memory in bytes (0 when psutil fails)."""
    import psutil

    process = psutil.Process(os.getpid())

    def rss() -> int:
        try:
            return int(process.memory_info().rss)
        except psutil.Error:
            return 0

    return rss
