"""Every error key the rules use has a template in each locale, and each template's example is accepted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined

import messages
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

TEMPLATES = Path(messages.__file__).parent / "templates"
LOCALES = ("id", "en")

# key → (values the parser puts in Invalid, example shown to the user, the parser that must accept it)
ERRORS: dict[str, tuple[dict[str, Any], str, Any]] = {
    "nik_format": ({}, "6372024501900003", parse_nik),
    "nik_province": ({"code": "99"}, "6372024501900003", parse_nik),
    "nik_region": ({}, "6372024501900003", parse_nik),
    "nik_birth_date": ({}, "6372024501900003", parse_nik),
    "nik_serial": ({}, "6372024501900003", parse_nik),
    "phone_format": ({}, "0812-3456-7890", parse_mobile),
    "phone_not_mobile": ({}, "0812-3456-7890", parse_mobile),
    "money_format": ({}, "15.000.000", parse_rupiah),
    "money_too_large": ({}, "15jt", parse_rupiah),
    "nib_format": ({}, "1234567890123", parse_nib),
    "kbli_format": ({}, "56101", parse_kbli),
    "year_format": ({}, "2019", lambda text: parse_year_started(text, today=TODAY)),
    "workers_format": ({}, "5", parse_workers),
    "name_format": ({}, "Siti Aminah", parse_full_name),
    "business_name_format": (
        {"problem": "length", "symbol": ""},
        "Warung Makan Bu Siti",
        parse_business_name,
    ),
    "address_format": (
        {"problem": "length", "symbol": ""},
        "Jl. A. Yani Km. 5 No. 12, RT 03/RW 01",
        parse_street_address,
    ),
}

environment = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=False)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("key", sorted(ERRORS))
def test_template_renders_with_its_values_and_shows_an_accepted_example(locale: str, key: str) -> None:
    values, example, parser = ERRORS[key]

    text = environment.get_template(f"{locale}/errors/{key}.j2").render(values).strip()

    assert example in text
    assert not isinstance(parser(example), Invalid)
    assert "{" not in text
    assert 0 < len(text) <= 300


@pytest.mark.parametrize("key", sorted(ERRORS))
def test_locales_differ(key: str) -> None:
    rendered = {
        locale: environment.get_template(f"{locale}/errors/{key}.j2").render(ERRORS[key][0])
        for locale in LOCALES
    }

    assert rendered["id"] != rendered["en"]


def test_province_code_is_shown() -> None:
    text = environment.get_template("id/errors/nik_province.j2").render(code="99")

    assert "(99)" in text


@pytest.mark.parametrize(
    ("parser", "typed", "id_words", "en_words"),
    [
        (parse_business_name, "A", "2 sampai 120 karakter", "2 to 120 characters"),
        (
            parse_business_name,
            "12345",
            "harus memuat huruf, tidak hanya angka",
            "needs letters, not only digits",
        ),
        (parse_business_name, "Toko <Maju>", "jadi tanpa <", "so not <"),
        (parse_business_name, "Keripik 🍌", "jadi tanpa 🍌", "so not 🍌"),
        (parse_business_name, "Toko\x07Maju", "tanpa emoji", "no emoji"),
        (parse_street_address, "Jl.", "5 sampai 200 karakter", "5 to 200 characters"),
        (parse_street_address, "12/03, 45", "harus memuat huruf", "needs letters"),
        (parse_street_address, "Jl. Mawar 🌹 No. 1", "jadi tanpa 🌹", "so not 🌹"),
    ],
)
def test_a_refused_name_or_address_is_told_the_reason_that_applies(
    parser: Callable[[str], object], typed: str, id_words: str, en_words: str
) -> None:
    refused = parser(typed)
    assert isinstance(refused, Invalid) and refused.key in ("business_name_format", "address_format")
    longest = "120" if refused.key == "business_name_format" else "200"
    for locale, words in (("id", id_words), ("en", en_words)):
        text = environment.get_template(f"{locale}/errors/{refused.key}.j2").render(refused.values)
        assert words in text, (locale, text)
        if refused.values["problem"] != "length":
            assert longest not in text  # not the length rule when the length is fine
