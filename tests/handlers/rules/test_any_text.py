"""No parser raises, whatever the user sends, and every refusal names a known template."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.result import Invalid
from handlers.rules import (
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
)
from tests.handlers.rules.strategies import TODAY
from tests.handlers.rules.test_templates import ERRORS

PARSERS: dict[str, Callable[[str], Any]] = {
    "nik": lambda text: parse_nik(text, today=TODAY),
    "mobile": parse_mobile,
    "rupiah": parse_rupiah,
    "nib": parse_nib,
    "kbli": parse_kbli,
    "year": lambda text: parse_year_started(text, today=TODAY),
    "workers": parse_workers,
    "full_name": parse_full_name,
    "business_name": parse_business_name,
    "street_address": parse_street_address,
}

NASTY = [
    "",
    " ",
    "\x00",
    "\x00" * 16,
    "\ud800",
    "\ufdfa" * 500,
    "9" * 10_000,
    "1" + "0" * 400 + " triliun",
    "1" + "0" * 300 + " triliun triliun",
    "😊" * 50,
    "６３７２",
    "-" * 1000,
    "Rp",
    "juta",
    "setengah",
    "+62",
    "0" * 16,
    "\u202e0812",
    "𝟎𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗𝟎",
]


def check(result: object) -> None:
    if isinstance(result, Invalid):
        assert result.key in ERRORS, result


@pytest.mark.parametrize("name", sorted(PARSERS))
@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_nasty_text(name: str, text: str) -> None:
    check(PARSERS[name](text))


@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    for parse in PARSERS.values():
        check(parse(text))


@given(st.text(alphabet="0123456789 .,-+()rpjtbkmRpJT", max_size=40))
def test_number_like_text_never_raises(text: str) -> None:
    for parse in PARSERS.values():
        check(parse(text))
