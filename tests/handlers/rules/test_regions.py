from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from lokal import wilayah  # the library itself, to compare with: handlers/ reach it through the adapter

from handlers.rules import (
    Ambiguous,
    Region,
    districts_of,
    lokal_adapter,
    match_region,
    region_name,
    villages_of,
)
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


def _traced(probe: str) -> tuple[int, int]:
    """Bytes allocated (held at the end, at most meanwhile) by `probe` in a process of its own,
    after the names of the regions above villages are loaded (every page reads some): this
    process may have loaded lokal's tables already."""
    setup = 'from handlers.rules import region_name\nassert region_name("63.72") == "Kota Banjarbaru"\n'
    measure = "import tracemalloc\ntracemalloc.start()\n{}\nprint(*tracemalloc.get_traced_memory())\n"
    shown = subprocess.run(
        [sys.executable, "-c", setup + measure.format(textwrap.dedent(probe))],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    held, peak = shown.stdout.split()
    return int(held), int(peak)


def test_listing_kecamatan_leaves_the_villages_of_indonesia_unloaded() -> None:
    # Most dashboard pages list the agency's kecamatan. Through lokal's list_wilayah that loaded
    # the names of all 83,762 villages of Indonesia and an index of every region (about 15 MB,
    # kept for the process's life).
    held, _ = _traced(
        """
        from handlers.rules import districts_of
        assert len(districts_of("63.72")) == 5 and len(districts_of("63.03")) > 10
        """
    )
    assert held < 1_000_000


def test_a_regencys_villages_are_read_without_the_villages_of_indonesia() -> None:
    # A registration's kelurahan question, an owner's page and the owners export name villages.
    # Through lokal's wilayah_name the first one loaded all 83,762 (about 12.5 MB, kept).
    held, peak = _traced(
        """
        from handlers.rules import region_name, villages_of
        assert len(villages_of("63.72.02")) == 4
        assert region_name("63.72.02.1004") == "Guntung Payung"
        assert region_name("63.03.01.2001")
        """
    )
    assert held < 1_000_000
    assert peak < 5_000_000  # the data file's text is read once per regency, never the whole table


@pytest.mark.parametrize("regency", ["63.72", "63.03", "91.03"])  # 91.03: desa adat (3xxx) too
def test_a_regencys_villages_are_lokals(regency: str) -> None:
    for district in districts_of(regency):
        expected = [(w.code, w.name) for w in wilayah.list_wilayah(district.code)]
        assert expected
        assert lokal_adapter.child_regions(district.code) == expected
        assert all(region_name(code) == name for code, name in expected)


def test_village_names_come_from_lokals_lookups_when_its_data_file_is_not_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lokal_adapter, "_VILLAGE_FILE", "no-such-file.json.gz")
    lokal_adapter._villages_of_regency.cache_clear()
    try:
        assert region_name("63.72.02.1004") == "Guntung Payung"
        assert [v.code for v in villages_of("63.72.02")] == [f"63.72.02.100{n}" for n in (5, 4, 3, 6)]
    finally:
        lokal_adapter._villages_of_regency.cache_clear()


def test_region_data_is_the_whole_country() -> None:
    # Kepmendagri 2025: 38 provinces, 514 regencies/cities, about 7,000 districts.
    assert len(REGENCY_CODES) == 514
    assert len(DISTRICT_CODES) > 7000
    assert all(region_name(code) for code in REGENCY_CODES[::50])


# Matching names as a spreadsheet writes them --------------------------------------------------

BANJARBARU = districts_of("63.72")


@pytest.mark.parametrize(
    "written",
    ["Landasan Ulin", "LANDASAN ULIN", "Kec. Landasan Ulin", "kecamatan landasan-ulin", "63.72.02", "637202"],
)
def test_a_district_is_found_whatever_the_case_prefix_or_code(written: str) -> None:
    assert match_region(written, BANJARBARU) == Region("63.72.02", "Landasan Ulin")


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Landasn Ulin", "63.72.02"),  # a letter missing
        ("Landasan Uiln", "63.72.02"),  # two letters swapped
        ("Cempakka", "63.72.03"),  # a letter too many
        ("Liang Angang", "63.72.06"),
        ("Banjarbaru Utra", "63.72.04"),
    ],
)
def test_a_small_typo_is_forgiven(written: str, code: str) -> None:
    found = match_region(written, BANJARBARU)
    assert isinstance(found, Region) and found.code == code


def test_a_name_that_fits_several_is_ambiguous_never_guessed() -> None:
    found = match_region("Banjarbaru", BANJARBARU)
    assert isinstance(found, Ambiguous)
    assert {r.name for r in found.candidates} == {"Banjarbaru Selatan", "Banjarbaru Utara"}
    villages = match_region("Kel. Landasan Ulin", villages_of("63.72.06"))
    assert isinstance(villages, Ambiguous) and len(villages.candidates) == 4


@pytest.mark.parametrize("written", ["Mars", "", "Cmpk", "63.72.01", "Martapura"])
def test_what_fits_nothing_is_unknown(written: str) -> None:
    assert match_region(written, BANJARBARU) is None
