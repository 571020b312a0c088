"""Chat page against the real engine child and a tiny generated model."""

from __future__ import annotations

import os
import signal
import time

import pytest
from PySide6.QtCore import QTimer

from gguf_factory import write_tiny_llama
from llmdesk.core.history import ChatStore
from llmdesk.core.settings import Settings
from llmdesk.engine import protocol
from llmdesk.engine.protocol import LoadOptions

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    return write_tiny_llama(tmp_path_factory.mktemp("models") / "tiny.gguf")


@pytest.fixture
def chat_page(qtbot, tmp_path):
    from llmdesk.ui.chat_page import ChatPage

    settings = Settings(tmp_path / "settings.json")
    settings.set("filter_enabled", False)
    page = ChatPage(settings, store=ChatStore(tmp_path / "chats.sqlite3"))
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    yield page
    page.shutdown()


def load(qtbot, page, model, **options):
    page.picker.add_file(str(model))
    with qtbot.waitSignal(page.bridge.model_loaded, timeout=60_000):
        page.load_model(str(model), LoadOptions(n_ctx=options.pop("n_ctx", 512), **options))


def send(qtbot, page, text, max_tokens=24, timeout=60_000):
    page.chat_settings.max_tokens.setValue(max_tokens)
    page.chat_settings.temperature.setValue(0.0)
    page.input.setPlainText(text)
    with qtbot.waitSignal(page.reply_finished, timeout=timeout) as blocker:
        page.send()
    return blocker.args[0]


def test_reply_streams_and_is_saved(qtbot, chat_page, tiny_model):
    load(qtbot, chat_page, tiny_model)
    status = send(qtbot, chat_page, "Hello there")

    assert status == "complete"
    (conversation,) = chat_page.store.list_conversations()
    assert conversation.title == "Hello there"
    user, reply = chat_page.store.messages(conversation.id)
    assert user.content == "Hello there"
    assert reply.role == "assistant"
    assert reply.status == "complete"
    assert reply.content
    assert reply.stats["generated_tokens"] > 0
    shown = chat_page.view.messages()[-1]
    assert shown.answer == reply.content
    assert chat_page.perf.sample_count > 0 or reply.stats["generated_tokens"] < 8


def test_history_survives_restart(qtbot, tmp_path, tiny_model):
    from llmdesk.ui.chat_page import ChatPage

    settings = Settings(tmp_path / "settings.json")
    settings.set("filter_enabled", False)
    first = ChatPage(settings, store=ChatStore(tmp_path / "chats.sqlite3"))
    qtbot.addWidget(first)
    load(qtbot, first, tiny_model)
    send(qtbot, first, "Remember me")
    saved = [m.content for m in first.store.messages(first.conversation_id)]
    engine_pid = first.bridge.client.pid
    first.shutdown()
    # The page waits for the engine to exit, so nothing joins it later at interpreter exit.
    with pytest.raises(ChildProcessError):
        os.waitpid(engine_pid, os.WNOHANG)  # already reaped by the client

    second = ChatPage(settings, store=ChatStore(tmp_path / "chats.sqlite3"))
    qtbot.addWidget(second)
    try:
        shown = [widget.answer for widget in second.view.messages()]
        assert shown == saved
        assert second.conversations.count() == 1
    finally:
        second.shutdown()


def test_engine_kill_keeps_window_and_partial(qtbot, chat_page, tiny_model):
    load(qtbot, chat_page, tiny_model)
    chat_page.chat_settings.max_tokens.setValue(100_000)
    chat_page.input.setPlainText("Write forever")
    chat_page.send()
    qtbot.waitUntil(lambda: len(chat_page._reply.answer) > 20 if chat_page._reply else False, timeout=60_000)

    with qtbot.waitSignal(chat_page.reply_finished, timeout=30_000) as blocker:
        os.kill(chat_page.bridge.client.pid, signal.SIGKILL)
    assert blocker.args[0] == "crashed"

    messages = chat_page.store.messages(chat_page.conversation_id)
    assert messages[-1].status == "crashed"
    assert len(messages[-1].content) > 20
    assert chat_page.banner.isVisible()
    assert chat_page.retry_button.isVisible()
    assert chat_page.isVisible()

    # Retry starts a fresh child and chatting goes on in the same conversation.
    with qtbot.waitSignal(chat_page.bridge.model_loaded, timeout=60_000):
        chat_page.retry_button.click()
    assert send(qtbot, chat_page, "Still there?") == "complete"


def test_stop_saves_partial_reply(qtbot, chat_page, tiny_model):
    load(qtbot, chat_page, tiny_model)
    chat_page.chat_settings.max_tokens.setValue(100_000)
    chat_page.input.setPlainText("Go on")
    chat_page.send()
    qtbot.waitUntil(lambda: len(chat_page._reply.answer) > 10 if chat_page._reply else False, timeout=60_000)
    with qtbot.waitSignal(chat_page.reply_finished, timeout=30_000) as blocker:
        chat_page.stop()
    assert blocker.args[0] == "stopped"
    last = chat_page.store.messages(chat_page.conversation_id)[-1]
    assert last.status == "stopped"
    assert last.content == chat_page.view.messages()[-1].answer


def test_regenerate_and_edit_last(qtbot, chat_page, tiny_model):
    load(qtbot, chat_page, tiny_model)
    send(qtbot, chat_page, "First question")
    with qtbot.waitSignal(chat_page.reply_finished, timeout=60_000):
        chat_page.regenerate()
    roles = [m.role for m in chat_page.store.messages(chat_page.conversation_id)]
    assert roles == ["user", "assistant"]

    chat_page.edit_last()
    assert chat_page.input.toPlainText() == "First question"
    assert chat_page.store.messages(chat_page.conversation_id) == []
    assert chat_page.view.messages() == []
    assert send(qtbot, chat_page, "Second question") == "complete"
    assert [m.content for m in chat_page.store.messages(chat_page.conversation_id)][0] == "Second question"


def test_bad_file_shows_message_not_crash(qtbot, chat_page, tmp_path):
    from gguf_factory import write_bad_file

    bad = write_bad_file(tmp_path / "pointer.gguf", "lfs_pointer")
    with qtbot.waitSignal(chat_page.bridge.load_failed, timeout=10_000):
        chat_page.load_model(str(bad), LoadOptions(n_ctx=256))
    assert chat_page.banner.isVisible()
    assert "LFS" in chat_page._banner_text.text()


def test_context_trim_notice_shown(qtbot, chat_page, tiny_model):
    load(qtbot, chat_page, tiny_model, n_ctx=128)
    for turn in range(6):
        send(qtbot, chat_page, f"Turn {turn}: " + "words " * 20, max_tokens=24)
    notices = [m.notice or "" for m in chat_page.store.messages(chat_page.conversation_id)]
    assert any("left out" in notice for notice in notices)


def test_gui_stays_responsive_while_streaming(qtbot, chat_page):
    """A heartbeat timer keeps firing while thousands of tokens per second are shown."""
    chat_page.loaded_model = protocol.ModelInfo(
        path="synthetic.gguf", architecture="llama", name="synthetic", n_ctx=8192, n_ctx_train=8192,
        n_vocab=300, n_params=1, size_bytes=1, has_chat_template=True, eog_token_ids=(2,), bos_token="<s>",
        eos_token="</s>", n_gpu_layers=0, load_seconds=0.0)
    chat_page.new_conversation()
    conversation_id = chat_page.conversation_id
    chat_page.store.add_message(conversation_id, "user", "stream")
    reply = chat_page.store.begin_reply(conversation_id)
    from llmdesk.ui.chat_page import _Reply

    chat_page._reply = _Reply("synthetic", conversation_id, reply.id, chat_page.view.add_streaming_reply())

    # A stall is work the GUI thread does without returning to the event loop. It is measured in
    # this thread's CPU time, so other processes competing for the cores do not count as stalls.
    cpu_gaps: list[float] = []
    wall_gaps: list[float] = []
    last = [time.thread_time(), time.monotonic()]

    def beat():
        cpu_now, wall_now = time.thread_time(), time.monotonic()
        cpu_gaps.append(cpu_now - last[0])
        wall_gaps.append(wall_now - last[1])
        last[:] = [cpu_now, wall_now]

    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(beat)
    heartbeat.start()
    # The engine sends batches about every 30 ms; 100 tokens per batch is about 3300 tokens/s.
    words = "token 流式 😀 ".split()
    sent = 0
    batches = 0

    def push():
        nonlocal sent, batches
        events = []
        for _ in range(100):
            events.append(protocol.TextChunk("synthetic", "answer", words[sent % len(words)] + " ", 1))
            sent += 1
        events.append(protocol.StatsSample("synthetic", batches * 0.03, 3300.0, sent, 50_000_000, sent, 8192))
        chat_page.bridge._dispatch(events)
        batches += 1

    feeder = QTimer()
    feeder.setInterval(30)
    feeder.timeout.connect(push)
    feeder.start()
    started = time.monotonic()
    qtbot.waitUntil(lambda: sent >= 8000, timeout=30_000)
    elapsed = time.monotonic() - started
    feeder.stop()
    heartbeat.stop()

    assert sent / elapsed > 2000
    assert len(chat_page._reply.answer.split()) == sent
    print(f"largest gap: {max(cpu_gaps[1:]) * 1000:.1f} ms of GUI-thread CPU, "
          f"{max(wall_gaps[1:]) * 1000:.1f} ms of wall time, over {len(cpu_gaps)} beats")
    assert max(cpu_gaps[1:]) <= 0.050, f"the GUI thread worked {max(cpu_gaps[1:]) * 1000:.0f} ms without a break"


def test_picker_shows_fit_verdict(qtbot, chat_page, tiny_model):
    from llmdesk.core.hardware.profile import CpuInfo, MachineProfile, MemoryInfo

    profile = MachineProfile(
        os_name="Linux", os_version="6", cpu=CpuInfo("Test CPU", "x86_64", 4, 8, frozenset({"avx2"})),
        memory=MemoryInfo(total=16 * 2**30, available=12 * 2**30))
    chat_page.set_profile(profile)
    chat_page.picker.add_file(str(tiny_model))
    qtbot.waitUntil(lambda: chat_page.picker.verdict.text() != "", timeout=10_000)
    assert "CPU" in chat_page.picker.verdict.text()
    assert "KV cache" in chat_page.picker.verdict.toolTip()
    assert chat_page.picker.gpu_layers.value() == 0


def test_picker_lists_library_models(qtbot, chat_page, tiny_model):
    import shutil

    from llmdesk.core import paths

    shutil.copy(tiny_model, paths.models_dir() / "tiny-copy.gguf")
    chat_page.refresh_models()
    qtbot.waitUntil(lambda: chat_page.picker.combo.count() > 0, timeout=10_000)
    assert chat_page.picker.combo.itemText(0) == "tiny-copy"
    assert chat_page.picker.current_path().endswith("tiny-copy.gguf")


def test_reasoning_cut_short_gets_notice(qtbot, chat_page, tmp_path):
    from gguf_factory import THINK_TEMPLATE

    model = write_tiny_llama(tmp_path / "thinker.gguf", chat_template=THINK_TEMPLATE)
    load(qtbot, chat_page, model)
    assert send(qtbot, chat_page, "Think about it", max_tokens=16) == "complete"

    reply = chat_page.store.messages(chat_page.conversation_id)[-1]
    assert reply.reasoning
    assert reply.content == ""
    assert "still thinking" in reply.notice
    assert reply.stats["stop_reason"] == "length"
