"""Test set-up shared by every test.

Qt runs offscreen (set before anything imports Qt), and every test gets its own empty LLMDESK_HOME so
no test reads or writes the real user's settings, chats or models.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests"))

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def llmdesk_home(tmp_path, monkeypatch):
    home = tmp_path / "llmdesk-home"
    home.mkdir()
    monkeypatch.setenv("LLMDESK_HOME", str(home))
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    return home
