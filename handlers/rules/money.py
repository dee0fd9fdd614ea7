"""Rupiah amounts as owners write them: "2jt", "Rp 1,5 miliar", "500rb", "15.000.000", "2 juta"."""

from __future__ import annotations

import re
import unicodedata

from handlers.result import Invalid
from handlers.rules import lokal_adapter

MAX_RUPIAH = 10**15
"""Rp1.000 triliun: anything larger is a typo, not a micro-business figure."""

_MAX_INPUT = 100
# The library counts sen in floats; above this a fraction of a Rupiah in its result is rounding noise.
_EXACT_SEN_LIMIT = 2**53 // 100
_DASHES = "\\-\u2010-\u2015\u2212"
_SCALE = r"(?:ribu|rbu|rebu|rb|k|juta|jt|jeti|miliar|milyar|m|triliun|t)"
# A dash in front of a number: a minus ("-500rb", "Rp -2 juta", "−5.000") or a range ("2jt-3jt").
_DASH_NUMBER = re.compile(rf"[{_DASHES}]\s*(?:rp\.?\s*)?[0-9]")
# Two numbers with only spaces, a dash, a slash or a tilde between them: "2-3 juta", "1 2", "100/200".
_TWO_NUMBERS = re.compile(rf"[0-9][\s{_DASHES}/~]+(?:rp\.?\s*)?[0-9]")
# A bare number after a scale word: "1jt500" means 1,5 juta to some and 1.000.500 to others.
_BARE_AFTER_SCALE = re.compile(rf"(?<![a-z])(?:se)?{_SCALE}\s*[0-9][0-9.,]*$")
# Zero times a scale word: "0 juta". The library reads it as 1 juta ("juta" alone means one).
_ZERO_TIMES_SCALE = re.compile(rf"(?<![0-9.,])(?:0+(?:[.,]0+)?|nol)\s*{_SCALE}(?![a-z])")
# Thousands grouped with spaces: "15 000 000".
_SPACE_GROUPED = re.compile(r"(?<![0-9])[0-9]{1,3}(?: [0-9]{3})+(?![0-9])")


def parse_rupiah(text: str) -> int | Invalid:
    """Parse an amount in whole Rupiah. Zero is allowed (a new business may have no capital).

    Refusals: `money_format` for text that is not one amount (words, a range such as "2-3 juta", a
    negative amount, a percentage, an amount with sen such as "1,5" without a unit, or the ambiguous
    "1jt500") and `money_too_large` above `MAX_RUPIAH`. "m" means miliar, as Indonesians use it.
    """
    if len(text) > _MAX_INPUT:
        return Invalid("money_format")
    if text.isascii() and text.isdigit():
        # Whole Rupiah in plain digits (a spreadsheet's number cell, "15000000"): what the library
        # would read too, without asking it (an import reads two a row).
        return int(text) if int(text) <= MAX_RUPIAH else Invalid("money_too_large")
    cleaned = unicodedata.normalize("NFKC", text).lower().strip()
    cleaned = _SPACE_GROUPED.sub(lambda m: m.group(0).replace(" ", ""), cleaned)
    if any(p.search(cleaned) for p in (_DASH_NUMBER, _TWO_NUMBERS, _BARE_AFTER_SCALE)) or "%" in cleaned:
        return Invalid("money_format")
    cleaned = _ZERO_TIMES_SCALE.sub(" nol ", cleaned)
    amount = lokal_adapter.parse_amount(cleaned)
    if amount is None:
        return Invalid("money_format")
    if amount.value > MAX_RUPIAH:
        return Invalid("money_too_large")
    whole = round(amount.value)
    if amount.value < 0 or (amount.value < _EXACT_SEN_LIMIT and abs(amount.value - whole) >= 0.005):
        return Invalid("money_format")
    return whole
