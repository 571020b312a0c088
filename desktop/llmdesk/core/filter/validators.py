"""Check-digit validators that rule data names in its ``"validator"`` field.

Each takes the matched text in its normalized form (case-folded, so letters are lowercase) and returns
whether the match is kept. A pattern finds candidates; the validator drops numbers that only look right.
"""

from __future__ import annotations

import datetime
from typing import Callable


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdecimal())


def luhn(text: str) -> bool:
    """Payment card number: 13 to 19 digits whose Luhn sum is a multiple of 10 (ISO/IEC 7812-1)."""
    digits = _digits(text)
    if not 13 <= len(digits) <= 19:
        return False
    if len(set(digits)) == 1:
        return False  # 0000 0000 0000 0000 passes the sum but is a placeholder, not a card
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# Lengths from the SWIFT IBAN registry for countries whose IBANs our users are likely to see.
_IBAN_LENGTHS = {
    "ad": 24, "ae": 23, "at": 20, "be": 16, "bg": 22, "br": 29, "ch": 21, "cy": 28, "cz": 24, "de": 22,
    "dk": 18, "ee": 20, "es": 24, "fi": 18, "fr": 27, "gb": 22, "gr": 27, "hr": 21, "hu": 28, "ie": 22,
    "is": 26, "it": 27, "li": 21, "lt": 20, "lu": 20, "lv": 21, "mc": 27, "mt": 31, "nl": 18, "no": 15,
    "pl": 28, "pt": 25, "ro": 24, "sa": 24, "se": 24, "si": 19, "sk": 24, "sm": 27, "tr": 26, "ua": 29,
}


def iban_mod97(text: str) -> bool:
    """IBAN: country code, two check digits and the account, whose ISO 7064 MOD 97-10 remainder is 1."""
    compact = "".join(c for c in text if not c.isspace())
    if not 15 <= len(compact) <= 34 or not compact.isascii() or not compact.isalnum():
        return False
    country = compact[:2]
    if not country.isalpha() or not compact[2:4].isdigit():
        return False
    expected = _IBAN_LENGTHS.get(country)
    if expected is not None and len(compact) != expected:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


_CN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_ID_CHECK = "10x98765432"


def cn_resident_id(text: str) -> bool:
    """Mainland China resident ID (GB 11643-1999): 17 digits with a valid birth date, then the
    ISO 7064 MOD 11-2 check character (a digit or X)."""
    if len(text) != 18 or not text[:17].isdecimal() or not text.isascii():
        return False
    try:
        datetime.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], _CN_ID_WEIGHTS))
    return _CN_ID_CHECK[total % 11] == text[17]


def us_ssn(text: str) -> bool:
    """US Social Security number: the area is never 000, 666 or 900-999, the group never 00 and the
    serial never 0000 (Social Security Administration numbering rules)."""
    digits = _digits(text)
    if len(digits) != 9:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9":
        return False
    return group != "00" and serial != "0000"


def e164_phone(text: str) -> bool:
    """International number written with a leading +: 8 to 15 digits (ITU-T E.164), no country code 0."""
    digits = _digits(text)
    return 8 <= len(digits) <= 15 and digits[0] != "0"


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "luhn": luhn,
    "iban_mod97": iban_mod97,
    "cn_resident_id": cn_resident_id,
    "us_ssn": us_ssn,
    "e164_phone": e164_phone,
}
