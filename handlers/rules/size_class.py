"""Business size class (skala usaha) under PP No. 7/2021, Pasal 35.

Thresholds, each "up to and including":

========  ==========================  =================================
class     capital (modal usaha)       annual sales (hasil penjualan)
========  ==========================  =================================
micro     Rp1 billion (miliar)        Rp2 billion
small     Rp5 billion                 Rp15 billion
medium    Rp10 billion                Rp50 billion
large     above                       above
========  ==========================  =================================

Capital excludes land and buildings (tanah dan bangunan tempat usaha).
"""

from __future__ import annotations

from typing import Literal

SizeClass = Literal["micro", "small", "medium", "large"]
"""usaha mikro, usaha kecil, usaha menengah, usaha besar."""

_ORDER: tuple[SizeClass, ...] = ("micro", "small", "medium", "large")
_BILLION = 10**9
_CAPITAL_LIMITS = (1 * _BILLION, 5 * _BILLION, 10 * _BILLION)
_SALES_LIMITS = (2 * _BILLION, 15 * _BILLION, 50 * _BILLION)


def size_class(capital: int, sales: int) -> SizeClass:
    """Classify a business by its capital and its annual sales, both in whole Rupiah.

    PP 7/2021 names two criteria: modal usaha, used when a business is founded or registered, and hasil
    penjualan tahunan, used for support programmes for running businesses. The bot asks for both, so it
    takes the *larger* of the class by capital and the class by sales: a business is never counted smaller
    than either figure shows. Rp100 million capital with Rp20 billion sales is therefore "medium".

    Raises ValueError for a negative figure (parsers never produce one).
    """
    if capital < 0 or sales < 0:
        raise ValueError("capital and sales must not be negative")
    return _ORDER[max(_rank(capital, _CAPITAL_LIMITS), _rank(sales, _SALES_LIMITS))]


def _rank(amount: int, limits: tuple[int, int, int]) -> int:
    """Index into `_ORDER` of the first class whose limit `amount` does not exceed."""
    return next((i for i, limit in enumerate(limits) if amount <= limit), len(limits))
