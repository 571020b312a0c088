"""The normalized view of text that filter rules match against, with a map back to the original.

Each original character is folded on its own, so the view of ``a + b`` is the view of ``a`` followed by
the view of ``b``: a stream can be normalized chunk by chunk. Folding a character:

1. Unicode NFKC (fullwidth ``Ｆ`` becomes ``F``, the ligature ``ﬁ`` becomes ``fi``), then case folding.
2. Canonical decomposition with combining marks dropped, so accents and overlays do not hide a word
   (``fück``, ``f̶u̶c̶k̶``). Hangul syllables are kept whole.
3. Invisible format characters (category Cf: zero-width space and joiners U+200B..U+200F, U+2060..U+2064,
   U+FEFF, the soft hyphen U+00AD) and variation selectors (category Mn) are removed.
4. Cyrillic and Greek letters that look like Latin ones are replaced by the Latin letter.

Step 4 also turns ordinary Russian or Greek words into mixed-script strings; that only matters when such
a string equals a blocked Latin word, which is rare, and it is what defeats look-alike evasion.
"""

from __future__ import annotations

import unicodedata

# After case folding, so only lowercase forms are listed.
LOOKALIKES: dict[str, str] = {
    # Cyrillic
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "ј": "j",
    "ѕ": "s", "к": "k", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ё": "e",
    # Greek
    "ο": "o", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "ς": "s",
}

_DROPPED_CATEGORIES = frozenset({"Cf", "Mn", "Me"})

_fold_cache: dict[str, str] = {}


def _is_hangul_syllable(c: str) -> bool:
    return "\uac00" <= c <= "\ud7a3"


def _fold_uncached(ch: str) -> str:
    out = []
    for x in unicodedata.normalize("NFKC", ch).casefold():
        parts = x if _is_hangul_syllable(x) else unicodedata.normalize("NFD", x)
        for y in parts:
            if unicodedata.category(y) in _DROPPED_CATEGORIES:
                continue
            out.append(LOOKALIKES.get(y, y))
    return "".join(out)


def fold_char(ch: str) -> str:
    """Return the normalized form of one character: zero, one or several characters."""
    folded = _fold_cache.get(ch)
    if folded is None:
        folded = _fold_uncached(ch)
        if len(_fold_cache) < 200_000:
            _fold_cache[ch] = folded
    return folded


def fold(text: str) -> str:
    """Normalize a whole string (rule terms, pattern literals)."""
    if text.isascii():
        return text.lower()
    return "".join(fold_char(ch) for ch in text)


class _FoldTable(dict):
    """A ``str.translate`` table from code point to folded text, filled on first use of a character.

    Characters whose folded form is not exactly one character are also added to ``_IRREGULAR``, which
    ``normalize()`` checks to decide whether the view still maps one to one onto the text.
    """

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = fold_char(ch)
        if len(folded) != 1:
            _IRREGULAR.add(ch)
        if len(self) < _TABLE_LIMIT:
            self[code] = folded
        return folded


_TABLE_LIMIT = 200_000
_IRREGULAR: set[str] = set()
_TABLE = _FoldTable()


def normalize(text: str) -> tuple[str, list[int] | None]:
    """Return the normalized view of ``text`` and, per view character, its index in ``text``.

    The index list is None when the view maps one to one onto ``text``, which is the common case (ASCII,
    and text such as Chinese whose characters fold to one character each) and lets callers skip
    building the list.
    """
    if text.isascii():
        return text.lower(), None
    view = text.translate(_TABLE)  # fills _IRREGULAR for characters it meets the first time
    if len(view) == len(text) and _IRREGULAR.isdisjoint(text):
        return view, None
    index_map: list[int] = []
    for i, ch in enumerate(text):
        count = len(_TABLE[ord(ch)])
        if count == 1:
            index_map.append(i)
        elif count:
            index_map.extend([i] * count)
    return view, index_map


# ---- character classes used by rules ---------------------------------------------------------------------

_CJK_RANGES = (
    (0x2E80, 0x2FDF),    # CJK radicals, Kangxi radicals
    (0x3000, 0x303F),    # CJK symbols and punctuation
    (0x3040, 0x30FF),    # Hiragana, Katakana
    (0x3100, 0x31FF),    # Bopomofo, Katakana extensions
    (0x3400, 0x4DBF),    # CJK extension A
    (0x4E00, 0x9FFF),    # CJK unified ideographs
    (0xF900, 0xFAFF),    # CJK compatibility ideographs
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)


def is_cjk(c: str) -> bool:
    """Whether ``c`` belongs to a script written without spaces between words (Chinese, Japanese)."""
    cp = ord(c)
    if cp < 0x2E80:
        return False
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


_word_cache: dict[str, bool] = {chr(i): chr(i).isalnum() or chr(i) == "_" for i in range(128)}


def is_word(c: str) -> bool:
    """Whether ``c`` is part of a word for whole-word matching.

    Letters, digits and ``_`` are, except Chinese and Japanese characters: those scripts have no spaces,
    so a term inside them is matched as a substring.
    """
    result = _word_cache.get(c)
    if result is None:
        result = (c.isalnum() or c == "_") and not is_cjk(c)
        if len(_word_cache) < 100_000:
            _word_cache[c] = result
    return result


def is_separator(c: str) -> bool:
    """Characters tolerated inside a term when its rule allows separators (``f.u.c.k``, ``f u c k``)."""
    if c.isspace():
        return True
    return unicodedata.category(c)[0] in "PS"


def is_wide(c: str) -> bool:
    return unicodedata.east_asian_width(c) in ("W", "F")


def mask_for(original: str) -> str:
    """Mask for one original character: ``＊`` for a wide (CJK) character so the line keeps its width,
    ``*`` for any other visible character, nothing for a character the normalized view drops."""
    if not fold_char(original):
        return ""
    return "\uff0a" if is_wide(original) else "*"
