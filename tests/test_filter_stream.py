"""Streaming: any chunking gives the one-shot result, emitted text is final, hold-back stays bounded."""

from __future__ import annotations

import random

import pytest

from llmdesk.core.filter import FilterConfig, StreamFilter, compile_filter
from llmdesk.core.filter.normalize import fold

ALL_SETS = ["profanity", "personal_data", "secrets"]
CUSTOM = [
    {"id": "codename", "kind": "term", "pattern": "bluebird", "action": "label", "whole_word": True},
    {"id": "ticket", "kind": "regex", "pattern": "tkt-\\d+", "action": "replace", "replacement": "#"},
]

# Several blocked items, some split by invisible characters, look-alikes and separators.
TEXT = ("Well, f\u200bu-c-k that. Mail ann.lee@example.com or call (212) 555-0123; "
        "card 4111 1111 1111 1111, not 4111 1111 1111 1112. 你这个傻逼！Key: sk-AbCdEfGhIjKlMnOpQrStUv123 "
        "and ＳＨＩＴ, ѕһіt, Bluebird tkt-991. Scunthorpe cockpit assassin. End")
BLOCKED = ["fuck", "ann.lee@example.com", "555-0123", "4111 1111 1111 1111", "傻逼", "sk-abcdefghij", "shit",
           "bluebird", "tkt-991"]


@pytest.fixture(scope="module")
def compiled():
    return compile_filter(FilterConfig(ALL_SETS, CUSTOM))


def run_stream(compiled, chunks):
    """Feed chunks; check after every feed that the text emitted so far is a prefix of the final text."""
    expected = compiled.apply("".join(chunks)).text
    stream = StreamFilter(compiled)
    emitted = ""
    for chunk in chunks:
        emitted += stream.feed(chunk).text
        assert expected.startswith(emitted), (chunks, emitted)
    emitted += stream.flush().text
    return emitted, expected


def assert_nothing_blocked(text):
    view = fold(text).replace("\u200b", "")
    for item in BLOCKED:
        assert fold(item) not in view, item


def test_one_shot_result_is_filtered(compiled):
    out = compiled.apply(TEXT)
    assert_nothing_blocked(out.text)
    assert "Scunthorpe cockpit assassin. End" in out.text
    assert "4111 1111 1111 1112" in out.text
    assert {e.rule_id for e in out.events} >= {"profanity.en", "profanity.zh", "personal_data.email",
                                                 "personal_data.phone_us", "personal_data.payment_card",
                                                 "secrets.openai", "codename", "ticket"}


def test_every_split_point(compiled):
    for i in range(len(TEXT) + 1):
        emitted, expected = run_stream(compiled, [TEXT[:i], TEXT[i:]])
        assert emitted == expected, i
    assert_nothing_blocked(expected)


def test_single_character_chunks(compiled):
    emitted, expected = run_stream(compiled, list(TEXT))
    assert emitted == expected
    assert_nothing_blocked(emitted)


def test_random_chunkings(compiled):
    rng = random.Random(20261204)
    for _ in range(150):
        chunks = []
        i = 0
        while i < len(TEXT):
            size = rng.randint(1, 12)
            chunks.append(TEXT[i:i + size])
            i += size
        emitted, expected = run_stream(compiled, chunks)
        assert emitted == expected


def test_events_match_one_shot(compiled):
    stream = StreamFilter(compiled)
    total = stream.feed("")
    for ch in TEXT:
        total = total.merged(stream.feed(ch))
    total = total.merged(stream.flush())
    one_shot = compiled.apply(TEXT)
    assert sorted((e.rule_id, e.count) for e in total.events) == sorted((e.rule_id, e.count) for e in one_shot.events)


def test_no_partial_term_emitted(compiled):
    stream = StreamFilter(compiled)
    emitted = ""
    for ch in "so f.u.c":
        emitted += stream.feed(ch).text
    assert emitted == "so "
    emitted += stream.feed(".k now").text
    assert emitted == "so ******* "
    assert stream.flush().text == "now"


def test_prose_is_not_held_back(compiled):
    stream = StreamFilter(compiled)
    assert stream.feed("Hello there, ").text == "Hello there, "
    assert stream.held_back == 0
    out = stream.feed("general")
    assert out.text == ""
    assert stream.held_back == len("general")
    assert stream.feed(" Kenobi. ").text == "general Kenobi. "


def test_stop_ends_stream():
    compiled = compile_filter(FilterConfig([], [{"id": "halt", "kind": "term", "pattern": "red button",
                                                 "action": "stop"}]))
    stream = StreamFilter(compiled)
    first = stream.feed("press the red bu")
    assert first.text == "press the "
    assert not first.stop
    second = stream.feed("tton now and more")
    assert second.stop
    assert second.text == ""
    assert [(e.rule_id, e.action) for e in second.events] == [("halt", "stop")]
    later = stream.feed("anything else")
    assert later.stop
    assert later.text == ""
    assert stream.flush().text == ""


def test_stop_at_every_split_point():
    compiled = compile_filter(FilterConfig(["profanity"], [{"id": "halt", "kind": "term", "pattern": "abort",
                                                            "action": "stop", "whole_word": True}]))
    text = "shit happens, then ABORT and shit again"
    expected = compiled.apply(text)
    assert expected.text == "**** happens, then "
    for i in range(len(text) + 1):
        emitted, _ = run_stream(compiled, [text[:i], text[i:]])
        assert emitted == expected.text


def test_hold_back_is_bounded():
    compiled = compile_filter(FilterConfig([], [{"id": "r", "kind": "regex", "pattern": "a+b", "action": "mask"}]))
    stream = StreamFilter(compiled)
    emitted = 0
    for _ in range(5000):
        emitted += len(stream.feed("a").text)
        assert stream.held_back <= 2 * compiled.max_match_length
    assert emitted >= 5000 - 2 * compiled.max_match_length
    rest = stream.feed("b").text + stream.flush().text
    assert rest.endswith("*")
    assert emitted + len(rest) == 5001


def test_overlapping_chain_is_bounded(compiled):
    text = "sk-" * 2000
    stream = StreamFilter(compiled)
    emitted = ""
    for i in range(0, len(text), 3):
        emitted += stream.feed(text[i:i + 3]).text
        assert stream.held_back <= 2 * compiled.max_match_length + 3
    emitted += stream.flush().text
    assert emitted == compiled.apply(text).text
    assert "sk-" not in emitted


def adversarial_text(size: int) -> str:
    """Near-misses for every rule kind: prefixes of blocked words, digit runs failing Luhn, dots, sk-."""
    rng = random.Random(7)
    parts = ["a" * 5000, "f.u.c." * 500, "4111 1111 1111 111" * 200, "".join(rng.choice("0123456789")
             for _ in range(5000)), "x@y." * 1000, "sk-" * 1000, "傻傻傻" * 500, "shi" * 1000, "+1 (" * 1000]
    unit = "".join(parts)
    return (unit * (size // len(unit) + 1))[:size]


def test_megabyte_of_adversarial_text_finishes(compiled):
    text = adversarial_text(1_000_000)
    out = compiled.apply(text)
    assert len(out.text) > 0
    prefix = text[:200_000]
    stream = StreamFilter(compiled)
    pieces = [stream.feed(prefix[i:i + 4096]).text for i in range(0, len(prefix), 4096)]
    assert "".join(pieces) + stream.flush().text == compiled.apply(prefix).text


def test_expanding_character_split_between_matches():
    compiled = compile_filter(FilterConfig([], [
        {"id": "left", "kind": "term", "pattern": "as", "action": "mask"},
        {"id": "right", "kind": "term", "pattern": "sb", "action": "label"},
    ]))
    # "aßb" folds to "assb": "as" ends and "sb" starts inside the view of "ß".
    text = "xaßbx"
    expected = compiled.apply(text).text
    assert expected == "x**[right]x"
    for i in range(len(text) + 1):
        emitted, _ = run_stream(compiled, [text[:i], text[i:]])
        assert emitted == expected
