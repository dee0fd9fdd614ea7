"""The courier's scan page, `/v/CODE`: what a voucher's QR code opens on the counter's phone.

    GET  /v/ONG-7KQ4M-9XTRH   signed in as a courier (or an admin): is it valid here, now?
                              valid: the owner's first name and business, a form for resi and ongkir
                              refused: the reason (`vouchers/redeem_refused`, as the chat says it)
    POST /v/ONG-7KQ4M-9XTRH   redeem it, exactly once: a receipt, or why not

Both go through `redeeming.check` and `redeeming.redeem`, the functions the chat and the
command call. A courier account redeems for its courier partner (`courier_name`, resolved to
the `couriers` row): another partner's voucher is refused, and the guessing limit counts per
partner. An admin redeems as the program's own courier, as the command does without --courier.
The code in the URL is the voucher's, not personal data.
"""

from __future__ import annotations

from typing import Any

from handlers.pages import COURIERS, Html, Page, PageContext, SignedIn
from handlers.result import Invalid
from handlers.rules import parse_rupiah
from handlers.vouchers.redeeming import (
    Redeemed,
    RedeemRefusal,
    Refused,
    Valid,
    check,
    clean_resi,
    counter_values,
    receipt_values,
    redeem,
    refusal_text,
)
from storage.models.dashboard import COURIER
from storage.models.vouchers import Courier
from storage.repositories import Transaction

SCAN = "/v/{code}"
FIELDS = ("resi", "ongkir")


class NoPartner(LookupError):
    """A courier account whose courier partner is unknown or removed: it redeems nothing."""


async def counter_courier(tx: Transaction, officer: SignedIn) -> Courier | None:
    """The courier partner a signed-in account redeems for: a courier account's, by name;
    None for an admin (the program's own courier)."""
    if officer.role != COURIER:
        return None
    courier = await tx.couriers.by_name(officer.courier_name or "")
    if courier is None:
        raise NoPartner(officer.courier_name)
    return courier


def _page(ctx: PageContext, status: int = 200, **values: Any) -> Html:
    """The scan page in one of its states: no_partner, refused, valid (the form) or redeemed."""
    shown = {
        "state": "valid",
        "code": str(ctx.params["code"])[:40],
        "voucher": None,
        "refusal": None,
        "receipt": None,
        "form": dict.fromkeys(FIELDS, ""),
        "owner_pays_rest": False,
        "errors": [],
        **values,
    }
    return Html("vouchers/scan", shown, status=status)


def _refused(ctx: PageContext, refused: Refused) -> Html:
    return _page(ctx, state="refused", refusal=refusal_text(ctx, refused))


def _form(ctx: PageContext, checked: Valid, **values: Any) -> Html:
    return _page(ctx, voucher=counter_values(checked.view), **values)


async def scan_page(ctx: PageContext) -> Html:
    async with ctx.db.transaction() as tx:
        try:
            courier = await counter_courier(tx, ctx.officer)
        except NoPartner:
            return _page(ctx, 403, state="no_partner")
        checked = await check(tx, ctx.params["code"], courier=courier, actor=ctx.actor, now=ctx.now())
    if isinstance(checked, Refused):
        return _refused(ctx, checked)
    return _form(ctx, checked)


def _ongkir(text: str) -> int | None:
    amount = parse_rupiah(text)
    return None if isinstance(amount, Invalid) or amount < 1 else amount


async def redeem_page(ctx: PageContext) -> Html:
    """Redeem once. A bad resi or ongkir, or an ongkir above the program's max without the
    owner paying the rest, shows the form again with what was typed."""
    form = {name: ctx.form.get(name, "").strip() for name in FIELDS}
    owner_pays_rest = ctx.form.get("owner_pays_rest") == "1"
    resi, ongkir = clean_resi(form["resi"]), _ongkir(form["ongkir"])
    errors = [name for name, value in (("resi", resi), ("ongkir", ongkir)) if value is None]
    kept = {"form": form, "owner_pays_rest": owner_pays_rest}
    async with ctx.db.transaction() as tx:
        try:
            courier = await counter_courier(tx, ctx.officer)
        except NoPartner:
            return _page(ctx, 403, state="no_partner")
        code = ctx.params["code"]
        if resi is None or ongkir is None:
            checked = await check(tx, code, courier=courier, actor=ctx.actor, now=ctx.now())
            if isinstance(checked, Refused):
                return _refused(ctx, checked)
            return _form(ctx, checked, errors=errors, status=400, **kept)
        outcome = await redeem(
            tx,
            code,
            resi=resi,
            ongkir=ongkir,
            courier=courier,
            actor=ctx.actor,
            now=ctx.now(),
            owner_pays_rest=owner_pays_rest,
        )
        if isinstance(outcome, Redeemed):
            receipt = {**counter_values(outcome.view), **receipt_values(outcome.view.voucher)}
            return _page(ctx, state="redeemed", receipt=receipt)
        if outcome.reason is RedeemRefusal.OVER_MAX:
            checked = await check(tx, code, courier=courier, actor=ctx.actor, now=ctx.now())
            if isinstance(checked, Valid):
                return _form(ctx, checked, refusal=refusal_text(ctx, outcome), status=400, **kept)
            outcome = checked
    return _refused(ctx, outcome)


SCAN_PAGES = (
    Page(SCAN, scan_page, roles=COURIERS),
    Page(SCAN, redeem_page, methods=("POST",), roles=COURIERS),
)
