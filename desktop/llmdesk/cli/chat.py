"""``llm-desk chat``: talk to a local GGUF model in the terminal, through the same engine as the window.

With ``--prompt`` it answers once and exits; without it, it reads messages until Ctrl+D. Ctrl+C
cancels the reply being written (the engine child ignores SIGINT, so it keeps the model loaded).
The answer goes to stdout; reasoning (``<think>`` text), notices and ``--stats`` go to stderr.

``--json`` writes JSON Lines to stdout instead, one object per event, each with an ``"event"`` key:
``notice`` (``message``), ``loaded``, ``text`` (``kind``: answer or reasoning), ``context_trimmed``,
``filtered``, ``finished`` (with ``stats``), ``load_failed``, ``crashed``, ``error``.

MODEL is a file path or a name from ``llm-desk models``. Without ``--ctx`` the context length is the
Default context length setting, cut to the length the model was trained for, as the window does;
an explicit ``--ctx`` above the trained length is kept, with a warning. Exit status: 0 done, 2 bad file or
arguments, 3 the engine crashed, 130 a one-shot reply cancelled with Ctrl+C.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import signal
import sys
import uuid
from pathlib import Path
from typing import Any, TextIO

from llmdesk.cli._args import int_at_least
from llmdesk.engine import protocol as p
from llmdesk.engine.client import EngineClient

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_CRASHED = 3
EXIT_INTERRUPTED = 130


def _gpu_layers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of layers, got {text!r}") from None
    if value < -1:
        raise argparse.ArgumentTypeError(f"must be -1 (all layers), 0 (none) or a layer count, got {value}")
    return value


def _temperature(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 0.7, got {text!r}") from None
    if not 0 <= value <= 5:
        raise argparse.ArgumentTypeError(f"must be between 0 and 5, got {value}")
    return value


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "chat", help="chat with a local GGUF model in the terminal",
        description="Load a GGUF model in the engine process and chat with it. Without --prompt, "
                    "read messages interactively (Ctrl+C cancels a reply, Ctrl+D exits).")
    parser.add_argument("model", metavar="MODEL",
                        help="path of the GGUF model file, or a model name from `llm-desk models`")
    parser.add_argument("--prompt", metavar="TEXT", help="answer this one message and exit")
    parser.add_argument("--system", metavar="TEXT", default="", help="system prompt")
    parser.add_argument("--ctx", type=int_at_least(16, "tokens"), metavar="N",
                        help="context length in tokens (default: the Default context length setting, "
                             "at most the length the model was trained for)")
    parser.add_argument("--max-tokens", type=int_at_least(1, "tokens"), default=1024, metavar="N",
                        help="maximum tokens per reply (default 1024)")
    parser.add_argument("--temperature", type=_temperature, default=0.8, metavar="T",
                        help="sampling temperature, 0 for greedy (default 0.8)")
    parser.add_argument("--seed", type=int, metavar="N", help="random seed, for repeatable replies")
    parser.add_argument("--gpu-layers", type=_gpu_layers, metavar="N",
                        help="layers to offload to the GPU, -1 for all (default: the fit advice for this "
                             "machine)")
    parser.add_argument("--threads", type=int_at_least(1, "threads"), metavar="N",
                        help="CPU threads for decoding (default: the fit advice for this machine)")
    parser.add_argument("--no-filter", action="store_true", help="do not apply the output filter")
    parser.add_argument("--stats", action="store_true", help="print reply statistics to stderr")
    parser.add_argument("--json", action="store_true", help="write JSON Lines events to stdout")
    return parser


def filter_config_from_settings(settings: Any) -> dict[str, Any] | None:
    """Return the output filter config of ``settings`` as a plain dict, or None without a filter module."""
    try:
        from llmdesk.core.filter import FilterConfig
    except ImportError:
        return None
    return FilterConfig.from_settings(settings).to_dict()


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class _Output:
    """Writes events as text (answer to stdout, everything else to stderr) or as JSON Lines."""

    def __init__(self, as_json: bool, show_stats: bool, out: TextIO, err: TextIO) -> None:
        self.as_json = as_json
        self.show_stats = show_stats
        self.out = out
        self.err = err
        self._last_kind: str | None = None

    def json_line(self, event: str, **fields: Any) -> None:
        self.out.write(json.dumps({"event": event, **_jsonable(fields)}, ensure_ascii=False) + "\n")
        self.out.flush()

    def notice(self, text: str) -> None:
        if self.as_json:
            return
        self.err.write(text + "\n")
        self.err.flush()

    def important_notice(self, text: str) -> None:
        """Write a notice that JSON readers also need, as a ``notice`` event in JSON mode."""
        if self.as_json:
            self.json_line("notice", message=text)
        else:
            self.notice(text)

    def text(self, chunk: p.TextChunk) -> None:
        if self.as_json:
            if chunk.text:
                self.json_line("text", request_id=chunk.request_id, kind=chunk.kind, text=chunk.text,
                               n_tokens=chunk.n_tokens)
            return
        stream = self.out if chunk.kind == "answer" else self.err
        if chunk.kind == "answer" and self._last_kind == "reasoning":
            self.err.write("\n")
        stream.write(chunk.text)
        stream.flush()
        if chunk.text:
            self._last_kind = chunk.kind

    def end_reply(self, finished: p.Finished) -> None:
        self._last_kind = None
        if self.as_json:
            self.json_line("finished", request_id=finished.request_id, stats=finished.stats,
                           message=finished.message)
            return
        self.out.write("\n")
        self.out.flush()
        if finished.message:
            self.notice(finished.message)
        if finished.stats.stop_reason == p.STOP_CANCELLED:
            self.notice("[reply cancelled]")
        elif finished.stats.stop_reason == p.STOP_FILTER:
            self.notice("[reply stopped by the output filter]")
        if self.show_stats:
            s = finished.stats
            self.notice(
                f"[{s.prompt_tokens} prompt tokens ({s.prompt_tokens_evaluated} evaluated) in "
                f"{s.prompt_seconds:.2f} s, {s.prompt_tps:.1f} tokens/s | first token after "
                f"{s.time_to_first_token:.2f} s | {s.generated_tokens} tokens at {s.decode_tps:.1f} tokens/s | "
                f"context {s.n_ctx_used}/{s.n_ctx} | stop: {s.stop_reason} | filter events: {s.filter_events}]")


def suggested_options(model: str, n_ctx: int, gpu_layers: int | None = None,
                      threads: int | None = None) -> p.LoadOptions:
    """Load options from the fit estimate for this machine, with the user's flags on top.

    A file whose header cannot be read gets plain defaults; the engine's own file check then says
    what is wrong with it.
    """
    from llmdesk.core import fit, gguf_meta, hardware
    from llmdesk.core.settings import Settings

    overrides = {"n_ctx": n_ctx, "n_gpu_layers": gpu_layers, "n_threads": threads}
    try:
        header = gguf_meta.read_header(model)
    except (OSError, ValueError) as exc:
        log.info("No fit advice for %s: %s", model, exc)
        return p.LoadOptions.from_suggestion({}, **overrides)
    settings = Settings()
    profile = hardware.detect(settings, query_llama=False)
    result = fit.estimate_gguf(header, profile, n_ctx, str(settings.get("kv_cache_type")))
    log.info("Fit advice for %s: %s, %d/%d layers on the GPU", model, result.placement.value,
             result.n_gpu_layers, result.n_layers_total)
    return p.LoadOptions.from_suggestion(result.settings, **overrides)


class ModelNotFound(Exception):
    """MODEL is neither an existing file nor the name of exactly one model in the library."""


def resolve_model(argument: str) -> str:
    """Return the path to load for MODEL: the argument when it exists, else the library model with that name.

    Names compare as ``llm-desk models`` shows them, ignoring case. Raises ModelNotFound when no
    model or more than one has that name.
    """
    if Path(argument).expanduser().exists():
        return str(Path(argument).expanduser())
    from llmdesk.core.catalog import load_catalog
    from llmdesk.core.library import Library
    from llmdesk.core.settings import Settings

    models = Library(Settings(), load_catalog()).scan()
    named = [m for m in models if m.name.lower() == argument.lower()]
    if len(named) == 1:
        return str(named[0].path)
    if named:
        paths = ", ".join(str(m.path) for m in named)
        raise ModelNotFound(f"{len(named)} models are named {argument!r} ({paths}); give the path of one")
    raise ModelNotFound(f"{argument!r} is neither a file nor the name of a model in the library; run "
                        f"`llm-desk models` to see model names and paths")


def trained_context(model: str) -> int | None:
    """Return the trained context length recorded in the model's header, or None when unknown."""
    from llmdesk.core import gguf_meta

    try:
        header = gguf_meta.read_header(model)
    except (OSError, ValueError) as exc:
        log.info("No trained context length for %s: %s", model, exc)
        return None
    value = header.arch_value("context_length")
    return value if isinstance(value, int) and value > 0 else None


def choose_context(requested: int | None, default: int, n_ctx_train: int | None) -> tuple[int, str | None]:
    """Return the context length to load and a notice about it (None when no notice is needed).

    The default is cut to the trained length, as the window does. A requested length is kept, because
    the user asked for it, but gets a warning when it is longer than the model was trained for.
    """
    if n_ctx_train is None:
        return requested or default, None
    if requested is None:
        if default <= n_ctx_train:
            return default, None
        return n_ctx_train, (f"Context set to {n_ctx_train} tokens, the length this model was trained "
                             f"for (the default is {default}).")
    if requested > n_ctx_train:
        return requested, (f"Warning: --ctx {requested} is longer than the {n_ctx_train} tokens this model "
                           f"was trained for; answers degrade past that length.")
    return requested, None


def _load(engine: EngineClient, args: argparse.Namespace, model: str, n_ctx: int, output: _Output) -> int:
    options = suggested_options(model, n_ctx, args.gpu_layers, args.threads)
    engine.load(model, options)  # a file that fails the check queues LoadFailed at once
    while True:
        event = engine.wait_for(p.Loaded, p.LoadFailed, p.EngineCrashed, timeout=3600)
        if isinstance(event, p.Loaded):
            if output.as_json:
                output.json_line("loaded", info=event.info)
            else:
                info = event.info
                output.notice(f"Loaded {info.name} ({info.architecture}, {info.n_params / 1e6:.1f}M "
                              f"parameters, context {info.n_ctx} tokens) in {info.load_seconds:.1f} s.")
                if info.n_ctx != n_ctx:
                    output.notice(f"llama.cpp rounded the context from {n_ctx} to {info.n_ctx} tokens.")
                if args.gpu_layers and info.n_gpu_layers == 0:
                    output.notice(f"This llama.cpp build has no GPU support, so --gpu-layers {args.gpu_layers} "
                                  f"has no effect: every layer runs on the CPU.")
            return EXIT_OK
        if isinstance(event, p.LoadFailed):
            if output.as_json:
                output.json_line("load_failed", kind=event.kind, message=str(event.message))
            output.err.write(f"llm-desk chat: {event.message}\n")
            return EXIT_BAD_INPUT
        _report_crash(event, output)
        return EXIT_CRASHED


def _report_crash(crash: p.EngineCrashed, output: _Output) -> None:
    if output.as_json:
        output.json_line("crashed", exit_code=crash.exit_code, signal=crash.signal_name,
                         probable_cause=crash.probable_cause, message=str(crash.message),
                         partial_answer=crash.partial_answer)
    output.err.write(f"\nllm-desk chat: {crash.message}\n")
    if crash.retry_options is not None:
        output.err.write(f"Suggested retry: --gpu-layers {crash.retry_options.n_gpu_layers} "
                         f"--ctx {crash.retry_options.n_ctx}\n")
    output.err.flush()


def _reply(engine: EngineClient, request: p.GenerateRequest, output: _Output) -> tuple[int, str, bool]:
    """Stream one reply; Ctrl+C meanwhile cancels it instead of raising KeyboardInterrupt.

    Returns (exit status, answer text, whether Ctrl+C cancelled it).
    """
    answer: list[str] = []
    interrupted = False

    def on_sigint(signum: int, frame: Any) -> None:
        nonlocal interrupted
        interrupted = True
        engine.cancel(request.request_id)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        engine.generate(request)
        return _stream_reply(engine, request, output, answer), "".join(answer), interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


def _stream_reply(engine: EngineClient, request: p.GenerateRequest, output: _Output,
                  answer: list[str]) -> int:
    for event in engine.iter_events(timeout=None):
        if isinstance(event, p.TextChunk) and event.request_id == request.request_id:
            if event.kind == "answer":
                answer.append(event.text)
            output.text(event)
        elif isinstance(event, p.ContextTrimmed):
            if output.as_json:
                output.json_line("context_trimmed", dropped_indices=event.dropped_indices,
                                 prompt_tokens=event.prompt_tokens, n_ctx=event.n_ctx)
            else:
                output.notice(f"[{event.dropped_count} earlier message(s) left out to fit the context]")
        elif isinstance(event, p.FilterApplied) and output.as_json:
            output.json_line("filtered", events=event.events)
        elif isinstance(event, p.Finished) and event.request_id == request.request_id:
            output.end_reply(event)
            return EXIT_OK
        elif isinstance(event, p.GenerateFailed):
            if output.as_json:
                output.json_line("error", message=event.message)
            output.err.write(f"\nllm-desk chat: {event.message}\n")
            return EXIT_BAD_INPUT
        elif isinstance(event, p.EngineCrashed):
            _report_crash(event, output)
            return EXIT_CRASHED
    return EXIT_CRASHED  # not reached: iter_events without a timeout only ends with the process


def _read_message(output: _Output) -> str | None:
    """Read the next message from stdin; None at end of input (Ctrl+D)."""
    while True:
        try:
            prompt = "> " if sys.stdin.isatty() and not output.as_json else ""
            line = input(prompt)
        except EOFError:
            return None
        except KeyboardInterrupt:
            output.err.write("\n")
            continue
        if line.strip():
            return line


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    from llmdesk.core.settings import Settings

    output = _Output(args.json, args.stats, out or sys.stdout, err or sys.stderr)
    try:
        model = resolve_model(args.model)
    except ModelNotFound as exc:
        output.err.write(f"llm-desk chat: {exc}\n")
        return EXIT_BAD_INPUT
    settings = Settings()
    n_ctx, context_notice = choose_context(args.ctx, int(settings.get("default_context")),
                                           trained_context(model))
    if context_notice:
        output.important_notice(context_notice)
    filter_config = None if args.no_filter else filter_config_from_settings(settings)
    sampling = p.Sampling(temperature=args.temperature, max_tokens=args.max_tokens, seed=args.seed)
    engine = EngineClient()
    try:
        status = _load(engine, args, model, n_ctx, output)
        if status != EXIT_OK:
            return status
        history: list[dict[str, str]] = []
        while True:
            text = args.prompt if args.prompt is not None else _read_message(output)
            if text is None:
                return EXIT_OK
            history.append({"role": "user", "content": text})
            request = p.GenerateRequest(f"cli-{uuid.uuid4().hex[:8]}", list(history),
                                        system_prompt=args.system, sampling=sampling,
                                        filter_config=filter_config)
            status, answer, interrupted = _reply(engine, request, output)
            if status != EXIT_OK:
                return status
            history.append({"role": "assistant", "content": answer})
            if args.prompt is not None:
                return EXIT_INTERRUPTED if interrupted else EXIT_OK
    except KeyboardInterrupt:  # Ctrl+C while the model loads
        output.err.write("\n")
        return EXIT_INTERRUPTED
    finally:
        engine.shutdown(wait=5)

