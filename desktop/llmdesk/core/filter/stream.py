"""Streaming output filter: feed the model's text chunk by chunk, emit only text that is final.

Text that could be the beginning of a match is held back until the scanner has decided it, so a
blocked term split across tokens is never emitted, not even in part, and emitted text never changes
later. The hold-back stays under twice the longest ``max_length`` of the rules in use. That is 256
normalized characters for most rules and 8192 for private key blocks. In ordinary prose with the
shipped sets, only the current word is held back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llmdesk.core.filter.matcher import CompiledFilter, Match, Scanner
from llmdesk.core.filter.normalize import mask_for


@dataclass(frozen=True, slots=True)
class FilterEvent:
    """That ``count`` matches of one rule were filtered (the filtered text itself is not kept)."""

    rule_id: str
    rule_set: str
    action: str
    count: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "rule_set": self.rule_set, "action": self.action, "count": self.count}


@dataclass(slots=True)
class FilterOutput:
    """Result of one feed: ``text`` is safe to show now; ``stop`` means a "stop" rule ended the reply."""

    text: str = ""
    events: list[FilterEvent] = field(default_factory=list)
    stop: bool = False

    def merged(self, later: FilterOutput) -> FilterOutput:
        """Combine this output with the next one, adding up event counts per rule."""
        counts: dict[tuple[str, str, str], int] = {}
        for event in self.events + later.events:
            key = (event.rule_id, event.rule_set, event.action)
            counts[key] = counts.get(key, 0) + event.count
        events = [FilterEvent(*key, count=n) for key, n in counts.items()]
        return FilterOutput(self.text + later.text, events, self.stop or later.stop)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "events": [e.to_dict() for e in self.events], "stop": self.stop}


def render_match(match: Match, original: str, replacement: str) -> str:
    """Text that replaces ``original`` (the matched span).

    mask: each visible character becomes ``*``, or the full-width ``＊`` for a wide CJK character so the
    line keeps its width; whitespace stays, so line breaks inside a masked block stay where they were.
    label: ``[label]``. replace: the rule's replacement text. stop: nothing.
    """
    if match.action == "mask":
        return "".join(ch if ch.isspace() else mask_for(ch) for ch in original)
    if match.action == "label":
        return f"[{match.label}]"
    if match.action == "replace":
        return replacement
    return ""


class StreamFilter:
    """Filters one reply. Call ``feed()`` with each piece of generated text and ``flush()`` once at the
    end; the concatenated ``text`` of all outputs equals ``compiled.apply(whole_text).text``.

    After a "stop" match, outputs are empty with ``stop`` set. Not thread-safe.
    """

    def __init__(self, compiled: CompiledFilter) -> None:
        self._scanner = Scanner(compiled.automaton, halt_on_stop=True)
        self._rules = {rule.id: rule for rule in compiled.rules}
        self._pending = ""   # original text not emitted yet, starting at original position _emitted
        self._emitted = 0
        self.stopped = False

    @property
    def held_back(self) -> int:
        """Characters received but not emitted yet."""
        return len(self._pending)

    def feed(self, chunk: str) -> FilterOutput:
        if self.stopped:
            return FilterOutput(stop=True)
        scanner = self._scanner
        limit = scanner.feed(chunk)
        self._pending += chunk
        if scanner.has_matches():
            return self._emit()
        # Fast path, taken for most tokens: nothing was filtered, so emit up to the safe point.
        cut = limit - self._emitted
        if cut <= 0:
            return FilterOutput()
        text = self._pending[:cut]
        self._pending = self._pending[cut:]
        self._emitted += cut
        return FilterOutput(text)

    def flush(self) -> FilterOutput:
        if self.stopped:
            return FilterOutput(stop=True)
        self._scanner.finish()
        return self._emit()

    def _emit(self) -> FilterOutput:
        scanner = self._scanner
        pending = self._pending
        base = self._emitted
        position = base
        pieces: list[str] = []
        counts: dict[tuple[str, str, str], int] = {}
        stop = False
        for match in scanner.take_matches():
            pieces.append(pending[position - base:match.start - base])
            key = (match.rule_id, match.rule_set, match.action)
            counts[key] = counts.get(key, 0) + 1
            for other_id in match.other_rules:
                other = self._rules[other_id]
                key = (other.id, other.rule_set, other.action)
                counts[key] = counts.get(key, 0) + 1
            if match.action == "stop":
                stop = True
                break
            pieces.append(render_match(match, pending[match.start - base:match.end - base],
                                       self._rules[match.rule_id].replacement))
            position = match.end
        if stop:
            self.stopped = True
            self._pending = ""
        else:
            limit = scanner.safe_end()
            if limit > position:
                pieces.append(pending[position - base:limit - base])
                position = limit
            self._pending = pending[position - base:]
            self._emitted = position
        events = [FilterEvent(*key, count=n) for key, n in counts.items()]
        return FilterOutput("".join(pieces), events, stop)
