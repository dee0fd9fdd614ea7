"""Mobile phone numbers (nomor HP): read any common way, stored as E.164 ("+6281234567890")."""

from __future__ import annotations

import re
import unicodedata

from handlers.result import Invalid
from handlers.rules import lokal_adapter

_MAX_INPUT = 100
# "00 62 …" dials Indonesia from abroad; the library would read the zeros as a trunk prefix.
_INTERNATIONAL_ZEROS = re.compile(r"^\s*00[\s\-.]*(?=62)")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")


def parse_mobile(text: str) -> str | Invalid:
    """Parse an Indonesian mobile number and return it as E.164 ("+6281234567890").

    Accepts "0812-3456-7890", "+62 812 3456 7890", "6281234567890", "812 3456 7890", "0062 812…" and
    fullwidth digits. Refusals: `phone_format` (not an Indonesian phone number) and `phone_not_mobile`
    (a landline, or an 08xx prefix no mobile operator uses, such as 0800 toll-free numbers).
    """
    if len(text) > _MAX_INPUT:
        return Invalid("phone_format")
    cleaned = unicodedata.normalize("NFKC", text)
    cleaned = _DASHES.sub("-", cleaned)
    cleaned = _INTERNATIONAL_ZEROS.sub("+", cleaned)
    number = lokal_adapter.parse_phone(cleaned)
    if number is None:
        return Invalid("phone_format")
    if number.kind != "mobile" or number.operator is None:
        return Invalid("phone_not_mobile")
    return number.e164


def display_phone(e164: str) -> str:
    """Show a stored number the way Indonesians write it: "+6281234567890" → "0812-3456-7890".

    Text that is not a phone number is returned unchanged.
    """
    number = lokal_adapter.parse_phone(e164)
    return number.national if number is not None else e164
