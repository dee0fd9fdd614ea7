"""The owner's side: "Voucher gratis ongkir" (ask for one) and "Voucher saya" (see, show the QR again).

menu -> Voucher gratis ongkir --not registered--> "register first" [Daftar usaha]
                              --one program-----> request -> issued: code + QR | refused: why + next step
                              --several---------> [pick a program] -> request
        refused "data not current" -> [Perbarui data sekarang] -> update form -> back to the voucher
menu -> Voucher saya -> active / used / no longer usable (why), [QR ONG-…] of an active one -> the QR again
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from handlers.context import Context
from handlers.conversation import Answer, Conversation
from handlers.flow import MenuEntry, OneStepFlow, always
from handlers.registration import service as registration
from handlers.registration.flows import REGISTER_ENTRY
from handlers.router import MENU_PREFIX
from handlers.types import Choice, Reply
from handlers.update_round.flow import FLOW as UPDATE_FLOW
from handlers.vouchers import codes
from handlers.vouchers.issuing import Issued, Refusal, request_voucher, valid_until
from handlers.vouchers.qr import qr_image
from handlers.vouchers.states import VoucherState, voucher_state
from storage.models.vouchers import ProgramStatus, Voucher, VoucherProgram

VOUCHER, PICK, UPDATE_FIRST, MINE = "voucher", "voucher_pick", "voucher_update_first", "my_vouchers"
PROGRAM_PREFIX, SHOW_PREFIX = "vp:", "vq:"
UPDATE_NOW = "v:update"
# Voucher saya lists at most this many of each kind (newest first).
LISTED = 5
# Its group in *Voucher saya*; voided, ended and expired vouchers are listed as no longer usable.
_GROUPS = {VoucherState.ACTIVE: "active", VoucherState.REDEEMED: "used"}


def issued_reply(ctx: Context, voucher: Voucher, program: VoucherProgram, courier: str) -> Reply:
    values = {
        "code": codes.display(voucher.code),
        "program": program.name,
        "courier": courier,
        "max_ongkir": program.max_ongkir,
        "until": valid_until(voucher, ctx.agency.time_zone),
    }
    return Reply("vouchers/issued", values, image=qr_image(ctx.config.public_url, voucher.code))


async def _request(ctx: Context, conv: Conversation, program: VoucherProgram) -> list[Reply]:
    found = await ctx.tx.owners.of_user(ctx.user.id)
    if found is None:
        return await _register_first(ctx, conv)
    owner, business = found
    outcome = await request_voucher(
        ctx.tx, program, owner, business, actor=ctx.actor, now=ctx.now, zone=ctx.agency.time_zone
    )
    if isinstance(outcome, Issued):
        courier = await ctx.tx.couriers.get(program.courier_id)
        reply = issued_reply(ctx, outcome.voucher, program, courier.name if courier else "")
        return [reply, *await ctx.nav.main_menu(ctx, conv)]
    values = {"reason": str(outcome.reason), **outcome.values}
    if outcome.reason is Refusal.NOT_CURRENT:
        conv.enter(UPDATE_FIRST, "ask")
        return [Reply("vouchers/refused", values, choices=_update_choices())]
    return [Reply("vouchers/refused", values), *await ctx.nav.main_menu(ctx, conv)]


def _update_choices() -> list[Choice]:
    return [
        Choice(UPDATE_NOW, template="vouchers/choice_update_now"),
        Choice("g:menu", template="choices/cancel"),
    ]


async def _register_first(ctx: Context, conv: Conversation) -> list[Reply]:
    choices = [Choice(f"{MENU_PREFIX}{REGISTER_ENTRY.id}", template=REGISTER_ENTRY.template)]
    return [Reply("vouchers/register_first", choices=choices)]


async def _offered_programs(ctx: Context) -> list[VoucherProgram]:
    return await ctx.tx.vouchers.programs([ProgramStatus.OPEN, ProgramStatus.PAUSED])


async def _voucher(ctx: Context, conv: Conversation) -> list[Reply]:
    if not await registration.is_registered(ctx):
        return await _register_first(ctx, conv)
    programs = await _offered_programs(ctx)
    if not programs:
        return [Reply("vouchers/none_open"), *await ctx.nav.main_menu(ctx, conv)]
    if len(programs) == 1:
        return await _request(ctx, conv, programs[0])
    return await ctx.nav.start_flow(ctx, conv, PICK)


class PickProgramFlow(OneStepFlow):
    """Several programs run at once: which one?"""

    name = PICK

    async def reprompt(self, ctx: Context, conv: Conversation) -> list[Reply]:
        programs = await _offered_programs(ctx)
        choices = [Choice(f"{PROGRAM_PREFIX}{p.id}", label=p.name) for p in programs]
        return [Reply("vouchers/pick", choices=choices)]

    async def handle(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        chosen = (answer.choice_id or "").removeprefix(PROGRAM_PREFIX)
        program = await ctx.tx.vouchers.program(int(chosen)) if chosen.isdigit() else None
        if program is None or program.status is ProgramStatus.CLOSED:
            return [Reply("errors/choose_option"), *await self.reprompt(ctx, conv)]
        conv.finish()
        return await _request(ctx, conv, program)


class UpdateFirstFlow(OneStepFlow):
    """The program wants current data: update it now, then come back to the voucher."""

    name = UPDATE_FIRST

    async def reprompt(self, ctx: Context, conv: Conversation) -> list[Reply]:
        return [Reply("vouchers/update_first", choices=_update_choices())]

    async def handle(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        if answer.choice_id == UPDATE_NOW:
            return await ctx.nav.start_flow(ctx, conv, UPDATE_FLOW, after=VOUCHER)
        return [Reply("errors/choose_option"), *await self.reprompt(ctx, conv)]


def _shown(voucher: Voucher, program: VoucherProgram, state: VoucherState, zone: ZoneInfo) -> dict[str, Any]:
    """One line of *Voucher saya*: `state` says why a voucher that cannot be used any more
    cannot (used, voided with the officer's reason, its program ended, expired); `paused`, that
    an active one's program issues no new vouchers for now and this one still counts."""
    return {
        "code": codes.display(voucher.code),
        "program": program.name,
        "until": valid_until(voucher, zone),
        "used_at": voucher.redeemed_at,
        "resi": voucher.resi,
        "state": str(state),
        "void_reason": voucher.void_reason or "",
        "paused": program.status is ProgramStatus.PAUSED,
    }


class MyVouchersFlow(OneStepFlow):
    """Voucher saya: active, used and no longer usable vouchers; the QR of an active one again."""

    name = MINE

    async def reprompt(self, ctx: Context, conv: Conversation) -> list[Reply]:
        found = await ctx.tx.owners.of_user(ctx.user.id)
        rows = await ctx.tx.vouchers.of_owner(found[0].id) if found else []
        listed: dict[str, list[dict[str, Any]]] = {"active": [], "used": [], "expired": []}
        for voucher, program in rows:
            state = voucher_state(voucher, program, ctx.now)
            group = listed[_GROUPS.get(state, "expired")]
            if len(group) < LISTED:
                group.append(_shown(voucher, program, state, ctx.agency.time_zone))
        choices = [
            Choice(
                f"{SHOW_PREFIX}{item['code']}",
                template="vouchers/choice_show_qr",
                values={"code": item["code"]},
            )
            for item in listed["active"]
        ]
        return [
            Reply("vouchers/mine", listed, choices=[*choices, Choice("g:menu", template="choices/cancel")])
        ]

    async def handle(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        chosen = (answer.choice_id or "").removeprefix(SHOW_PREFIX)
        view = await ctx.tx.vouchers.view(codes.read_code(chosen).code) if chosen else None
        found = await ctx.tx.owners.of_user(ctx.user.id)
        if (
            view is None
            or found is None
            or view.voucher.owner_id != found[0].id
            or voucher_state(view.voucher, view.program, ctx.now) is not VoucherState.ACTIVE
        ):
            return [Reply("errors/choose_option"), *await self.reprompt(ctx, conv)]
        conv.finish()
        courier = await ctx.tx.couriers.get(view.program.courier_id)
        reply = issued_reply(ctx, view.voucher, view.program, courier.name if courier else "")
        return [reply, *await ctx.nav.main_menu(ctx, conv)]


async def _mine(ctx: Context, conv: Conversation) -> list[Reply]:
    return await ctx.nav.start_flow(ctx, conv, MINE)


async def _registered(ctx: Context) -> bool:
    return await registration.is_registered(ctx)


VOUCHER_ENTRY = MenuEntry(VOUCHER, "vouchers/menu", _voucher, always)
MY_VOUCHERS_ENTRY = MenuEntry("my_vouchers", "vouchers/menu_mine", _mine, _registered)
