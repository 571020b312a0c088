"""Records that cross the process boundary between the engine client and the worker.

Everything here is a plain, picklable dataclass with no reference to llama_cpp, so the GUI and CLI
processes can import it. Commands go from the client to the worker; events come back in lists
(batches). Times are seconds unless a field name says otherwise; sizes are bytes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from llmdesk.core.i18n import UserMessage

# Client states, as reported by EngineClient.state and StateChanged events.
IDLE = "idle"  # no model loaded (after a failed load the child stays up until the next load())
LOADING = "loading"
READY = "ready"
GENERATING = "generating"
CRASHED = "crashed"  # the child died unexpectedly; load() starts a fresh one
STOPPED = "stopped"  # shutdown() was called; the client accepts no more commands

# Stop reasons carried by ReplyStats.stop_reason.
STOP_EOS = "eos"
STOP_LENGTH = "length"
STOP_STRING = "stop string"
STOP_CANCELLED = "cancelled"
STOP_FILTER = "filter"
STOP_ERROR = "error"
STOP_CONTEXT_FULL = "context full"
STOP_CRASHED = "crashed"  # set by the client when the child died mid-reply

KV_TYPES = ("f16", "q8_0", "q4_0")


@dataclass(frozen=True)
class LoadOptions:
    """llama.cpp load settings.

    The fit estimate's suggestion fills these in (see ``from_suggestion``); the user's overrides are
    applied on top with ``dataclasses.replace``. ``n_threads=None`` lets llama.cpp pick.
    """

    n_gpu_layers: int = 0
    n_ctx: int = 4096
    n_threads: int | None = None
    n_threads_batch: int | None = None
    n_batch: int = 512
    kv_type: str = "f16"
    flash_attn: bool = False
    use_mmap: bool = True

    def __post_init__(self) -> None:
        if self.kv_type not in KV_TYPES:
            raise ValueError(f"kv_type {self.kv_type!r} is not one of {', '.join(KV_TYPES)}")
        if self.n_ctx < 16:
            raise ValueError(f"n_ctx {self.n_ctx} is too small; use at least 16 tokens")
        if self.n_batch < 1:
            raise ValueError(f"n_batch {self.n_batch} must be at least 1")

    @classmethod
    def from_suggestion(cls, suggestion: Any, **overrides: Any) -> LoadOptions:
        """Build options from an object or dict with the same field names (the fit suggestion).

        Fields the suggestion lacks keep their defaults; ``overrides`` win over both.
        """
        names = {f.name for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for name in names:
            if isinstance(suggestion, dict):
                if name in suggestion:
                    values[name] = suggestion[name]
            elif hasattr(suggestion, name):
                values[name] = getattr(suggestion, name)
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - names
        if unknown:
            raise TypeError(f"unknown load option(s): {', '.join(sorted(unknown))}")
        return cls(**values)

    def with_fewer_gpu_layers(self) -> LoadOptions | None:
        """Options for a retry after an out-of-memory: half the offloaded layers, or None at zero."""
        if self.n_gpu_layers == 0:
            return None
        if self.n_gpu_layers < 0:  # -1 means "all"; the real count is unknown here
            return dataclasses.replace(self, n_gpu_layers=16)
        return dataclasses.replace(self, n_gpu_layers=self.n_gpu_layers // 2)


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.8  # 0 means greedy
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    max_tokens: int = 1024
    seed: int | None = None  # None: a random seed per reply

    def __post_init__(self) -> None:
        if self.temperature < 0:
            raise ValueError(f"temperature {self.temperature} must not be negative")
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens {self.max_tokens} must be at least 1")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p {self.top_p} must be in (0, 1]")


@dataclass(frozen=True)
class GenerateRequest:
    """One chat reply to produce.

    ``messages`` are ``{"role": "user"|"assistant", "content": str}`` dicts, oldest first, ending with
    the user message to answer. Assistant messages hold only the answer: the caller leaves out the
    reasoning it received as ``TextChunk(kind="reasoning")``. The worker also strips any
    ``<think>…</think>`` block from assistant messages before rendering, as a second line of defence.
    ``filter_config`` is the plain-dict configuration of ``llmdesk.core.filter``; None passes text
    through unchanged. ``ignore_eos`` keeps generating past end-of-generation tokens (benchmarks only).
    """

    request_id: str
    messages: tuple[dict[str, str], ...] | list[dict[str, str]]
    system_prompt: str = ""
    sampling: Sampling = field(default_factory=Sampling)
    stop: tuple[str, ...] = ()
    filter_config: dict[str, Any] | None = None
    ignore_eos: bool = False

    def __post_init__(self) -> None:
        if not self.messages:
            raise ValueError("a generate request needs at least one message")
        for index, message in enumerate(self.messages):
            if message.get("role") not in ("user", "assistant"):
                raise ValueError(f"message {index}: role {message.get('role')!r} is not user or "
                                 "assistant (pass the system prompt as system_prompt)")
            if not isinstance(message.get("content"), str):
                raise ValueError(f"message {index}: content must be text")
        if self.messages[-1]["role"] != "user":
            raise ValueError("the last message must be the user message to answer")


@dataclass(frozen=True)
class ModelInfo:
    path: str
    architecture: str
    name: str
    n_ctx: int  # context length this load uses
    n_ctx_train: int
    n_vocab: int
    n_params: int
    size_bytes: int
    has_chat_template: bool
    eog_token_ids: tuple[int, ...]
    bos_token: str
    eos_token: str
    n_gpu_layers: int
    load_seconds: float


# ---- commands (client -> worker) ----

@dataclass(frozen=True)
class LoadCommand:
    path: str
    options: LoadOptions


@dataclass(frozen=True)
class GenerateCommand:
    request: GenerateRequest
    serial: int  # compared with the shared cancel counter in the token loop


@dataclass(frozen=True)
class ShutdownCommand:
    pass


Command = Union[LoadCommand, GenerateCommand, ShutdownCommand]


# ---- events (worker -> client, and client-made ones) ----

@dataclass(frozen=True)
class EngineStarted:
    """The child process is up and serving commands."""

    pid: int


@dataclass(frozen=True)
class StateChanged:
    state: str


@dataclass(frozen=True)
class LoadProgress:
    fraction: float  # 0.0 … 1.0, from llama.cpp's progress callback


@dataclass(frozen=True)
class Loaded:
    info: ModelInfo


@dataclass(frozen=True)
class LoadFailed:
    kind: str  # a gguf_meta FileCheck kind ("lfs_pointer", "truncated", ...) or "load_error"
    message: UserMessage
    detail: str = ""  # technical detail for the log (exception text)

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class TextChunk:
    request_id: str
    kind: Literal["reasoning", "answer"]
    text: str
    n_tokens: int  # generated tokens consumed since the previous chunk of this request


@dataclass(frozen=True)
class StatsSample:
    request_id: str
    elapsed: float  # seconds since the request started
    decode_tps: float  # tokens per second over the last sampling interval
    generated_tokens: int
    rss_bytes: int  # resident memory of the engine process
    n_ctx_used: int
    n_ctx: int


@dataclass(frozen=True)
class ContextTrimmed:
    """The oldest messages were left out of the prompt so the reply fits in the context."""

    request_id: str
    dropped_indices: tuple[int, ...]  # indices into GenerateRequest.messages
    prompt_tokens: int  # prompt size after trimming
    n_ctx: int

    @property
    def dropped_count(self) -> int:
        return len(self.dropped_indices)


@dataclass(frozen=True)
class FilterApplied:
    request_id: str
    events: tuple[Any, ...]  # the filter's own event records


@dataclass(frozen=True)
class ReplyStats:
    prompt_tokens: int  # tokens in the rendered prompt
    prompt_tokens_evaluated: int  # prompt tokens actually processed (the rest came from the KV cache)
    prompt_seconds: float
    prompt_tps: float
    time_to_first_token: float  # from receiving the request to the first generated token
    generated_tokens: int
    decode_seconds: float  # first to last generated token
    decode_tps: float  # (generated_tokens - 1) / decode_seconds
    stop_reason: str
    filter_events: int
    n_ctx_used: int
    n_ctx: int
    # Time the token loop spent on its own work between tokens (text pipeline, filter, batching);
    # the breaks out of the loop are not included.
    loop_seconds: float = 0.0
    # Time spent inside the output filter, a part of loop_seconds except for the flush at the end.
    filter_seconds: float = 0.0


@dataclass(frozen=True)
class Finished:
    request_id: str
    stats: ReplyStats
    message: str = ""  # why it stopped, when that needs words (context full, error)


@dataclass(frozen=True)
class GenerateFailed:
    request_id: str
    message: str


@dataclass(frozen=True)
class LogLine:
    logger: str
    level: int
    message: str


@dataclass(frozen=True)
class EngineCrashed:
    """The engine child ended without being asked to.

    ``partial_answer`` / ``partial_reasoning`` are the reply text delivered before the crash, which
    is what the caller keeps. ``retry_options`` has fewer GPU layers when memory was the likely cause.
    """

    exit_code: int | None
    signal_name: str | None
    # "out of memory", "damaged model file", "llama.cpp aborted", "engine did not start", "unknown"
    probable_cause: str
    message: UserMessage
    during: str  # "start", "load", "generate" or "idle"
    request_id: str | None = None
    partial_answer: str = ""
    partial_reasoning: str = ""
    retry_options: LoadOptions | None = None
    log_tail: tuple[str, ...] = ()

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class Unloaded:
    pass


Event = Union[EngineStarted, StateChanged, LoadProgress, Loaded, LoadFailed, TextChunk, StatsSample, ContextTrimmed,
              FilterApplied, Finished, GenerateFailed, LogLine, EngineCrashed, Unloaded]
