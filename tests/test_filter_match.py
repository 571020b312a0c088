"""Matching of the shipped rule sets and custom rules on whole texts: normalization, word boundaries,
check digits and actions."""

from __future__ import annotations

import pytest

from llmdesk.core.filter import FilterConfig, check_prompt, compile_filter
from llmdesk.core.filter import validators
from llmdesk.core.filter.normalize import fold, normalize

ALL_SETS = ["profanity", "personal_data", "secrets"]


@pytest.fixture(scope="module")
def shipped():
    return compile_filter(FilterConfig(ALL_SETS, []))


def rule_ids(compiled, text):
    return [m.rule_id for m in compiled.scan(text)]


def outside_spans_identical(original: str, filtered: str, matches) -> bool:
    """Masking keeps length, so every character outside the match spans is unchanged in place."""
    if len(original) != len(filtered):
        return False
    covered = set()
    for m in matches:
        covered.update(range(m.start, m.end))
    return all(original[i] == filtered[i] for i in range(len(original)) if i not in covered)


# ---- normalization ---------------------------------------------------------------------------------

def test_normalize_maps_back_to_original():
    text = "ﬁne Stra\u00dfe f\u200bu"
    view, index_map = normalize(text)
    assert view == "fine strasse fu"
    assert len(index_map) == len(view)
    assert index_map[0] == index_map[1] == 0          # "ﬁ" became "fi"
    assert text[index_map[view.index("ss")]] == "\u00df"
    assert index_map[-1] == len(text) - 1              # the zero-width space left no view character


def test_normalize_ascii_has_identity_map():
    assert normalize("Hello") == ("hello", None)


def test_normalize_one_to_one_text_has_no_map():
    """Chinese text and look-alikes fold one character to one, so no index map is needed."""
    assert normalize("会议ＡОС") == ("会议aoc", None)
    assert normalize("会议ＡОС") == ("会议aoc", None)  # again, now from the filled translation table


def test_normalize_same_length_after_drop_and_expand():
    """A dropped character and an expanded one keep the length, yet the map must not be the identity."""
    for _ in range(2):  # the first call fills the translation table, the second reads it
        view, index_map = normalize("​ﬁé")
        assert view == "fie"
        assert index_map == [1, 1, 2]


@pytest.mark.parametrize("raw, expected", [
    ("ＦＵＣＫ", "fuck"),             # fullwidth
    ("fυck", "fuck"),                # Greek upsilon
    ("ѕһіt", "shit"),                # Cyrillic dze, shha, i
    ("сосk", "cock"),                # Cyrillic es, o
    ("f\u0336u\u0336", "fu"),         # combining overlay
    ("fück", "fuck"),                # accent
    ("sh\u00adit", "shit"),          # soft hyphen
    ("s\u2060h\ufeffi\u200dt", "shit"),  # word joiner, BOM, zero-width joiner
    ("shit\ufe0f", "shit"),          # variation selector
    ("傻逼", "傻逼"),
])
def test_fold_variants(raw, expected):
    assert fold(raw) == expected


# ---- profanity -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "fuck", "FUCK", "FuCk", "fucking", "Motherfucker", "ＦＵＣＫ", "f\u200bu\u200cc\u200dk", "fυck", "ѕһіt",
    "f.u.c.k", "f u c k", "f-u-c-k", "f_u_c_k", "f..u--c**k", "sh\u00adit", "fück", "bullshit", "son of a bitch",
])
def test_profanity_variants_masked(shipped, text):
    sentence = f"well {text} then"
    matches = shipped.scan(sentence)
    assert [m.rule_id for m in matches] == ["profanity.en"]
    assert sentence[matches[0].start:matches[0].end] == text
    out = shipped.apply(sentence).text
    assert out.startswith("well ")
    assert out.endswith(" then")
    assert not any(c.isalpha() for c in out[5:-5])


@pytest.mark.parametrize("text", [
    "Scunthorpe", "assassin", "cockpit", "Dickens", "classic", "Essex", "this is hit or miss",
    "as shole", "the shiitake", "niggardly", "Penistone", "a spice rack", "title", "grape",
])
def test_profanity_false_positives_pass(shipped, text):
    assert shipped.scan(text) == []
    assert shipped.apply(text).text == text


def test_chinese_terms_in_running_text(shipped):
    text = "你这个傻逼，真是王八蛋。"
    out = shipped.apply(text)
    assert out.text == "你这个＊＊，真是＊＊＊。"
    assert out.events[0].rule_id == "profanity.zh"
    assert out.events[0].count == 2


def test_chinese_spaced_term_masked(shipped):
    assert shipped.apply("他 妈 的").text == "＊ ＊ ＊"


@pytest.mark.parametrize("text", ["请操作这台机器", "妈妈的手艺很好", "过去死了很多人"])
def test_chinese_false_positives_pass(shipped, text):
    assert shipped.apply(text).text == text


def test_latin_term_inside_chinese_text(shipped):
    assert shipped.apply("他说fuck了").text == "他说****了"


def test_mask_keeps_rest_identical(shipped):
    text = "Oh shit, the cockpit of the FUCKING plane is in Scunthorpe; f.u.c.k it.\n傻逼 wrote twice."
    matches = shipped.scan(text)
    out = shipped.apply(text).text
    assert len(matches) == 4
    assert outside_spans_identical(text, out, matches)
    for m in matches:
        span = out[m.start:m.end]
        assert set(span) <= {"*", "\uff0a", "."}, span


# ---- personal data --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, rule_id", [
    ("john.doe+news@example.co.uk", "personal_data.email"),
    ("Zhang.Wei@mail.example.cn", "personal_data.email"),
    ("4111 1111 1111 1111", "personal_data.payment_card"),
    ("4111111111111111", "personal_data.payment_card"),
    ("5500-0000-0000-0004", "personal_data.payment_card"),
    ("378282246310005", "personal_data.payment_card"),
    ("DE89 3704 0044 0532 0130 00", "personal_data.iban"),
    ("GB82WEST12345698765432", "personal_data.iban"),
    ("11010519491231002X", "personal_data.cn_resident_id"),
    ("11010519491231002x", "personal_data.cn_resident_id"),
    ("123-45-6789", "personal_data.us_ssn"),
    ("+44 20 7946 0958", "personal_data.phone_international"),
    ("+86 138 1234 5678", "personal_data.phone_cn_mobile"),
    ("+49 30 901820", "personal_data.phone_international"),
    ("(212) 555-0123", "personal_data.phone_us"),
    ("212-555-0123", "personal_data.phone_us"),
    ("13812345678", "personal_data.phone_cn_mobile"),
    ("138 1234 5678", "personal_data.phone_cn_mobile"),
])
def test_personal_data_found(shipped, text, rule_id):
    sentence = f"Contact: {text}. Thanks"
    matches = shipped.scan(sentence)
    assert [m.rule_id for m in matches] == [rule_id]
    assert sentence[matches[0].start:matches[0].end] == text


def test_personal_data_in_chinese_text(shipped):
    text = "我的手机号是13812345678，邮箱是wang@example.com。"
    assert shipped.apply(text).text == "我的手机号是[phone number]，邮箱是[email address]。"


@pytest.mark.parametrize("text", [
    "user@localhost",                  # no dotted domain: policy is to leave it
    "a@b",
    "write to name at example dot com",
    "4111 1111 1111 1112",             # fails Luhn
    "1234567812345678",                # fails Luhn
    "0000 0000 0000 0000",             # passes Luhn but is a placeholder
    "DE89 3704 0044 0532 0130 02",     # fails mod 97
    "110105194912310021",              # wrong check digit
    "110105194913310028",              # month 13
    "000-12-3456", "666-12-3456", "912-12-3456", "123-00-4567", "123-45-0000",
    "in 2024 we sold 12345 units",
    "version 1.2.3 build 20240101",
    "the ratio was 3:1 at 10:45",
])
def test_personal_data_false_positives_pass(shipped, text):
    assert shipped.scan(text) == []


def test_check_prompt_reports_personal_data_only(shipped):
    text = "shit, my card is 4111 1111 1111 1111 and mail me at ann@example.org"
    found = check_prompt(shipped, text)
    assert [m.rule_id for m in found] == ["personal_data.payment_card", "personal_data.email"]
    assert text[found[1].start:found[1].end] == "ann@example.org"


# ---- secrets --------------------------------------------------------------------------------------------

PRIVATE_KEY = ("-----BEGIN RSA PRIVATE KEY-----\n"
               "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
               "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
               "-----END RSA PRIVATE KEY-----")


@pytest.mark.parametrize("secret, rule_id", [
    ("sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "secrets.openai"),
    ("ghp_16C7e42F292c6912E7710c838347Ae178B4a", "secrets.github"),
    ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "secrets.github"),
    ("AKIAIOSFODNN7EXAMPLE", "secrets.aws_access_key"),
    ("xoxb-2048-4096-AbCdEfGhIjKl", "secrets.slack"),
    ("AIzaSyA1234567890abcdefghijklmnopqrstuv", "secrets.google_api"),
    ("hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567", "secrets.huggingface"),
    (PRIVATE_KEY, "secrets.private_key"),
])
def test_secrets_found(shipped, secret, rule_id):
    text = f"Use this: {secret}\nDone."
    matches = shipped.scan(text)
    assert [m.rule_id for m in matches] == [rule_id]
    assert text[matches[0].start:matches[0].end] == secret
    assert secret not in shipped.apply(text).text


def test_truncated_private_key_still_hidden(shipped):
    text = PRIVATE_KEY.split("-----END")[0]
    out = shipped.apply("key:\n" + text).text
    assert out == "key:\n[private key]"


def test_url_password_masked(shipped):
    text = "connect to postgres://admin:hunter2@localhost:5432/app now"
    out = shipped.apply(text).text
    assert "hunter2" not in out
    assert out.endswith("localhost:5432/app now")
    assert shipped.apply("see https://example.com/a:b now").text == "see https://example.com/a:b now"


# ---- actions and custom rules --------------------------------------------------------------------------

def test_actions_label_replace_mask():
    compiled = compile_filter(FilterConfig([], [
        {"id": "codename", "kind": "term", "pattern": "Bluebird", "action": "label", "label": "project"},
        {"id": "ticket", "kind": "regex", "pattern": "tkt-\\d{4}", "action": "replace", "replacement": "TKT-####"},
        {"id": "boss", "kind": "term", "pattern": "Smith", "action": "mask", "whole_word": True},
    ]))
    out = compiled.apply("BLUEBIRD ships tkt-1234 for Smith and Smithers.")
    assert out.text == "[project] ships TKT-#### for ***** and Smithers."
    assert {(e.rule_id, e.action, e.count) for e in out.events} == {
        ("codename", "label", 1), ("ticket", "replace", 1), ("boss", "mask", 1)}
    assert all(e.rule_set == "custom" for e in out.events)


def test_stop_action_ends_output():
    compiled = compile_filter(FilterConfig(["profanity"], [
        {"id": "halt", "kind": "term", "pattern": "launch code", "action": "stop"}]))
    out = compiled.apply("Fine. The shit launch code is 0000. More text fuck.")
    assert out.stop
    assert out.text == "Fine. The **** "
    assert [(e.rule_id, e.action) for e in out.events] == [("profanity.en", "mask"), ("halt", "stop")]
    assert [m.rule_id for m in compiled.scan("launch code, then shit")] == ["halt", "profanity.en"]


def test_custom_term_without_whole_word_matches_inside_words():
    compiled = compile_filter(FilterConfig([], [{"id": "c", "kind": "term", "pattern": "cat", "action": "mask"}]))
    assert compiled.apply("concatenate").text == "con***enate"


def test_custom_term_separators_only_when_asked():
    plain = compile_filter(FilterConfig([], [{"id": "c", "kind": "term", "pattern": "acme", "whole_word": True}]))
    tolerant = compile_filter(FilterConfig([], [{"id": "c", "kind": "term", "pattern": "acme", "whole_word": True,
                                                 "tolerate_separators": True}]))
    assert plain.apply("a.c.m.e").text == "a.c.m.e"
    assert tolerant.apply("a.c.m.e").text == "*******"


def test_custom_regex_is_case_insensitive():
    compiled = compile_filter(FilterConfig([], [
        {"id": "emp", "kind": "regex", "pattern": "EMP-[A-Z]{3}\\d{2}", "action": "label", "whole_word": True}]))
    assert compiled.apply("ids emp-abc12 and EMP-XYZ99, not emp-abc123").text == \
        "ids [emp] and [emp], not emp-abc123"


def test_negated_class_case_fold():
    compiled = compile_filter(FilterConfig([], [{"id": "r", "kind": "regex", "pattern": "x[^a-z]y"}]))
    assert compiled.apply("xAy x1y").text == "xAy ***"


def test_overlapping_matches_merge():
    compiled = compile_filter(FilterConfig(["profanity", "personal_data"], []))
    out = compiled.apply("write to shit.happens@example.com today")
    assert out.text == "write to [email address] today"
    assert {e.rule_id for e in out.events} == {"personal_data.email", "profanity.en"}


def test_cyrillic_class_sees_folded_letters():
    compiled = compile_filter(FilterConfig([], [{"id": "r", "kind": "regex", "pattern": "код[а-я]+",
                                                 "action": "mask"}]))
    assert compiled.apply("КОДЕКС и кодовое").text == "****** и *******"


def test_word_edge_escape():
    compiled = compile_filter(FilterConfig([], [{"id": "r", "kind": "regex", "pattern": "\\bpin\\d+\\b"}]))
    assert compiled.apply("pin42 spin42 pin42x").text == "***** spin42 pin42x"


def test_empty_filter_passes_everything():
    compiled = compile_filter(FilterConfig([], []))
    assert compiled.apply("anything fuck").text == "anything fuck"
    assert compiled.scan("x") == []


# ---- validators -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("number, valid", [
    ("4111111111111111", True), ("4111111111111112", False), ("79927398713", False),
    ("4012888888881881", True), ("6011111111111117", True), ("1111111111111111", False),
])
def test_luhn(number, valid):
    assert validators.luhn(number) is valid


@pytest.mark.parametrize("iban, valid", [
    ("de89370400440532013000", True), ("gb82west12345698765432", True), ("fr1420041010050500013m02606", True),
    ("de89370400440532013001", False), ("gb82west1234569876543", False), ("1234567890123456", False),
])
def test_iban_mod97(iban, valid):
    assert validators.iban_mod97(iban) is valid


@pytest.mark.parametrize("number, valid", [
    ("11010519491231002x", True), ("110105194912310021", False), ("11010519490230002x", False),
    ("1101051949123100", False),
])
def test_cn_resident_id(number, valid):
    assert validators.cn_resident_id(number) is valid


@pytest.mark.parametrize("number, valid", [
    ("123-45-6789", True), ("000-45-6789", False), ("666-45-6789", False), ("900-45-6789", False),
    ("123-00-6789", False), ("123-45-0000", False),
])
def test_us_ssn(number, valid):
    assert validators.us_ssn(number) is valid
