"""The combined automaton that finds rule matches in a character stream, in linear time.

All rules of a filter compile into one Thompson NFA (pattern.py). The scanner simulates it over the
normalized view of the text (normalize.py) one character at a time, like a Pike VM: each live thread is
an NFA state plus the position where its match started. Sets of thread states are interned and their
transitions cached per character, so after warm-up a character costs one dictionary look-up plus a list
update of the live threads' start positions (a lazily built DFA that carries start positions along).

Every thread reports each match it completes. Matches that overlap are merged into one span, so the
filter covers the union of everything any rule found (an e-mail address that contains a swear word is
handled once, as an address). The span takes the action of its primary match, the one that starts
first, then the longest, then the rule listed first, except that any "stop" match makes it a stop.
A span is final when no live thread started before its end. Every thread dies after its rule's
``max_length`` characters, and a chain of overlapping matches is closed once it spans its rules'
``max_length``. So the undecided tail of the text stays under twice the longest ``max_length`` in use.
The scan never goes back over text.

When two threads reach the same NFA state, the one that started first is kept: both would complete the
same matches, and the earlier one's match covers the later one's.

Because the whole scan is a function of the text alone, feeding it in any chunks gives the same matches
as feeding it at once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

from llmdesk.core.filter import normalize
from llmdesk.core.filter.pattern import (CHAR, EDGE, MATCH, SPLIT, Char, Concat, Node, Nfa, Repeat, WordEdge,
                                         literal_set, parse_pattern)
from llmdesk.core.filter.rules import (CUSTOM_RULE_SET, FilterConfig, Rule, RuleError, _reason, load_rule_sets,
                                       rule_from_dict)
from llmdesk.core.filter.validators import VALIDATORS
from llmdesk.core.i18n import QT_TRANSLATE_NOOP

_CTX = "Filter"

# Rule sets whose matches check_prompt reports: a user's own swearing is not worth a warning.
PROMPT_RULE_SETS = ("personal_data", "secrets", CUSTOM_RULE_SET)

# Separators tolerated between two letters of a term, at most this many in a row.
MAX_SEPARATOR_RUN = 3

_TRANSITION_CACHE_LIMIT = 300_000


@dataclass(frozen=True)
class Match:
    """A match in the original text: ``text[start:end]``."""

    rule_id: str
    rule_set: str
    action: str
    label: str
    start: int
    end: int
    other_rules: tuple[str, ...] = ()  # ids of further rules whose matches overlapped this one


@dataclass(frozen=True)
class _Branch:
    """One alternative of a rule (one term, or the rule's regex) with its own accepting NFA state."""

    rule_index: int
    check: Callable[[str], bool] | None
    max_length: int


def _single_letter_segments(text: str) -> bool:
    """Accept ``f u c k`` but not ``s hit`` or ``as shole``: when whitespace splits a term, every piece
    must be one character, otherwise ordinary words next to each other would match."""
    if not any(c.isspace() for c in text):
        return True
    piece = 0
    for c in text:
        if normalize.is_separator(c):
            piece = 0
        else:
            piece += 1
            if piece > 1:
                return False
    return True


def _term_node(term: str, tolerate_separators: bool) -> Node:
    wildcard = term.endswith("*")
    folded = normalize.fold(term[:-1] if wildcard else term).strip()
    separator = Char(normalize.is_separator)
    items: list[Node] = []
    previous_was_letter = False
    for ch in folded:
        if ch.isspace():
            if items and not previous_was_letter:
                continue  # several spaces in the term count as one gap
            gap = Char(normalize.is_separator if tolerate_separators else str.isspace)
            items.append(Repeat(gap, 1, MAX_SEPARATOR_RUN))
            previous_was_letter = False
            continue
        if tolerate_separators and previous_was_letter:
            items.append(Repeat(separator, 0, MAX_SEPARATOR_RUN))
        items.append(Char(literal_set(ch)))
        previous_was_letter = True
    if wildcard:
        items.append(Repeat(Char(normalize.is_word), 0, None))
    return Concat(items)


def _combine_checks(*checks: Callable[[str], bool] | None) -> Callable[[str], bool] | None:
    present = [c for c in checks if c is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return lambda text: all(check(text) for check in present)


# (next key, source thread index of each next thread or None when every thread simply moves on in
# order, accepts before the character as (thread index, branch)). A key is ``2 * tuple id + 1 when the
# last character was a word character``. Thread index -1 is a thread that starts at the character.
Transition = tuple[int, "tuple[int, ...] | None", "tuple[tuple[int, int], ...]"]


class Automaton:
    """The NFA of all rules plus the cache of its lazily built transitions. Shared by every scanner of
    one CompiledFilter; use it from one thread at a time."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self.nfa = Nfa()
        self.branches: list[_Branch] = []
        entries: list[int] = []
        for index, rule in enumerate(rules):
            validator = VALIDATORS[rule.validator] if rule.validator else None
            for pattern in rule.patterns:
                check = validator
                if rule.kind == "term":
                    node = _term_node(pattern, rule.tolerate_separators)
                    if rule.tolerate_separators and " " not in pattern.strip():
                        check = _combine_checks(validator, _single_letter_segments)
                else:
                    node = parse_pattern(pattern, normalize.fold)
                if rule.whole_word:
                    node = Concat([WordEdge(), node, WordEdge()])
                branch = len(self.branches)
                self.branches.append(_Branch(index, check, rule.max_length))
                entries.append(self.nfa.compile_branch(node, branch))
        self.start = self.nfa.add(SPLIT, out=tuple(entries))
        self._state_max_length = [self.branches[o].max_length if o >= 0 else 1 << 30 for o in self.nfa.owner]
        self.min_max_length = min((b.max_length for b in self.branches), default=1 << 30)
        self.max_max_length = max((b.max_length for b in self.branches), default=0)

        # NOTE: interned thread tuples are never dropped (scanners refer to them by id). Text that
        # keeps producing new combinations of live threads grows this table; the transition cache
        # itself is capped.
        self._tuples: list[tuple[int, ...]] = [()]
        self._tuple_ids: dict[tuple[int, ...], int] = {(): 0}
        # The cached transitions, one row per key: rows[key][character]. A row per key instead of one
        # dictionary keyed by (tuple id, character, word flag) saves building and hashing a tuple for
        # every character of the scan.
        self.rows: list[dict[str, Transition]] = [{}, {}]
        self._cached = 0
        self._start_closures: dict[bool, tuple[list[int], list[tuple[int, int]]]] = {}
        self._start_cache: dict[tuple[str, bool], tuple[list[tuple[int, int]], list[tuple[int, int]]]] = {}
        self._end_accepts: dict[int, tuple[tuple[int, int], ...]] = {}

    def _intern(self, states: tuple[int, ...]) -> int:
        tid = self._tuple_ids.get(states)
        if tid is None:
            tid = len(self._tuples)
            self._tuples.append(states)
            self._tuple_ids[states] = tid
            self.rows += ({}, {})
        return tid

    def _closure(self, roots: list[tuple[int, int]], edge: bool, seen: set[int]
                 ) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Follow zero-width states from each (state, thread index) root in priority order.

        Return the consuming states as (state, thread index) and the accepts as (MATCH state, thread
        index). ``seen`` collects every state visited, and a state already in it is skipped."""
        kind, out = self.nfa.kind, self.nfa.out
        consuming: list[tuple[int, int]] = []
        accepts: list[tuple[int, int]] = []
        for root, source in roots:
            stack = [root]
            while stack:
                s = stack.pop()
                if s in seen:
                    continue
                seen.add(s)
                k = kind[s]
                if k == CHAR:
                    consuming.append((s, source))
                elif k == SPLIT:
                    stack.extend(reversed(out[s]))
                elif k == EDGE:
                    if edge:
                        stack.append(out[s][0])
                elif k == MATCH:
                    accepts.append((s, source))
        return consuming, accepts

    def _thread_closure(self, tid: int, edge: bool
                        ) -> tuple[list[tuple[int, int]], list[tuple[int, int]], set[int]]:
        """Return the closure of the live threads in ``tid``: consuming states, accepts as
        (thread index, branch), and every state visited."""
        seen: set[int] = set()
        consuming, accepts = self._closure([(s, i) for i, s in enumerate(self._tuples[tid])], edge, seen)
        branch = self.nfa.branch
        return consuming, [(i, branch[s]) for s, i in accepts], seen

    def _start_moves(self, c: str, edge: bool) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Return what a thread starting at ``c`` does: (consuming state, next state) for each state
        of the start's closure that accepts ``c``, and the start's accepts as (MATCH state, branch).

        This is the same for every set of live threads, so it is cached per character. A state that a
        live thread reached first is skipped by the caller: everything reachable from it was reached
        by that thread too, so skipping it gives the same result as a search that stops there."""
        moves = self._start_cache.get((c, edge))
        if moves is None:
            closure = self._start_closures.get(edge)
            if closure is None:
                consuming, accepts = self._closure([(self.start, -1)], edge, set())
                branch = self.nfa.branch
                closure = ([s for s, _ in consuming], [(s, branch[s]) for s, _ in accepts])
                self._start_closures[edge] = closure
            predicate, out = self.nfa.predicate, self.nfa.out
            moves = ([(s, out[s][0]) for s in closure[0] if predicate[s](c)], closure[1])  # type: ignore[misc]
            self._start_cache[(c, edge)] = moves
        return moves

    def step(self, key: int, c: str) -> Transition:
        """Compute and cache the transition from ``key`` on ``c`` (see Transition).

        The key's low bit is 1 when the character before ``c`` is a word character, for word
        edges. New threads start at every position, so the scan is unanchored."""
        tid, prev_word = key >> 1, bool(key & 1)
        word = normalize.is_word(c)
        edge = not (prev_word and word)
        consuming, accepts, reached = self._thread_closure(tid, edge)
        start_moves, start_accepts = self._start_moves(c, edge)
        accepts += [(-1, b) for s, b in start_accepts if s not in reached]
        predicate, out = self.nfa.predicate, self.nfa.out
        next_states: list[int] = []
        sources: list[int] = []
        seen: set[int] = set()
        for s, source in consuming:
            if predicate[s](c):  # type: ignore[misc]
                t = out[s][0]
                if t not in seen:
                    seen.add(t)
                    next_states.append(t)
                    sources.append(source)
        for s, t in start_moves:
            if s not in reached and t not in seen:
                seen.add(t)
                next_states.append(t)
                sources.append(-1)
        # None marks "every thread continues in place", which lets the scanner keep its start list.
        unchanged = len(sources) == len(self._tuples[tid]) and all(j == i for i, j in enumerate(sources))
        result = (2 * self._intern(tuple(next_states)) + word,
                  None if unchanged and sources else tuple(sources), tuple(accepts))
        if self._cached >= _TRANSITION_CACHE_LIMIT:
            for row in self.rows:
                row.clear()
            self._start_cache.clear()
            self._cached = 0
        self.rows[key][c] = result
        self._cached += 1
        return result

    def end_accepts(self, tid: int) -> tuple[tuple[int, int], ...]:
        """Accepts of the threads in ``tid`` when the text ends here (word edges hold at the end)."""
        result = self._end_accepts.get(tid)
        if result is None:
            result = tuple(self._thread_closure(tid, True)[1])
            self._end_accepts[tid] = result
        return result

    def drop_expired(self, tid: int, starts: list[int], position: int) -> tuple[int, list[int]]:
        """Remove threads that have run longer than their rule's max_length."""
        states = self._tuples[tid]
        limits = self._state_max_length
        keep = [i for i, s in enumerate(states) if position - starts[i] <= limits[s]]
        if len(keep) == len(states):
            return tid, starts
        return self._intern(tuple(states[i] for i in keep)), [starts[i] for i in keep]


class Scanner:
    """Incremental matcher over a stream of original text.

    ``feed()`` then ``take_matches()`` returns the matches that became final, with positions in the
    original stream; ``safe_end()`` is the original position before which the text is final (no match
    can still start or grow there). ``finish()`` ends the stream. With ``halt_on_stop`` the scan ends
    at the first final match of a "stop" rule.
    """

    def __init__(self, automaton: Automaton, *, halt_on_stop: bool = False) -> None:
        self._auto = automaton
        self._halt_on_stop = halt_on_stop
        self.halted = False
        self._norm = ""             # normalized text from absolute view position _nbase on
        self._nbase = 0
        self._omap: list[int] = []  # original position of each view character in _norm
        self._olength = 0           # original characters fed so far
        self._p = 0                 # next view position to scan
        self._key = 0               # 2 * live thread tuple id + 1 when the last character was a word character
        self._starts: list[int] = []
        # Open clusters of overlapping matches, in view positions:
        # [start, end, {(match start, rule index): (match end, branch)}, longest max_length of the members]
        self._open: list[list] = []
        self._closed_until = 0
        self._final: list[Match] = []
        self._last_end = 0          # original end of the last final match

    def feed(self, text: str) -> int:
        """Scan ``text``, the next piece of the stream, and return ``safe_end()``.

        This is the per-token hot path, so the automaton loop is written out here.
        """
        if self.halted or not text:
            self._olength += len(text)
            return self.safe_end()
        base = self._olength
        view, index_map = normalize.normalize(text)
        if index_map is None:
            self._omap.extend(range(base, base + len(text)))
        else:
            self._omap.extend([base + i for i in index_map])
        self._norm += view
        self._olength += len(text)

        auto = self._auto
        rows = auto.rows
        min_max_length = auto.min_max_length
        p = self._p
        key = self._key
        starts = self._starts
        for c in view:
            if starts and p - starts[0] > min_max_length:
                tid, starts = auto.drop_expired(key >> 1, starts, p)
                key = 2 * tid + (key & 1)
            result = rows[key].get(c)
            if result is None:
                result = auto.step(key, c)
            key, sources, accepts = result
            if accepts:
                self._accept(accepts, starts, p)
                if self.halted:
                    break
            if sources == ():  # every thread died, the most common change
                starts = []
            elif sources is not None:
                starts = [starts[j] if j >= 0 else p for j in sources]
            p += 1
        self._p, self._key, self._starts = p, key, starts

        if self._open:
            self._close_clusters(final=False)
        if not starts and not self._open:
            # Nothing refers back into the buffers, which is the usual state between words.
            self._nbase = p
            self._norm = ""
            self._omap.clear()
            return self._olength if not self.halted else self.safe_end()
        if len(self._norm) > 1024:
            self._trim()
        return self.safe_end()

    def finish(self) -> None:
        if self.halted:
            return
        if self._starts:
            # End of the text: a last look for accepts, with word edges holding after the last char.
            accepts = self._auto.end_accepts(self._key >> 1)
            if accepts:
                self._accept(accepts, self._starts, self._p)
        self._key, self._starts = 0, []
        self._close_clusters(final=True)

    def has_matches(self) -> bool:
        """Whether final matches are waiting in ``take_matches()``."""
        return bool(self._final)

    def take_matches(self) -> list[Match]:
        matches, self._final = self._final, []
        return matches

    def safe_end(self) -> int:
        """Original position up to which the text is final."""
        if self.halted:
            return self._final[-1].start if self._final else self._olength
        limit = self._starts[0] if self._starts else None
        if self._open and (limit is None or self._open[0][0] < limit):
            limit = self._open[0][0]
        if limit is None:
            return self._olength
        return self._omap[limit - self._nbase]

    def _trim(self) -> None:
        """Forget view text that no live thread or open match refers to any more."""
        keep_from = self._starts[0] if self._starts else self._p
        if self._open:
            keep_from = min(keep_from, self._open[0][0])
        drop = keep_from - self._nbase
        if drop * 2 > len(self._norm):
            self._norm = self._norm[drop:]
            del self._omap[:drop]
            self._nbase = keep_from

    def _accept(self, accepts: tuple[tuple[int, int], ...], starts: list[int], position: int) -> None:
        """Record valid matches ending at ``position``, merging them with overlapping open matches."""
        branches = self._auto.branches
        clusters = self._open
        for source, branch_index in accepts:
            if source < 0:
                continue
            start = starts[source]
            branch = branches[branch_index]
            if position - start > branch.max_length:
                continue
            if branch.check is not None:
                if not branch.check(self._norm[start - self._nbase:position - self._nbase]):
                    continue
            # Text already given out as a closed span is not covered twice.
            start = max(start, self._closed_until)
            if start >= position:
                continue
            key = (start, branch.rule_index)
            if clusters and clusters[-1][1] > start:
                target = clusters.pop()
                while clusters and clusters[-1][1] > start:
                    earlier = clusters.pop()
                    if len(earlier[2]) > len(target[2]):
                        earlier[2], target[2] = target[2], earlier[2]
                    for member, value in earlier[2].items():
                        if member not in target[2] or target[2][member][0] < value[0]:
                            target[2][member] = value
                    target[0] = earlier[0]
                    target[3] = max(target[3], earlier[3])
                target[0] = min(target[0], start)
                target[1] = position
                target[3] = max(target[3], branch.max_length)
                current = target[2].get(key)
                if current is None or current[0] < position:
                    target[2][key] = (position, branch_index)
            else:
                target = [start, position, {key: (position, branch_index)}, branch.max_length]
            clusters.append(target)
            if position - target[0] >= target[3]:
                # A chain of overlapping matches (sk-sk-sk-...) must not grow without bound: close it
                # here, at a point that depends on the text alone, and clip later matches to its end.
                self._closed_until = position
                for cluster in clusters:
                    self._finalize(cluster)
                    if self.halted:
                        break
                clusters.clear()
                if self.halted:
                    return

    def _close_clusters(self, final: bool) -> None:
        """Turn open clusters that no live thread can reach any more into final matches."""
        limit = self._starts[0] if (self._starts and not final) else None
        closed = 0
        for cluster in self._open:
            if self.halted or (limit is not None and cluster[1] > limit):
                break
            self._finalize(cluster)
            closed += 1
        if self.halted:
            self._open.clear()
        else:
            del self._open[:closed]

    def _finalize(self, cluster: list) -> None:
        start, end, members, _ = cluster
        auto = self._auto
        (_, rule_index), _ = min(members.items(), key=lambda kv: (kv[0][0], -kv[1][0], kv[0][1]))
        rules = [auto.rules[i] for i in sorted({i for (_, i) in members})]
        primary = auto.rules[rule_index]
        action = "stop" if any(r.action == "stop" for r in rules) else primary.action
        ostart = self._omap[start - self._nbase]
        oend = self._omap[end - 1 - self._nbase] + 1
        if ostart < self._last_end:
            # Two view characters of one original character (ß -> ss) can split between matches.
            ostart = self._last_end
        self._last_end = oend
        others = tuple(r.id for r in rules if r is not primary)
        self._final.append(Match(primary.id, primary.rule_set, action, primary.label, ostart, oend, others))
        if action == "stop" and self._halt_on_stop:
            self.halted = True


class CompiledFilter:
    """A validated filter, ready to scan text. Build with ``compile_filter``; reuse it for every reply
    of a chat. Use one instance from one thread at a time (its transition cache is not locked)."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = tuple(rules)
        self.automaton = Automaton(rules)

    @property
    def max_match_length(self) -> int:
        """Maximum ``max_length`` among the rules (0 without rules). A StreamFilter holds back less than
        twice this many normalized characters."""
        return self.automaton.max_max_length

    def scan(self, text: str) -> list[Match]:
        """Find all matches in ``text`` as non-overlapping spans (see the module docstring), including those
        after a "stop" match."""
        scanner = Scanner(self.automaton)
        scanner.feed(text)
        scanner.finish()
        return scanner.take_matches()

    def apply(self, text: str):  # -> FilterOutput; imported lazily because stream.py imports this module
        """Filter a whole text at once; gives exactly what a StreamFilter gives for the same text."""
        from llmdesk.core.filter.stream import StreamFilter

        stream = StreamFilter(self)
        first = stream.feed(text)
        last = stream.flush()
        return first.merged(last)


def compile_filter(config: FilterConfig, resources_dir=None) -> CompiledFilter:
    """Validate the configuration and build its automaton.

    Raises RuleError naming the rule (or the unknown rule set) that cannot be used.
    """
    sets = load_rule_sets(resources_dir) if config.rule_sets else {}
    rules: list[Rule] = []
    for set_id in config.rule_sets:
        rule_set = sets.get(set_id)
        if rule_set is None:
            raise RuleError(set_id, _reason(QT_TRANSLATE_NOOP(_CTX, "Unknown rule set {value}; available: {names}."),
                                            value=set_id, names=", ".join(sorted(sets)) or "-"))
        rules.extend(rule_set.rules)
    seen_ids = {r.id for r in rules}
    for data in config.custom_rules:
        if isinstance(data, dict) and data.get("enabled") is False:
            continue
        rule = rule_from_dict(data, CUSTOM_RULE_SET)
        if rule.id in seen_ids:
            raise RuleError(rule.id, _reason(QT_TRANSLATE_NOOP(_CTX, "Another rule already uses the id {value}."),
                                             value=rule.id))
        seen_ids.add(rule.id)
        rules.append(rule)
    if config.labels:  # after the user's rules too: one without a label has a built-in one
        rules = [dataclasses.replace(r, label=config.labels[r.label]) if r.label in config.labels else r
                 for r in rules]
    return CompiledFilter(rules)


def check_prompt(compiled: CompiledFilter, text: str) -> list[Match]:
    """Matches of personal data, secrets and the user's own rules in a message about to be sent."""
    return [m for m in compiled.scan(text) if m.rule_set in PROMPT_RULE_SETS]
