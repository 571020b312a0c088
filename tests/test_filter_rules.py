"""Rule validation, shipped rule set loading and the filter configuration."""

from __future__ import annotations

import json

import pytest

from llmdesk.core.filter import (FilterConfig, RuleError, compile_filter, list_rule_sets, load_rule_sets,
                                 validate_rule)
from llmdesk.core.filter.rules import SHIPPED_LABELS
from llmdesk.core.i18n import UserMessage


def regex_rule(pattern: str, **extra) -> dict:
    return {"id": "mine", "kind": "regex", "pattern": pattern, "action": "mask", **extra}


def term_rule(pattern: str, **extra) -> dict:
    return {"id": "mine", "kind": "term", "pattern": pattern, "action": "mask", **extra}


@pytest.mark.parametrize("pattern, reason_part", [
    ("(a+)+", "Nested repetition"),
    ("(a+)+b", "Nested repetition"),
    ("(x+x+)+y", "Nested repetition"),
    ("(\\w+\\d+)+x", "Nested repetition"),
    ("(a*)*b", "can match empty text (such as"),
    ("(a?)+b", "can match empty text (such as"),
    ("(a|a)*b", "same character"),
    ("(a|ab)+c", "same character"),
    ("(\\d|[0-9a-f])+", "same character"),
])
def test_validate_rejects_catastrophic_patterns(pattern, reason_part):
    with pytest.raises(RuleError) as info:
        validate_rule(regex_rule(pattern))
    assert info.value.rule_id == "mine"
    assert isinstance(info.value.reason, UserMessage)
    assert reason_part in str(info.value.reason)


@pytest.mark.parametrize("pattern, reason_part", [
    ("(abc", "Missing )"),
    ("abc)", "Unbalanced parenthesis"),
    ("[a-", "Missing ]"),
    ("[z-a]", "reversed"),
    ("a{3,1}", "maximum is smaller"),
    ("*a", "Nothing to repeat"),
    ("a**", "quantifiers in a row"),
    ("a++", "Possessive"),
    ("(a)\\1", "Backreferences"),
    ("(?P<x>a)(?P=x)", "Backreferences"),
    ("(?=a)b", "Lookahead and lookbehind"),
    ("(?<!a)b", "Lookahead and lookbehind"),
    ("(?<=a)b", "Lookahead and lookbehind"),
    ("^abc", "Anchors"),
    ("abc$", "Anchors"),
    ("\\Aabc", "not supported"),
    ("\\q", "Unknown escape"),
    ("\\x4", "hexadecimal"),
    ("a*", "empty text"),
    ("a|", "empty text"),
    ("\\b", "empty text"),
    ("a{5000}", "above"),
    ("(a{1000}){1000}", "too large"),
    ("(x{100}y){100}z{100}(w{100}){100}q{1000}", "too large"),
    ("", "no pattern"),
])
def test_validate_rejects_invalid_regex(pattern, reason_part):
    with pytest.raises(RuleError) as info:
        validate_rule(regex_rule(pattern))
    assert reason_part in str(info.value)


@pytest.mark.parametrize("pattern", [
    "foo|bar",
    "([a-z]+\\.)+com",
    "(\\d{1,3}\\.){3}\\d{1,3}",
    "(ab|cd)*e",
    "[A-Z]{2}\\d{2}",
    "colou?r",
    "\\bcat\\b",
    "(?i)secret",
    "(?:x|y){2,4}?z",
    "(?P<word>hello) world",
    "[\\w.+-]+@corp\\.example",
    "\\u4f60\\u597d",
    "a{2,}",
    "[^\\s]{8}",
    "(a{100}b){100}",
])
def test_validate_accepts_safe_regex(pattern):
    validate_rule(regex_rule(pattern))


@pytest.mark.parametrize("rule, reason_part", [
    (term_rule(""), "no pattern"),
    (term_rule("   "), "empty"),
    (term_rule("\u200b\u200d"), "empty"),
    (term_rule("*"), "empty"),
    (term_rule("x" * 300), "longer than"),
    ({"kind": "term", "pattern": "x"}, "no id"),
    ({"id": "  ", "kind": "term", "pattern": "x"}, "no id"),
    (term_rule("x", kind="glob"), "Unknown kind"),
    (term_rule("x", action="delete"), "Unknown action"),
    (term_rule("x", whole_word="yes"), "true or false"),
    (term_rule("x", tolerate_separators=1), "true or false"),
    (term_rule("x", replacement=5), "replacement"),
    (term_rule("x", colour="red"), "Unknown field"),
    (term_rule("x", validator="luhn"), "Unknown field"),
    ("not a dict", "must be an object"),
])
def test_validate_rejects_bad_rule_dicts(rule, reason_part):
    with pytest.raises(RuleError) as info:
        validate_rule(rule)
    assert reason_part in str(info.value)


def test_rule_error_names_rule():
    with pytest.raises(RuleError) as info:
        validate_rule({"id": "project-x", "kind": "regex", "pattern": "(a+)+"})
    assert info.value.rule_id == "project-x"
    assert "project-x" in str(info.value)


def test_compile_names_bad_custom_rule():
    config = FilterConfig(["profanity"], [term_rule("ok"), {"id": "broken", "kind": "regex", "pattern": "(?=x)"}])
    with pytest.raises(RuleError) as info:
        compile_filter(config)
    assert info.value.rule_id == "broken"


def test_compile_rejects_duplicate_ids():
    config = FilterConfig([], [term_rule("a"), term_rule("b")])
    with pytest.raises(RuleError) as info:
        compile_filter(config)
    assert "already uses" in str(info.value)


def test_compile_rejects_unknown_rule_set():
    with pytest.raises(RuleError) as info:
        compile_filter(FilterConfig(["profanity", "weather"], []))
    assert info.value.rule_id == "weather"
    assert "personal_data" in str(info.value)


def test_disabled_custom_rule_is_skipped():
    compiled = compile_filter(FilterConfig([], [term_rule("apple", enabled=False)]))
    assert compiled.apply("apple pie").text == "apple pie"


def test_shipped_rule_sets_load():
    sets = load_rule_sets()
    assert set(sets) == {"profanity", "personal_data", "secrets"}
    profanity_ids = {rule.id for rule in sets["profanity"].rules}
    assert profanity_ids == {"profanity.en", "profanity.zh"}
    for rule_set in sets.values():
        assert rule_set.rules
        for rule in rule_set.rules:
            assert rule.rule_set == rule_set.id


def test_list_rule_sets_titles():
    infos = list_rule_sets()
    assert [i.id for i in infos] == ["profanity", "personal_data", "secrets"]
    assert infos[0].title == "Profanity and slurs"
    assert all(i.description for i in infos)
    assert infos[0].term_count > 50


def test_load_rule_sets_from_folder(tmp_path):
    folder = tmp_path / "filters"
    folder.mkdir()
    (folder / "pets.json").write_text(json.dumps({
        "id": "pets", "title": "Pets", "rules": [
            {"id": "pets.cat", "kind": "term", "terms": ["cat", "kitten"], "action": "label", "label": "pet",
             "whole_word": True},
        ]}), encoding="utf-8")
    sets = load_rule_sets(tmp_path)
    assert list(sets) == ["pets"]
    compiled = compile_filter(FilterConfig(["pets"], []), resources_dir=tmp_path)
    assert compiled.apply("my cat and kittens").text == "my [pet] and kittens"
    infos = list_rule_sets(tmp_path)
    assert infos[0].title == "Pets"


def test_load_rule_sets_reports_broken_file(tmp_path):
    folder = tmp_path / "filters"
    folder.mkdir()
    (folder / "bad.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rule_sets(tmp_path)
    assert "bad.json" in str(info.value)


def test_load_rule_sets_reports_unknown_validator(tmp_path):
    folder = tmp_path / "filters"
    folder.mkdir()
    (folder / "v.json").write_text(json.dumps({"id": "v", "rules": [
        {"id": "v.1", "kind": "regex", "pattern": "\\d{4}", "validator": "crc32"}]}), encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rule_sets(tmp_path)
    assert "crc32" in str(info.value)
    assert "luhn" in str(info.value)


def test_config_round_trips_through_json():
    config = FilterConfig(["secrets"], [term_rule("acme", whole_word=True, label="company")])
    data = json.loads(json.dumps(config.to_dict()))
    again = FilterConfig.from_dict(data)
    assert again == config
    assert compile_filter(again).apply("ACME corp").text == "**** corp"


def test_config_labels_replace_shipped_labels():
    """The UI sends translated labels; the engine's output then reads in the UI language."""
    config = FilterConfig(["personal_data"], [], labels={"card number": "银行卡号"})
    again = FilterConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config
    assert compile_filter(again).apply("卡号 4111 1111 1111 1111 。").text == "卡号 [银行卡号] 。"
    untranslated = compile_filter(FilterConfig(["personal_data"], [])).apply("mail me at a@example.org")
    assert untranslated.text == "mail me at [email address]"


def test_custom_rule_without_label_gets_readable_one():
    compiled = compile_filter(FilterConfig([], [{"id": "custom-2", "kind": "term", "pattern": "falcon",
                                                  "action": "label"},
                                                 {"id": "custom-3", "kind": "regex", "pattern": "id-\\d{6}",
                                                  "action": "label"}]))
    assert compiled.apply("Project Falcon, ID-123456").text == "Project [filtered term], [custom pattern]"


def test_shipped_labels_are_all_marked():
    used = {rule.label for rule_set in load_rule_sets().values() for rule in rule_set.rules}
    assert used <= set(SHIPPED_LABELS)


@pytest.mark.parametrize("data", [
    [],
    {"rule_sets": "profanity"},
    {"rule_sets": [1]},
    {"custom_rules": ["x"]},
    {"labels": {"card number": ""}},
    {"labels": ["card number"]},
])
def test_config_from_dict_rejects_bad_shape(data):
    with pytest.raises(RuleError):
        FilterConfig.from_dict(data)


def test_config_from_settings():
    from llmdesk.core.settings import Settings

    settings = Settings()
    config = FilterConfig.from_settings(settings)
    assert config.rule_sets == ["profanity", "personal_data", "secrets"]
    settings.set("filter_enabled", False)
    assert FilterConfig.from_settings(settings) == FilterConfig()
