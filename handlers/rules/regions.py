"""Kemendagri regions below a regency/city: kecamatan (districts) and kelurahan/desa (villages).

Codes are Kemendagri's (Kepmendagri 300.2.2-2138/2025), dotted: "63" Kalimantan Selatan, "63.72" Kota
Banjarbaru, "63.72.02" Landasan Ulin, "63.72.02.1001" a kelurahan. They differ from BPS codes.
"""

from __future__ import annotations

import re
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
