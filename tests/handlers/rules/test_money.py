from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.result import Invalid
from handlers.rules import MAX_RUPIAH, parse_rupiah


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("2jt", 2_000_000),
        ("Rp 1,5 miliar", 1_500_000_000),
        ("500rb", 500_000),
        ("15.000.000", 15_000_000),
        ("2 juta", 2_000_000),
        ("Rp15.000.000,00", 15_000_000),
        ("Rp. 25.000,-", 25_000),
        ("15 000 000", 15_000_000),
        ("1jt 500rb", 1_500_000),
        ("2,5 M", 2_500_000_000),
        ("sekitar 2jt", 2_000_000),
        ("dua juta", 2_000_000),
        ("１５ｊｔ", 15_000_000),
        ("0", 0),
        ("Rp 0", 0),
        ("nol", 0),
        ("0 juta", 0),
        ("0jt", 0),
        ("1000 triliun", MAX_RUPIAH),
    ],
)
def test_examples(text: str, amount: int) -> None:
    assert parse_rupiah(text) == amount


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("belum tahu", "words"),
        ("-500rb", "negative"),
        ("Rp -2.000.000", "negative after Rp"),
        ("−5.000", "minus sign"),
        ("2-3 juta", "a range"),
        ("2jt - 3jt", "a range with units"),
        ("1 2", "two numbers"),
        ("100/200", "two numbers"),
        ("1,5", "sen"),
        ("Rp 1.500,50", "sen"),
        ("50%", "a percentage"),
        ("1jt500", "ambiguous"),
        ("USD 100", "another currency"),
        ("1e6", "scientific notation"),
        ("1" + "0" * 400 + " triliun", "overflows a float"),
    ],
)
def test_refused_as_format(text: str, why: str) -> None:
    assert parse_rupiah(text) == Invalid("money_format"), why


@pytest.mark.parametrize("text", ["1001 triliun", "1.000.000.000.000.001", "2000000000000000"])
def test_absurd_amounts_refused(text: str) -> None:
    assert parse_rupiah(text) == Invalid("money_too_large")


amounts = st.integers(min_value=0, max_value=MAX_RUPIAH)


def with_dots(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@given(amounts)
def test_plain_digits(n: int) -> None:
    assert parse_rupiah(str(n)) == n


@given(amounts)
def test_thousands_with_dots(n: int) -> None:
    assert parse_rupiah(with_dots(n)) == n
    assert parse_rupiah(f"Rp {with_dots(n)}") == n


@given(st.integers(min_value=0, max_value=MAX_RUPIAH // 10**6))
def test_juta(n: int) -> None:
    assert parse_rupiah(f"{n}jt") == n * 10**6
    assert parse_rupiah(f"{n} juta") == n * 10**6


@given(st.integers(min_value=0, max_value=MAX_RUPIAH // 10**3))
def test_ribu(n: int) -> None:
    assert parse_rupiah(f"{n} rb") == n * 10**3
    assert parse_rupiah(f"{n}rb") == n * 10**3


@given(st.integers(min_value=MAX_RUPIAH + 1, max_value=10**18))
def test_above_the_limit(n: int) -> None:
    assert parse_rupiah(str(n)) == Invalid("money_too_large")
    assert parse_rupiah(with_dots(n)) == Invalid("money_too_large")


@given(st.integers(min_value=1, max_value=10**12))
def test_negative_refused(n: int) -> None:
    assert parse_rupiah(f"-{n}") == Invalid("money_format")
    assert parse_rupiah(f"-{with_dots(n)}") == Invalid("money_format")


TOKENS = ["0", "1", "12", "500", "1.000", "1,5", "2.500.000", "jt", "juta", "rb", "ribu", "k", "m", "miliar"]
TOKENS += [
    "triliun",
    "sejuta",
    "setengah",
    "-an",
    "Rp",
    "nol",
    "dua",
    "ratus",
    "sekitar",
    "~",
    "-",
    ",",
    "%",
    "/",
]


@given(st.lists(st.sampled_from(TOKENS), max_size=8), st.sampled_from(["", " "]))
def test_any_mix_of_money_words_is_an_amount_in_range_or_refused(parts: list[str], gap: str) -> None:
    result = parse_rupiah(gap.join(parts))

    assert isinstance(result, Invalid) or (type(result) is int and 0 <= result <= MAX_RUPIAH)
