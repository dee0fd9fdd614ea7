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

from collections.abc import Iterable, Mapping
from typing import Literal

SizeClass = Literal["micro", "small", "medium", "large"]
"""usaha mikro, usaha kecil, usaha menengah, usaha besar."""

_ORDER: tuple[SizeClass, ...] = ("micro", "small", "medium", "large")
SIZE_CLASSES = _ORDER
"""Every size class, smallest first, as stored. `large` included: a large business may still
register by chat (it is told the agency's programs are meant for UMKM, and goes on), so a
filter, a training's or a voucher program's target may name it; only imports refuse one."""

SIZE_WORDS: Mapping[str, SizeClass] = {
    "mikro": "micro",
    "kecil": "small",
    "menengah": "medium",
    "besar": "large",
    **{code: code for code in _ORDER},
}
"""The words an officer may type for a size class (Indonesian first, or the stored English
code), to the stored code: what every command and dashboard form reads."""


class UnknownSizeClass(ValueError):
    """A word that names no size class; `word` is it, as typed."""

    def __init__(self, word: str) -> None:
        super().__init__(f"unknown size class {word!r} (mikro, kecil, menengah, besar)")
        self.word = word


def read_size_class(word: str) -> SizeClass:
    """`mikro`, `Kecil`, `medium`, ... -> the stored code; anything else raises `UnknownSizeClass`."""
    code = SIZE_WORDS.get(word.strip().casefold())
    if code is None:
        raise UnknownSizeClass(word.strip())
    return code


def read_size_classes(words: Iterable[str]) -> list[SizeClass]:
    """Each of `words` read by `read_size_class` (the first unknown one raises), blanks skipped,
    in the order typed without repeats."""
    codes: list[SizeClass] = []
    for word in words:
        if word.strip() and (code := read_size_class(word)) not in codes:
            codes.append(code)
    return codes


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
