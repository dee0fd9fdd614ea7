"""Kemendagri regions below a regency/city: kecamatan (districts) and kelurahan/desa (villages).

Codes are Kemendagri's (Kepmendagri 300.2.2-2138/2025), dotted: "63" Kalimantan Selatan, "63.72" Kota
Banjarbaru, "63.72.02" Landasan Ulin, "63.72.02.1001" a kelurahan. They differ from BPS codes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from handlers.rules import lokal_adapter

_REGENCY = re.compile(r"[0-9]{2}\.[0-9]{2}", re.ASCII)
_DISTRICT = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}", re.ASCII)
_ANY_LEVEL = re.compile(r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?", re.ASCII)
_UNDOTTED = re.compile(r"[0-9]{2}(?:[0-9]{2}(?:[0-9]{2}(?:[0-9]{4})?)?)?", re.ASCII)


@dataclass(frozen=True, slots=True)
class Region:
    """One region: its dotted Kemendagri code and its name ("63.72.02", "Landasan Ulin")."""

    code: str
    name: str


def districts_of(regency_code: str) -> list[Region]:
    """The kecamatan of a kabupaten/kota ("63.72" or "6372"), sorted by name.

    An unknown regency has none. Raises ValueError when the code is not shaped like a regency code.
    """
    return _children(_dotted(regency_code, _REGENCY, "regency"))


def villages_of(district_code: str) -> list[Region]:
    """The kelurahan/desa of a kecamatan ("63.72.02" or "637202"), sorted by name.

    An unknown district has none. Raises ValueError when the code is not shaped like a district code.
    """
    return _children(_dotted(district_code, _DISTRICT, "district"))


def region_name(code: str) -> str | None:
    """Name of a region at any level ("63.72" → "Kota Banjarbaru"); None when unknown or malformed."""
    dotted = _normalise(code)
    return lokal_adapter.region_name(dotted) if dotted is not None else None


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """A name that fits several regions equally well: reported, never guessed."""

    candidates: tuple[Region, ...]


# "Kec. Landasan Ulin", "Kelurahan Guntung Payung", "Desa Bangkal": the level words are not the name.
_LEVEL_WORDS = re.compile(r"^(?:kecamatan|kec|kelurahan|kel|desa|ds)\b\.?\s*")
_NOT_NAME = re.compile(r"[^0-9a-z]+")


def match_region(text: str, candidates: Sequence[Region]) -> Region | Ambiguous | None:
    """The region among `candidates` that `text` names, as people write it in a spreadsheet.

    Accepts the Kemendagri code (dotted or not) or the name, whatever the case, spacing and
    punctuation, with a "Kec." / "Kecamatan" / "Kel." / "Desa" prefix, and with a small typo (one
    letter wrong, missing, extra or swapped; two in names of ten letters or more). When several
    regions fit equally well (a typo between two names, or a name that begins several names, such
    as "Landasan Ulin" among "Landasan Ulin Barat" and "Landasan Ulin Timur"), the answer is
    `Ambiguous`; when none fits, None.
    """
    dotted = _normalise(text)
    if dotted is not None:
        return next((r for r in candidates if r.code == dotted), None)
    wanted = _name_key(text)
    if not wanted:
        return None
    keyed = [(_name_key(r.name), r) for r in candidates]
    exact = [r for key, r in keyed if key == wanted]
    if exact:
        return exact[0] if len(exact) == 1 else Ambiguous(tuple(exact))
    tolerance = 2 if len(wanted) >= 10 else 1
    distances = [(_distance(wanted, key, tolerance), r) for key, r in keyed]
    best = min((d for d, _ in distances), default=tolerance + 1)
    if best <= tolerance:
        close = tuple(r for d, r in distances if d == best)
        return close[0] if len(close) == 1 else Ambiguous(close)
    starting = tuple(r for key, r in keyed if key.startswith(wanted))
    return Ambiguous(starting) if starting else None


def _name_key(text: str) -> str:
    """Lower case, accents and punctuation dropped, level words removed, no spaces."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold().strip()
    return _NOT_NAME.sub("", _LEVEL_WORDS.sub("", folded))


def _distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from `a` to `b`; `limit` + 1 once it
    is certainly above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i, *([0] * len(b))]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[-1], limit + 1)


def _children(code: str) -> list[Region]:
    regions = [Region(child, name) for child, name in lokal_adapter.child_regions(code)]
    return sorted(regions, key=lambda r: (r.name.casefold(), r.code))


def _dotted(code: str, shape: re.Pattern[str], level: str) -> str:
    dotted = _normalise(code)
    if dotted is None or not shape.fullmatch(dotted):
        raise ValueError(f"not a Kemendagri {level} code: {code!r}")
    return dotted


def _normalise(code: str) -> str | None:
    """Dotted form of a code at any level ("6372" → "63.72"), or None when it is not a code."""
    code = code.strip()
    if _UNDOTTED.fullmatch(code):
        return ".".join(p for p in (code[0:2], code[2:4], code[4:6], code[6:10]) if p)
    return code if _ANY_LEVEL.fullmatch(code) else None
