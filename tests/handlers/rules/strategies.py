"""Hypothesis strategies and fixed data shared by the rule tests."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from handlers.rules import lokal_adapter

TODAY = date(2025, 6, 1)
"""A fixed "today" so that birth dates and years do not depend on when the tests run."""

PROVINCE_CODES = [code for code, _ in lokal_adapter.child_regions("")]
REGENCY_CODES = [r for p in PROVINCE_CODES for r, _ in lokal_adapter.child_regions(p)]
DISTRICT_CODES = [d for r in REGENCY_CODES for d, _ in lokal_adapter.child_regions(r)]

# Birth dates a NIK read on TODAY decodes to: the two-digit year covers one century ending today.
birth_dates = st.dates(min_value=date(TODAY.year - 99, 1, 1), max_value=TODAY)
sexes = st.sampled_from(["L", "P"])
serials = st.integers(min_value=1, max_value=9999).map(lambda n: f"{n:04d}")


def nik_digits(district_code: str, born: date, sex: str, serial: str) -> str:
    """The 16 digits of a NIK, built the way Dukcapil builds them."""
    day = born.day + (40 if sex == "P" else 0)
    return f"{district_code.replace('.', '')}{day:02d}{born.month:02d}{born.year % 100:02d}{serial}"


@st.composite
def valid_niks(draw: st.DrawFn) -> tuple[str, str, date, str]:
    """(nik, district_code, birth_date, sex) for a real Kemendagri district."""
    district = draw(st.sampled_from(DISTRICT_CODES))
    born = draw(birth_dates)
    sex = draw(sexes)
    return nik_digits(district, born, sex, draw(serials)), district, born, sex


def to_fullwidth(text: str) -> str:
    """ASCII digits as fullwidth digits (０-９), as some phone keyboards type them."""
    return text.translate({ord(str(d)): chr(0xFF10 + d) for d in range(10)})


# Prefixes operators actually use (Telkomsel, Indosat, Tri, XL, Axis, Smartfren).
MOBILE_PREFIXES = [
    "811", "812", "813", "821", "822", "823", "851", "852", "853",
    "814", "815", "816", "855", "856", "857", "858",
    "895", "896", "897", "898", "899",
    "817", "818", "819", "859", "877", "878",
    "831", "832", "833", "838",
    "881", "882", "883", "884", "885", "886", "887", "888", "889",
]  # fmt: skip


@st.composite
def mobile_numbers(draw: st.DrawFn) -> str:
    """A national significant number without the leading 0: "81234567890" (9 to 12 digits)."""
    prefix = draw(st.sampled_from(MOBILE_PREFIXES))
    rest = draw(st.text(alphabet="0123456789", min_size=6, max_size=9))
    return prefix + rest


AREA_CODES = ["21", "22", "24", "31", "61", "251", "274", "361", "411", "511", "541", "711", "778"]


@st.composite
def landline_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(area code, subscriber number) of a fixed line: ("21", "5551234")."""
    area = draw(st.sampled_from(AREA_CODES))
    first = draw(st.sampled_from("2345789"))
    rest = draw(st.text(alphabet="0123456789", min_size=4, max_size=9 - len(area)))
    return area, first + rest
