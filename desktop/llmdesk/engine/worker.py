"""The engine child process: owns the llama.cpp model and runs the token loop.

Started by ``EngineClient`` with multiprocessing's "spawn" context, one child per loaded model.
Spawn rather than ``subprocess.Popen([sys.executable, "-m", ...])`` because it also works in a
PyInstaller bundle (where ``sys.executable`` is the app, not Python; ``multiprocessing.freeze_support``
covers it), and because it hands the child a shared cancel counter that the token loop can read
before every token. Spawn rather than fork because the parent has Qt and reader threads that a
forked child must not inherit.

Streams: commands arrive on ``commands`` (a Connection), events leave on ``events`` in lists. File
descriptors 1 and 2 point at the engine log file, so native output that bypasses the log callback
(an abort message, for instance) is still on record when the client reads its tail after a crash.
llama.cpp's own log callback feeds Python logging; records at the forwarding level also travel to
the parent as ``LogLine`` events.

This module imports llama_cpp only inside functions: the client imports it to name ``main`` as the
process target, and the parent process never loads llama.cpp.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time
from typing import Any

from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage
from llmdesk.engine import protocol as p
from llmdesk.engine.context import reply_reserve, trim_to_fit
from llmdesk.engine.filecheck import check_before_load
from llmdesk.engine.prompt import PLAIN_FORMAT_STOPS, PromptBuilder, VocabView, build_messages

log = logging.getLogger(__name__)
native_log = logging.getLogger("llmdesk.engine.llama_cpp")

_CTX = "Engine"

# End-of-turn and start-of-turn tokens of common chat templates (ChatML, Llama 3, Gemma, Phi,
# DeepSeek, Mistral). Those present in a vocabulary end the reply like end-of-generation tokens,
# and their text is a stop string: a model that opens a new turn without closing its own must not
# show the next turn's header.
END_OF_TURN_TEXTS = ("<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<|end|>", "<end_of_turn>",
                     "<｜end▁of▁sentence｜>", "<|endoftext|>", "<|end_of_text|>", "</s>",
                     "<|im_start|>", "<|start_header_id|>", "<start_of_turn>", "<｜User｜>",
                     "<｜Assistant｜>", "[INST]")

# enum ggml_log_level in ggml.h: 0 none, 1 debug, 2 info, 3 warn, 4 error, 5 continuation of the
# previous line. llama.cpp's info lines (the whole model description) are logged as debug here.
_NATIVE_LEVELS = {0: logging.DEBUG, 1: logging.DEBUG, 2: logging.DEBUG, 3: logging.WARNING,
                  4: logging.ERROR}

_KV_TYPES = {"f16": 1, "q8_0": 8, "q4_0": 2}  # ggml_type values


class _Channel:
    """Thread-safe sender of event batches; log lines ride along with the next batch."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self._logs: list[p.LogLine] = []

    def add_log(self, line: p.LogLine) -> None:
        with self._lock:
            self._logs.append(line)
            if len(self._logs) > 500:  # no batch went out for a while: keep the newest lines
                del self._logs[:100]

    def send(self, events: list[Any]) -> None:
        with self._lock:
            batch, self._logs = self._logs + list(events), []
            if batch:
                self._connection.send(batch)


class _ForwardHandler(logging.Handler):
    def __init__(self, channel: _Channel, level: int) -> None:
        super().__init__(level)
        self._channel = channel

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._channel.add_log(p.LogLine(record.name, record.levelno, self.format(record)))
        except Exception:  # noqa: BLE001 - logging must never raise into the token loop
            self.handleError(record)


def _redirect_output(log_path: str) -> None:
    """Point fds 1 and 2 at the engine log file, truncated so it contains this child's output.

    O_APPEND keeps a previous child that is still writing its last lines from leaving a hole.
    """
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stdout = open(1, "w", encoding="utf-8", errors="replace", buffering=1, closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", errors="replace", buffering=1, closefd=False)


def _setup_logging(channel: _Channel, forward_level: int) -> None:
    root = logging.getLogger("llmdesk")
    root.setLevel(logging.DEBUG)
    file_handler = logging.StreamHandler(sys.stderr)
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root.addHandler(file_handler)
    forward = _ForwardHandler(channel, forward_level)
    forward.setFormatter(logging.Formatter("%(message)s"))
    root.addHandler(forward)
    root.propagate = False


class _NativeLog:
    """llama.cpp log callback -> Python logging, joining partial lines."""

    def __init__(self) -> None:
        import llama_cpp

        self._partial = ""
        self._level = logging.DEBUG
        self._lock = threading.Lock()
        self.last_error = ""  # the latest error line, which usually says why a load failed
        # The ctypes callback object must stay referenced for as long as llama.cpp may call it.
        self.callback = llama_cpp.llama_log_callback(self._on_log)
        llama_cpp.llama_log_set(self.callback, ctypes.c_void_p(0))

    def _on_log(self, level: int, text: bytes, user_data: Any) -> None:
        with self._lock:
            if level != 5:
                self._level = _NATIVE_LEVELS.get(level, logging.INFO)
            self._partial += text.decode("utf-8", errors="replace")
            while "\n" in self._partial:
                line, self._partial = self._partial.split("\n", 1)
                if line.strip():
                    native_log.log(self._level, "%s", line)
                    if self._level >= logging.ERROR:
                        self.last_error = line.strip()


class _ProgressReporter:
    """llama.cpp load progress callback -> LoadProgress events, at most every 1% or 0.1 s."""

    def __init__(self, channel: _Channel) -> None:
        import llama_cpp

        self._channel = channel
        self._last_fraction = -1.0
        self._last_time = 0.0
        self.callback = llama_cpp.llama_progress_callback(self._on_progress)

    def _on_progress(self, fraction: float, user_data: Any) -> bool:
        now = time.monotonic()
        if fraction >= 1.0 or fraction - self._last_fraction >= 0.01 or now - self._last_time >= 0.1:
            self._last_fraction, self._last_time = fraction, now
            self._channel.send([p.LoadProgress(min(1.0, max(0.0, float(fraction))))])
        return True


def _construct_llama(path: str, options: p.LoadOptions, progress: _ProgressReporter) -> Any:
    """Create ``llama_cpp.Llama`` with a progress callback.

    Workaround: ``Llama.__init__`` builds its model params from ``llama_model_default_params()`` and
    offers no progress-callback argument (llama-cpp-python 0.3.x), so the default-params function is
    wrapped for the duration of the call to set the callback on the struct it returns.
    """
    import llama_cpp
    from llama_cpp import llama as llama_module

    original = llama_module.llama_cpp.llama_model_default_params

    def params_with_progress() -> Any:
        params = original()
        params.progress_callback = progress.callback
        params.progress_callback_user_data = None
        return params

    type_v = options.kv_type
    if options.kv_type != "f16" and not options.flash_attn:
        # llama.cpp rejects a quantized V cache without flash attention; K alone can be quantized.
        log.warning("KV cache type %s needs flash attention for the V cache; using f16 for V",
                    options.kv_type)
        type_v = "f16"
    kwargs: dict[str, Any] = dict(
        n_gpu_layers=options.n_gpu_layers, n_ctx=options.n_ctx, n_batch=options.n_batch,
        n_ubatch=options.n_batch, flash_attn=options.flash_attn, use_mmap=options.use_mmap,
        type_k=_KV_TYPES[options.kv_type], type_v=_KV_TYPES[type_v],
        # verbose=True keeps llama-cpp-python from pointing fd 2 at /dev/null during loading, which
        # would hide abort messages; its own prints land in the engine log file.
        verbose=True,
    )
    if options.n_threads:
        kwargs["n_threads"] = options.n_threads
    if options.n_threads_batch:
        kwargs["n_threads_batch"] = options.n_threads_batch
    llama_module.llama_cpp.llama_model_default_params = params_with_progress
    try:
        return llama_cpp.Llama(model_path=path, **kwargs)
    finally:
        llama_module.llama_cpp.llama_model_default_params = original


class LoadedModel:
    """A loaded model with everything the token loop and prompt building need."""

    def __init__(self, llm: Any, path: str, options: p.LoadOptions, load_seconds: float) -> None:
        import llama_cpp

        from llmdesk.engine.tokenloop import PieceCache, ReplyContext, process_rss

        self.llm = llm
        vocab = llm._model.vocab
        n_vocab = llm.n_vocab()
        control = llama_cpp.LLAMA_TOKEN_ATTR_CONTROL | llama_cpp.LLAMA_TOKEN_ATTR_USER_DEFINED
        special: dict[str, int] = {}
        eog: set[int] = set()
        for token in range(n_vocab):
            if llama_cpp.llama_vocab_get_attr(vocab, token) & control:
                text = llama_cpp.llama_vocab_get_text(vocab, token).decode("utf-8", errors="replace")
                if text:
                    special.setdefault(text, token)
            if llama_cpp.llama_vocab_is_eog(vocab, token):
                eog.add(token)
        end_texts = [text for text in END_OF_TURN_TEXTS if text in special]
        eog.update(special[text] for text in end_texts)
        end_texts += [llama_cpp.llama_vocab_get_text(vocab, t).decode("utf-8", errors="replace")
                      for t in eog]
        bos_id = llama_cpp.llama_vocab_bos(vocab)
        eos_id = llama_cpp.llama_vocab_eos(vocab)
        bos_text = llm._model.token_get_text(bos_id) if bos_id >= 0 else ""
        eos_text = llm._model.token_get_text(eos_id) if eos_id >= 0 else ""
        self.template = llm.metadata.get("tokenizer.chat_template") or None
        if self.template is None:
            log.info("%s has no chat template; using the plain 'User:/Assistant:' format", path)
        self.builder = PromptBuilder(
            VocabView(tokenize=lambda text, add_bos, parse: llm.tokenize(text, add_bos, parse),
                      special_tokens=special, bos_id=bos_id,
                      add_bos=bool(llama_cpp.llama_vocab_get_add_bos(vocab)),
                      bos_text=bos_text, eos_text=eos_text),
            self.template)
        self.reply_context = ReplyContext(
            llm=llm, pieces=PieceCache(vocab), eog_ids=frozenset(eog),
            end_texts=tuple(dict.fromkeys(t for t in end_texts if t)), n_ctx=llm.n_ctx(),
            rss=process_rss())
        self.info = p.ModelInfo(
            path=path, architecture=llm.metadata.get("general.architecture", "unknown"),
            name=llm.metadata.get("general.name", os.path.basename(path)), n_ctx=llm.n_ctx(),
            n_ctx_train=llm._model.n_ctx_train(), n_vocab=n_vocab, n_params=llm._model.n_params(),
            size_bytes=llm._model.size(), has_chat_template=self.template is not None,
            eog_token_ids=tuple(sorted(eog)), bos_token=bos_text, eos_token=eos_text,
            # A CPU-only build ignores the offload request; report what really happened.
            n_gpu_layers=options.n_gpu_layers if llama_cpp.llama_supports_gpu_offload() else 0,
            load_seconds=load_seconds)


def _load(command: p.LoadCommand, channel: _Channel, native: _NativeLog) -> LoadedModel | None:
    channel.send([p.StateChanged(p.LOADING)])
    failure = check_before_load(command.path)
    if failure is not None:
        log.warning("Not loading %s: %s", command.path, failure.message)
        channel.send([failure])
        return None
    started = time.perf_counter()
    progress = _ProgressReporter(channel)
    log.info("Loading %s with %s", command.path, command.options)
    try:
        llm = _construct_llama(command.path, command.options, progress)
        model = LoadedModel(llm, command.path, command.options, time.perf_counter() - started)
    except (ValueError, RuntimeError, OSError) as exc:
        log.exception("llama.cpp failed to load %s", command.path)
        reason = native.last_error or str(exc)
        channel.send([p.LoadFailed("load_error", UserMessage(
            _CTX, QT_TRANSLATE_NOOP(_CTX, "llama.cpp could not load {path}: {error}. Check the load "
                                          "settings (context length, KV cache type, GPU layers); if "
                                          "they are fine, the file may be damaged or need a newer "
                                          "llama.cpp."),
            path=command.path, error=reason), detail=repr(exc))])
        return None
    log.info("Loaded %s in %.2f s (n_ctx %d, %d GPU layers)", command.path, model.info.load_seconds,
             model.info.n_ctx, command.options.n_gpu_layers)
    channel.send([p.Loaded(model.info)])
    return model


def _generate(model: LoadedModel, command: p.GenerateCommand, cancel: Any, channel: _Channel) -> None:
    from llmdesk.engine.tokenloop import run_reply

    started = time.perf_counter()
    request = command.request
    n_ctx = model.reply_context.n_ctx
    messages = build_messages(request.system_prompt, request.messages)
    offset = 1 if request.system_prompt else 0
    conversation = messages[offset:]
    builds: dict[tuple[int, ...], Any] = {}

    def count_tokens(kept: list[int]) -> int:
        rendered = model.builder.build(messages[:offset] + [conversation[i] for i in kept])
        builds[tuple(kept)] = rendered
        return len(rendered.tokens)

    trim = trim_to_fit(conversation, count_tokens, n_ctx, reply_reserve(request.sampling.max_tokens, n_ctx))
    prompt = builds[trim.kept_indices]
    if trim.dropped_indices:
        log.info("Request %s: left out messages %s to fit %d tokens", request.request_id,
                 list(trim.dropped_indices), n_ctx)
        channel.send([p.ContextTrimmed(request.request_id, trim.dropped_indices, trim.prompt_tokens, n_ctx)])
    if len(prompt.tokens) >= n_ctx:
        message = (f"The prompt needs {len(prompt.tokens)} tokens but the context is {n_ctx} tokens. "
                   "Shorten the message or the system prompt, or load the model with a longer context.")
        log.warning("Request %s: %s", request.request_id, message)
        stats = p.ReplyStats(len(prompt.tokens), 0, 0.0, 0.0, 0.0, 0, 0.0, 0.0, p.STOP_CONTEXT_FULL, 0, 0, n_ctx)
        channel.send([p.Finished(request.request_id, stats, message)])
        return
    extra_stops = PLAIN_FORMAT_STOPS if prompt.used_fallback_format else ()
    stats, message = run_reply(model.reply_context, request, prompt.tokens, prompt.opens_reasoning,
                               extra_stops, command.serial, cancel, channel.send, started)
    log.info("Request %s: %d prompt tokens, %d generated, %.1f tokens/s, stop: %s", request.request_id,
             stats.prompt_tokens, stats.generated_tokens, stats.decode_tps, stats.stop_reason)
    channel.send([p.Finished(request.request_id, stats, message)])


def main(commands: Any, events: Any, cancel: Any, log_path: str, forward_level: int) -> None:
    """Process entry point: serve commands until ShutdownCommand or the parent goes away."""
    # Ctrl+C in a terminal reaches the whole process group; the parent decides what it cancels.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _redirect_output(log_path)

    channel = _Channel(events)
    _setup_logging(channel, forward_level)
    native = _NativeLog()  # also keeps the ctypes callback alive for the life of the process
    log.info("Engine process %d started (Python %s)", os.getpid(), sys.version.split()[0])
    channel.send([p.EngineStarted(os.getpid())])

    model: LoadedModel | None = None
    while True:
        try:
            command = commands.recv()
        except (EOFError, OSError):
            log.info("The parent process went away; the engine exits")
            break
        if isinstance(command, p.ShutdownCommand):
            break

        try:
            if isinstance(command, p.LoadCommand):
                native.last_error = ""
                model = _load(command, channel, native)
                channel.send([p.StateChanged(p.READY if model else p.IDLE)])
            elif isinstance(command, p.GenerateCommand):
                if model is None:
                    channel.send([p.GenerateFailed(command.request.request_id, "No model is loaded.")])
                else:
                    _generate(model, command, cancel, channel)
                channel.send([p.StateChanged(p.READY if model else p.IDLE)])
            else:
                log.error("Unknown command %r ignored", command)
        except Exception as exc:  # noqa: BLE001 - report, keep serving
            log.exception("Command %s failed", type(command).__name__)
            if isinstance(command, p.GenerateCommand):
                channel.send([p.GenerateFailed(command.request.request_id, f"Generation failed: {exc}"),
                              p.StateChanged(p.READY if model else p.IDLE)])
            elif isinstance(command, p.LoadCommand):
                model = None
                channel.send([p.LoadFailed("load_error", UserMessage(
                    _CTX, QT_TRANSLATE_NOOP(_CTX, "Loading {path} failed: {error}"),
                    path=command.path, error=str(exc)), detail=repr(exc)), p.StateChanged(p.IDLE)])

    log.info("Engine process %d exits", os.getpid())
    channel.send([])
    model = None
