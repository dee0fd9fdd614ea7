"""The registration form (pendaftaran usaha), declared as data: see README.md beside it for the diagram.

Fields are asked in this order; each prompt is a template under `messages/templates/*/registration/`
with an example. The NIK is kept in the conversation state as ciphertext only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from handlers.context import Context
from handlers.forms import Field, Form, Option
from handlers.forms.fields import Parser
from handlers.registration import details
from handlers.registration.details import DECLINED, NO_NIB
from handlers.result import Invalid
from handlers.rules import (
    display_phone,
    districts_of,
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
    region_name,
    size_class,
    villages_of,
)

Answers = Mapping[str, Any]


def _today(ctx: Context) -> Any:
    return ctx.now.astimezone(ctx.agency.time_zone).date()


# Parsers ----------------------------------------------------------------


def _full_name(text: str, ctx: Context, answers: Answers) -> str | Invalid:
    return parse_full_name(text)


NikTaken = Callable[[Context, str], Awaitable[Invalid]]


async def registered_already(ctx: Context, nik_index: str) -> Invalid:
    """Someone else's NIK: check it, or call the agency."""
    return Invalid("nik_registered")


def nik_parser(taken: NikTaken = registered_already) -> Parser:
    """A valid NIK not registered by anyone else, stored as ciphertext; `taken` answers one that
    is registered (given its blind index)."""

    async def parse(text: str, ctx: Context, answers: Answers) -> str | Invalid:
        info = parse_nik(text, today=_today(ctx))
        if isinstance(info, Invalid):
            return info
        own = await ctx.tx.owners.of_user(ctx.user.id)
        index = ctx.tx.cipher.blind_index(info.nik)
        if await ctx.tx.owners.nik_taken(index, except_owner=own[0].id if own else None):
            return await taken(ctx, index)
        return ctx.tx.cipher.encrypt(info.nik)

    return parse


def _phone(text: str, ctx: Context, answers: Answers) -> str | Invalid:
    return parse_mobile(text)


def _business_name(text: str, ctx: Context, answers: Answers) -> str | Invalid:
    return parse_business_name(text)


def _kbli(text: str, ctx: Context, answers: Answers) -> str | Invalid:
    return parse_kbli(text)


def _street(text: str, ctx: Context, answers: Answers) -> str | Invalid:
    return parse_street_address(text)


def _year(text: str, ctx: Context, answers: Answers) -> int | Invalid:
    return parse_year_started(text, today=_today(ctx))


def _workers(text: str, ctx: Context, answers: Answers) -> int | Invalid:
    return parse_workers(text)


def _money(text: str, ctx: Context, answers: Answers) -> int | Invalid:
    return parse_rupiah(text)


def _nib(text: str, ctx: Context, answers: Answers) -> str | Invalid:
    return parse_nib(text)


# Options ----------------------------------------------------------------


def _consent_options(ctx: Context, answers: Answers) -> list[Option]:
    # Agreeing stores the moment of agreeing (UTC, ISO 8601).
    return [
        Option("yes", ctx.now.isoformat(), template="registration/choice_agree"),
        Option("no", DECLINED, template="registration/choice_disagree"),
    ]


NIK_CONFIRM_OPTIONS = [
    Option("ok", True, template="registration/choice_nik_ok"),
    Option("retry", False, template="registration/choice_nik_retry", clears=("nik",)),
]


def own_phone(ctx: Context) -> str | None:
    """The number the platform vouches for (the WhatsApp sender, or a shared contact), if mobile."""
    if not ctx.identity.phone:
        return None
    parsed = parse_mobile(ctx.identity.phone)
    return None if isinstance(parsed, Invalid) else parsed


def _phone_options(ctx: Context, answers: Answers) -> list[Option]:
    phone = own_phone(ctx)
    if phone is None:
        return []
    values = {"phone": display_phone(phone)}
    return [Option("own", phone, template="registration/choice_own_phone", values=values)]


def _phone_values(ctx: Context, answers: Answers) -> dict[str, Any]:
    return {"has_own": own_phone(ctx) is not None}


def _sector_options(ctx: Context, answers: Answers) -> list[Option]:
    return [Option(s.id, s.id, label=s.name(ctx.locale)) for s in ctx.agency.sectors]


def _district_options(ctx: Context, answers: Answers) -> list[Option]:
    return [
        Option(region.code.replace(".", ""), region.code, label=region.name)
        for regency in ctx.agency.regency_codes
        for region in districts_of(regency)
    ]


def _village_options(ctx: Context, answers: Answers) -> list[Option]:
    return [
        Option(region.code.replace(".", ""), region.code, label=region.name)
        for region in villages_of(str(answers["district"]))
    ]


def _village_values(ctx: Context, answers: Answers) -> dict[str, Any]:
    return {"district_name": region_name(str(answers["district"])) or answers["district"]}


def _nik_values(ctx: Context, answers: Answers) -> dict[str, Any]:
    info = parse_nik(ctx.tx.cipher.decrypt(str(answers["nik"])), today=_today(ctx))
    if isinstance(info, Invalid):  # cannot happen: only parsed NIKs are stored
        raise ValueError("stored NIK no longer parses")
    return {
        "nik_masked": details.masked(info.nik),
        "province": info.province_name,
        "regency": info.regency_name,
        "district": info.district_name,
        "region_unknown": info.region_unknown,
        "birth_date": info.birth_date,
        "sex": info.sex,
    }


def is_large(answers: Answers) -> bool:
    if "annual_sales" not in answers or "capital" not in answers:
        return False
    return size_class(int(answers["capital"]), int(answers["annual_sales"])) == "large"


def _large_values(ctx: Context, answers: Answers) -> dict[str, Any]:
    return {"size_class": size_class(int(answers["capital"]), int(answers["annual_sales"]))}


LARGE_OPTIONS = [Option("ok", True, template="choices/continue")]
NIB_OPTIONS = [Option("none", NO_NIB, template="registration/choice_no_nib")]
YES_NO = [Option("yes", True, template="choices/yes"), Option("no", False, template="choices/no")]


def _summary_values(ctx: Context, answers: Answers) -> dict[str, Any]:
    return details.display(ctx, answers)


def fields() -> list[Field]:
    """The questions, in the order the issue gives them."""
    return [
        Field(
            "consent",
            prompt="registration/consent",
            label="registration/label_consent",
            options=_consent_options,
            prompt_values=lambda ctx, a: {"version": details.NOTICE_VERSION, "confirming": False},
            editable=False,
        ),
        Field(
            "full_name",
            prompt="registration/ask_full_name",
            label="registration/label_full_name",
            parse=_full_name,
        ),
        Field(
            "nik",
            prompt="registration/ask_nik",
            label="registration/label_nik",
            parse=nik_parser(),
            clears=("nik_confirm",),
        ),
        Field(
            "nik_confirm",
            prompt="registration/ask_nik_confirm",
            label="registration/label_nik",
            options=NIK_CONFIRM_OPTIONS,
            prompt_values=_nik_values,
            when=lambda a: "nik" in a,
            editable=False,
        ),
        Field(
            "phone",
            prompt="registration/ask_phone",
            label="registration/label_phone",
            parse=_phone,
            options=_phone_options,
            prompt_values=_phone_values,
            request_phone=True,
        ),
        Field(
            "business_name",
            prompt="registration/ask_business_name",
            label="registration/label_business_name",
            parse=_business_name,
        ),
        Field(
            "sector",
            prompt="registration/ask_sector",
            label="registration/label_sector",
            options=_sector_options,
        ),
        Field(
            "kbli",
            prompt="registration/ask_kbli",
            label="registration/label_kbli",
            parse=_kbli,
            optional=True,
        ),
        Field(
            "district",
            prompt="registration/ask_district",
            label="registration/label_district",
            options=_district_options,
            clears=("village",),
        ),
        Field(
            "village",
            prompt="registration/ask_village",
            label="registration/label_village",
            options=_village_options,
            prompt_values=_village_values,
        ),
        Field("street", prompt="registration/ask_street", label="registration/label_street", parse=_street),
        Field(
            "year_started",
            prompt="registration/ask_year_started",
            label="registration/label_year_started",
            parse=_year,
        ),
        Field(
            "workers", prompt="registration/ask_workers", label="registration/label_workers", parse=_workers
        ),
        Field(
            "annual_sales",
            prompt="registration/ask_annual_sales",
            label="registration/label_annual_sales",
            parse=_money,
            clears=("large_ack",),
        ),
        Field(
            "capital",
            prompt="registration/ask_capital",
            label="registration/label_capital",
            parse=_money,
            clears=("large_ack",),
        ),
        Field(
            "large_ack",
            prompt="registration/ask_large_ack",
            label="registration/label_capital",
            options=LARGE_OPTIONS,
            prompt_values=_large_values,
            when=is_large,
            editable=False,
        ),
        Field(
            "nib",
            prompt="registration/ask_nib",
            label="registration/label_nib",
            parse=_nib,
            options=NIB_OPTIONS,
            clears=("nib_help",),
        ),
        Field(
            "nib_help",
            prompt="registration/ask_nib_help",
            label="registration/label_nib_help",
            options=YES_NO,
            when=lambda a: a.get("nib") == NO_NIB,
        ),
    ]


def registration_form(name: str, on_complete: Any) -> Form:
    return Form(
        name=name,
        fields=fields(),
        summary="registration/summary",
        summary_values=_summary_values,
        on_complete=on_complete,
        shows_current=True,
    )
