"""Chats stored in SQLite (``chats.sqlite3`` in the data dir, WAL mode).

Durability contract: every write is committed before the method returns. With WAL and
``synchronous=NORMAL`` a committed row survives a crash or kill -9 of the app (not necessarily a power
loss). A reply being generated is a row with status ``streaming``; the caller checkpoints its text every
second or so and finishes it with a final status. Rows still ``streaming`` when a new store opens are from
a run that died and are marked ``interrupted``.

Use one ChatStore per thread; the GUI uses it from the GUI thread only.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmdesk.core import paths

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

ROLES = ("system", "user", "assistant")
# complete: finished normally; stopped: the user pressed Stop; crashed: the engine died mid-reply;
# interrupted: the app itself died mid-reply; filtered: the output filter ended the reply;
# error: generation failed; streaming: being generated now.
STATUSES = ("complete", "stopped", "crashed", "interrupted", "filtered", "error", "streaming")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    created_at    REAL NOT NULL,
    updated_at    REAL NOT NULL,
    system_prompt TEXT NOT NULL DEFAULT '',
    sampling_json TEXT NOT NULL DEFAULT '{}',
    model_path    TEXT,
    filter_json   TEXT
);
CREATE TABLE IF NOT EXISTS messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content         TEXT NOT NULL DEFAULT '',
    reasoning       TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'complete',
    created_at      REAL NOT NULL,
    model           TEXT,
    stats_json      TEXT,
    notice          TEXT,
    UNIQUE (conversation_id, seq)
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, seq);
"""


@dataclass
class Conversation:
    id: int
    title: str
    created_at: float
    updated_at: float
    system_prompt: str = ""
    sampling: dict[str, Any] = field(default_factory=dict)
    model_path: str | None = None
    filter_config: dict[str, Any] | None = None


@dataclass
class Message:
    id: int
    conversation_id: int
    seq: int
    role: str
    content: str
    reasoning: str = ""
    status: str = "complete"
    created_at: float = 0.0
    model: str | None = None
    stats: dict[str, Any] | None = None
    notice: str | None = None  # e.g. what the filter did or what was trimmed from the context


class ChatStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.data_dir() / "chats.sqlite3"
        self._db = sqlite3.connect(self.path, isolation_level=None)  # autocommit; explicit transactions
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        elif version > SCHEMA_VERSION:
            raise RuntimeError(f"{self.path} was written by a newer LLM Desk (schema {version}); "
                               f"update the app to open it.")
        self.recovered = self._recover_interrupted()

    def close(self) -> None:
        self._db.close()

    def _recover_interrupted(self) -> int:
        cursor = self._db.execute("UPDATE messages SET status='interrupted' WHERE status='streaming'")
        if cursor.rowcount:
            log.warning("Marked %d reply(s) as interrupted: the app stopped while they were generated",
                        cursor.rowcount)
        return cursor.rowcount

    # conversations

    def create_conversation(self, title: str, system_prompt: str = "",
                            sampling: dict[str, Any] | None = None,
                            model_path: str | None = None) -> Conversation:
        now = time.time()
        cursor = self._db.execute(
            "INSERT INTO conversations (title, created_at, updated_at, system_prompt, sampling_json,"
            " model_path) VALUES (?, ?, ?, ?, ?, ?)",
            (title, now, now, system_prompt, json.dumps(sampling or {}), model_path))
        return self.conversation(cursor.lastrowid)

    def conversation(self, conversation_id: int) -> Conversation:
        row = self._db.execute("SELECT * FROM conversations WHERE id=?", (conversation_id,)).fetchone()
        if row is None:
            raise KeyError(f"no conversation with id {conversation_id}")
        return _conversation(row)

    def list_conversations(self, search: str = "") -> list[Conversation]:
        """Return conversations, most recently updated first, whose title or messages contain ``search``."""
        if not search.strip():
            rows = self._db.execute("SELECT * FROM conversations ORDER BY updated_at DESC, id DESC")
            return [_conversation(r) for r in rows]
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._db.execute(
            "SELECT * FROM conversations c WHERE c.title LIKE ?1 ESCAPE '\\' OR EXISTS ("
            " SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.content LIKE ?1 ESCAPE '\\')"
            " ORDER BY updated_at DESC, id DESC", (pattern,))
        return [_conversation(r) for r in rows]

    def rename(self, conversation_id: int, title: str) -> None:
        title = title.strip()
        if not title:
            raise ValueError("A chat title cannot be empty.")
        self._update_conversation(conversation_id, title=title)

    def update_conversation(self, conversation_id: int, *, system_prompt: str | None = None,
                            sampling: dict[str, Any] | None = None, model_path: str | None = None,
                            filter_config: dict[str, Any] | None = None) -> None:
        fields: dict[str, Any] = {}
        if system_prompt is not None:
            fields["system_prompt"] = system_prompt
        if sampling is not None:
            fields["sampling_json"] = json.dumps(sampling)
        if model_path is not None:
            fields["model_path"] = model_path
        if filter_config is not None:
            fields["filter_json"] = json.dumps(filter_config)
        if fields:
            self._update_conversation(conversation_id, **fields)

    def _update_conversation(self, conversation_id: int, **fields: Any) -> None:
        fields["updated_at"] = time.time()
        assignments = ", ".join(f"{name}=?" for name in fields)
        cursor = self._db.execute(f"UPDATE conversations SET {assignments} WHERE id=?",
                                  (*fields.values(), conversation_id))
        if cursor.rowcount == 0:
            raise KeyError(f"no conversation with id {conversation_id}")

    def delete_conversation(self, conversation_id: int) -> None:
        self._db.execute("DELETE FROM conversations WHERE id=?", (conversation_id,))

    # messages

    def messages(self, conversation_id: int) -> list[Message]:
        rows = self._db.execute("SELECT * FROM messages WHERE conversation_id=? ORDER BY seq",
                                (conversation_id,))
        return [_message(r) for r in rows]

    def add_message(self, conversation_id: int, role: str, content: str, *, reasoning: str = "",
                    status: str = "complete", model: str | None = None,
                    stats: dict[str, Any] | None = None, notice: str | None = None) -> Message:
        if role not in ROLES:
            raise ValueError(f"invalid role {role!r}; expected one of {', '.join(ROLES)}")
        if status not in STATUSES:
            raise ValueError(f"invalid status {status!r}; expected one of {', '.join(STATUSES)}")
        now = time.time()
        with self._transaction():
            seq = self._db.execute("SELECT COALESCE(MAX(seq), -1) + 1 FROM messages WHERE conversation_id=?",
                                   (conversation_id,)).fetchone()[0]
            cursor = self._db.execute(
                "INSERT INTO messages (conversation_id, seq, role, content, reasoning, status, created_at,"
                " model, stats_json, notice) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, seq, role, content, reasoning, status, now, model,
                 json.dumps(stats) if stats is not None else None, notice))
            self._db.execute("UPDATE conversations SET updated_at=? WHERE id=?", (now, conversation_id))
        return self.message(cursor.lastrowid)

    def message(self, message_id: int) -> Message:
        row = self._db.execute("SELECT * FROM messages WHERE id=?", (message_id,)).fetchone()
        if row is None:
            raise KeyError(f"no message with id {message_id}")
        return _message(row)

    def begin_reply(self, conversation_id: int, model: str | None = None) -> Message:
        """Insert an empty assistant message with status ``streaming``."""
        return self.add_message(conversation_id, "assistant", "", status="streaming", model=model)

    def checkpoint_reply(self, message_id: int, content: str, reasoning: str = "") -> None:
        """Save the text generated so far, so a crash of the app loses at most the last interval."""
        self._db.execute("UPDATE messages SET content=?, reasoning=? WHERE id=? AND status='streaming'",
                         (content, reasoning, message_id))

    def finish_reply(self, message_id: int, content: str, reasoning: str = "", *, status: str = "complete",
                     stats: dict[str, Any] | None = None, notice: str | None = None) -> None:
        if status not in STATUSES or status == "streaming":
            raise ValueError(f"invalid final status {status!r}")
        self._db.execute(
            "UPDATE messages SET content=?, reasoning=?, status=?, stats_json=?, notice=? WHERE id=?",
            (content, reasoning, status, json.dumps(stats) if stats is not None else None, notice,
             message_id))

    def update_message(self, message_id: int, content: str) -> None:
        self._db.execute("UPDATE messages SET content=? WHERE id=?", (content, message_id))

    def delete_messages_from(self, conversation_id: int, seq: int) -> int:
        """Delete the message at ``seq`` and every later one (regenerate, edit-and-resend)."""
        cursor = self._db.execute("DELETE FROM messages WHERE conversation_id=? AND seq>=?",
                                  (conversation_id, seq))
        return cursor.rowcount

    def _transaction(self):
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")


def _conversation(row: sqlite3.Row) -> Conversation:
    return Conversation(id=row["id"], title=row["title"], created_at=row["created_at"],
                        updated_at=row["updated_at"], system_prompt=row["system_prompt"],
                        sampling=json.loads(row["sampling_json"] or "{}"), model_path=row["model_path"],
                        filter_config=json.loads(row["filter_json"]) if row["filter_json"] else None)


def _message(row: sqlite3.Row) -> Message:
    return Message(id=row["id"], conversation_id=row["conversation_id"], seq=row["seq"], role=row["role"],
                   content=row["content"], reasoning=row["reasoning"], status=row["status"],
                   created_at=row["created_at"], model=row["model"],
                   stats=json.loads(row["stats_json"]) if row["stats_json"] else None, notice=row["notice"])
