"""Take the chat page screenshots in docs/screenshots.

Real replies of the generated 25M-parameter model fill the graphs; a hand-written conversation shows the
Markdown rendering. Usage: python tools/chat_screenshots.py light|dark en|zh_CN OUTPUT.png
"""
import os, sys, tempfile, time
from pathlib import Path

ANSWER_EN = (
    "Use `open()` with a **context manager**, so the file is closed even when an error occurs:\n\n"
    "```python\nfrom pathlib import Path\n\nwith open(\"notes.txt\", encoding=\"utf-8\") as handle:\n"
    "    for number, line in enumerate(handle, start=1):\n        print(number, line.rstrip())\n```\n\n"
    "For a small file, one line is enough:\n\n```python\ntext = Path(\"notes.txt\").read_text(encoding=\"utf-8\")\n```\n\n"
    "| Method | Returns |\n|---|---|\n| `read()` | the whole file as one string |\n| `readline()` | the next line |\n"
)
REASONING_EN = ("The user wants to read a text file line by line. A context manager closes the file; "
                "enumerate gives line numbers. Mention pathlib for the short form.")
ANSWER_ZH = (
    "用 **上下文管理器** 调用 `open()`，即使出错文件也会被关闭：\n\n"
    "```python\nwith open(\"notes.txt\", encoding=\"utf-8\") as handle:\n"
    "    for number, line in enumerate(handle, start=1):\n        print(number, line.rstrip())\n```\n\n"
    "小文件可以一行读完：`Path(\"notes.txt\").read_text()`。\n"
)
REASONING_ZH = "用户想逐行读取文本文件。上下文管理器会关闭文件，enumerate 给出行号。"


def main():
    theme, language, target = sys.argv[1], sys.argv[2], sys.argv[3]
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="docshots-")
    os.environ["LLMDESK_HOME"] = home
    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "tests"))
    sys.path.insert(0, str(root / "bench"))
    from gui_stream import wait_until
    import gguf_factory
    from llmdesk.app import create_application, install_translators
    from llmdesk.core.settings import Settings
    from llmdesk.engine.protocol import LoadOptions
    from llmdesk.ui.theme import apply_theme
    from llmdesk.ui.main_window import MainWindow, PAGE_CHAT

    app = create_application(sys.argv[:1])
    settings = Settings()
    settings.set("language", language)
    settings.set("theme", theme)
    settings.set("filter_enabled", False)
    install_translators(app, language)
    apply_theme(app, theme)
    models = Path(home) / "models"
    models.mkdir()
    tiny = gguf_factory.write_bench_llama(models / "bench-25m.F16.gguf")
    window = MainWindow(settings)
    window.resize(1280, 800)
    window.show()
    window.show_page(PAGE_CHAT)
    page = window.page(PAGE_CHAT)
    wait_until(lambda: window.profile is not None, 60, "profile")

    def settle(seconds=0.5):
        end = time.monotonic() + seconds
        wait_until(lambda: time.monotonic() > end, 10, "settle")

    loaded, finished = [], []
    page.bridge.model_loaded.connect(loaded.append)
    page.reply_finished.connect(finished.append)
    page.picker.add_file(str(tiny))
    settle(1.0)
    # One llama.cpp thread: with the picker's two on this shared 2-core VM the rate swings 10x.
    page.load_model(str(tiny), LoadOptions(n_ctx=2048, n_threads=1))
    wait_until(lambda: loaded, 60, "load")
    page.new_conversation()
    for tokens in (250, 400, 300):
        page.chat_settings.max_tokens.setValue(tokens)
        page.chat_settings.temperature.setValue(0.7)
        page.input.setPlainText("Tell me something.")
        n = len(finished)
        page.send()
        wait_until(lambda: len(finished) > n, 120, "reply")
        page.new_conversation()
    store = page.store
    conversation = page.conversation_id
    zh = language.startswith("zh")
    store.rename(conversation, "如何逐行读取文件" if zh else "Read a file line by line")
    store.add_message(conversation, "user", "怎样在 Python 里逐行读取文本文件？" if zh else
                      "How do I read a text file line by line in Python?")
    store.add_message(conversation, "assistant", ANSWER_ZH if zh else ANSWER_EN,
                      reasoning=REASONING_ZH if zh else REASONING_EN, model="bench-25m.F16.gguf")
    page.conversations.refresh(conversation)
    page._show_conversation(conversation)
    page.side_tabs.setCurrentIndex(0)
    settle(1.0)
    page.view.messages()[-1]._reasoning_toggle.setChecked(True)
    settle(1.0)
    window.grab().save(target)
    print("saved", target, window.width(), window.height())
    window.close()
    settle(1.0)


if __name__ == "__main__":
    main()
