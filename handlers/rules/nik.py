"""NIK (Nomor Induk Kependudukan), the 16-digit number on the KTP.

Layout: PP KK CC DDMMYY SSSS. PP.KK.CC is the Kemendagri code of the province, regency/city
(kabupaten/kota) and district (kecamatan) where the NIK was *issued*; DDMMYY the birth date with 40 added
to the day for women; SSSS a serial. The region says nothing about where the person or the business is
now, so nothing here offers an address.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from handlers.result import Invalid
from handlers.rules import lokal_adapter

Sex = Literal["L", "P"]
"""L = laki-laki (male), P = perempuan (female)."""

_MAX_INPUT = 200
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212]+")
_SIXTEEN_DIGITS = re.compile(r"[0-9]{16}", re.ASCII)
# In the order the checks are reported: the first problem found names the hint.
_KEY_BY_PROBLEM: dict[lokal_adapter.NikProblem, str] = {
    "format": "nik_format",
    "province": "nik_province",
    "region": "nik_region",
    "birth_date": "nik_birth_date",
    "serial": "nik_serial",
}


@dataclass(frozen=True, slots=True, repr=False)
class NikInfo:
    """A NIK whose structure is valid.

    Codes are dotted Kemendagri codes ("63", "63.72", "63.72.01"). `region_unknown` is a warning, not a
    refusal: the regency or district code is not in current Kemendagri data (often an old code from before
    a pemekaran, which a NIK keeps for life), and then its name is None.
    """

    nik: str
    province_code: str
    regency_code: str
    district_code: str
    province_name: str
    regency_name: str | None
    district_name: str | None
    birth_date: date
    sex: Sex
    region_unknown: bool

    def __repr__(self) -> str:
        # A NIK and a birth date are personal data (UU PDP): keep them out of logs and tracebacks.
        return f"NikInfo(nik={mask_nik(self.nik)!r}, district_code={self.district_code!r}, sex={self.sex!r})"


def mask_nik(nik: str) -> str:
    """Show a NIK as "6372********0003": the first 4 and last 4 digits, 8 stars between.

    Anything that is not 16 characters long is masked entirely.
    """
    if len(nik) != 16:
        return "*" * len(nik)
    return f"{nik[:4]}{'*' * 8}{nik[-4:]}"


def _normalise(text: str) -> str:
    """NFKC (so fullwidth digits become ASCII), then drop whitespace, dots and dashes."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))


def parse_nik(text: str, *, today: date | None = None) -> NikInfo | Invalid:
    """Parse a NIK as the user typed it ("6372 0145 0190 0003", "6372-0145-0190-0003").

    Refusals, first failing check wins: `nik_format` (not exactly 16 digits), `nik_province` (unknown
    province code; values: `code`), `nik_region` (regency or district part 00), `nik_birth_date` (no such
    date), `nik_serial` (serial 0000). The century is the one that puts the birth date on or before `today`.
    """
    today = today or date.today()
    if len(text) > _MAX_INPUT:
        return Invalid("nik_format")
    digits = _normalise(text)
    if not _SIXTEEN_DIGITS.fullmatch(digits):
        return Invalid("nik_format")

    found = lokal_adapter.nik_structure(digits, today=today)
    for problem, key in _KEY_BY_PROBLEM.items():
        if problem in found.problems:
            return Invalid(key, {"code": digits[:2]} if problem == "province" else {})

    birth_date = _past_birth_date(found.birth_date, today)
    if birth_date is None:
        return Invalid("nik_birth_date")
    if (
        found.province_code is None
        or found.regency_code is None
        or found.district_code is None
        or found.province_name is None
        or found.sex is None
    ):
        return Invalid("nik_format")
    return NikInfo(
        nik=digits,
        province_code=found.province_code,
        regency_code=found.regency_code,
        district_code=found.district_code,
        province_name=found.province_name,
        regency_name=found.regency_name,
        district_name=found.district_name,
        birth_date=birth_date,
        sex=found.sex,
        region_unknown=not found.region_known,
    )


def _past_birth_date(decoded: date | None, today: date) -> date | None:
    """The birth date, moved back a century when the two-digit year put it after `today`.

    The library reads YY up to this year's as 20YY, so "311225" read on 1 January 2025 means 1925.
    """
    if decoded is None:
        return None
    if decoded <= today:
        return decoded
    try:
        return decoded.replace(year=decoded.year - 100)
    except ValueError:  # 29 February in a year that is not a leap year (1900)
        return None
