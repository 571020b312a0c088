"""Guards against Qt binding bugs that would take the whole app down during a long chat."""

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    chunk = Signal(str, str, str)


def test_signal_emit_keeps_bool_refcount(qapp):
    # PySide6 6.12.0 on Python 3.11 released a reference to True per emit, so a long token stream
    # ended in "Fatal Python error: bool_dealloc". The chat emits once per streamed chunk.
    emitter = _Emitter()
    emitter.chunk.connect(lambda request_id, kind, text: None)
    before = sys.getrefcount(True)
    for _ in range(20_000):
        emitter.chunk.emit("request", "answer", "text")
    # With the bug the count falls by one per emit; other code may move it by a few either way.
    assert abs(sys.getrefcount(True) - before) < 100
