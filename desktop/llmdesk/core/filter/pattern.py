"""A safe regular-expression subset, compiled to a Thompson NFA.

Filter rules come from users, and a pattern such as ``(a+)+b`` makes a backtracking engine (Python's
``re``) take exponential time. This module never backtracks: patterns are parsed into a small syntax
tree and compiled to an NFA that the matcher simulates one character at a time, so matching time is
linear in the text length for every accepted pattern.

Supported syntax (on the normalized, case-folded text, so matching is case-insensitive):
literals, ``.``, ``\\d \\D \\w \\W \\s \\S``, ``\\t \\n \\r \\f \\v``, ``\\xhh``, ``\\uhhhh``, escaped
punctuation, classes ``[...]`` and ``[^...]`` with ranges, groups ``(...)``, ``(?:...)``,
``(?P<name>...)``, alternation ``|``, quantifiers ``* + ? {m} {m,} {m,n}`` (a lazy ``?`` suffix is
accepted and ignored because the filter covers the longest match anyway), a leading ``(?i)``, and ``\\b`` (word edge).

Rejected with a reason: backreferences, lookarounds, anchors ``^ $``, possessive quantifiers, patterns
that can match empty text, nested unbounded repetition such as ``(a+)+`` or ``(a*)*``, and unbounded
repetition of alternatives that can start with the same character such as ``(a|ab)*``. The linear-time
engine would run those too, but they are almost always mistakes and they are the patterns that hang other
regex engines, so a rule written here keeps working if copied elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from llmdesk.core.filter.normalize import LOOKALIKES
from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage

_CTX = "Filter"

# Counted repetition is expanded into copies, so its bound and the NFA size are capped.
MAX_COUNTED_REPEAT = 1000
MAX_STATES_PER_RULE = 20000

CharPredicate = Callable[[str], bool]


class PatternError(ValueError):
    """A pattern outside the supported subset; ``reason`` is a translatable UserMessage."""

    def __init__(self, reason: UserMessage) -> None:
        super().__init__(str(reason))
        self.reason = reason


def _error(template: str, **params: object) -> PatternError:
    return PatternError(UserMessage(_CTX, template, **params))


# ---- character predicates ---------------------------------------------------------------------------

def is_word_char(c: str) -> bool:
    """Word character for ``\\w``: a letter, digit or underscore."""
    return c.isalnum() or c == "_"


_BUILTIN_CLASSES: dict[str, CharPredicate] = {
    "d": str.isdecimal,
    "D": lambda c: not c.isdecimal(),
    "w": is_word_char,
    "W": lambda c: not is_word_char(c),
    "s": str.isspace,
    "S": lambda c: not c.isspace(),
}

_SIMPLE_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "0": "\0"}


@dataclass(frozen=True)
class CharSet:
    """A set of characters: literal ranges plus builtin classes, optionally negated.

    Membership is case-insensitive before negation: the text is case-folded, so ``[A-Z]`` must also
    accept ``a``, while ``[^a-z]`` must still reject ``A``.
    """

    ranges: tuple[tuple[str, str], ...] = ()
    classes: tuple[CharPredicate, ...] = ()
    negated: bool = False
    any_but_newline: bool = False

    def _contains_raw(self, c: str) -> bool:
        for lo, hi in self.ranges:
            if lo <= c <= hi:
                return True
        for predicate in self.classes:
            if predicate(c):
                return True
        return False

    def __call__(self, c: str) -> bool:
        if self.any_but_newline:
            return c != "\n"
        inside = self._contains_raw(c)
        if not inside:
            upper = c.upper()
            if upper != c and len(upper) == 1:
                inside = self._contains_raw(upper)
        if not inside:
            # The text has Cyrillic and Greek look-alikes folded to Latin, so [а-я] must still see "а".
            for original in _LOOKALIKE_SOURCES.get(c, ()):
                if self._contains_raw(original) or self._contains_raw(original.upper()):
                    inside = True
                    break
        return inside != self.negated


_LOOKALIKE_SOURCES: dict[str, list[str]] = {}
for _source, _latin in LOOKALIKES.items():
    _LOOKALIKE_SOURCES.setdefault(_latin, []).append(_source)


def literal_set(c: str) -> CharSet:
    return CharSet(ranges=((c, c),))


# Characters used to estimate whether two character sets overlap (exact set algebra over Unicode
# categories is not worth it for a mistake check): ASCII plus letters of the scripts our users write.
_OVERLAP_SAMPLE = [chr(i) for i in range(128)] + list("éüßдяαω中文日本한글١٢߀")


def sets_overlap(a: CharPredicate, b: CharPredicate) -> bool:
    return any(a(c) and b(c) for c in _OVERLAP_SAMPLE)


# ---- syntax tree ---------------------------------------------------------------------------------------

@dataclass
class Node:
    pass


@dataclass
class Char(Node):
    predicate: CharPredicate


@dataclass
class Concat(Node):
    items: list[Node]


@dataclass
class Alt(Node):
    options: list[Node]


@dataclass
class Repeat(Node):
    body: Node
    min: int
    max: int | None  # None: unbounded


@dataclass
class WordEdge(Node):
    """Zero-width assertion that holds unless word characters are on both sides."""


@dataclass
class Empty(Node):
    pass


def can_be_empty(node: Node) -> bool:
    if isinstance(node, Char):
        return False
    if isinstance(node, (Empty, WordEdge)):
        return True
    if isinstance(node, Concat):
        return all(can_be_empty(n) for n in node.items)
    if isinstance(node, Alt):
        return any(can_be_empty(n) for n in node.options)
    if isinstance(node, Repeat):
        return node.min == 0 or can_be_empty(node.body)
    raise TypeError(node)


def max_length(node: Node) -> int | None:
    """Longest text the node can match, or None when unbounded."""
    if isinstance(node, Char):
        return 1
    if isinstance(node, (Empty, WordEdge)):
        return 0
    if isinstance(node, Concat):
        total = 0
        for item in node.items:
            length = max_length(item)
            if length is None:
                return None
            total += length
        return total
    if isinstance(node, Alt):
        lengths = [max_length(n) for n in node.options]
        return None if None in lengths else max(lengths)  # type: ignore[type-var]
    if isinstance(node, Repeat):
        body = max_length(node.body)
        if body == 0:
            return 0
        if node.max is None or body is None:
            return None
        return body * node.max
    raise TypeError(node)


def first_chars(node: Node) -> list[CharPredicate]:
    """Predicates of the characters that can start a match of ``node``."""
    if isinstance(node, Char):
        return [node.predicate]
    if isinstance(node, (Empty, WordEdge)):
        return []
    if isinstance(node, Concat):
        result: list[CharPredicate] = []
        for item in node.items:
            result += first_chars(item)
            if not can_be_empty(item):
                break
        return result
    if isinstance(node, Alt):
        return [p for n in node.options for p in first_chars(n)]
    if isinstance(node, Repeat):
        return first_chars(node.body)
    raise TypeError(node)


# ---- parser ----------------------------------------------------------------------------------------------

class _Parser:
    def __init__(self, pattern: str, fold: Callable[[str], str]) -> None:
        self.text = pattern
        self.pos = 0
        self.fold = fold

    def parse(self) -> Node:
        if self.text.startswith("(?i)"):
            self.pos = 4
        node = self._alternation()
        if self.pos < len(self.text):
            # Only an unmatched ")" stops the top-level alternation early.
            raise _error(QT_TRANSLATE_NOOP(_CTX, "Unbalanced parenthesis at position {pos}."),
                         pos=self.pos + 1)
        return node

    def _peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def _next(self) -> str:
        if self.pos >= len(self.text):
            raise _error(QT_TRANSLATE_NOOP(_CTX, "The pattern ends too early."))
        c = self.text[self.pos]
        self.pos += 1
        return c

    def _alternation(self) -> Node:
        options = [self._concatenation()]
        while self._peek() == "|":
            self.pos += 1
            options.append(self._concatenation())
        return options[0] if len(options) == 1 else Alt(options)

    def _concatenation(self) -> Node:
        items: list[Node] = []
        while True:
            c = self._peek()
            if c is None or c in "|)":
                break
            atom = self._atom()
            items.append(self._quantified(atom))
        if not items:
            return Empty()
        return items[0] if len(items) == 1 else Concat(items)

    def _quantified(self, atom: Node) -> Node:
        start = self.pos
        c = self._peek()
        if c == "*":
            low, high = 0, None
            self.pos += 1
        elif c == "+":
            low, high = 1, None
            self.pos += 1
        elif c == "?":
            low, high = 0, 1
            self.pos += 1
        elif c == "{" and self._counted_ahead():
            low, high = self._counted()
        else:
            return atom
        if isinstance(atom, (Empty, WordEdge)):
            raise _error(QT_TRANSLATE_NOOP(_CTX, "Nothing to repeat at position {pos}."), pos=start + 1)
        nxt = self._peek()
        if nxt == "+":
            raise _error(QT_TRANSLATE_NOOP(
                _CTX, "Possessive quantifiers (such as a++) are not supported; remove the second +."))
        if nxt == "?":
            self.pos += 1  # lazy: the filter covers the longest match anyway
        following = self._peek()
        if following in ("*", "+", "?") or (following == "{" and self._counted_ahead()):
            raise _error(QT_TRANSLATE_NOOP(
                _CTX, "Two quantifiers in a row at position {pos}; put the first in a group if you mean it."),
                pos=self.pos + 1)
        return Repeat(atom, low, high)

    def _counted_ahead(self) -> bool:
        end = self.text.find("}", self.pos)
        if end < 0:
            return False
        inner = self.text[self.pos + 1:end]
        parts = inner.split(",")
        return (1 <= len(parts) <= 2 and parts[0].isdigit()
                and (len(parts) == 1 or parts[1] == "" or parts[1].isdigit()))

    def _counted(self) -> tuple[int, int | None]:
        end = self.text.index("}", self.pos)
        inner = self.text[self.pos + 1:end]
        self.pos = end + 1
        parts = inner.split(",")
        low = int(parts[0])
        high: int | None
        if len(parts) == 1:
            high = low
        elif parts[1] == "":
            high = None
        else:
            high = int(parts[1])
        if high is not None and high < low:
            raise _error(QT_TRANSLATE_NOOP(_CTX, "In {{{text}}} the maximum is smaller than the minimum."),
                         text=inner)
        if max(low, high or 0) > MAX_COUNTED_REPEAT:
            raise _error(QT_TRANSLATE_NOOP(_CTX, "Repeat counts above {limit} are not supported: {{{text}}}."),
                         limit=MAX_COUNTED_REPEAT, text=inner)
        return low, high

    def _atom(self) -> Node:
        start = self.pos
        c = self._next()
        if c == "(":
            return self._group(start)
        if c == "[":
            return Char(self._class())
        if c == ".":
            return Char(CharSet(any_but_newline=True))
        if c == "\\":
            return self._escape(in_class=False)
        if c in "^$":
            raise _error(QT_TRANSLATE_NOOP(
                _CTX, "Anchors (^ and $) are not supported because the filter looks inside running text; "
                      "use \\b or the whole-word option."))
        if c in "*+?":
            raise _error(QT_TRANSLATE_NOOP(_CTX, "Nothing to repeat at position {pos}."), pos=start + 1)
        if c == "{" and self._counted_ahead_at(start):
            raise _error(QT_TRANSLATE_NOOP(_CTX, "Nothing to repeat at position {pos}."), pos=start + 1)
        return self._literal(c)

    def _counted_ahead_at(self, start: int) -> bool:
        saved = self.pos
        self.pos = start
        try:
            return self._counted_ahead()
        finally:
            self.pos = saved

    def _literal(self, c: str) -> Node:
        folded = self.fold(c)
        if not folded:
            return Empty()  # an invisible character in the pattern: the text has it removed too
        if len(folded) == 1:
            return Char(literal_set(folded))
        return Concat([Char(literal_set(x)) for x in folded])

    def _group(self, start: int) -> Node:
        if self.text.startswith("?", self.pos):
            rest = self.text[self.pos:]
            if rest.startswith("?:"):
                self.pos += 2
            elif rest.startswith("?P<") or (rest.startswith("?<") and not rest.startswith(("?<=", "?<!"))):
                end = self.text.find(">", self.pos)
                if end < 0:
                    raise _error(QT_TRANSLATE_NOOP(_CTX, "Unterminated group name at position {pos}."),
                                 pos=start + 1)
                self.pos = end + 1
            elif rest.startswith(("?=", "?!", "?<=", "?<!")):
                raise _error(QT_TRANSLATE_NOOP(
                    _CTX, "Lookahead and lookbehind groups are not supported (position {pos})."), pos=start + 1)
            elif rest.startswith("?P="):
                raise _error(QT_TRANSLATE_NOOP(_CTX, "Backreferences are not supported (position {pos})."),
                             pos=start + 1)
            else:
                raise _error(QT_TRANSLATE_NOOP(
                    _CTX, "Unsupported group syntax at position {pos}; use (...) or (?:...)."), pos=start + 1)
        node = self._alternation()
        if self._peek() != ")":
            raise _error(QT_TRANSLATE_NOOP(_CTX, "Missing ) for the group opened at position {pos}."),
                         pos=start + 1)
        self.pos += 1
        return node

    def _escape(self, in_class: bool) -> Node:
        c = self._next()
        if c in _BUILTIN_CLASSES:
            return Char(_BUILTIN_CLASSES[c])
        if c == "b" and not in_class:
            return WordEdge()
        if c in "123456789" or c in "gk":
            raise _error(QT_TRANSLATE_NOOP(_CTX, "Backreferences are not supported (\\{char})."), char=c)
        if c in "AZzBG":
            raise _error(QT_TRANSLATE_NOOP(
                _CTX, "\\{char} is not supported; the filter looks inside running text. Use \\b or the "
                      "whole-word option."), char=c)
        if c in _SIMPLE_ESCAPES:
            return self._literal(_SIMPLE_ESCAPES[c])
        if c == "x":
            return self._literal(self._hex(2))
        if c == "u":
            return self._literal(self._hex(4))
        if c.isalnum():
            raise _error(QT_TRANSLATE_NOOP(_CTX, "Unknown escape \\{char}."), char=c)
        return self._literal(c)

    def _hex(self, digits: int) -> str:
        text = self.text[self.pos:self.pos + digits]
        if len(text) != digits or any(ch not in "0123456789abcdefABCDEF" for ch in text):
            raise _error(QT_TRANSLATE_NOOP(_CTX, "Invalid hexadecimal escape near position {pos}."),
                         pos=self.pos)
        self.pos += digits
        return chr(int(text, 16))

    def _class(self) -> CharSet:
        negated = False
        if self._peek() == "^":
            negated = True
            self.pos += 1
        ranges: list[tuple[str, str]] = []
        classes: list[CharPredicate] = []
        first = True
        while True:
            if self.pos >= len(self.text):
                raise _error(QT_TRANSLATE_NOOP(_CTX, "Missing ] to close a character class."))
            c = self._next()
            if c == "]" and not first:
                break
            first = False
            low = self._class_char(c, classes)
            if low is None:
                continue
            if self._peek() == "-" and self.pos + 1 < len(self.text) and self.text[self.pos + 1] != "]":
                self.pos += 1
                high = self._class_char(self._next(), classes)
                if high is None:
                    raise _error(QT_TRANSLATE_NOOP(_CTX, "A class like \\d cannot end a range."))
                if high < low:
                    raise _error(QT_TRANSLATE_NOOP(_CTX, "Invalid range {low}-{high}: the ends are reversed."),
                                 low=low, high=high)
                ranges.append((low, high))
                folded_low, folded_high = low.casefold(), high.casefold()
                if len(folded_low) == 1 and len(folded_high) == 1 and folded_low <= folded_high:
                    ranges.append((folded_low, folded_high))
            else:
                ranges.append((low, low))
                for folded in {self.fold(low), low.casefold()}:
                    if len(folded) == 1:
                        ranges.append((folded, folded))
        return CharSet(ranges=tuple(ranges), classes=tuple(classes), negated=negated)

    def _class_char(self, c: str, classes: list[CharPredicate]) -> str | None:
        if c == "[" and self._peek() == ":":
            raise _error(QT_TRANSLATE_NOOP(_CTX, "POSIX classes like [:alpha:] are not supported; use \\w or "
                                                 "a range."))
        if c != "\\":
            return c
        e = self._next()
        if e in _BUILTIN_CLASSES:
            classes.append(_BUILTIN_CLASSES[e])
            return None
        if e in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[e]
        if e == "x":
            return self._hex(2)
        if e == "u":
            return self._hex(4)
        if e == "b":
            return "\b"
        if e.isalnum():
            raise _error(QT_TRANSLATE_NOOP(_CTX, "Unknown escape \\{char}."), char=e)
        return e


# ---- structural checks ------------------------------------------------------------------------------------

def _contains_unbounded(node: Node) -> bool:
    if isinstance(node, Repeat):
        return node.max is None or _contains_unbounded(node.body)
    if isinstance(node, Concat):
        return any(_contains_unbounded(n) for n in node.items)
    if isinstance(node, Alt):
        return any(_contains_unbounded(n) for n in node.options)
    return False


def _inner_repeat_sets(node: Node) -> list[CharPredicate]:
    """Predicates of characters that unbounded repeats inside ``node`` consume."""
    if isinstance(node, Repeat):
        inner = _inner_repeat_sets(node.body)
        if node.max is None:
            inner += [p for p in _all_chars(node.body)]
        return inner
    if isinstance(node, Concat):
        return [p for n in node.items for p in _inner_repeat_sets(n)]
    if isinstance(node, Alt):
        return [p for n in node.options for p in _inner_repeat_sets(n)]
    return []


def _all_chars(node: Node) -> list[CharPredicate]:
    if isinstance(node, Char):
        return [node.predicate]
    if isinstance(node, Repeat):
        return _all_chars(node.body)
    if isinstance(node, Concat):
        return [p for n in node.items for p in _all_chars(n)]
    if isinstance(node, Alt):
        return [p for n in node.options for p in _all_chars(n)]
    return []


def _mandatory_chars(node: Node) -> list[CharPredicate]:
    """Predicates of single characters that every match of ``node`` must contain."""
    if isinstance(node, Char):
        return [node.predicate]
    if isinstance(node, Concat):
        return [p for n in node.items for p in _mandatory_chars(n)]
    if isinstance(node, Repeat) and node.min > 0:
        return _mandatory_chars(node.body)
    return []


def check_structure(node: Node) -> None:
    """Raise PatternError for the ambiguous repetition forms listed in the module docstring."""
    if isinstance(node, Repeat):
        if node.max is None or node.max > 1:
            if can_be_empty(node.body):
                raise _error(QT_TRANSLATE_NOOP(
                    _CTX, "A repeated group that can match empty text (such as (a*)*) is not allowed; "
                          "make the inner part required."))
        if node.max is None:
            inner = _inner_repeat_sets(node.body)
            if inner:
                # (a+)+ is ambiguous; ([a-z]+\.)+ is not, because each round must end with a "."
                # that the inner repeat cannot consume.
                separators = _mandatory_chars(node.body)
                if not any(all(not sets_overlap(sep, p) for p in inner) for sep in separators):
                    raise _error(QT_TRANSLATE_NOOP(
                        _CTX, "Nested repetition such as (a+)+ is not allowed; write a+ instead, or make "
                              "each round end with a character the inner part cannot match."))
            options = node.body.options if isinstance(node.body, Alt) else []
            for i, left in enumerate(options):
                for right in options[i + 1:]:
                    if any(sets_overlap(a, b) for a in first_chars(left) for b in first_chars(right)):
                        raise _error(QT_TRANSLATE_NOOP(
                            _CTX, "Repeated alternatives that can start with the same character (such as "
                                  "(a|ab)*) are not allowed; factor out the common start, e.g. a(b)?."))
        check_structure(node.body)
    elif isinstance(node, Concat):
        for item in node.items:
            check_structure(item)
    elif isinstance(node, Alt):
        for option in node.options:
            check_structure(option)


def state_count(node: Node) -> int:
    """Number of NFA states ``node`` compiles to (counted repetition is expanded into copies)."""
    if isinstance(node, (Char, WordEdge)):
        return 1
    if isinstance(node, Empty):
        return 0
    if isinstance(node, Concat):
        return sum(state_count(n) for n in node.items)
    if isinstance(node, Alt):
        return sum(state_count(n) for n in node.options) + 1
    if isinstance(node, Repeat):
        body = state_count(node.body)
        if node.max is None:
            return body * (node.min + 1) + 1
        return body * node.max + (node.max - node.min)
    raise TypeError(node)


def parse_pattern(pattern: str, fold: Callable[[str], str]) -> Node:
    """Parse and check a user pattern. ``fold`` normalizes literal characters like the text."""
    node = _Parser(pattern, fold).parse()
    if state_count(node) > MAX_STATES_PER_RULE:
        raise _error(QT_TRANSLATE_NOOP(
            _CTX, "The pattern is too large (over {limit} automaton states); use smaller repeat counts."),
            limit=MAX_STATES_PER_RULE)
    if can_be_empty(node):
        raise _error(QT_TRANSLATE_NOOP(_CTX, "The pattern can match empty text; it must match at least one "
                                             "character."))
    check_structure(node)
    return node


# ---- NFA ----------------------------------------------------------------------------------------------------

# State kinds. CHAR consumes one character; SPLIT, EDGE and the accepting MATCH are zero-width.
CHAR, SPLIT, EDGE, MATCH = range(4)


@dataclass
class Nfa:
    """Thompson NFA shared by all rules of a filter. ``kind[s]``, ``predicate[s]``, ``out[s]`` describe
    state ``s``; ``branch[s]`` is the branch id of a MATCH state."""

    kind: list[int] = field(default_factory=list)
    predicate: list[CharPredicate | None] = field(default_factory=list)
    out: list[tuple[int, ...]] = field(default_factory=list)
    branch: list[int] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)  # branch id each state belongs to, -1 for the start

    def add(self, kind: int, predicate: CharPredicate | None = None, out: tuple[int, ...] = (),
            branch: int = -1, owner: int = -1) -> int:
        self.kind.append(kind)
        self.predicate.append(predicate)
        self.out.append(out)
        self.branch.append(branch)
        self.owner.append(owner)
        return len(self.kind) - 1

    def compile_branch(self, node: Node, branch: int) -> int:
        """Add ``node`` followed by a MATCH state for ``branch``; return the entry state."""
        first = len(self.kind)
        end = self.add(MATCH, branch=branch, owner=branch)
        entry = self._compile(node, end, branch)
        if len(self.kind) - first > MAX_STATES_PER_RULE:
            raise _error(QT_TRANSLATE_NOOP(
                _CTX, "The pattern is too large (over {limit} automaton states); use smaller repeat counts."),
                limit=MAX_STATES_PER_RULE)
        return entry

    def _compile(self, node: Node, nxt: int, owner: int) -> int:
        if len(self.kind) > MAX_STATES_PER_RULE * 64:
            raise _error(QT_TRANSLATE_NOOP(
                _CTX, "The pattern is too large (over {limit} automaton states); use smaller repeat counts."),
                limit=MAX_STATES_PER_RULE)
        if isinstance(node, Char):
            return self.add(CHAR, node.predicate, (nxt,), owner=owner)
        if isinstance(node, Empty):
            return nxt
        if isinstance(node, WordEdge):
            return self.add(EDGE, out=(nxt,), owner=owner)
        if isinstance(node, Concat):
            for item in reversed(node.items):
                nxt = self._compile(item, nxt, owner)
            return nxt
        if isinstance(node, Alt):
            entries = tuple(self._compile(option, nxt, owner) for option in node.options)
            return self.add(SPLIT, out=entries, owner=owner)
        if isinstance(node, Repeat):
            return self._compile_repeat(node, nxt, owner)
        raise TypeError(node)

    def _compile_repeat(self, node: Repeat, nxt: int, owner: int) -> int:
        # Built back to front: optional copies (or a loop) after the required ones.
        if node.max is None:
            loop = self.add(SPLIT, owner=owner)
            body = self._compile(node.body, loop, owner)
            self.out[loop] = (body, nxt)
            tail = loop
        else:
            tail = nxt
            for _ in range(node.max - node.min):
                # Each optional copy either runs (and continues to the next one) or skips to ``nxt``.
                body = self._compile(node.body, tail, owner)
                tail = self.add(SPLIT, out=(body, nxt), owner=owner)
        for _ in range(node.min):
            tail = self._compile(node.body, tail, owner)
        return tail
