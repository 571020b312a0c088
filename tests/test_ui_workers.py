"""TaskRunner: results, errors and progress reach the GUI thread; a cancelled task's never do."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QCoreApplication, QThread, QThreadPool

from llmdesk.ui.qt_workers import TaskRunner, TaskState
from ui_support import no_threads_left  # noqa: F401 - fixtures and marks used by pytest


@pytest.fixture
def runner(qtbot):
    task_runner = TaskRunner("test task")
    yield task_runner
    task_runner.cancel()
    task_runner.wait_for_done(10)


def test_result_arrives_on_gui_thread(qtbot, runner):
    threads = {}

    def task(state: TaskState) -> int:
        threads["task"] = QThread.currentThread()
        return 42

    received = {}
    runner.succeeded.connect(lambda value: received.update(value=value, thread=QThread.currentThread()))
    with qtbot.waitSignal(runner.succeeded, timeout=5_000):
        runner.start(task)
    assert received["value"] == 42
    assert received["thread"] == QCoreApplication.instance().thread()
    assert threads["task"] != received["thread"]
    assert not runner.is_running()


def test_error_is_delivered(qtbot, runner, caplog):
    def task(state: TaskState) -> None:
        raise OSError("disk unplugged")

    with qtbot.waitSignal(runner.failed, timeout=5_000) as blocker:
        runner.start(task)
    assert isinstance(blocker.args[0], OSError)
    assert "disk unplugged" in str(blocker.args[0])
    assert any("test task failed" in record.getMessage() for record in caplog.records)


def test_new_task_cancels_old_and_drops_its_result(qtbot, runner):
    gate = threading.Event()
    first_saw_interrupt = threading.Event()

    def slow(state: TaskState) -> str:
        gate.wait(10)
        if state.is_interruption_requested():
            first_saw_interrupt.set()
        return "stale"

    results = []
    runner.succeeded.connect(results.append)
    runner.start(slow)
    with qtbot.waitSignal(runner.succeeded, timeout=5_000):
        runner.start(lambda state: "fresh")
    gate.set()
    assert runner.wait_for_done(10)
    qtbot.wait(50)
    assert results == ["fresh"]
    assert first_saw_interrupt.is_set()


def test_cancel_drops_error_and_progress(qtbot, runner):
    gate = threading.Event()

    def task(state: TaskState) -> None:
        gate.wait(10)
        state.set_progress(0.5, "half")
        raise RuntimeError("after cancel")

    seen = []
    runner.failed.connect(seen.append)
    runner.progressed.connect(lambda fraction, message: seen.append(fraction))
    runner.start(task)
    runner.cancel()
    gate.set()
    assert runner.wait_for_done(10)
    qtbot.wait(50)
    assert seen == []


def test_progress_and_partial_results(qtbot, runner):
    def task(state: TaskState) -> str:
        state.set_partial_result("first half")
        state.set_progress(1.0, "done")
        return "all"

    progress, partial = [], []
    runner.progressed.connect(lambda fraction, message: progress.append((fraction, message)))
    runner.partial_result_ready.connect(partial.append)
    with qtbot.waitSignal(runner.succeeded, timeout=5_000):
        runner.start(task)
    assert partial == ["first half"]
    assert progress == [(1.0, "done")]


def test_progress_is_throttled(qtbot, runner):
    def task(state: TaskState) -> None:
        for step in range(1000):
            state.set_progress(step / 1000)
        state.set_progress(1.0)

    fractions = []
    runner.progressed.connect(lambda fraction, message: fractions.append(fraction))
    with qtbot.waitSignal(runner.succeeded, timeout=5_000):
        runner.start(task)
    assert fractions[-1] == 1.0
    assert len(fractions) < 1000


@pytest.mark.parametrize("outcome", ["result", "error", "progress"])
def test_report_after_runner_deleted_is_dropped(qtbot, capfd, outcome):
    import shiboken6

    release = threading.Event()

    def task(state: TaskState) -> int:
        release.wait(10)
        if outcome == "error":
            raise OSError("disk gone")
        if outcome == "progress":
            state.set_progress(1.0, "done")
        return 1

    task_runner = TaskRunner("deleted runner")
    task_runner.start(task)
    shiboken6.delete(task_runner)
    release.set()
    assert QThreadPool.globalInstance().waitForDone(10_000)
    QCoreApplication.processEvents()

    stderr = capfd.readouterr().err
    assert "Signal source has been deleted" not in stderr
    assert "Traceback" not in stderr


def test_expected_error_logs_one_line(qtbot, caplog):
    task_runner = TaskRunner("expected failure", expected_errors=(OSError,))

    def task(state: TaskState) -> None:
        raise FileNotFoundError("no such file: model.gguf")

    with qtbot.waitSignal(task_runner.failed, timeout=5_000):
        task_runner.start(task)
    (record,) = [r for r in caplog.records if "expected failure" in r.getMessage()]
    assert record.levelname == "WARNING"
    assert record.exc_info is None
    assert "no such file: model.gguf" in record.getMessage()


def test_unexpected_error_keeps_traceback(qtbot, caplog):
    task_runner = TaskRunner("unexpected failure", expected_errors=(OSError,))

    def task(state: TaskState) -> None:
        raise KeyError("bug")

    with qtbot.waitSignal(task_runner.failed, timeout=5_000):
        task_runner.start(task)
    (record,) = [r for r in caplog.records if "unexpected failure" in r.getMessage()]
    assert record.levelname == "ERROR"
    assert record.exc_info is not None
