from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.result import Invalid
from handlers.rules import NikInfo, mask_nik, parse_nik, region_name
from tests.handlers.rules.strategies import (
    TODAY,
    birth_dates,
    nik_digits,
    serials,
    sexes,
    to_fullwidth,
    valid_niks,
)

# Landasan Ulin, Kota Banjarbaru; a woman born 5 January 1990.
EXAMPLE = "6372024501900003"
UNKNOWN_PROVINCES = [f"{n:02d}" for n in range(100) if region_name(f"{n:02d}") is None]


def key_of(result: object) -> str:
    assert isinstance(result, Invalid), result
    return result.key


def test_example_decodes() -> None:
    info = parse_nik(EXAMPLE, today=TODAY)

    assert info == NikInfo(
        nik=EXAMPLE,
        province_code="63",
        regency_code="63.72",
        district_code="63.72.02",
        province_name="Kalimantan Selatan",
        regency_name="Kota Banjarbaru",
        district_name="Landasan Ulin",
        birth_date=date(1990, 1, 5),
        sex="P",
        region_unknown=False,
    )


@pytest.mark.parametrize(
    "written",
    [
        "6372 0245 0190 0003",
        "6372-0245-0190-0003",
        "63.72.02.450190.0003",
        " 6372024501900003\n",
        to_fullwidth(EXAMPLE),
        "6372\u00a0024501900003",
    ],
)
def test_written_forms_normalise(written: str) -> None:
    info = parse_nik(written, today=TODAY)

    assert isinstance(info, NikInfo)
    assert info.nik == EXAMPLE


@given(valid_niks())
def test_valid_nik_decodes_back(case: tuple[str, str, date, str]) -> None:
    nik, district, born, sex = case

    info = parse_nik(nik, today=TODAY)

    assert isinstance(info, NikInfo), info
    assert (info.nik, info.district_code, info.birth_date, info.sex) == (nik, district, born, sex)
    assert info.regency_code == district[:5]
    assert info.province_code == district[:2]
    assert info.district_name == region_name(district)
    assert info.district_name is not None
    assert not info.region_unknown


@given(valid_niks())
def test_spaced_and_fullwidth_forms_are_the_same_nik(case: tuple[str, str, date, str]) -> None:
    nik = case[0]
    spaced = " ".join(nik[i : i + 4] for i in range(0, 16, 4))

    assert parse_nik(spaced, today=TODAY) == parse_nik(nik, today=TODAY)
    assert parse_nik(to_fullwidth(nik), today=TODAY) == parse_nik(nik, today=TODAY)


@given(valid_niks(), st.sampled_from([-1, 1]))
def test_fifteen_or_seventeen_digits_refused(case: tuple[str, str, date, str], change: int) -> None:
    nik = case[0][:-1] if change < 0 else case[0] + "1"

    assert key_of(parse_nik(nik, today=TODAY)) == "nik_format"


@pytest.mark.parametrize("text", ["", " ", "abc", "6372O24501900003", "63720245019000O3", "٦٣٧٢٠٢٤٥٠١٩٠٠٠٠٣"])
def test_not_sixteen_ascii_digits_refused(text: str) -> None:
    assert key_of(parse_nik(text, today=TODAY)) == "nik_format"


@given(valid_niks(), st.sampled_from(UNKNOWN_PROVINCES))
def test_unknown_province_refused(case: tuple[str, str, date, str], province: str) -> None:
    result = parse_nik(province + case[0][2:], today=TODAY)

    assert result == Invalid("nik_province", {"code": province})


@pytest.mark.parametrize("province", ["00", "99"])
def test_province_00_and_99_refused(province: str) -> None:
    assert key_of(parse_nik(province + EXAMPLE[2:], today=TODAY)) == "nik_province"


@pytest.mark.parametrize("nik", ["6300024501900003", "6372004501900003", "6300004501900003"])
def test_zero_regency_or_district_refused(nik: str) -> None:
    assert key_of(parse_nik(nik, today=TODAY)) == "nik_region"


@given(st.sampled_from(["63.72.02", "11.01.01", "94.01.01"]), birth_dates, sexes, serials, st.data())
def test_impossible_birth_dates_refused(
    district: str, born: date, sex: str, serial: str, data: st.DataObject
) -> None:
    valid = nik_digits(district, born, sex, serial)
    offset = 40 if sex == "P" else 0
    bad_day = data.draw(st.sampled_from([0, 32, 33, 39]), label="bad day") + offset
    bad_month = data.draw(st.sampled_from([0, 13, 19, 99]), label="bad month")

    wrong_day = f"{valid[:6]}{bad_day:02d}{valid[8:]}"
    wrong_month = f"{valid[:8]}{bad_month:02d}{valid[10:]}"

    assert key_of(parse_nik(wrong_day, today=TODAY)) == "nik_birth_date"
    assert key_of(parse_nik(wrong_month, today=TODAY)) == "nik_birth_date"


@pytest.mark.parametrize(
    ("ddmmyy", "why"),
    [
        ("320190", "day 32"),
        ("720190", "day 72: a woman's day 32"),
        ("400190", "day 40 is neither a man's nor a woman's day"),
        ("011390", "month 13"),
        ("300290", "30 February"),
        ("290201", "29 February in 2001"),
        ("690201", "a woman born 29 February 2001"),
    ],
)
def test_impossible_birth_date_examples(ddmmyy: str, why: str) -> None:
    assert key_of(parse_nik(f"637202{ddmmyy}0003", today=TODAY)) == "nik_birth_date", why


def test_leap_day_accepted_for_a_woman() -> None:
    info = parse_nik("6372026902000003", today=TODAY)

    assert isinstance(info, NikInfo)
    assert (info.birth_date, info.sex) == (date(2000, 2, 29), "P")


def test_two_digit_year_after_today_is_last_century() -> None:
    info = parse_nik("6372023112250003", today=TODAY)

    assert isinstance(info, NikInfo)
    assert info.birth_date == date(1925, 12, 31)


def test_leap_day_that_would_move_to_1900_refused() -> None:
    assert key_of(parse_nik("6372022902000003", today=date(2000, 1, 1))) == "nik_birth_date"


@given(valid_niks())
def test_serial_0000_refused(case: tuple[str, str, date, str]) -> None:
    assert key_of(parse_nik(case[0][:12] + "0000", today=TODAY)) == "nik_serial"


def test_unknown_district_is_a_warning_not_a_refusal() -> None:
    # 63.72.01 was Kecamatan Banjarbaru before it was split; NIKs issued there keep the old code.
    info = parse_nik("6372014501900003", today=TODAY)

    assert isinstance(info, NikInfo)
    assert info.region_unknown
    assert (info.regency_name, info.district_name) == ("Kota Banjarbaru", None)


def test_unknown_regency_is_a_warning_not_a_refusal() -> None:
    info = parse_nik("6399014501900003", today=TODAY)

    assert isinstance(info, NikInfo)
    assert info.region_unknown
    assert (info.province_name, info.regency_name, info.district_name) == ("Kalimantan Selatan", None, None)


def test_first_problem_named() -> None:
    # Unknown province and serial 0000 at once: the province is named first.
    assert key_of(parse_nik("9972024501900000", today=TODAY)) == "nik_province"


def test_no_address_offered() -> None:
    fields = set(NikInfo.__dataclass_fields__)

    assert not {f for f in fields if "address" in f or "alamat" in f}


def test_repr_hides_the_nik_and_birth_date() -> None:
    info = parse_nik(EXAMPLE, today=TODAY)

    assert EXAMPLE not in repr(info)
    assert "1990" not in repr(info)
    assert "6372********0003" in repr(info)


@pytest.mark.parametrize(
    ("nik", "masked"),
    [(EXAMPLE, "6372********0003"), ("1234567890123456", "1234********3456"), ("123", "***"), ("", "")],
)
def test_mask_nik(nik: str, masked: str) -> None:
    assert mask_nik(nik) == masked


def test_today_defaults_to_the_real_date() -> None:
    assert isinstance(parse_nik(EXAMPLE), NikInfo)
