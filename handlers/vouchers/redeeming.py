"""Redeeming a voucher at the courier's counter, exactly once, whoever asks (chat, scan page, CLI).

The decision is one conditional UPDATE (storage/repositories/vouchers.py `redeem`); when it
updates nothing, the voucher is read to say why. Every refusal is logged as an attempt;
a courier whose counter typed more than 10 unknown or mistyped codes in 10 minutes is
paused for 10 minutes: guessing is not a strategy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from handlers.capability import OutboxKind
from handlers.officer import StaffContext
from handlers.outbox import queue_audience
from handlers.types import Reply
from handlers.vouchers import codes
from handlers.vouchers.states import VoucherState, voucher_state
from messages import to_plain
from storage.models.vouchers import Courier, Voucher
from storage.repositories import Transaction
from storage.repositories.audience import of_owner
from storage.repositories.vouchers import Redemption, VoucherView

GUESS_WINDOW = timedelta(minutes=10)
_RESI = re.compile(r"[A-Z0-9-]{6,40}")
GUESS_LIMIT = 10

#: The owner is told their voucher was used: right after the counter redeemed it.
REDEEMED = OutboxKind(
    "voucher.redeemed",
    quiet_hours=False,
    whatsapp_template="announcement",
    messages=("vouchers/used_notice",),
)


class RedeemRefusal(StrEnum):
    MALFORMED = "malformed"  # not the length of a code
    MISTYPED = "mistyped"  # a look-alike character or a failed check character
    UNKNOWN = "unknown"
    REDEEMED = "redeemed"  # already used: when and resi
    EXPIRED = "expired"
    VOIDED = "voided"
    CLOSED = "closed"  # the program is over
    OVER_MAX = "over_max"  # ongkir above the program's max (allowed when the owner pays the rest)
    WRONG_COURIER = "wrong_courier"
    GUESSING = "guessing"  # this courier is paused for typing too many unknown codes


#: Refusals that count towards the guessing limit.
GUESSES = (RedeemRefusal.UNKNOWN, RedeemRefusal.MISTYPED)


@dataclass(frozen=True, slots=True)
class Refused:
    reason: RedeemRefusal
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def message_values(self) -> dict[str, Any]:
        """The values of the reason's message, `vouchers/redeem_refused`."""
        return {"reason": str(self.reason), **self.values}


@dataclass(frozen=True, slots=True)
class Valid:
    """A code that can be redeemed now (at the time it was checked)."""

    view: VoucherView


@dataclass(frozen=True, slots=True)
class Redeemed:
    view: VoucherView


def clean_resi(text: str) -> str | None:
    """The parcel's receipt number as the counter types it (chat, scan page): 6-40 letters,
    digits or dashes, spaces dropped, in capitals; None when it is not one."""
    cleaned = "".join(text.upper().split())
    return cleaned if _RESI.fullmatch(cleaned) else None


def first_name(full_name: str | None) -> str:
    """What the counter may see of the owner: the first name only."""
    return (full_name or "").split(" ", 1)[0]


def counter_values(view: VoucherView) -> dict[str, Any]:
    """What the courier's counter sees of a valid voucher: the owner's first name and the
    business, the program and what it pays at most; nothing else about the owner."""
    owner, business = view.owner, view.business
    return {
        "code": codes.display(view.voucher.code),
        "first_name": first_name(owner.full_name if owner else None),
        "business": business.name if business and business.name else "-",
        "program": view.program.name,
        "max_ongkir": view.program.max_ongkir,
    }


def receipt_values(voucher: Voucher) -> dict[str, Any]:
    """The receipt of a redeemed voucher (`vouchers/receipt`)."""
    return {
        "code": codes.display(voucher.code),
        "resi": voucher.resi,
        "ongkir": voucher.ongkir,
        "paid": voucher.paid,
    }


def refusal_text(ctx: StaffContext, refused: Refused) -> str:
    """Why not, in one plain line of the officer's language (the command's error, the scan page)."""
    text = ctx.renderer.render("vouchers/redeem_refused", ctx.locale, refused.message_values)
    return " ".join(to_plain(text).split())


async def _guessing(tx: Transaction, courier: Courier | None, now: datetime) -> Refused | None:
    if courier is None:
        return None
    guesses, last = await tx.couriers.guesses_since(courier.id, [str(r) for r in GUESSES], now - GUESS_WINDOW)
    if guesses <= GUESS_LIMIT or last is None:
        return None
    return Refused(RedeemRefusal.GUESSING, {"until": last + GUESS_WINDOW})


def _why_not(view: VoucherView, courier: Courier | None, ongkir: int | None, now: datetime) -> Refused | None:
    """Why this voucher cannot be redeemed now, or None when it can."""
    voucher, program = view.voucher, view.program
    state = voucher_state(voucher, program, now)  # as the owner's Voucher saya tells it
    if state is VoucherState.REDEEMED:
        return Refused(RedeemRefusal.REDEEMED, {"at": voucher.redeemed_at, "resi": voucher.resi or ""})
    if state is VoucherState.VOIDED:
        return Refused(RedeemRefusal.VOIDED, {"void_reason": voucher.void_reason or ""})
    if state is VoucherState.ENDED:
        return Refused(RedeemRefusal.CLOSED, {"program": program.name})
    if state is VoucherState.EXPIRED:
        return Refused(RedeemRefusal.EXPIRED, {"at": voucher.expires_at - timedelta(seconds=1)})
    if courier is not None and program.courier_id != courier.id:
        return Refused(RedeemRefusal.WRONG_COURIER, {"program": program.name})
    if ongkir is not None and ongkir > program.max_ongkir:
        return Refused(RedeemRefusal.OVER_MAX, {"max_ongkir": program.max_ongkir, "ongkir": ongkir})
    return None


async def _refuse(
    tx: Transaction, refused: Refused, courier: Courier | None, actor: str, now: datetime
) -> Refused:
    await tx.couriers.record_attempt(courier.id if courier else None, actor, str(refused.reason), now)
    return refused


async def check(
    tx: Transaction, text: str, *, courier: Courier | None, actor: str, now: datetime
) -> Valid | Refused:
    """What the counter sees before entering the resi: is this code valid here, now?"""
    blocked = await _guessing(tx, courier, now)
    if blocked is not None:
        return await _refuse(tx, blocked, courier, actor, now)
    typed = codes.read_code(text)
    if not typed.ok:
        reason = RedeemRefusal.MISTYPED if typed.mistyped else RedeemRefusal.MALFORMED
        return await _refuse(tx, Refused(reason), courier, actor, now)
    view = await tx.vouchers.view(typed.code)
    if view is None:
        return await _refuse(tx, Refused(RedeemRefusal.UNKNOWN), courier, actor, now)
    refused = _why_not(view, courier, None, now)
    if refused is not None:
        return await _refuse(tx, refused, courier, actor, now)
    return Valid(view)


async def redeem(
    tx: Transaction,
    text: str,
    *,
    resi: str,
    ongkir: int,
    courier: Courier | None,
    actor: str,
    now: datetime,
    owner_pays_rest: bool = False,
) -> Redeemed | Refused:
    """Redeem the code once. `courier` None: the program's own courier (the CLI without
    --courier). Above the program's max ongkir it is refused unless `owner_pays_rest`: the
    agency then pays the max and the owner the difference. Audited; the owner is told."""
    checked = await check(tx, text, courier=courier, actor=actor, now=now)
    if isinstance(checked, Refused):
        return checked
    code = checked.view.voucher.code
    redeemed_id = await tx.vouchers.redeem(
        Redemption(
            code=code,
            resi=resi,
            ongkir=ongkir,
            actor=actor,
            courier_id=courier.id if courier else None,
            allow_over_max=owner_pays_rest,
        ),
        now,
    )
    view = await tx.vouchers.view(code)
    assert view is not None
    if redeemed_id is None:
        refused = _why_not(view, courier, None if owner_pays_rest else ongkir, now) or Refused(
            RedeemRefusal.REDEEMED, {"at": view.voucher.redeemed_at, "resi": view.voucher.resi or ""}
        )
        return await _refuse(tx, refused, courier, actor, now)
    await tx.audit.record(
        actor=actor,
        action="voucher.redeemed",
        subject=f"voucher:{redeemed_id}",
        details={
            "resi": resi,
            "ongkir": ongkir,
            "paid": view.voucher.paid,
            "courier": view.voucher.courier_id,
        },
    )
    if view.owner is not None:
        notice = Reply(
            "vouchers/used_notice",
            {
                "code": codes.display(code),
                "resi": resi,
                "at": now,
                "paid": view.voucher.paid or 0,
                "ongkir": ongkir,
            },
        )
        await queue_audience(
            tx,
            REDEEMED,
            notice,
            of_owner(view.owner.id),
            key_prefix=f"voucher:{redeemed_id}:redeemed:user:",
            due_at=now,
            now=now,
        )
    return Redeemed(view)
