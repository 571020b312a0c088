"""The model-file check both sides of the engine run before llama.cpp opens a file.

llama.cpp aborts the process on some malformed files, so the client checks a file before it starts a
child, and the worker checks it again right before loading (the file may have changed in between).
The check itself is ``llmdesk.core.gguf_meta.check_model_file``; this module turns its result into a
``LoadFailed`` event or None.
"""

from __future__ import annotations

from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage
from llmdesk.engine.protocol import LoadFailed

_CTX = "Engine"


def check_before_load(path: str) -> LoadFailed | None:
    """Return LoadFailed for a file llama.cpp must not see, or None when the file looks loadable."""
    from llmdesk.core.gguf_meta import check_model_file

    try:
        result = check_model_file(path)
    except OSError as exc:
        return LoadFailed("unreadable", UserMessage(
            _CTX, QT_TRANSLATE_NOOP(_CTX, "Cannot read the model file {path}: {error}"),
            path=path, error=exc.strerror or str(exc)), detail=repr(exc))
    if result.ok:
        return None
    kind = getattr(result.kind, "value", result.kind)
    return LoadFailed(str(kind), result.message, detail=str(result.message))
