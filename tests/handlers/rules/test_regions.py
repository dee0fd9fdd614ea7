from __future__ import annotations

import pytest

from handlers.rules import Region, districts_of, region_name, villages_of
from tests.handlers.rules.strategies import DISTRICT_CODES, REGENCY_CODES


def test_banjarbaru_districts_sorted_by_name() -> None:
    assert districts_of("63.72") == [
        Region("63.72.05", "Banjarbaru Selatan"),
        Region("63.72.04", "Banjarbaru Utara"),
        Region("63.72.03", "Cempaka"),
        Region("63.72.02", "Landasan Ulin"),
        Region("63.72.06", "Liang Anggang"),
    ]


def test_undotted_codes_accepted() -> None:
    assert districts_of("6372") == districts_of("63.72")
    assert villages_of("637202") == villages_of("63.72.02")


def test_villages_belong_to_their_district_and_are_sorted() -> None:
    villages = villages_of("63.72.02")

    assert villages
    assert all(v.code.startswith("63.72.02.") for v in villages)
    assert [v.name.casefold() for v in villages] == sorted(v.name.casefold() for v in villages)


def test_unknown_regions_have_no_children() -> None:
    assert districts_of("63.99") == []
    assert villages_of("63.72.01") == []


@pytest.mark.parametrize("code", ["63", "63.72.02", "abc", "", "63.7"])
def test_districts_of_needs_a_regency_code(code: str) -> None:
    with pytest.raises(ValueError):
        districts_of(code)


@pytest.mark.parametrize("code", ["63.72", "63.72.02.1001", "x"])
def test_villages_of_needs_a_district_code(code: str) -> None:
    with pytest.raises(ValueError):
        villages_of(code)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("63", "Kalimantan Selatan"),
        ("63.72", "Kota Banjarbaru"),
        ("6372", "Kota Banjarbaru"),
        ("63.72.02", "Landasan Ulin"),
        ("63.99", None),
        ("", None),
        ("kota", None),
        ("63.72.02.9999", None),
    ],
)
def test_region_name(code: str, name: str | None) -> None:
    assert region_name(code) == name


def test_region_data_is_the_whole_country() -> None:
    # Kepmendagri 2025: 38 provinces, 514 regencies/cities, about 7,000 districts.
    assert len(REGENCY_CODES) == 514
    assert len(DISTRICT_CODES) > 7000
    assert all(region_name(code) for code in REGENCY_CODES[::50])
