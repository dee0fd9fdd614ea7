"""One spreadsheet row checked with the rules of registration by chat (handlers/rules/): the same
NIK, mobile number, money, size class, KBLI, NIB, name and address rules, and the kecamatan and
kelurahan matched by name to Kemendagri codes. Pure: no I/O.

A row is either a whole `Record` or a list of `Problem`s, one per bad cell: a bad row is never
half imported. A problem's `key` is the chat rule's own (`nik_format`, `money_format`, …) or
one of the import's (`required`, `district_unknown`, `district_ambiguous`, …); the officer's
report words it (messages/templates/*/officer/import/reason.j2).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime
from typing import Any

from handlers.agency import AgencyProfile, Sector
from handlers.registration.import_file import REQUIRED
from handlers.result import Invalid
from handlers.rules import (
    Ambiguous,
    Region,
    districts_of,
    match_region,
    parse_business_name,
    parse_full_name,
    parse_kbli,
    parse_mobile,
    parse_nib,
    parse_nik,
    parse_rupiah,
    parse_street_address,
    parse_workers,
    parse_year_started,
    size_class,
    villages_of,
)

_WORDS = re.compile(r"[0-9a-z]+")


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with one cell: the field (column) and the reason's key and values."""

    field: str
    key: str
    values: Mapping[str, Any] = dataclass_field(default_factory=dict)


@dataclass(frozen=True, slots=True, repr=False)
class Record:
    """A row that passed every check. The NIK is in clear here, in memory only: it is sealed
    (AES-GCM and blind index) before anything is stored, and never printed."""

    nik: str
    full_name: str
    phone: str
    business: Mapping[str, Any]

    def __repr__(self) -> str:
        return f"Record(business={self.business.get('name')!r})"


def cell_text(value: Any) -> str:
    """A cell as the text a person would have typed: numbers without ".0", dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return " ".join(str(value).split())


class RowChecker:
    """Checks rows against the agency's area and sectors (looked up once, not per row)."""

    def __init__(self, agency: AgencyProfile, today: date) -> None:
        self.today = today
        self.districts = [d for regency in agency.regency_codes for d in districts_of(regency)]
        self._villages: dict[str, list[Region]] = {}
        self._sectors = agency.sectors
        self._sector_names = {
            s.id: {_words(s.id), _words(s.name_id), _words(s.name_en)} for s in agency.sectors
        }
        self._sector_words = {s.id: _sector_words(s) for s in agency.sectors}
        self._matched: dict[tuple[str, str], str | Invalid] = {}
        self._district = self._remembered("district", self._region("district", lambda: self.districts))
        self._sector_of = self._remembered("sector", self._sector)

    def check(self, cells: Mapping[str, Any]) -> Record | list[Problem]:
        problems: list[Problem] = []
        texts = {name: cell_text(value) for name, value in cells.items()}
        if isinstance(cells.get("year_started"), datetime | date):
            texts["year_started"] = str(cells["year_started"].year)

        def parsed(name: str, parse: Callable[[str], Any]) -> Any:
            text = texts.get(name, "")
            if not text:
                if name in REQUIRED:
                    problems.append(Problem(name, "required"))
                return None
            value = parse(text)
            if isinstance(value, Invalid):
                problems.append(Problem(name, value.key, dict(value.values)))
                return None
            return value

        full_name = parsed("full_name", parse_full_name)
        nik_info = parsed("nik", lambda t: parse_nik(t, today=self.today))
        phone = parsed("phone", parse_mobile)
        business = {
            "name": parsed("business_name", parse_business_name),
            "sector": parsed("sector", self._sector_of),
            "kbli": parsed("kbli", parse_kbli),
            "district_code": parsed("district", self._district),
            "street": parsed("street", parse_street_address),
            "year_started": parsed("year_started", lambda t: parse_year_started(t, today=self.today)),
            "workers": parsed("workers", parse_workers),
            "annual_sales": parsed("annual_sales", parse_rupiah),
            "capital": parsed("capital", parse_rupiah),
            "nib": parsed("nib", parse_nib),
        }
        district = business["district_code"]
        # A kelurahan is looked for in the row's kecamatan; without one it is not looked for (the
        # kecamatan's own problem is reported).
        business["village_code"] = (
            parsed(
                "village",
                self._remembered(
                    f"village:{district}", self._region("village", lambda: self._villages_of(str(district)))
                ),
            )
            if district is not None
            else None
        )
        sales, capital = business["annual_sales"], business["capital"]
        business["size_class"] = (
            size_class(capital, sales) if sales is not None and capital is not None else None
        )
        if business["size_class"] == "large":
            problems.append(Problem("annual_sales", "large_business"))
        if problems:
            return problems
        return Record(nik=nik_info.nik, full_name=full_name, phone=phone, business=business)

    def _villages_of(self, district: str) -> list[Region]:
        if district not in self._villages:
            self._villages[district] = villages_of(district)
        return self._villages[district]

    def _region(self, name: str, candidates: Callable[[], list[Region]]) -> Callable[[str], str | Invalid]:
        def match(text: str) -> str | Invalid:
            found = match_region(text, candidates())
            if isinstance(found, Ambiguous):
                return Invalid(f"{name}_ambiguous", {"names": [r.name for r in found.candidates]})
            return found.code if found is not None else Invalid(f"{name}_unknown")

        return match

    def _sector(self, text: str) -> str | Invalid:
        wanted = _words(text)
        fitting = [s for s in self._sectors if wanted in self._sector_names[s.id]] or [
            s for s in self._sectors if wanted and set(wanted) <= self._sector_words[s.id]
        ]
        if len(fitting) == 1:
            return fitting[0].id
        names = [s.name_id for s in (fitting or self._sectors)]
        return Invalid("sector_ambiguous" if fitting else "sector_unknown", {"names": names})

    def _remembered(self, key: str, match: Callable[[str], str | Invalid]) -> Callable[[str], str | Invalid]:
        """`match`, asked once per distinct text: a spreadsheet names the same few kecamatan,
        kelurahan and sectors over and over."""

        def parse(text: str) -> str | Invalid:
            found = self._matched.get((key, text))
            if found is None:
                found = self._matched[(key, text)] = match(text)
            return found

        return parse


def _words(text: str) -> tuple[str, ...]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return tuple(_WORDS.findall(folded))


def _sector_words(sector: Sector) -> set[str]:
    """Every word of a sector's id and names: "Makanan" finds "Kuliner (makanan & minuman)"."""
    return {*_words(sector.id.replace("_", " ")), *_words(sector.name_id), *_words(sector.name_en)}
