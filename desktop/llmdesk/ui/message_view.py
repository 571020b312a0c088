"""The conversation transcript: one widget per message, Markdown with copyable code blocks.

While a reply streams, its text goes into a plain-text document with ``QTextCursor.insertText`` so each
chunk costs work proportional to the chunk, not to the conversation. When the reply ends, that one
message is rendered as Markdown; the other messages are never touched.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextCursor, QTextOption
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QScrollArea,
                               QSizePolicy, QTextBrowser, QToolButton, QVBoxLayout, QWidget)

# A streaming reply goes into a new text view once the current paragraph is this long: Qt lays out a
# changed paragraph whole, so an unbroken paragraph would make every append cost more than the last.
STREAM_SEGMENT_CHARS = 1500

_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)(?:^```[ \t]*$|\Z)", re.S | re.M)


def split_markdown(text: str) -> list[tuple[str, str, str]]:
    """Split Markdown into ``("text", "", body)`` and ``("code", language, body)`` segments.

    An unterminated fence (a reply cut off mid-block) runs to the end of the text.
    """
    segments: list[tuple[str, str, str]] = []
    position = 0
    for match in _FENCE.finditer(text):
        if match.start() > position:
            segments.append(("text", "", text[position:match.start()]))
        segments.append(("code", match.group(1).strip(), match.group(2).rstrip("\n")))
        position = match.end()
    if position < len(text):
        segments.append(("text", "", text[position:]))
    return [s for s in segments if s[0] == "code" or s[2].strip()]


class AutoHeightBrowser(QTextBrowser):
    """A read-only text view as tall as its document, so the outer scroll area does the scrolling."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenExternalLinks(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.viewport().setAutoFillBackground(False)
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)

    def _fit_height(self, *_args) -> None:
        height = int(self.document().size().height()) + 4
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.document().setTextWidth(self.viewport().width())
        self._fit_height()

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), int(self.document().size().height()) + 4)


class CodeBlock(QFrame):
    """A fenced code block: language, a Copy button, monospace text."""

    def __init__(self, language: str, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeBlock")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.code = code
        header = QHBoxLayout()
        header.addWidget(QLabel(language or self.tr("code")))
        header.addStretch(1)
        self.copy_button = QPushButton(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("Copy this code block to the clipboard"))
        self.copy_button.clicked.connect(self._copy)
        header.addWidget(self.copy_button)
        text = QPlainTextEdit(code)
        text.setReadOnly(True)
        text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        text.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lines = max(1, code.count("\n") + 1)
        text.setFixedHeight(min(lines, 40) * text.fontMetrics().lineSpacing() + 16)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addLayout(header)
        layout.addWidget(text)

    @Slot()
    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.code)
        self.copy_button.setText(self.tr("Copied"))
        QTimer.singleShot(1500, lambda: self.copy_button.setText(self.tr("Copy")))


class MessageWidget(QFrame):
    """One message. An assistant reply may stream into it, then gets rendered once when finished."""

    def __init__(self, role: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = role
        self.setObjectName(f"message-{role}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        background = "palette(alternate-base)" if role == "user" else "palette(base)"
        self.setStyleSheet(f"QFrame#message-{role} {{ background: {background}; border-radius: 6px;"
                           " border: 1px solid palette(mid); }")
        self.answer = ""
        self.reasoning = ""
        self.streaming = False

        self._role_label = QLabel(self._role_title())
        self._role_label.setObjectName("messageRole")
        self._status_label = QLabel()
        self._status_label.setObjectName("messageStatus")
        # The reply's figures can be long; they wrap so a narrow chat column never widens the window.
        self._status_label.setWordWrap(True)
        self.copy_button = QToolButton()
        self.copy_button.setText(self.tr("Copy"))
        self.copy_button.setToolTip(self.tr("Copy the whole message"))
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.answer))
        header = QHBoxLayout()
        header.addWidget(self._role_label)
        header.addWidget(self._status_label, 1)
        header.addWidget(self.copy_button)

        self._reasoning_toggle = QToolButton()
        self._reasoning_toggle.setCheckable(True)
        self._reasoning_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._reasoning_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self._reasoning_toggle.toggled.connect(self._show_reasoning)
        self._reasoning_toggle.hide()
        self._reasoning_view = AutoHeightBrowser()
        self._reasoning_view.setObjectName("reasoning")
        self._reasoning_view.setStyleSheet(
            "QTextBrowser#reasoning { border-left: 3px solid palette(mid); padding-left: 6px;"
            " font-style: italic; }")
        self._reasoning_view.hide()

        self._body = QVBoxLayout()
        self._body.setSpacing(4)
        self._stream_view: AutoHeightBrowser | None = None
        self._paragraph_chars = 0  # characters since the last line break in the current stream view
        self._notice = QLabel()
        self._notice.setObjectName("messageNotice")
        self._notice.setWordWrap(True)
        self._notice.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 8)
        layout.addLayout(header)
        layout.addWidget(self._reasoning_toggle)
        layout.addWidget(self._reasoning_view)
        layout.addLayout(self._body)
        layout.addWidget(self._notice)

    def _role_title(self) -> str:
        return {"user": self.tr("You"), "assistant": self.tr("Assistant"),
                "system": self.tr("System")}.get(self.role, self.role)

    # streaming

    def start_streaming(self) -> None:
        self.streaming = True
        self._clear_body()
        self._new_stream_segment()
        self._status_label.setText(self.tr("writing…"))

    def _new_stream_segment(self) -> None:
        self._stream_view = AutoHeightBrowser()
        self._paragraph_chars = 0
        self._body.addWidget(self._stream_view)

    def append(self, kind: str, text: str) -> None:
        """Append a streamed chunk; ``kind`` is "reasoning" or "answer"."""
        if kind == "reasoning":
            self.reasoning += text
            self._reasoning_toggle.show()
            self._update_reasoning_title()
            if self._reasoning_toggle.isChecked():
                _append_plain(self._reasoning_view, text)
            return
        self.answer += text
        if self._stream_view is None:
            self.start_streaming()
        if self._paragraph_chars + len(text) > STREAM_SEGMENT_CHARS and "\n" not in text:
            split = text.find(" ")
            if split >= 0:
                _append_plain(self._stream_view, text[:split + 1])
                self._new_stream_segment()
                text = text[split + 1:]
            elif self._paragraph_chars > 2 * STREAM_SEGMENT_CHARS:  # CJK text has no spaces to split at
                self._new_stream_segment()
        _append_plain(self._stream_view, text)
        newline = text.rfind("\n")
        self._paragraph_chars = len(text) - newline - 1 if newline >= 0 else self._paragraph_chars + len(text)

    # final content

    def set_content(self, answer: str, reasoning: str = "", status_text: str = "", notice: str = "") -> None:
        """Show finished content, rendered as Markdown (user text is shown as typed)."""
        self.streaming = False
        self.answer = answer
        self.reasoning = reasoning
        self._stream_view = None
        self._clear_body()
        if self.role == "user":
            view = AutoHeightBrowser()
            view.setPlainText(answer)
            self._body.addWidget(view)
        else:
            for kind, language, body in split_markdown(answer):
                if kind == "code":
                    self._body.addWidget(CodeBlock(language, body))
                else:
                    view = AutoHeightBrowser()
                    view.setMarkdown(body)
                    self._body.addWidget(view)
        self._reasoning_toggle.setVisible(bool(reasoning))
        self._update_reasoning_title()
        if self._reasoning_toggle.isChecked():
            self._reasoning_view.setPlainText(reasoning)
        self._status_label.setText(status_text)
        self.set_notice(notice)

    def set_notice(self, notice: str) -> None:
        self._notice.setText(notice)
        self._notice.setVisible(bool(notice))

    def _update_reasoning_title(self) -> None:
        words = _count_words(self.reasoning)
        if self.streaming:
            title = self.tr("Thinking… (%n word(s))", "", words)
        else:
            title = self.tr("Reasoning (%n word(s))", "", words)
        self._reasoning_toggle.setText(title)

    @Slot(bool)
    def _show_reasoning(self, shown: bool) -> None:
        self._reasoning_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        if shown:
            self._reasoning_view.setPlainText(self.reasoning)
        self._reasoning_view.setVisible(shown)

    def _clear_body(self) -> None:
        while self._body.count():
            widget = self._body.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()


def _count_words(text: str) -> int:
    """Count whitespace-separated words, each CJK character as one word (CJK has no spaces)."""
    cjk = sum(1 for char in text if "\u3040" <= char <= "\u30ff" or "\u3400" <= char <= "\u9fff"
              or "\uac00" <= char <= "\ud7af" or "\uf900" <= char <= "\ufaff")
    spaced = sum(1 for word in text.split() if not all("\u3040" <= c <= "\ud7af" for c in word))
    return cjk + spaced


def _append_plain(view: QTextBrowser, text: str) -> None:
    cursor = QTextCursor(view.document())
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.insertText(text)


class MessageView(QScrollArea):
    """Vertical list of MessageWidgets that follows the newest text while the user is at the bottom."""

    message_count_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        container = QWidget()
        self._layout = QVBoxLayout(container)
        self._layout.setContentsMargins(12, 12, 12, 12)
        self._layout.setSpacing(10)
        self._layout.addStretch(1)
        self.setWidget(container)
        self._messages: list[MessageWidget] = []
        self._follow = True
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)

    def clear(self) -> None:
        for widget in self._messages:
            self._layout.removeWidget(widget)
            widget.deleteLater()
        self._messages.clear()
        self._follow = True
        self.message_count_changed.emit(0)

    def add_message(self, role: str, answer: str = "", reasoning: str = "", status_text: str = "",
                    notice: str = "") -> MessageWidget:
        widget = MessageWidget(role)
        widget.set_content(answer, reasoning, status_text, notice)
        self._insert(widget)
        return widget

    def add_streaming_reply(self) -> MessageWidget:
        widget = MessageWidget("assistant")
        widget.start_streaming()
        self._insert(widget)
        self._follow = True
        return widget

    def add_notice(self, text: str) -> QLabel:
        """A line between messages, e.g. "3 older messages were left out of the context"."""
        label = QLabel(text)
        label.setObjectName("chatNotice")
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.insertWidget(self._layout.count() - 1, label)
        return label

    def messages(self) -> list[MessageWidget]:
        return list(self._messages)

    def remove_last(self, count: int = 1) -> None:
        for _ in range(min(count, len(self._messages))):
            widget = self._messages.pop()
            self._layout.removeWidget(widget)
            widget.deleteLater()
        self.message_count_changed.emit(len(self._messages))

    def _insert(self, widget: MessageWidget) -> None:
        self._layout.insertWidget(self._layout.count() - 1, widget)
        self._messages.append(widget)
        self.message_count_changed.emit(len(self._messages))

    @Slot(int)
    def _on_scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._follow = value >= bar.maximum() - 24

    @Slot(int, int)
    def _on_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._follow:
            self.verticalScrollBar().setValue(maximum)
