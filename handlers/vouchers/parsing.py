"""A new program as an officer types it, read the same way by `umkm-bot voucher program add`
and by the dashboard's form: sizes in Indonesian or English, kecamatan by code or name,
rupiah as `Rp25.000` or `25rb`. Bad input raises `ProgramError` (a code that the command and the
dashboard's notice each put in the officer's words)."""

from __future__ import annotations

from handlers.agency import AgencyProfile
from handlers.registration.admin import UnknownDistrict, district_code
from handlers.result import Invalid
from handlers.rules import UnknownSizeClass, parse_rupiah, read_size_classes
from handlers.vouchers.programs import NewProgram, ProgramError
from storage.models.vouchers import Period

DEFAULT_MAX_ONGKIR = 25_000
DEFAULT_VALID_DAYS = 30
#: The most a program may ask for: far above any real program, far below what the database or
#: the calendar can hold (a voucher valid for 999999999 days has no expiry date).
MOST_QUOTA = 1_000_000
MOST_PER_OWNER = 1_000
MOST_VALID_DAYS = 366


def rupiah(text: str, *, flag: str) -> int:
    """More than Rp0, as `Rp25.000`, `25.000` or `25rb`."""
    amount = parse_rupiah(text)
    if isinstance(amount, Invalid) or amount < 1:
        raise ProgramError(
            "rupiah",
            f"{flag}: not an amount of rupiah like Rp25.000 or 25rb: {text!r}",
            field=flag.lstrip("-"),
        )
    return amount


def whole_number(text: str | int, *, flag: str, most: int) -> int:
    """At least 1 and at most `most` (a form's text, or the command line's int)."""
    try:
        number = text if isinstance(text, int) else int(text.strip())
    except ValueError:
        number = 0
    if number < 1:
        raise ProgramError("at_least_one", f"{flag} must be at least 1", field=flag.lstrip("-"))
    if number > most:
        raise ProgramError("at_most", f"{flag} must be at most {most}", field=flag.lstrip("-"), most=most)
    return number


def size_classes(text: str | None) -> list[str]:
    """`mikro,kecil` -> ["micro", "small"] (`handlers.rules.read_size_classes`); empty: every
    size class. `besar` is taken: a large business may register by chat."""
    try:
        return list(read_size_classes((text or "").split(",")))
    except UnknownSizeClass as exc:
        raise ProgramError("size_class", f"--size-class: {exc}", word=exc.word) from None


def districts(agency: AgencyProfile, text: str | None) -> list[str]:
    """`Landasan Ulin,63.72.03` -> kecamatan codes of the agency's area; empty: all of them."""
    try:
        return [district_code(agency, part) for part in (text or "").split(",") if part.strip()]
    except UnknownDistrict as exc:
        raise ProgramError(
            "kecamatan",
            f"--kecamatan: unknown kecamatan {exc.args[0]!r} in the agency's area",
            word=str(exc.args[0]),
        ) from None


def period(text: str) -> Period:
    try:
        return Period(text)
    except ValueError:
        raise ProgramError("period", f"--period: one of {', '.join(p.value for p in Period)}") from None


def new_program(
    agency: AgencyProfile,
    *,
    name: str,
    courier: str,
    quota: str | int,
    per_owner: str | int = 1,
    period_text: str = Period.MONTH.value,
    max_ongkir: str = str(DEFAULT_MAX_ONGKIR),
    valid_days: str | int = DEFAULT_VALID_DAYS,
    sizes: str | None = None,
    kecamatan: str | None = None,
    requires_current_data: bool = False,
) -> NewProgram:
    """The program an officer asked for, every field read and checked; `add_program` adds it."""
    return NewProgram(
        name=name,
        courier=courier,
        quota=whole_number(quota, flag="--quota", most=MOST_QUOTA),
        per_owner=whole_number(per_owner, flag="--per-owner", most=MOST_PER_OWNER),
        period=period(period_text),
        max_ongkir=rupiah(max_ongkir, flag="--max-ongkir"),
        valid_days=whole_number(valid_days, flag="--valid-days", most=MOST_VALID_DAYS),
        size_classes=size_classes(sizes),
        districts=districts(agency, kecamatan),
        requires_current_data=requires_current_data,
    )
