from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.rules import size_class

B = 10**9


@pytest.mark.parametrize(
    ("capital", "expected"),
    [(0, "micro"), (1 * B, "micro"), (1 * B + 1, "small"), (5 * B, "small"), (5 * B + 1, "medium"),
     (10 * B, "medium"), (10 * B + 1, "large")],
)  # fmt: skip
def test_capital_boundaries(capital: int, expected: str) -> None:
    assert size_class(capital, 0) == expected


@pytest.mark.parametrize(
    ("sales", "expected"),
    [(0, "micro"), (2 * B, "micro"), (2 * B + 1, "small"), (15 * B, "small"), (15 * B + 1, "medium"),
     (50 * B, "medium"), (50 * B + 1, "large")],
)  # fmt: skip
def test_sales_boundaries(sales: int, expected: str) -> None:
    assert size_class(0, sales) == expected


def test_larger_of_the_two_classes_wins() -> None:
    assert size_class(100 * 10**6, 20 * B) == "medium"
    assert size_class(6 * B, 500 * 10**6) == "medium"
    assert size_class(1 * B, 2 * B) == "micro"
    assert size_class(11 * B, 1) == "large"


ORDER = ["micro", "small", "medium", "large"]
money = st.integers(min_value=0, max_value=10**14)


@given(money, money, money)
def test_more_sales_never_makes_a_business_smaller(capital: int, sales: int, more: int) -> None:
    assert ORDER.index(size_class(capital, sales + more)) >= ORDER.index(size_class(capital, sales))
    assert ORDER.index(size_class(capital + more, sales)) >= ORDER.index(size_class(capital, sales))


@given(money, money)
def test_class_is_at_least_each_criterion(capital: int, sales: int) -> None:
    both = ORDER.index(size_class(capital, sales))

    assert both == max(ORDER.index(size_class(capital, 0)), ORDER.index(size_class(0, sales)))


def test_negative_figures_are_a_programming_error() -> None:
    with pytest.raises(ValueError):
        size_class(-1, 0)
    with pytest.raises(ValueError):
        size_class(0, -1)
