from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.result import Invalid
from handlers.rules import (
    parse_business_name,
    parse_full_name,
    parse_kbli,
    parse_nib,
    parse_street_address,
    parse_workers,
    parse_year_started,
)
from tests.handlers.rules.strategies import TODAY, to_fullwidth


@pytest.mark.parametrize(
    "text", ["1234567890123", "1234 5678 90123", "1234-5678-90123", "１２３４５６７８９０１２３"]
)
def test_nib_accepted(text: str) -> None:
    assert parse_nib(text) == "1234567890123"


def test_nib_keeps_leading_zero() -> None:
    assert parse_nib("0120001234567") == "0120001234567"


@pytest.mark.parametrize("text", ["", "123456789012", "12345678901234", "12345678901a3", "belum punya"])
def test_nib_refused(text: str) -> None:
    assert parse_nib(text) == Invalid("nib_format")


@given(st.text(alphabet="0123456789", min_size=13, max_size=13))
def test_any_13_digits_are_a_nib(digits: str) -> None:
    assert parse_nib(digits) == digits
    assert parse_nib(to_fullwidth(digits)) == digits


@pytest.mark.parametrize(("text", "code"), [("56101", "56101"), ("01111", "01111"), ("KBLI 47111", "47111")])
def test_kbli_accepted(text: str, code: str) -> None:
    assert parse_kbli(text) == code


@pytest.mark.parametrize("text", ["", "5610", "561011", "5610a", "restoran"])
def test_kbli_refused(text: str) -> None:
    assert parse_kbli(text) == Invalid("kbli_format")


@pytest.mark.parametrize(
    ("text", "year"),
    [("2019", 2019), (" sejak 2019 ", 2019), ("Tahun 2019", 2019), ("th. 1990", 1990), ("1900", 1900)],
)
def test_year_accepted(text: str, year: int) -> None:
    assert parse_year_started(text, today=TODAY) == year


@pytest.mark.parametrize("text", ["", "19", "1899", "2026", "20199", "dua ribu", "2019 2020"])
def test_year_refused(text: str) -> None:
    assert parse_year_started(text, today=TODAY) == Invalid("year_format")


@given(st.integers(min_value=0, max_value=9999))
def test_year_range(year: int) -> None:
    result = parse_year_started(f"{year:04d}", today=TODAY)

    assert result == (year if 1900 <= year <= TODAY.year else Invalid("year_format"))


def test_this_year_follows_today() -> None:
    assert parse_year_started("2026", today=date(2026, 1, 1)) == 2026


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("0", 0),
        ("5", 5),
        ("5 orang", 5),
        ("1.200", 1200),
        ("12 karyawan", 12),
        ("tidak ada", 0),
        ("100000", 100_000),
    ],
)
def test_workers_accepted(text: str, count: int) -> None:
    assert parse_workers(text) == count


@pytest.mark.parametrize("text", ["", "-1", "100001", "1.000.000", "lima", "2,5", "banyak"])
def test_workers_refused(text: str) -> None:
    assert parse_workers(text) == Invalid("workers_format")


@given(st.integers(min_value=0, max_value=200_000))
def test_workers_range(n: int) -> None:
    assert parse_workers(str(n)) == (n if n <= 100_000 else Invalid("workers_format"))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Muh. Ali", "Muh. Ali"),
        ("Ni Luh Putu", "Ni Luh Putu"),
        ("  siti   aminah ", "siti aminah"),
        ("Ma’ruf", "Ma'ruf"),
        ("H. Ahmad, S.E.", "H. Ahmad, S.E."),
        ("Anak Agung Gde-Putra", "Anak Agung Gde-Putra"),
        ("Bo", "Bo"),
        ("A" * 100, "A" * 100),
    ],
)
def test_full_name_accepted(text: str, name: str) -> None:
    assert parse_full_name(text) == name


@pytest.mark.parametrize(
    "text", ["", " ", "A", "A" * 101, "Ali 2", "...", "Siti 😊", "Siti\x00Aminah", "Siti@Aminah"]
)
def test_full_name_refused(text: str) -> None:
    assert parse_full_name(text) == Invalid("name_format")


@pytest.mark.parametrize(
    "text", ["Warung Makan Bu Siti", "CV. Maju & Jaya 2", "Toko 99 (Cabang Banjarbaru)", "Kopi+Roti"]
)
def test_business_name_accepted(text: str) -> None:
    assert parse_business_name(text) == text


NAME = (parse_business_name, "business_name_format")
ADDRESS = (parse_street_address, "address_format")


@pytest.mark.parametrize(
    ("read", "text", "problem", "symbol"),
    [
        (NAME, "", "length", ""),
        (NAME, "A", "length", ""),
        (NAME, "A" * 121, "length", ""),
        (NAME, "99", "letter", ""),
        (NAME, "12.345", "letter", ""),
        (NAME, "Keripik 🍌", "symbol", "🍌"),
        (NAME, "Toko <b>Maju</b>", "symbol", "<"),
        (NAME, "Toko\x07", "symbol", ""),
        (ADDRESS, "", "length", ""),
        (ADDRESS, "Jl.", "length", ""),
        (ADDRESS, "x" * 201, "length", ""),
        (ADDRESS, "12345", "letter", ""),
        (ADDRESS, "12/03, 45", "letter", ""),
        (ADDRESS, "Jl. Mawar 🌹 No. 1", "symbol", "🌹"),
        (ADDRESS, "Jl. Mawar <No. 1>", "symbol", "<"),
        (ADDRESS, "Jl. Mawar\x07 No. 1", "symbol", ""),
    ],
)
def test_business_name_and_address_refused_with_the_problem_that_applies(
    read: tuple[Callable[[str], str | Invalid], str], text: str, problem: str, symbol: str
) -> None:
    parse, key = read
    assert parse(text) == Invalid(key, {"problem": problem, "symbol": symbol})


def test_address_joins_lines() -> None:
    assert (
        parse_street_address("Jl. A. Yani Km. 5 No. 12,\nRT 03/RW 01")
        == "Jl. A. Yani Km. 5 No. 12, RT 03/RW 01"
    )


# Letters of any script that NFKC leaves alone ("Ŀ" becomes "L·", which is not a name character),
# except the modifier letter apostrophe "ʼ" (a letter to Unicode), which names keep as a straight "'".
names = st.text(
    alphabet=st.characters(categories=["L"], exclude_characters="\u02bc"), min_size=1, max_size=30
).filter(lambda w: unicodedata.normalize("NFKC", w) == w)


@given(st.lists(names, min_size=1, max_size=5), st.sampled_from([" ", "  ", "\t", "\n", " \u00a0"]))
def test_names_of_letters_accepted_with_spaces_collapsed(words: list[str], gap: str) -> None:
    expected = " ".join(words)

    result = parse_full_name(f" {gap.join(words)}{gap}")

    assert result == (expected if 2 <= len(expected) <= 100 else Invalid("name_format"))
