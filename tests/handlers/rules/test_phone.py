from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.result import Invalid
from handlers.rules import display_phone, parse_mobile
from tests.handlers.rules.strategies import landline_numbers, mobile_numbers, to_fullwidth


@pytest.mark.parametrize(
    "written",
    [
        "0812-3456-7890",
        "+62 812 3456 7890",
        "6281234567890",
        "812 3456 7890",
        "０８１２-３４５６-７８９０",
        "(+62) 812-3456-7890",
        "0062 812 3456 7890",
        "+62 0812 3456 7890",
        "0812 – 3456 – 7890",
        " 081234567890\n",
    ],
)
def test_written_forms(written: str) -> None:
    assert parse_mobile(written) == "+6281234567890"


def written_forms(national: str) -> list[str]:
    """Ways people write the mobile number 0<national>."""
    local = "0" + national
    return [
        local,
        f"{local[:4]}-{local[4:8]}-{local[8:]}",
        f"{local[:4]} {local[4:8]} {local[8:]}",
        f"+62{national}",
        f"+62 {national[:3]} {national[3:7]} {national[7:]}",
        f"62{national}",
        national,
        f"0062{national}",
        to_fullwidth(local),
    ]


@given(mobile_numbers())
def test_generated_mobiles_normalise_to_one_e164(national: str) -> None:
    results = {form: parse_mobile(form) for form in written_forms(national)}

    assert all(r == f"+62{national}" for r in results.values()), results


@given(mobile_numbers())
def test_display_round_trips(national: str) -> None:
    e164 = f"+62{national}"

    shown = display_phone(e164)

    assert shown.startswith("08")
    assert shown.replace("-", "") == "0" + national
    assert parse_mobile(shown) == e164


def test_display_example() -> None:
    assert display_phone("+6281234567890") == "0812-3456-7890"


def test_display_leaves_other_text_alone() -> None:
    assert display_phone("not a number") == "not a number"


@given(landline_numbers())
def test_landlines_refused(number: tuple[str, str]) -> None:
    area, subscriber = number
    for form in (f"(0{area}) {subscriber}", f"0{area}-{subscriber}", f"+62 {area} {subscriber}"):
        assert parse_mobile(form) == Invalid("phone_not_mobile"), form


@pytest.mark.parametrize("number", ["0800 123 4567", "0808 1234 5678", "0807 1234 567"])
def test_prefixes_no_operator_uses_are_not_mobile(number: str) -> None:
    assert parse_mobile(number) == Invalid("phone_not_mobile")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "08",
        "0812",
        "+62812",
        "081234567890123",
        "+1 415 555 1234",
        "0812-3456-789O",
        "telepon saya",
        "+62",
    ],
)
def test_not_a_phone_number(text: str) -> None:
    assert parse_mobile(text) == Invalid("phone_format")


@given(mobile_numbers(), st.text(alphabet="0123456789", min_size=1, max_size=4))
def test_too_long_refused(national: str, extra: str) -> None:
    number = national + extra
    if len(number) <= 12:
        return
    assert isinstance(parse_mobile("0" + number), Invalid)
