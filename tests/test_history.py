import os
import signal
import subprocess
import sys
import textwrap

import pytest

from llmdesk.core.history import ChatStore


@pytest.fixture
def store(tmp_path):
    chat_store = ChatStore(tmp_path / "chats.sqlite3")
    yield chat_store
    chat_store.close()


def test_messages_keep_order_and_fields(store):
    chat = store.create_conversation("First", system_prompt="Be brief.", sampling={"temperature": 0.2})
    store.add_message(chat.id, "user", "Hello 你好 👋")
    reply = store.begin_reply(chat.id, model="tiny.gguf")
    store.finish_reply(reply.id, "Hi!", reasoning="greeting", stats={"generated_tokens": 3})

    messages = store.messages(chat.id)
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[0].content == "Hello 你好 👋"
    assert messages[1].content == "Hi!"
    assert messages[1].reasoning == "greeting"
    assert messages[1].status == "complete"
    assert messages[1].stats == {"generated_tokens": 3}
    reloaded = store.conversation(chat.id)
    assert reloaded.system_prompt == "Be brief."
    assert reloaded.sampling == {"temperature": 0.2}


def test_rename_delete_and_search(store):
    first = store.create_conversation("Rust questions")
    second = store.create_conversation("Cooking")
    store.add_message(second.id, "user", "How long do I boil 100% durum pasta?")

    store.rename(first.id, "Rust lifetimes")
    assert store.conversation(first.id).title == "Rust lifetimes"
    with pytest.raises(ValueError, match="empty"):
        store.rename(first.id, "   ")

    assert [c.id for c in store.list_conversations("lifetimes")] == [first.id]
    assert [c.id for c in store.list_conversations("durum")] == [second.id]
    # LIKE wildcards in the search text are matched literally
    assert [c.id for c in store.list_conversations("100%")] == [second.id]
    assert store.list_conversations("_") == []

    store.delete_conversation(second.id)
    assert store.messages(second.id) == []
    assert [c.id for c in store.list_conversations()] == [first.id]


def test_regenerate_deletes_from_seq(store):
    chat = store.create_conversation("Edit")
    store.add_message(chat.id, "user", "one")
    store.add_message(chat.id, "assistant", "two")
    store.add_message(chat.id, "user", "three")
    store.add_message(chat.id, "assistant", "four")

    assert store.delete_messages_from(chat.id, 2) == 2
    assert [m.content for m in store.messages(chat.id)] == ["one", "two"]
    assert store.add_message(chat.id, "user", "three again").seq == 2


def test_invalid_role_and_status_rejected(store):
    chat = store.create_conversation("Bad input")
    with pytest.raises(ValueError, match="role"):
        store.add_message(chat.id, "robot", "x")
    with pytest.raises(ValueError, match="status"):
        store.add_message(chat.id, "user", "x", status="done")
    assert store.messages(chat.id) == []


def test_history_survives_kill_9(tmp_path):
    db_path = tmp_path / "chats.sqlite3"
    script = textwrap.dedent(f"""
        import os, signal
        from llmdesk.core.history import ChatStore
        store = ChatStore({str(db_path)!r})
        chat = store.create_conversation("Crash test")
        store.add_message(chat.id, "user", "Tell me a story")
        reply = store.begin_reply(chat.id)
        store.checkpoint_reply(reply.id, "Once upon a time")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    process = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert process.returncode == -signal.SIGKILL

    store = ChatStore(db_path)
    try:
        assert store.recovered == 1
        (chat,) = store.list_conversations()
        messages = store.messages(chat.id)
        assert [m.content for m in messages] == ["Tell me a story", "Once upon a time"]
        assert messages[1].status == "interrupted"
    finally:
        store.close()


def test_newer_schema_rejected(tmp_path):
    db_path = tmp_path / "chats.sqlite3"
    ChatStore(db_path).close()
    import sqlite3

    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA user_version=99")
    connection.close()
    with pytest.raises(RuntimeError, match="newer"):
        ChatStore(db_path)
    assert os.path.exists(db_path)
