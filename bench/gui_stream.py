"""GUI responsiveness while the chat page shows a fast token stream from the real engine child.

A real ``ChatPage`` (offscreen unless a display is set, empty LLMDESK_HOME, light theme) loads the tiny
generated model in the real engine child and sends a prompt through the page itself (``ChatPage.send``),
greedy, with ``max_tokens`` set to ``--tokens``. The tiny model's end-of-generation outputs are zeroed,
so greedy decoding runs to ``max_tokens`` and the chat page needs no ``ignore_eos``. Each line shows the
stop reason, so a reply that ended early is visible.

Each run is measured in two phases. The streaming phase lasts from the first text the GUI receives
until the ``Finished`` event reaches the page. The finish phase lasts from that event until the
finished message, rendered as Markdown, has painted once. Measured figures:

- event-loop stalls, from a 5 ms heartbeat QTimer: wall-clock gaps and GUI-thread CPU gaps
  (``time.thread_time``), as the max and the 99th percentile over the streaming phase. A CPU gap is
  work the GUI thread did without returning to the event loop. A wall gap also contains time the
  thread waited for a core, so it is noisier on a shared machine;
- CPU use over the streaming phase, as % of one core: the GUI process (all its threads, including the
  engine client's reader thread) and the engine child, from ``psutil`` cpu_times deltas;
- tokens/s: the ``Finished`` event's decode rate and the text the Performance tab shows for it;
- last token to render: from the last text chunk the GUI received to the end of ``set_content`` (the
  page's ``reply_finished`` signal) and to the first paint of the finished message.

Runs cycle through four configurations (window 1280×800 or 1920×1080, with the Performance tab in
front or the Chat settings tab in front, which hides the graphs), so background load affects each
alike. Each run starts a new conversation, so every prompt is the same short one. Before each cycle a
second engine child with the same model and no GUI generates the same reply, as the baseline for the
tokens/s ratio.

Run: .venv/bin/python bench/gui_stream.py [--runs 3] [--tokens 4000] [--threads N]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

HEARTBEAT_MS = 5
PROMPT = "Tell me a long story about the city, the people and the music."
N_CTX = 8192
SIZES = ((1280, 800), (1920, 1080))


@dataclass
class RunResult:
    size: tuple[int, int]
    perf_tab_shown: bool
    generated_tokens: int = 0
    stop_reason: str = ""
    decode_tps: float = 0.0
    shown_decode: str = ""
    stream_seconds: float = 0.0
    max_wall_gap_ms: float = 0.0
    p99_wall_gap_ms: float = 0.0
    max_cpu_gap_ms: float = 0.0
    p99_cpu_gap_ms: float = 0.0
    beats: int = 0
    gui_cpu_pct: float = 0.0
    engine_cpu_pct: float = 0.0
    finish_cpu_gap_ms: float = 0.0
    last_token_to_content_ms: float = 0.0
    last_token_to_paint_ms: float = 0.0
    answer_chars: int = 0


@dataclass
class Probe:
    """Signal timestamps of one run, in time.perf_counter() seconds."""

    first_text: float | None = None
    last_text: float | None = None
    finished: float | None = None
    content_set: float | None = None
    painted: float | None = None
    status: str = ""
    beats: list[tuple[float, float]] = field(default_factory=list)  # (wall, thread CPU)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def gaps(beats: list[tuple[float, float]], start: float, end: float) -> tuple[list[float], list[float]]:
    """Wall and CPU gaps (seconds) between consecutive heartbeats that end inside [start, end]."""
    wall, cpu = [], []
    for previous, current in zip(beats, beats[1:]):
        if start <= current[0] <= end:
            wall.append(current[0] - previous[0])
            cpu.append(current[1] - previous[1])
    return wall, cpu


def wait_until(condition, timeout: float, what: str) -> None:
    """Run a nested event loop until ``condition()`` is true; raise TimeoutError after ``timeout`` seconds.

    The condition is checked every 10 ms from a timer, so waiting costs the GUI thread almost nothing
    (``processEvents`` in a loop would keep it busy and inflate the figures).
    """
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return
    loop = QEventLoop()
    deadline = time.monotonic() + timeout
    timed_out = False

    def check() -> None:
        nonlocal timed_out
        if condition():
            loop.quit()
        elif time.monotonic() > deadline:
            timed_out = True
            loop.quit()

    poll = QTimer()
    poll.setInterval(10)
    poll.timeout.connect(check)
    poll.start()
    loop.exec()
    poll.stop()
    if timed_out:
        raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def run_once(page, size: tuple[int, int], perf_tab_shown: bool, tokens: int) -> RunResult:
    import psutil
    from PySide6.QtCore import QEvent, QObject, Qt, QTimer

    page.resize(*size)
    page.side_tabs.setCurrentIndex(0 if perf_tab_shown else 1)
    page.new_conversation()
    page.chat_settings.temperature.setValue(0.0)
    page.chat_settings.max_tokens.setValue(tokens)
    settle = time.monotonic() + 0.3  # let the resize and tab switch lay out and paint
    wait_until(lambda: time.monotonic() > settle, 5, "the layout to settle")

    probe = Probe()
    result = RunResult(size, perf_tab_shown)
    gui = psutil.Process()
    engine = psutil.Process(page.bridge.client.pid)
    cpu_marks: dict[str, tuple[float, float, float]] = {}  # phase -> (wall, GUI CPU, engine CPU)

    def cpu_mark(name: str) -> None:
        gui_times, engine_times = gui.cpu_times(), engine.cpu_times()
        cpu_marks[name] = (time.perf_counter(), gui_times.user + gui_times.system,
                           engine_times.user + engine_times.system)

    def on_text(_request_id: str, _kind: str, _text: str) -> None:
        now = time.perf_counter()
        if probe.first_text is None:
            probe.first_text = now
            cpu_mark("start")
        probe.last_text = now

    def on_finished(_event) -> None:
        probe.finished = time.perf_counter()
        cpu_mark("end")

    def on_reply_finished(status: str) -> None:
        probe.content_set = time.perf_counter()
        probe.status = status

    class PaintWatch(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint and probe.content_set is not None and probe.painted is None:
                probe.painted = time.perf_counter()
            return False

    def beat() -> None:
        probe.beats.append((time.perf_counter(), time.thread_time()))

    bridge = page.bridge
    bridge.text_received.connect(on_text)
    # Slots run in connection order: put on_finished ahead of the page's slot, which renders the
    # finished message, so that probe.finished is the time the event arrived.
    bridge.generation_finished.disconnect(page._on_finished)
    bridge.generation_finished.connect(on_finished)
    bridge.generation_finished.connect(page._on_finished)
    page.reply_finished.connect(on_reply_finished)
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(beat)
    heartbeat.start()
    watch = PaintWatch()
    widget = None
    try:
        page.input.setPlainText(PROMPT)
        page.send()
        widget = page.view.messages()[-1]
        widget.installEventFilter(watch)
        wait_until(lambda: probe.content_set is not None, 600, "the reply to finish")
        wait_until(lambda: probe.painted is not None, 30, "the finished message to paint")
        # One more heartbeat after the paint closes the finish phase.
        painted_beats = len(probe.beats)
        wait_until(lambda: len(probe.beats) > painted_beats, 5, "a heartbeat after the paint")
    finally:
        heartbeat.stop()
        if widget is not None:
            widget.removeEventFilter(watch)
        bridge.text_received.disconnect(on_text)
        bridge.generation_finished.disconnect(on_finished)
        page.reply_finished.disconnect(on_reply_finished)

    message = page.store.messages(page.conversation_id)[-1]
    stats = message.stats or {}
    result.generated_tokens = int(stats.get("generated_tokens", 0))
    result.stop_reason = str(stats.get("stop_reason", probe.status))
    result.decode_tps = float(stats.get("decode_tps", 0.0))
    result.shown_decode = page.perf._summary["decode"].text()
    result.answer_chars = len(message.content)

    wall, cpu = gaps(probe.beats, probe.first_text, probe.finished)
    result.stream_seconds = probe.finished - probe.first_text
    result.beats = len(wall)
    result.max_wall_gap_ms = max(wall, default=0.0) * 1000
    result.p99_wall_gap_ms = percentile(wall, 0.99) * 1000
    result.max_cpu_gap_ms = max(cpu, default=0.0) * 1000
    result.p99_cpu_gap_ms = percentile(cpu, 0.99) * 1000
    _, finish_cpu = gaps(probe.beats, probe.finished, probe.beats[-1][0])
    result.finish_cpu_gap_ms = max(finish_cpu, default=0.0) * 1000

    start, end = cpu_marks["start"], cpu_marks["end"]
    wall_seconds = end[0] - start[0]
    result.gui_cpu_pct = 100 * (end[1] - start[1]) / wall_seconds
    result.engine_cpu_pct = 100 * (end[2] - start[2]) / wall_seconds
    result.last_token_to_content_ms = (probe.content_set - probe.last_text) * 1000
    result.last_token_to_paint_ms = (probe.painted - probe.last_text) * 1000
    return result


def run_headless(client, sampling, tokens: int) -> tuple[float, float]:
    """Generate the same reply in a second engine child with no GUI attached.

    Returns the decode rate (tokens/s) and the child's CPU use over the request (% of one core).
    """
    import uuid

    import psutil

    from llmdesk.engine import protocol

    engine = psutil.Process(client.pid)
    request = protocol.GenerateRequest(uuid.uuid4().hex, [{"role": "user", "content": PROMPT}],
                                       sampling=dataclasses.replace(sampling, max_tokens=tokens))
    times = engine.cpu_times()
    started, cpu_start = time.perf_counter(), times.user + times.system
    client.generate(request)
    finished = client.wait_for(protocol.Finished, timeout=600)
    times = engine.cpu_times()
    elapsed, cpu = time.perf_counter() - started, times.user + times.system - cpu_start
    return finished.stats.decode_tps, 100 * cpu / elapsed


def describe(result: RunResult) -> str:
    width, height = result.size
    tab = "perf shown " if result.perf_tab_shown else "perf hidden"
    return (f"{width}x{height} {tab}: {result.generated_tokens} tokens ({result.stop_reason}), "
            f"{result.decode_tps:.0f} tokens/s (shown \"{result.shown_decode}\"), "
            f"stream {result.stream_seconds:.2f} s, {result.beats} beats; "
            f"gap max {result.max_wall_gap_ms:.1f} ms wall / {result.max_cpu_gap_ms:.1f} ms CPU, "
            f"p99 {result.p99_wall_gap_ms:.1f} / {result.p99_cpu_gap_ms:.1f} ms; "
            f"CPU GUI {result.gui_cpu_pct:.0f} % engine {result.engine_cpu_pct:.0f} %; "
            f"last token -> content {result.last_token_to_content_ms:.0f} ms, "
            f"-> paint {result.last_token_to_paint_ms:.0f} ms (finish stall {result.finish_cpu_gap_ms:.0f} ms CPU, "
            f"{result.answer_chars} chars)")


def summarize(results: list[RunResult]) -> None:
    print()
    print("Ranges over the runs of each configuration (min – max):")
    columns = (
        ("tokens/s", lambda r: r.decode_tps, "{:.0f}"),
        ("max gap wall ms", lambda r: r.max_wall_gap_ms, "{:.1f}"),
        ("max gap CPU ms", lambda r: r.max_cpu_gap_ms, "{:.1f}"),
        ("p99 gap wall ms", lambda r: r.p99_wall_gap_ms, "{:.1f}"),
        ("p99 gap CPU ms", lambda r: r.p99_cpu_gap_ms, "{:.1f}"),
        ("GUI CPU %", lambda r: r.gui_cpu_pct, "{:.0f}"),
        ("engine CPU %", lambda r: r.engine_cpu_pct, "{:.0f}"),
        ("last token->paint ms", lambda r: r.last_token_to_paint_ms, "{:.0f}"),
        ("finish stall CPU ms", lambda r: r.finish_cpu_gap_ms, "{:.0f}"),
    )
    for size in SIZES:
        for shown in (True, False):
            group = [r for r in results if r.size == size and r.perf_tab_shown == shown]
            if not group:
                continue
            label = f"{size[0]}x{size[1]}, Performance tab {'shown' if shown else 'hidden'}"
            parts = []
            for name, value, fmt in columns:
                values = [value(r) for r in group]
                parts.append(f"{name} {fmt.format(min(values))}–{fmt.format(max(values))}")
            print(f"  {label} ({len(group)} runs): " + "; ".join(parts))
    ratios = [r.gui_cpu_pct / r.engine_cpu_pct for r in results if r.engine_cpu_pct > 0]
    if ratios:
        print(f"  GUI CPU / engine CPU: median {statistics.median(ratios):.2f} "
              f"(range {min(ratios):.2f}–{max(ratios):.2f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each of the four configurations (default 3)")
    parser.add_argument("--tokens", type=int, default=4000, help="max_tokens of each reply (default 4000)")
    parser.add_argument("--threads", type=int, default=None,
                        help="llama.cpp n_threads for both engine children (default: llama-cpp-python's "
                             "choice, half the logical CPUs)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error(f"--runs {args.runs} must be at least 1")
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads {args.threads} must be at least 1")
    if not 16 <= args.tokens <= N_CTX - 256:
        parser.error(f"--tokens {args.tokens} must be between 16 and {N_CTX - 256} (the context is {N_CTX})")

    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.TemporaryDirectory(prefix="llmdesk-gui-stream-")
    os.environ["LLMDESK_HOME"] = home.name

    from gguf_factory import write_tiny_llama
    from PySide6.QtWidgets import QApplication

    from llmdesk.core.settings import Settings
    from llmdesk.engine import protocol
    from llmdesk.engine.client import EngineClient
    from llmdesk.engine.protocol import LoadOptions
    from llmdesk.ui.chat_page import ChatPage
    from llmdesk.ui.theme import apply_theme

    import PySide6

    model = write_tiny_llama(Path(home.name) / "tiny.gguf", n_ctx_train=N_CTX)
    app = QApplication.instance() or QApplication(sys.argv)
    apply_theme(app, "light")
    settings = Settings()
    settings.set("filter_enabled", False)
    page = ChatPage(settings)
    page.resize(*SIZES[0])
    page.show()

    loaded = []
    page.bridge.model_loaded.connect(loaded.append)
    page.picker.add_file(str(model))
    options = LoadOptions(n_ctx=N_CTX, n_threads=args.threads)
    page.load_model(str(model), options)
    wait_until(lambda: bool(loaded), 120, "the model to load")
    # The baseline: a second engine child with the same model and no GUI attached to its events.
    headless = EngineClient()
    headless.load(model, options)
    headless.wait_for(protocol.Loaded, timeout=120)

    print(f"machine: {platform.machine()}, {os.cpu_count()} logical CPUs, Python {platform.python_version()}, "
          f"PySide6 {PySide6.__version__}, Qt platform {app.platformName()}")
    print(f"model: write_tiny_llama (n_ctx {N_CTX}, n_threads {args.threads or 'default'}), "
          f"prompt {PROMPT!r}, max_tokens {args.tokens}, greedy")
    configurations = [(size, shown) for size in SIZES for shown in (True, False)]
    # One unmeasured reply warms llama.cpp and the page's first Markdown render.
    run_once(page, SIZES[0], True, min(args.tokens, 500))
    run_headless(headless, page.chat_settings.sampling(), min(args.tokens, 500))
    results = []
    baseline: list[tuple[float, float]] = []
    try:
        for _ in range(args.runs):
            rate, cpu = run_headless(headless, page.chat_settings.sampling(), args.tokens)
            print(f"engine alone (no GUI): {rate:.0f} tokens/s, engine CPU {cpu:.0f} %", flush=True)
            baseline.append((rate, cpu))
            for size, shown in configurations:
                result = run_once(page, size, shown, args.tokens)
                print(describe(result), flush=True)
                results.append(result)
    finally:
        headless.shutdown(wait=5)
        page.shutdown()
        page.deleteLater()
        app.processEvents()
    summarize(results)
    rates = [rate for rate, _ in baseline]
    print(f"  engine alone (no GUI) ({len(baseline)} runs): tokens/s {min(rates):.0f}–{max(rates):.0f}; "
          f"engine CPU % {min(c for _, c in baseline):.0f}–{max(c for _, c in baseline):.0f}")
    print(f"  tokens/s with the GUI / engine alone: median "
          f"{statistics.median(r.decode_tps for r in results) / statistics.median(rates):.2f}")
    home.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
