"""Filter rules: the shipped rule sets (JSON data), the user's own rules, and their validation.

A rule set file in ``resources/filters/`` holds::

    {"id": "secrets", "title": "...", "description": "...",
     "rules": [{"id": "secrets.github", "kind": "regex", "pattern": "gh[pousr]_[a-z0-9]{36}",
                "action": "label", "label": "GitHub token", "whole_word": true}, ...]}

A term rule lists ``"terms"`` (data) or one ``"pattern"`` (a user's rule). A term ending in ``*`` also
matches the rest of the word (``fuck*`` covers ``fucking``). ``"validator"`` names a check-digit
function from validators.VALIDATORS. ``"max_length"`` bounds how long one match can be, in characters
of normalized text (default DEFAULT_MAX_LENGTH; user rules always get the default). The stream filter
holds back less than twice the largest ``max_length`` in use. Separator tolerance applies to terms only.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmdesk.core import paths
from llmdesk.core.filter import normalize
from llmdesk.core.filter.pattern import PatternError, parse_pattern
from llmdesk.core.filter.validators import VALIDATORS
from llmdesk.core.i18n import QT_TRANSLATE_NOOP, UserMessage

log = logging.getLogger(__name__)

_CTX = "Filter"

ACTIONS = ("mask", "label", "replace", "stop")
KINDS = ("term", "regex")
DEFAULT_MAX_LENGTH = 256
MAX_MAX_LENGTH = 8192  # private key blocks are a few KiB
MAX_TERM_LENGTH = 200
MAX_REPLACEMENT_LENGTH = 200
CUSTOM_RULE_SET = "custom"

# Titles of the shipped sets, marked for translation; a set not listed shows its JSON title as is.
_SET_TITLES = {
    "profanity": (QT_TRANSLATE_NOOP(_CTX, "Profanity and slurs"),
                  QT_TRANSLATE_NOOP(_CTX, "Severe swear words and slurs in English and Chinese.")),
    "personal_data": (QT_TRANSLATE_NOOP(_CTX, "Personal data"),
                      QT_TRANSLATE_NOOP(_CTX, "E-mail addresses, phone numbers, payment card numbers, "
                                              "IBANs and national ID numbers.")),
    "secrets": (QT_TRANSLATE_NOOP(_CTX, "Secrets"),
                QT_TRANSLATE_NOOP(_CTX, "API keys and tokens, private key blocks and passwords in URLs.")),
}

# Labels of the shipped rules ("[card number]"), marked for translation. The engine has no translator,
# so the UI sends the translated text along in FilterConfig.labels.
SHIPPED_LABELS = (
    QT_TRANSLATE_NOOP(_CTX, "API key"), QT_TRANSLATE_NOOP(_CTX, "AWS key"),
    QT_TRANSLATE_NOOP(_CTX, "GitHub token"), QT_TRANSLATE_NOOP(_CTX, "Hugging Face token"),
    QT_TRANSLATE_NOOP(_CTX, "IBAN"), QT_TRANSLATE_NOOP(_CTX, "ID number"), QT_TRANSLATE_NOOP(_CTX, "SSN"),
    QT_TRANSLATE_NOOP(_CTX, "Slack token"), QT_TRANSLATE_NOOP(_CTX, "card number"),
    QT_TRANSLATE_NOOP(_CTX, "email address"), QT_TRANSLATE_NOOP(_CTX, "password in URL"),
    QT_TRANSLATE_NOOP(_CTX, "phone number"), QT_TRANSLATE_NOOP(_CTX, "private key"),
    QT_TRANSLATE_NOOP(_CTX, "profanity"),
    # The labels of the user's rules that have none (saved by an older version, or typed by hand).
    QT_TRANSLATE_NOOP(_CTX, "filtered term"), QT_TRANSLATE_NOOP(_CTX, "custom pattern"),
)


def default_label(rule_set: str, kind: str, rule_id: str) -> str:
    """Return the label of a rule that has none, which is usually its id.

    An id that the Settings page numbered (``custom-3``) means nothing to the user, so such a rule
    gets a general name for its kind instead."""
    if rule_set != CUSTOM_RULE_SET or not _NUMBERED_ID.fullmatch(rule_id):
        return rule_id
    return "filtered term" if kind == "term" else "custom pattern"


_NUMBERED_ID = re.compile(r"custom-\d+")

# Keys a user's rule may have; anything else is reported so a typo does not silently change a rule.
_CUSTOM_KEYS = {"id", "kind", "pattern", "action", "replacement", "tolerate_separators", "whole_word",
                "label", "enabled"}
_DATA_KEYS = _CUSTOM_KEYS | {"terms", "validator", "max_length", "description"}


class RuleError(ValueError):
    """A rule that cannot be used. ``reason`` is a translatable UserMessage, ``rule_id`` the rule's id
    (empty when the id itself is missing)."""

    def __init__(self, rule_id: str, reason: UserMessage) -> None:
        super().__init__(f"rule {rule_id!r}: {reason}" if rule_id else str(reason))
        self.rule_id = rule_id
        self.reason = reason


def _reason(template: str, **params: object) -> UserMessage:
    return UserMessage(_CTX, template, **params)


@dataclass(frozen=True)
class Rule:
    """One validated rule, shipped or the user's."""

    id: str
    rule_set: str
    kind: str
    patterns: tuple[str, ...]
    action: str
    label: str
    replacement: str = ""
    tolerate_separators: bool = False
    whole_word: bool = False
    validator: str | None = None
    max_length: int = DEFAULT_MAX_LENGTH


@dataclass(frozen=True)
class RuleSet:
    id: str
    title: str
    description: str
    rules: tuple[Rule, ...]
    path: Path | None = None


@dataclass(frozen=True)
class RuleSetInfo:
    """What the settings page lists. ``title`` and ``description`` are source strings: translate them
    with ``QCoreApplication.translate("Filter", ...)``."""

    id: str
    title: str
    description: str
    rule_count: int
    term_count: int


# ---- validation ---------------------------------------------------------------------------------------

def _require_bool(rule_id: str, data: dict[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise RuleError(rule_id, _reason(QT_TRANSLATE_NOOP(_CTX, "\"{key}\" must be true or false, not {value}."),
                                         key=key, value=json.dumps(value)))
    return value


def _check_term(rule_id: str, term: Any) -> str:
    if not isinstance(term, str):
        raise RuleError(rule_id, _reason(QT_TRANSLATE_NOOP(_CTX, "A term must be text, not {value}."),
                                         value=json.dumps(term)))
    core = term[:-1] if term.endswith("*") else term
    if not normalize.fold(core).strip():
        raise RuleError(rule_id, _reason(QT_TRANSLATE_NOOP(
            _CTX, "The term is empty (or only invisible characters); enter at least one visible character.")))
    if len(core) > MAX_TERM_LENGTH:
        raise RuleError(rule_id, _reason(QT_TRANSLATE_NOOP(_CTX, "The term is longer than {limit} characters."),
                                         limit=MAX_TERM_LENGTH))
    return term


def _check_regex(rule_id: str, pattern: Any) -> str:
    if not isinstance(pattern, str) or not pattern:
        raise RuleError(rule_id, _reason(QT_TRANSLATE_NOOP(_CTX, "The regular expression is empty.")))
    try:
        parse_pattern(pattern, normalize.fold)
    except PatternError as exc:
        raise RuleError(rule_id, exc.reason) from None
    return pattern


def rule_from_dict(data: Any, rule_set: str, *, shipped: bool = False) -> Rule:
    """Validate a rule dict and return the Rule; raise RuleError naming the rule and the reason."""
    if not isinstance(data, dict):
        raise RuleError("", _reason(QT_TRANSLATE_NOOP(_CTX, "A rule must be an object, not {value}."),
                                    value=json.dumps(data)[:60]))
    rule_id = data.get("id")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise RuleError("", _reason(QT_TRANSLATE_NOOP(_CTX, "The rule has no id; give it a short name.")))
    unknown = sorted(set(data) - (_DATA_KEYS if shipped else _CUSTOM_KEYS))
    if unknown:
        raise RuleError(rule_id, _reason(QT_TRANSLATE_NOOP(_CTX, "Unknown field(s): {names}."),
                                         names=", ".join(unknown)))

    kind = data.get("kind", "term")
    if kind not in KINDS:
        raise RuleError(rule_id, _reason(QT_TRANSLATE_NOOP(_CTX, "Unknown kind {value}; use \"term\" or \"regex\"."),
                                         value=json.dumps(kind)))
    action = data.get("action", "mask")
    if action not in ACTIONS:
        raise RuleError(rule_id, _reason(QT_TRANSLATE_NOOP(
            _CTX, "Unknown action {value}; use \"mask\", \"label\", \"replace\" or \"stop\"."),
            value=json.dumps(action)))
    replacement = data.get("replacement", "")
    if not isinstance(replacement, str) or len(replacement) > MAX_REPLACEMENT_LENGTH:
        raise RuleError(rule_id, _reason(QT_TRANSLATE_NOOP(
            _CTX, "The replacement must be text of at most {limit} characters."), limit=MAX_REPLACEMENT_LENGTH))
    label = data.get("label") or default_label(rule_set, kind, rule_id)
    if not isinstance(label, str):
        raise RuleError(rule_id, _reason(QT_TRANSLATE_NOOP(_CTX, "The label must be text.")))
    tolerate = _require_bool(rule_id, data, "tolerate_separators")
    whole_word = _require_bool(rule_id, data, "whole_word")
    if "enabled" in data:
        _require_bool(rule_id, data, "enabled")

    if "terms" in data:
        terms = data["terms"]
        if not isinstance(terms, list) or not terms:
            raise RuleError(rule_id, _reason(QT_TRANSLATE_NOOP(_CTX, "\"terms\" must be a non-empty list.")))
        if kind != "term":
            raise RuleError(rule_id, _reason(QT_TRANSLATE_NOOP(_CTX, "\"terms\" is only for term rules.")))
        patterns = tuple(_check_term(rule_id, t) for t in terms)
    else:
        pattern = data.get("pattern")
        if pattern is None or pattern == "":
            raise RuleError(rule_id, _reason(QT_TRANSLATE_NOOP(_CTX, "The rule has no pattern.")))
        patterns = (_check_term(rule_id, pattern) if kind == "term" else _check_regex(rule_id, pattern),)

    validator = data.get("validator")
    if validator is not None and validator not in VALIDATORS:
        raise RuleError(rule_id, _reason(QT_TRANSLATE_NOOP(_CTX, "Unknown validator {value}; known: {names}."),
                                         value=json.dumps(validator), names=", ".join(sorted(VALIDATORS))))
    max_length = data.get("max_length", DEFAULT_MAX_LENGTH)
    if not isinstance(max_length, int) or isinstance(max_length, bool) or not 1 <= max_length <= MAX_MAX_LENGTH:
        raise RuleError(rule_id, _reason(QT_TRANSLATE_NOOP(_CTX, "\"max_length\" must be a whole number from 1 to "
                                                                 "{limit}."), limit=MAX_MAX_LENGTH))
    return Rule(id=rule_id, rule_set=rule_set, kind=kind, patterns=patterns, action=action, label=label,
                replacement=replacement, tolerate_separators=tolerate, whole_word=whole_word,
                validator=validator, max_length=max_length)


def validate_rule(rule: dict[str, Any]) -> None:
    """Check a user's rule dict as it is entered; raise RuleError with the reason if it cannot be used.

    Regular expressions are checked here (syntax, supported subset, nested repetition), so a rule that
    passes never fails or slows down at generation time.
    """
    rule_from_dict(rule, CUSTOM_RULE_SET)


# ---- configuration ----------------------------------------------------------------------------------

@dataclass
class FilterConfig:
    """Which rule sets and custom rules a chat uses. ``to_dict()`` is plain JSON, so it can cross the
    process boundary to the engine worker; ``from_dict()`` checks the shape but not the rules
    (``compile_filter`` does that)."""

    rule_sets: list[str] = field(default_factory=list)
    custom_rules: list[dict[str, Any]] = field(default_factory=list)
    # Display text for shipped labels, e.g. {"card number": "银行卡号"}, in the UI's language.
    labels: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"rule_sets": list(self.rule_sets),
                                "custom_rules": [dict(r) for r in self.custom_rules]}
        if self.labels:
            data["labels"] = dict(self.labels)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> FilterConfig:
        if not isinstance(data, dict):
            raise RuleError("", _reason(QT_TRANSLATE_NOOP(_CTX, "The filter configuration must be an object.")))
        rule_sets = data.get("rule_sets", [])
        custom = data.get("custom_rules", [])
        if not isinstance(rule_sets, list) or not all(isinstance(x, str) for x in rule_sets):
            raise RuleError("", _reason(QT_TRANSLATE_NOOP(_CTX, "\"rule_sets\" must be a list of rule set ids.")))
        if not isinstance(custom, list) or not all(isinstance(x, dict) for x in custom):
            raise RuleError("", _reason(QT_TRANSLATE_NOOP(_CTX, "\"custom_rules\" must be a list of rule objects.")))
        labels = data.get("labels", {})
        if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                                   for k, v in labels.items()):
            raise RuleError("", _reason(QT_TRANSLATE_NOOP(_CTX, "\"labels\" must map label texts to texts.")))
        return cls(rule_sets=list(rule_sets), custom_rules=[dict(r) for r in custom], labels=dict(labels))

    @classmethod
    def from_settings(cls, settings: Any) -> FilterConfig:
        """Build the configuration from a ``core.settings.Settings``; empty when the filter is off."""
        if not settings.get("filter_enabled"):
            return cls()
        return cls(rule_sets=list(settings.get("filter_rule_sets")),
                   custom_rules=[dict(r) for r in settings.get("filter_custom_rules")])


# ---- shipped rule sets --------------------------------------------------------------------------------

_loaded: dict[Path, tuple[tuple[tuple[str, int], ...], dict[str, RuleSet]]] = {}


def _load_file(path: Path) -> RuleSet:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuleError("", _reason(QT_TRANSLATE_NOOP(_CTX, "Cannot read the rule set file {path}: {error}"),
                                    path=str(path), error=str(exc))) from None
    set_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(set_id, str) or not isinstance(data.get("rules"), list):
        raise RuleError("", _reason(QT_TRANSLATE_NOOP(_CTX, "The rule set file {path} needs an \"id\" and a "
                                                            "\"rules\" list."), path=str(path)))
    rules = []
    for entry in data["rules"]:
        if isinstance(entry, dict) and entry.get("enabled") is False:
            continue
        rules.append(rule_from_dict(entry, set_id, shipped=True))
    return RuleSet(id=set_id, title=str(data.get("title", set_id)),
                   description=str(data.get("description", "")), rules=tuple(rules), path=path)


def load_rule_sets(resources_dir: Path | None = None) -> dict[str, RuleSet]:
    """Load every ``filters/*.json`` under ``resources_dir`` (default: the app's resources), by set id.

    Results are cached per folder until a file changes. Raises RuleError for a broken file.
    """
    folder = Path(resources_dir or paths.resources_dir()) / "filters"
    files = sorted(folder.glob("*.json"))
    stamp = tuple((f.name, f.stat().st_mtime_ns) for f in files)
    cached = _loaded.get(folder)
    if cached is not None and cached[0] == stamp:
        return dict(cached[1])
    sets: dict[str, RuleSet] = {}
    for path in files:
        rule_set = _load_file(path)
        if rule_set.id in sets:
            raise RuleError("", _reason(QT_TRANSLATE_NOOP(_CTX, "Two rule set files use the id {value}."),
                                        value=rule_set.id))
        sets[rule_set.id] = rule_set
    log.debug("loaded %d filter rule sets from %s", len(sets), folder)
    _loaded[folder] = (stamp, sets)
    return dict(sets)


def list_rule_sets(resources_dir: Path | None = None) -> list[RuleSetInfo]:
    """Describe the available rule sets for the settings page, shipped sets first."""
    infos = []
    for set_id, rule_set in load_rule_sets(resources_dir).items():
        title, description = _SET_TITLES.get(set_id, (rule_set.title, rule_set.description))
        infos.append(RuleSetInfo(id=set_id, title=title, description=description, rule_count=len(rule_set.rules),
                                 term_count=sum(len(r.patterns) for r in rule_set.rules)))
    order = list(_SET_TITLES)
    infos.sort(key=lambda i: (order.index(i.id) if i.id in order else len(order), i.id))
    return infos
