"""Render a chat with the model's own template and tokenize it without letting user text inject tokens.

Rendering: the GGUF's ``tokenizer.chat_template`` goes through llama-cpp-python's
``Jinja2ChatFormatter`` (the same Jinja sandbox and helpers the library uses). A template that has no
system role (it raises, or renders nothing for the system message) gets the system prompt merged
into the first user turn, so it is never dropped silently. A model without a template gets a plain
"User:/Assistant:" format, and the worker logs that it did so.

Tokenizing: a rendered prompt mixes the template's control tokens (``<|im_start|>``) with message
text, and a user who types ``<|im_start|>`` must get those characters, not the control token. The
template is rendered with a unique placeholder in place of every message's content, so the span of
each message in the final string is known. Special-token text is then looked up only outside those
spans, the way llama.cpp's own special-token pass does it for the whole string, and each run of
plain text between special tokens is tokenized with special-token parsing off. For text without
special-token strings in messages this gives the same ids as ``tokenize(prompt, special=True)``
(the tests compare both).
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from typing import Callable, Sequence

from llmdesk.engine.reasoning import prompt_opens_reasoning, strip_reasoning

log = logging.getLogger(__name__)

_ZERO_WIDTH_SPACE = "\u200b"


@dataclass(frozen=True)
class VocabView:
    """Vocabulary facts that prompt building uses (filled in by the worker from the loaded model).

    ``tokenize(text_bytes, add_bos, special)`` is ``Llama.tokenize``; ``special_tokens`` maps the
    text of every control and user-defined token to its id.
    """

    tokenize: Callable[[bytes, bool, bool], list[int]]
    special_tokens: dict[str, int]
    bos_id: int
    add_bos: bool
    bos_text: str
    eos_text: str


@dataclass(frozen=True)
class RenderedPrompt:
    text: str
    tokens: list[int]
    opens_reasoning: bool  # the template left a <think> block open for the reply
    system_merged: bool  # the system prompt went into the first user turn
    used_fallback_format: bool  # the model has no chat template


def build_messages(system_prompt: str, messages: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    """Return chat messages with the system prompt first and reasoning stripped from assistant turns."""
    result: list[dict[str, str]] = []
    if system_prompt:
        result.append({"role": "system", "content": system_prompt})
    for message in messages:
        content = message["content"]
        if message["role"] == "assistant":
            content = strip_reasoning(content)
        result.append({"role": message["role"], "content": content})
    return result


def merge_system_into_first_user(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """Move a leading system message into the first user message (for templates without a system role)."""
    if not messages or messages[0]["role"] != "system":
        return messages
    system, rest = messages[0]["content"], [dict(m) for m in messages[1:]]
    for message in rest:
        if message["role"] == "user":
            message["content"] = f"{system}\n\n{message['content']}"
            return rest
    return [{"role": "user", "content": system}] + rest


def render_plain(messages: Sequence[dict[str, str]]) -> str:
    """Render ``messages`` in the fallback format for models without a chat template."""
    lines: list[str] = []
    for message in messages:
        if message["role"] == "system":
            lines.append(f"{message['content']}\n")
        elif message["role"] == "user":
            lines.append(f"User: {message['content']}\n")
        else:
            lines.append(f"Assistant: {message['content']}\n")
    lines.append("Assistant:")
    return "".join(lines)


PLAIN_FORMAT_STOPS = ("\nUser:",)


class PromptBuilder:
    """Render and tokenize chats for one loaded model. Not thread-safe; the worker owns it."""

    def __init__(self, vocab: VocabView, template: str | None) -> None:
        self.vocab = vocab
        self.template = template
        self._formatter = None
        if template:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            self._formatter = Jinja2ChatFormatter(template=template, eos_token=vocab.eos_text,
                                                  bos_token=vocab.bos_text, add_generation_prompt=True)
        texts = sorted((t for t in vocab.special_tokens if t), key=len, reverse=True)
        self._special_re = re.compile("|".join(re.escape(t) for t in texts)) if texts else None

    # ---- rendering ----

    def _render(self, messages: list[dict[str, str]]) -> str:
        if self._formatter is None:
            return render_plain(messages)
        return self._formatter(messages=messages).prompt

    def _render_with_slots(self, messages: list[dict[str, str]]) -> tuple[str, list[tuple[int, int]]] | None:
        """Render with placeholders and return (text, spans of message content), or None when the
        template does not reproduce every placeholder (it transformed or dropped content)."""
        nonce = secrets.token_hex(6)
        slots = [f"@@slot{nonce}x{index}@@" for index in range(len(messages))]
        text = self._render([{"role": m["role"], "content": s} for m, s in zip(messages, slots)])
        pattern = re.compile(f"@@slot{nonce}x(\\d+)@@")
        seen: set[int] = set()
        parts: list[str] = []
        spans: list[tuple[int, int]] = []
        position = 0
        length = 0
        for match in pattern.finditer(text):
            index = int(match.group(1))
            seen.add(index)
            before = text[position:match.start()]
            parts.append(before)
            length += len(before)
            content = messages[index]["content"]
            parts.append(content)
            spans.append((length, length + len(content)))
            length += len(content)
            position = match.end()
        parts.append(text[position:])
        if len(seen) != len(messages):
            return None
        return "".join(parts), spans

    def _template_drops_system(self, messages: list[dict[str, str]]) -> bool:
        """Whether the template rejects or ignores a system message."""
        if not messages or messages[0]["role"] != "system":
            return False
        probe = [{"role": "system", "content": "@@system-probe@@"},
                 {"role": "user", "content": "@@user-probe@@"}]
        try:
            rendered = self._render(probe)
        except Exception as exc:  # noqa: BLE001 - templates raise anything, usually via raise_exception
            log.info("Chat template rejects a system message (%s); merging it into the first user turn",
                     exc)
            return True
        if "@@system-probe@@" not in rendered:
            log.info("Chat template ignores the system message; merging it into the first user turn")
            return True
        return False

    # ---- tokenizing ----

    def _tokenize_segments(self, text: str, spans: list[tuple[int, int]]) -> list[int]:
        """Tokenize with special tokens recognized only outside ``spans`` (message content)."""
        special: list[tuple[int, int, int]] = []  # (start, end, token id)
        if self._special_re is not None:
            position = 0
            for start, end in spans + [(len(text), len(text))]:
                for match in self._special_re.finditer(text, position, start):
                    special.append((match.start(), match.end(), self.vocab.special_tokens[match.group()]))
                position = end
        tokens: list[int] = []
        position = 0
        for start, end, token_id in special:
            if start > position:
                tokens += self.vocab.tokenize(text[position:start].encode("utf-8"), False, False)
            tokens.append(token_id)
            position = end
        if position < len(text):
            tokens += self.vocab.tokenize(text[position:].encode("utf-8"), False, False)
        if self.vocab.add_bos and self.vocab.bos_id >= 0 and (not tokens or tokens[0] != self.vocab.bos_id):
            tokens.insert(0, self.vocab.bos_id)
        return tokens

    def _defuse(self, content: str) -> str:
        """Break special-token text in ``content`` apart with a zero-width space."""
        if self._special_re is None:
            return content
        return self._special_re.sub(lambda m: m.group()[:1] + _ZERO_WIDTH_SPACE + m.group()[1:], content)

    def build(self, messages: list[dict[str, str]]) -> RenderedPrompt:
        """Render ``messages`` (system first, if any) and tokenize the result."""
        system_merged = False
        if self._formatter is not None and self._template_drops_system(messages):
            messages = merge_system_into_first_user(messages)
            system_merged = True
        slotted = self._render_with_slots(messages)
        if slotted is not None:
            text, spans = slotted
            tokens = self._tokenize_segments(text, spans)
        else:
            # NOTE: the template rewrote message content, so its spans are unknown; special-token text
            # typed in messages is broken apart with a zero-width space instead, which the model sees.
            log.warning("Chat template transforms message content; special-token text in messages "
                        "is defused with a zero-width space")
            safe = [{"role": m["role"], "content": self._defuse(m["content"])} for m in messages]
            text = self._render(safe)
            tokens = self._tokenize_segments(text, [])
        return RenderedPrompt(text=text, tokens=tokens, opens_reasoning=prompt_opens_reasoning(text),
                              system_merged=system_merged,
                              used_fallback_format=self._formatter is None)
