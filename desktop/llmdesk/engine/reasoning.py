"""Separate DeepSeek-R1-style reasoning (``<think> … </think>``) from the answer in streamed text.

Everything before ``</think>`` is reasoning. The reply may open the block itself (``<think>`` as
its first non-blank text), or the chat template may have opened it at the end of the prompt so the
reply only closes it. Tags can arrive split across any number of chunks, so text that could be the
start of a tag is held back until the next chunk decides.
"""

from __future__ import annotations

import re

OPEN_TAG = "<think>"
CLOSE_TAG = "</think>"

_THINK_BLOCK = re.compile(r"<think>.*?(</think>|$)\s*", re.DOTALL)


def strip_reasoning(text: str) -> str:
    """Remove ``<think>…</think>`` blocks (and an unclosed trailing one) from an assistant message.

    A message whose only tag is a ``</think>`` (the template opened the block) loses everything up
    to and including that tag.
    """
    if CLOSE_TAG in text and OPEN_TAG not in text.split(CLOSE_TAG, 1)[0]:
        text = text.split(CLOSE_TAG, 1)[1].lstrip()
    return _THINK_BLOCK.sub("", text)


def prompt_opens_reasoning(prompt: str) -> bool:
    """Return whether the rendered prompt ends inside an open ``<think>`` block."""
    return prompt.rstrip().endswith(OPEN_TAG)


def _held_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of ``tag``."""
    for length in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-length:]):
            return length
    return 0


class ReasoningSplitter:
    """Split a stream of text into ("reasoning", text) and ("answer", text) pieces.

    ``feed`` returns the pieces that are certain so far; ``flush`` returns what was held back at the
    end of the reply. Only the first ``<think>`` block counts, and only when it opens the reply (or the
    prompt opened it): a later ``<think>`` in an answer is ordinary text.
    """

    def __init__(self, opened_in_prompt: bool = False, enabled: bool = True) -> None:
        # "start": looking for an opening tag; "reasoning": inside the block; "after_close": skipping
        # blank text after the closing tag; "answer": the rest.
        if not enabled:
            self._state = "answer"
        else:
            self._state = "reasoning" if opened_in_prompt else "start"
        self._buffer = ""

    @property
    def in_reasoning(self) -> bool:
        return self._state == "reasoning"

    def feed(self, text: str) -> list[tuple[str, str]]:
        self._buffer += text
        pieces: list[tuple[str, str]] = []
        while self._buffer:
            if self._state == "answer":
                pieces.append(("answer", self._buffer))
                self._buffer = ""
            elif self._state == "after_close":  # drop the blank lines between </think> and the answer
                self._buffer = self._buffer.lstrip()
                if self._buffer:
                    self._state = "answer"
            elif self._state == "start":
                stripped = self._buffer.lstrip()
                if not stripped:
                    break  # only whitespace so far: undecided
                if stripped.startswith(OPEN_TAG):
                    self._buffer = stripped[len(OPEN_TAG):]
                    self._state = "reasoning"
                elif OPEN_TAG.startswith(stripped):
                    break  # could still become "<think>"
                else:
                    self._state = "answer"
            else:  # reasoning
                index = self._buffer.find(CLOSE_TAG)
                if index >= 0:
                    if index:
                        pieces.append(("reasoning", self._buffer[:index]))
                    self._buffer = self._buffer[index + len(CLOSE_TAG):]
                    self._state = "after_close"
                    continue
                held = _held_suffix(self._buffer, CLOSE_TAG)
                certain = self._buffer[:len(self._buffer) - held]
                if certain:
                    pieces.append(("reasoning", certain))
                self._buffer = self._buffer[len(certain):]
                break
        return _merge(pieces)

    def flush(self) -> list[tuple[str, str]]:
        """Release held-back text at the end of a reply (an unclosed block stays reasoning)."""
        text, self._buffer = self._buffer, ""
        if not text:
            return []
        kind = "reasoning" if self._state == "reasoning" else "answer"
        return [(kind, text)]


def _merge(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    merged: list[tuple[str, str]] = []
    for kind, text in pieces:
        if merged and merged[-1][0] == kind:
            merged[-1] = (kind, merged[-1][1] + text)
        elif text:
            merged.append((kind, text))
    return merged
