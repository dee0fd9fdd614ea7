"""The courier counter's side, by chat: `KURIR <code>` links a staff member to their courier
partner; "Tukar voucher" redeems a voucher the owner hands over.

    KURIR 7Q2K9XMP -> linked to the courier (a one-time code from `umkm-bot courier add`)
    menu -> Tukar voucher -> [code] -> valid? owner's first name + business
            -> [resi] -> [ongkir] -> (over the max? [owner pays the rest: ya/tidak])
            -> summary [Simpan] -> redeemed exactly once: a receipt line
"""

from __future__ import annotations

from typing import Any

from handlers.context import Context, forget_fact, known_not
from handlers.conversation import Conversation
from handlers.flow import MenuEntry, Shortcut
from handlers.forms import FormFlow
from handlers.forms.fields import Answers, Field, Form, Option
from handlers.result import Invalid
from handlers.rules import parse_rupiah
from handlers.types import Reply
from handlers.vouchers.programs import link_staff
from handlers.vouchers.redeeming import (
    Redeemed,
    Refused,
    check,
    clean_resi,
    counter_values,
    receipt_values,
    redeem,
)
from storage.models.vouchers import Courier

REDEEM = "voucher_redeem"
COURIER = "vouchers:courier"
# The `USER_FACTS` entry that says whether a look-up can find anything.
COURIER_STAFF = "courier_staff"


async def courier_of(ctx: Context) -> Courier | None:
    """The courier partner this chat user redeems for, looked up once per message."""

    async def look_up() -> Courier | None:
        if known_not(ctx, COURIER_STAFF):
            return None
        return await ctx.tx.couriers.staff_courier(ctx.user.id)

    found = await ctx.remember(COURIER, look_up)
    return found if isinstance(found, Courier) else None


async def _is_courier(ctx: Context) -> bool:
    return await courier_of(ctx) is not None


async def _link(ctx: Context, conv: Conversation, code: str) -> list[Reply]:
    courier = await link_staff(ctx.tx, code, user_id=ctx.user.id, actor=ctx.actor, now=ctx.now)
    ctx.memo.pop(COURIER, None)
    forget_fact(ctx, COURIER_STAFF)
    if courier is None:
        return [Reply("vouchers/courier_link_unknown"), *await ctx.nav.main_menu(ctx, conv)]
    return [Reply("vouchers/courier_linked", {"courier": courier.name}), *await ctx.nav.main_menu(ctx, conv)]


def _refusal(refused: Refused) -> Invalid:
    return Invalid("voucher_refused", refused.message_values)


async def _code(text: str, ctx: Context, answers: Answers) -> dict[str, Any] | Invalid:
    """A valid code, kept with its program's max ongkir (whether to ask who pays the rest)."""
    checked = await check(ctx.tx, text, courier=await courier_of(ctx), actor=ctx.actor, now=ctx.now)
    if isinstance(checked, Refused):
        return _refusal(checked)
    return {"code": checked.view.voucher.code, "max_ongkir": checked.view.program.max_ongkir}


def _code_of(answers: Answers) -> str:
    return str(answers["code"]["code"])


def _over_limit(answers: Answers) -> bool:
    code = answers.get("code") or {}
    return "ongkir" in answers and int(answers["ongkir"]) > int(code.get("max_ongkir", 0))


def _resi(text: str, ctx: Context, answers: Answers) -> str | Invalid:
    return clean_resi(text) or Invalid("resi_format")


async def _voucher_values(ctx: Context, answers: Answers) -> dict[str, Any]:
    view = await ctx.tx.vouchers.view(_code_of(answers))
    assert view is not None
    return counter_values(view)


async def _ongkir(text: str, ctx: Context, answers: Answers) -> int | Invalid:
    amount = parse_rupiah(text)
    if isinstance(amount, Invalid):
        return amount
    if amount < 1:
        return Invalid("money_format")
    return amount


def fields() -> list[Field]:
    return [
        Field("code", prompt="vouchers/ask_code", label="vouchers/label_code", parse=_code),
        Field(
            "resi",
            prompt="vouchers/ask_resi",
            label="vouchers/label_resi",
            parse=_resi,
            prompt_values=_voucher_values,
        ),
        Field("ongkir", prompt="vouchers/ask_ongkir", label="vouchers/label_ongkir", parse=_ongkir),
        Field(
            "owner_pays_rest",
            prompt="vouchers/ask_owner_pays_rest",
            label="vouchers/label_owner_pays_rest",
            options=[
                Option("yes", True, template="choices/yes"),
                Option("no", False, template="choices/no"),
            ],
            when=_over_limit,
            prompt_values=_voucher_values,
        ),
    ]


async def _summary_values(ctx: Context, answers: Answers) -> dict[str, Any]:
    return {
        **await _voucher_values(ctx, answers),
        "resi": answers.get("resi"),
        "ongkir": answers.get("ongkir"),
        "owner_pays_rest": bool(answers.get("owner_pays_rest")),
    }


async def _complete(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    if _over_limit(answers) and not answers.get("owner_pays_rest"):
        return [Reply("vouchers/not_redeemed")]
    outcome = await redeem(
        ctx.tx,
        _code_of(answers),
        resi=str(answers["resi"]),
        ongkir=int(answers["ongkir"]),
        courier=await courier_of(ctx),
        actor=ctx.actor,
        now=ctx.now,
        owner_pays_rest=bool(answers.get("owner_pays_rest")),
    )
    if isinstance(outcome, Redeemed):
        return [Reply("vouchers/receipt", receipt_values(outcome.view.voucher))]
    return [Reply("vouchers/redeem_refused", outcome.message_values)]


def redeem_form() -> Form:
    return Form(
        name=REDEEM,
        fields=fields(),
        summary="vouchers/redeem_summary",
        summary_values=_summary_values,
        on_complete=_complete,
    )


def redeem_flow() -> FormFlow:
    return FormFlow(redeem_form())


async def _redeem(ctx: Context, conv: Conversation) -> list[Reply]:
    conv.drafts.pop(REDEEM, None)  # every redemption starts from an empty form
    return await ctx.nav.start_flow(ctx, conv, REDEEM)


REDEEM_ENTRY = MenuEntry("redeem", "vouchers/menu_redeem", _redeem, _is_courier)
# A counter's staff member links with "KURIR <one-time code>" (courier add prints the code).
LINK_SHORTCUT = Shortcut("courier_link", _link, words=("kurir",), argument=r"[a-z0-9 -]{4,20}")
