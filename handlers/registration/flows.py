"""The registration flows and menu entries: Daftar usaha, Data saya, Ubah data, Hapus data."""

from __future__ import annotations

from typing import Any

from handlers.context import Context
from handlers.conversation import Answer, Conversation
from handlers.flow import MenuEntry, OneStepFlow
from handlers.forms import FormFlow
from handlers.forms.engine import OPTION_PREFIX
from handlers.registration import details, service
from handlers.registration.confirm import (
    CLAIM_ENTRY,
    CONFIRM,
    CONFIRM_ENTRY,
    TO_RECORD,
    ClaimFlow,
    ConfirmFlow,
    pointing_to_record,
)
from handlers.registration.details import DECLINED
from handlers.registration.form import registration_form
from handlers.types import Choice, Reply

REGISTER, EDIT, ERASE = "registration", "registration_edit", "registration_erase"
ERASE_YES, ERASE_NO = "erase:yes", "erase:no"


class RegistrationFlow(FormFlow):
    """The form engine, plus two rules: declining the data notice ends the form and keeps nothing;
    "Periksa data dari Dinas" at the NIK question (`pointing_to_record`) leaves it, kept as a
    draft, for the confirmation of the record."""

    async def handle(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        if conv.step == "nik" and answer.choice_id == f"{OPTION_PREFIX}{TO_RECORD}":
            return await ctx.nav.start_flow(ctx, conv, CONFIRM)
        replies = await super().handle(ctx, conv, answer)
        if conv.flow == self.name and conv.data.get("answers", {}).get("consent") == DECLINED:
            self.cancel(conv)
            return [Reply("registration/declined"), *await ctx.nav.main_menu(ctx, conv)]
        return replies


def register_flow() -> RegistrationFlow:
    return RegistrationFlow(pointing_to_record(registration_form(REGISTER, service.complete_registration)))


def edit_flow() -> RegistrationFlow:
    return RegistrationFlow(registration_form(EDIT, service.update_registration))


class EraseFlow(OneStepFlow):
    """Hapus data: confirm, then erase the personal fields (UU PDP)."""

    name = ERASE

    async def reprompt(self, ctx: Context, conv: Conversation) -> list[Reply]:
        choices = [
            Choice(ERASE_YES, template="registration/choice_erase_yes"),
            Choice(ERASE_NO, template="choices/no"),
        ]
        return [Reply("registration/erase_confirm", choices=choices)]

    async def handle(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        if answer.choice_id == ERASE_YES:
            conv.finish()
            erased = await service.erase_registration(ctx)
            # Every unfinished form (registration, correction, data update) holds what the owner typed.
            conv.drafts.clear()
            reply = Reply("registration/erased") if erased else Reply("registration/not_registered")
            return [reply, *await ctx.nav.main_menu(ctx, conv)]
        if answer.choice_id == ERASE_NO:
            conv.finish()
            return [Reply("registration/erase_cancelled"), *await ctx.nav.main_menu(ctx, conv)]
        return [Reply("errors/choose_option"), *await self.reprompt(ctx, conv)]


def flows() -> list[Any]:
    return [register_flow(), edit_flow(), EraseFlow(), ConfirmFlow(superseded=(REGISTER,)), ClaimFlow()]


# Menu entries -----------------------------------------------------------


async def _registered(ctx: Context) -> bool:
    return await service.is_registered(ctx)


async def _not_registered(ctx: Context) -> bool:
    return not await _registered(ctx)


async def _register(ctx: Context, conv: Conversation) -> list[Reply]:
    return await ctx.nav.start_flow(ctx, conv, REGISTER)


async def _my_data(ctx: Context, conv: Conversation) -> list[Reply]:
    answers = await service.stored_answers(ctx)
    if answers is None:
        return [Reply("registration/not_registered"), *await ctx.nav.main_menu(ctx, conv)]
    found = await ctx.tx.owners.of_user(ctx.user.id)
    assert found is not None
    owner, business = found
    values = {
        **details.display(ctx, answers),
        "reg_no": owner.reg_no,
        "registered_at": owner.registered_at,
        "consent_at": owner.consent_at,
        "nib_verified": business.nib_verified,
        # Set at registration, by an officer or by a data-update round (pembaruan data).
        "status": str(business.status),
    }
    return [Reply("registration/profile", values), *await ctx.nav.main_menu(ctx, conv)]


async def _edit(ctx: Context, conv: Conversation) -> list[Reply]:
    answers = await service.stored_answers(ctx)
    if answers is None:
        return [Reply("registration/not_registered"), *await ctx.nav.main_menu(ctx, conv)]
    # A correction of the same record replaces an unfinished confirmation of it.
    conv.drafts.pop(CONFIRM, None)
    return await edit_flow().start(ctx, conv, answers)


async def _erase(ctx: Context, conv: Conversation) -> list[Reply]:
    return await ctx.nav.start_flow(ctx, conv, ERASE)


REGISTER_ENTRY = MenuEntry("register", "registration/menu_register", _register, _not_registered)
MY_DATA_ENTRY = MenuEntry("my_data", "registration/menu_my_data", _my_data, _registered)
EDIT_ENTRY = MenuEntry("edit", "registration/menu_edit", _edit, _registered)
ERASE_ENTRY = MenuEntry("erase", "registration/menu_erase", _erase, _registered)


def menu_entries() -> list[MenuEntry]:
    """An imported owner's confirmation comes first; "Sudah terdata di Dinas?" follows Daftar usaha."""
    return [CONFIRM_ENTRY, REGISTER_ENTRY, CLAIM_ENTRY, MY_DATA_ENTRY, EDIT_ENTRY, ERASE_ENTRY]
