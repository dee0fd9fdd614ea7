"""Business and owner details typed as free text: NIB, KBLI, year started, workers, names, address."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from handlers.result import Invalid

_MAX_INPUT = 1000
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212]+")
_WHITESPACE = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'"})
_NIB = re.compile(r"[0-9]{13}", re.ASCII)
_KBLI = re.compile(r"(?:kbli)?([0-9]{5})", re.ASCII)
_YEAR = re.compile(r"(?:(?:sejak|mulai|tahun|thn|th)\.?\s*)*([0-9]{4})", re.ASCII)
_WORKERS = re.compile(
    r"([0-9]{1,3}(?:[.,][0-9]{3})+|[0-9]{1,6})\s*(?:orang|org|pekerja|karyawan|tenaga kerja)?", re.ASCII
)
_NO_WORKERS = frozenset({"tidak ada", "belum ada", "nol", "none", "no"})
_NAME_PUNCTUATION = frozenset("'.,-")
_FIRST_YEAR = 1900
MAX_WORKERS = 100_000


def parse_nib(text: str) -> str | Invalid:
    """NIB (Nomor Induk Berusaha, from OSS RBA): 13 digits, kept as text. Refusal: `nib_format`."""
    digits = _digits_only(text)
    return digits if digits is not None and _NIB.fullmatch(digits) else Invalid("nib_format")


def parse_kbli(text: str) -> str | Invalid:
    """KBLI 2020 code: 5 digits, kept as text ("01111" keeps its zero). Refusal: `kbli_format`."""
    digits = _digits_only(text)
    match = _KBLI.fullmatch(digits.casefold()) if digits is not None else None
    return match.group(1) if match else Invalid("kbli_format")


def parse_year_started(text: str, *, today: date | None = None) -> int | Invalid:
    """Year the business started (tahun mulai usaha), 1900 up to this year.

    Accepts "2019", "tahun 2019", "sejak 2019". Refusal: `year_format`.
    """
    today = today or date.today()
    cleaned = _clean(text)
    match = _YEAR.fullmatch(cleaned.casefold()) if cleaned is not None else None
    if match is None:
        return Invalid("year_format")
    year = int(match.group(1))
    return year if _FIRST_YEAR <= year <= today.year else Invalid("year_format")


def parse_workers(text: str) -> int | Invalid:
    """Number of workers (tenaga kerja), 0 to 100 000: "5", "5 orang", "1.200", "tidak ada".

    Refusal: `workers_format`.
    """
    cleaned = _clean(text)
    if cleaned is None:
        return Invalid("workers_format")
    cleaned = cleaned.casefold()
    if cleaned in _NO_WORKERS:
        return 0
    match = _WORKERS.fullmatch(cleaned)
    if match is None:
        return Invalid("workers_format")
    count = int(match.group(1).replace(".", "").replace(",", ""))
    return count if count <= MAX_WORKERS else Invalid("workers_format")


def parse_full_name(text: str) -> str | Invalid:
    """A person's name as on the KTP, 2 to 100 characters: "Muh. Ali", "Ni Luh Putu", "Ma'ruf".

    Letters of any script, spaces, apostrophes, dots, commas and hyphens; at least one letter.
    Spaces are trimmed and collapsed. Refusal: `name_format`.
    """
    name = _clean(text)
    if name is None or not 2 <= len(name) <= 100 or not _has_letter(name):
        return Invalid("name_format")
    allowed = all(_is_letter(c) or c == " " or c in _NAME_PUNCTUATION for c in name)
    return name if allowed else Invalid("name_format")


def parse_business_name(text: str) -> str | Invalid:
    """A business name (nama usaha), 2 to 120 characters: "Warung Bu Tini", "CV. Maju & Jaya 2".

    Letters, digits, spaces and punctuation; at least one letter; no emoji or control characters.
    Refusal: `business_name_format`, with the `problem` that applies (`_free_text`).
    """
    return _free_text(text, 2, 120, refusal="business_name_format")


def parse_street_address(text: str) -> str | Invalid:
    """Street address (alamat usaha), 5 to 200 characters: "Jl. A. Yani Km. 5 No. 12, RT 03/RW 01".

    Same characters as a business name; line breaks become spaces. Refusal: `address_format`,
    with the `problem` that applies (`_free_text`).
    """
    return _free_text(text, 5, 200, refusal="address_format")


def _clean(text: str) -> str | None:
    """NFKC, straight apostrophes, whitespace trimmed and collapsed; None for absurdly long text."""
    if len(text) > _MAX_INPUT:
        return None
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    return _WHITESPACE.sub(" ", text).strip()


def _digits_only(text: str) -> str | None:
    """NFKC with whitespace, dots and dashes removed; None for absurdly long text."""
    if len(text) > _MAX_INPUT:
        return None
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))


def _free_text(text: str, shortest: int, longest: int, *, refusal: str) -> str | Invalid:
    """Text of `shortest` to `longest` characters with at least one letter, of letters, digits,
    punctuation and spaces. Refused as `refusal` with the `problem` that applies: "length",
    "letter" (only digits or punctuation: "99"), or "symbol" (a character it may not hold:
    `symbol` is that character, e.g. "<" or an emoji, or "" for an invisible one)."""
    cleaned = _clean(text)
    if cleaned is None or not shortest <= len(cleaned) <= longest:
        return Invalid(refusal, {"problem": "length", "symbol": ""})
    if not _has_letter(cleaned):
        return Invalid(refusal, {"problem": "letter", "symbol": ""})
    refused = next((c for c in cleaned if not _is_text_char(c)), None)
    if refused is not None:
        shown = refused if unicodedata.category(refused)[0] == "S" else ""
        return Invalid(refusal, {"problem": "symbol", "symbol": shown})
    return cleaned


def _has_letter(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _is_letter(c: str) -> bool:
    """A letter or a combining mark (for decomposed accents and scripts such as Javanese)."""
    return unicodedata.category(c)[0] in "LM"


def _is_text_char(c: str) -> bool:
    """Letters, marks, digits, punctuation, "+" and the plain space."""
    return c in {" ", "+"} or unicodedata.category(c)[0] in "LMNP"
