"""Translation helpers for strings that come from ``core``.

``core`` marks its user-facing strings with ``QT_TRANSLATE_NOOP`` (a context and an English template)
and hands them over as ``UserMessage`` objects or plain marked strings; this module turns them into the
current UI language.
"""

from __future__ import annotations

import logging
from PySide6.QtCore import QCoreApplication

from llmdesk.core.i18n import UserMessage

log = logging.getLogger(__name__)


def translate_message(message: UserMessage | str | None) -> str:
    """Return ``message`` in the UI language; a plain ``str`` is returned unchanged.

    Parameters that are messages themselves are translated as well.

    A template whose translation names a field the message does not carry falls back to the English
    text, so a mistake in a translation never hides the message.
    """
    if message is None:
        return ""
    if not isinstance(message, UserMessage):
        return str(message)
    template = QCoreApplication.translate(message.context, message.template)
    # A parameter may itself be a message (a figure's source inside a fit line): translate it too.
    params = {key: translate_message(value) if isinstance(value, UserMessage) else value
              for key, value in message.params.items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError) as exc:
        log.warning("Translation of %r in context %s is broken (%s); showing English",
                    message.template, message.context, exc)
        return str(message)


def translate_marked(context: str, text: str) -> str:
    """Translate a string that ``core`` marked with ``QT_TRANSLATE_NOOP(context, text)``."""
    return QCoreApplication.translate(context, text)


def filter_labels() -> dict[str, str]:
    """Return the shipped filter labels that the UI language translates, as {English: translated}.

    The output filter runs in the engine process, which has no translator. A filter config carries
    this map, so masked text reads "[银行卡号]" in a Chinese window.
    """
    from llmdesk.core.filter.rules import SHIPPED_LABELS

    labels = {}
    for label in SHIPPED_LABELS:
        text = QCoreApplication.translate("Filter", label)
        if text and text != label:
            labels[label] = text
    return labels
