"""Tests of the ``llm-desk`` entry point: closed pipes, help text, and starting without a display."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from llmdesk.cli import EXIT_BROKEN_PIPE, build_parser, missing_display_message


def _run_into_closed_pipe(argv: list[str], llmdesk_home) -> subprocess.CompletedProcess:
    """Run ``llm-desk ARGV`` with stdout a pipe whose reading end is already closed, as after ``| head`` exits."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "llmdesk", *argv], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=120,
                              env={**os.environ, "LLMDESK_HOME": str(llmdesk_home)})
    finally:
        os.close(write_end)


@pytest.mark.parametrize("argv", [
    ["fit"],
    ["fit", "--json"],
    ["fit", "--explain", "llama-3.1-8b-instruct"],
    ["hardware", "--json", "--no-llama"],
    ["models", "--json"],
])
def test_closed_pipe_exits_quietly(argv, llmdesk_home):
    result = _run_into_closed_pipe(argv, llmdesk_home)
    assert result.returncode == EXIT_BROKEN_PIPE, result.stderr
    assert "Traceback" not in result.stderr
    assert "BrokenPipeError" not in result.stderr


def test_help_says_no_command_opens_window():
    text = build_parser().format_help()
    assert "Without a command, open the window" in text


@pytest.mark.parametrize("environ, platform, blocked", [
    ({}, "linux", True),
    ({"DISPLAY": ":0"}, "linux", False),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
    ({}, "win32", False),
    ({}, "darwin", False),
])
def test_missing_display_check(environ, platform, blocked):
    message = missing_display_message(environ, platform)
    assert (message is not None) == blocked
    if blocked:
        assert "no display found" in message


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display check applies to Linux")
def test_window_without_display_exits_2(llmdesk_home):
    environ = {k: v for k, v in os.environ.items()
               if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "llmdesk"], capture_output=True, text=True, timeout=120,
                            env={**environ, "LLMDESK_HOME": str(llmdesk_home)})
    assert result.returncode == 2
    assert "no display found" in result.stderr
    assert "llm-desk fit" in result.stderr


def test_hardware_json_stays_valid_with_bad_settings(capsys):
    from llmdesk.cli import main
    from llmdesk.core import paths

    paths.config_dir().mkdir(parents=True, exist_ok=True)
    (paths.config_dir() / "settings.json").write_text("{not json", encoding="utf-8")
    assert main(["hardware", "--json", "--no-llama"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["cpu"]
    assert "settings.json" in captured.err
