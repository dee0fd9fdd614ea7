"""Jinja2 filters for Indonesian dates, times, numbers and Rupiah (Babel, locale `id`)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal as babel_decimal
from babel.numbers import format_percent as babel_percent

# Indonesia's three zones, by the IANA names the agencies use.
ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}

_DATE_FORMATS = {"id": "EEEE, d MMMM y", "en": "EEEE, d MMMM y"}
_SHORT_DATE_FORMATS = {"id": "d MMM y", "en": "d MMM y"}


def zone_abbreviation(zone: ZoneInfo) -> str:
    return ZONE_ABBREVIATIONS.get(zone.key, zone.key)


def _local(value: date | datetime, zone: ZoneInfo) -> date | datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a template; store and pass times in UTC")
        return value.astimezone(zone)
    return value


def format_long_date(value: date | datetime, locale: str, zone: ZoneInfo) -> str:
    """17 Jan 2024 -> "Rabu, 17 Januari 2024" (id) or "Wednesday, 17 January 2024" (en)."""
    local = _local(value, zone)
    day = local.date() if isinstance(local, datetime) else local
    return format_date(day, _DATE_FORMATS[locale], locale=locale)


def format_short_date(value: date | datetime, locale: str, zone: ZoneInfo) -> str:
    """17 Jan 2024 -> "17 Jan 2024"; Babel picks the month names per locale."""
    local = _local(value, zone)
    day = local.date() if isinstance(local, datetime) else local
    return format_date(day, _SHORT_DATE_FORMATS[locale], locale=locale)


def format_time(
    value: datetime, locale: str, zone: ZoneInfo, *, with_zone: bool = True, iso: bool = False
) -> str:
    """09:00 in Makassar -> "09.00 WITA" (id) or "09:00 WITA" (en); "09.00" without the zone (the
    start of a range that names it once); "09:00 WITA" in either language when `iso` (officers')."""
    local = _local(value, zone)
    assert isinstance(local, datetime)
    separator = "." if locale == "id" and not iso else ":"
    time = f"{local:%H}{separator}{local:%M}"
    return f"{time} {zone_abbreviation(zone)}" if with_zone else time


def format_iso(value: date | datetime, zone: ZoneInfo, *, with_zone: bool = True) -> str:
    """For officers' tables and logs: `2026-03-01`, or `2026-03-01 09:00 WITA` in the agency's zone
    (`2026-03-01 09:00` without it)."""
    if isinstance(value, datetime):
        local = value.astimezone(zone)
        return f"{local:%Y-%m-%d %H:%M} {zone_abbreviation(zone)}" if with_zone else f"{local:%Y-%m-%d %H:%M}"
    return value.isoformat()


def days_until(day: date, now: datetime, zone: ZoneInfo) -> int:
    """Whole days from today (in the agency's time zone) until `day`; 0 on the day itself."""
    return (day - now.astimezone(zone).date()).days


def format_rupiah(amount: int) -> str:
    """2100000 -> "Rp2.100.000" (no space, dot thousands), the same in both locales."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(int(amount)):,}".replace(",", ".")


def format_number(value: int, locale: str) -> str:
    """12459 -> "12.459" (id) or "12,459" (en)."""
    text = f"{int(value):,}"
    return text.replace(",", ".") if locale == "id" else text


def _fraction(digits: int) -> str:
    return "." + "0" * digits if digits > 0 else ""


def format_decimal(value: float, locale: str, digits: int = 1) -> str:
    """4.25 -> "4,2" (id) or "4.2" (en): `digits` after the decimal mark (rounded half to even),
    thousands grouped as `format_number` groups them."""
    return babel_decimal(value, format=f"#,##0{_fraction(digits)}", locale=locale)


def format_percent(share: float, locale: str, digits: int = 0) -> str:
    """A share of a whole: 0.243 -> "24%"; with `digits=1`, "24,3%" (id) or "24.3%" (en)."""
    return babel_percent(share, format=f"#,##0{_fraction(digits)}%", locale=locale)
