"""An imported owner confirms their data by chat (konfirmasi data dari Dinas).

Who may see an imported record: only someone writing from the number the record holds, as the
platform vouches for it (the WhatsApp sender, or a Telegram contact shared with the
share-contact button; a typed number is never enough), while no chat user holds the record and
nobody said the number is wrong. Exactly one such record, or none is shown (two records with
one number are a question for the agency, not for the chat). Someone else registers as usual.

```mermaid
stateDiagram-v2
    [*] --> consent: writes from the recorded number (greeted by name), or "Periksa data dari Dinas"
    [*] --> share: Telegram "Sudah terdata di Dinas?" (share-contact button)
    share --> consent: the shared number holds a record
    share --> [*]: no record for it (register as usual)
    consent --> [*]: Tidak setuju (nothing changes) / Bukan data saya (the number is marked wrong)
    consent --> fields: Setuju (the record is linked to this chat user, consent kept)
    fields --> _summary: only what the record lacks is asked
    _summary --> _pick: Ubah jawaban
    _pick --> _summary
    _summary --> [*]: Simpan (confirmed: current data; an answer in an open data-update round)
```

The questions are the registration form's own, prefilled from the record.

Someone who may confirm a record by these rules but chose "Daftar usaha" and typed the record's
NIK is told so at the NIK question, which then offers "Periksa data dari Dinas"
(`pointing_to_record`); their registration draft stays until the record is theirs. Anyone else
typing a registered NIK hears the same as for a NIK registered by chat, whoever holds it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from handlers.context import PHONE_CLAIMABLE, UNCONFIRMED_IMPORT, Context, forget_fact, known_not
from handlers.conversation import Answer, Conversation
from handlers.flow import MenuEntry, OneStepFlow
from handlers.forms import Form, FormFlow, Option
from handlers.registration import details, service
from handlers.registration.details import DECLINED
from handlers.registration.form import nik_parser, registered_already, registration_form
from handlers.result import Invalid
from handlers.types import Reply
from storage.models import Business, Owner
from storage.models.registration import OwnerSource

CONFIRM, CLAIM = "registration_confirm", "registration_claim"
NOT_ME = "not_me"
CLAIMABLE = "registration:claimable"
# Where a user can hand over their own number with a button (request_phone): WhatsApp tells it
# with every message already, the console cannot.
SHARES_CONTACT = frozenset({"telegram"})
# conv.data: the imported record this conversation offers, until its owner agrees and holds it.
OFFERED = "offered_owner"
# The registration form's NIK question offers the way to the record with this option.
TO_RECORD = "record"


async def claimable(ctx: Context) -> tuple[Owner, Business] | None:
    """The one imported record the number this user wrote from holds, if they hold none yet."""

    async def look_up() -> tuple[Owner, Business] | None:
        if not ctx.identity.phone or known_not(ctx, PHONE_CLAIMABLE) or await service.is_registered(ctx):
            return None
        found = await ctx.tx.imports.claimable(ctx.identity.phone)
        return found[0] if len(found) == 1 else None

    found = await ctx.remember(CLAIMABLE, look_up)
    return found if isinstance(found, tuple) else None


async def unconfirmed(ctx: Context) -> tuple[Owner, Business] | None:
    """The user's own imported registration, while they have not confirmed it."""
    if known_not(ctx, UNCONFIRMED_IMPORT) or not await service.is_registered(ctx):
        return None
    found = await ctx.tx.owners.of_user(ctx.user.id)
    if found is None or found[0].source != OwnerSource.IMPORT or found[0].confirmed_at is not None:
        return None
    return found


async def _nik_taken(ctx: Context, nik_index: str) -> Invalid:
    """A registered NIK typed in "Daftar usaha": the record this user may confirm says so, any
    other registration gets the usual answer (nothing about whose it is)."""
    found = await claimable(ctx)
    if found is not None and found[0].nik_index == nik_index:
        return Invalid("nik_in_agency_records")
    return await registered_already(ctx, nik_index)


async def _record_option(ctx: Context, answers: Any) -> list[Option]:
    if await claimable(ctx) is None:
        return []
    return [Option(TO_RECORD, TO_RECORD, template="registration/menu_confirm")]


def pointing_to_record(form: Form) -> Form:
    """The registration form, whose NIK question tells someone typing the NIK of the record they
    may confirm, and offers the way there (`RegistrationFlow` takes it)."""
    fields = [
        replace(f, parse=nik_parser(_nik_taken), options=_record_option) if f.name == "nik" else f
        for f in form.fields
    ]
    return replace(form, fields=fields)


def _known(owner: Owner, business: Business) -> dict[str, Any]:
    """The record's answers; what it lacks is left out, so the form asks it."""
    answers = service.record_answers(owner, business)
    return {name: value for name, value in answers.items() if value is not None}


def _consent_options(ctx: Context, answers: Any) -> list[Option]:
    return [
        Option("yes", ctx.now.isoformat(), template="registration/choice_agree"),
        Option("no", DECLINED, template="registration/choice_disagree"),
        Option("not_me", NOT_ME, template="registration/choice_not_me"),
    ]


async def confirm_registration(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    """Simpan: the corrections are applied and the record is confirmed."""
    found = await ctx.tx.owners.of_user(ctx.user.id)
    if found is None:
        return [Reply("registration/not_registered")]
    owner, business = found
    done = await service.apply_corrections(ctx, owner, business, answers)
    if owner.confirmed_at is None:
        await service.mark_confirmed(ctx, owner, business)
    values = {"reg_no": owner.reg_no, "changed": len(done.changed), "nib_help": done.nib_help}
    return [*service.nik_change_refused(done), Reply("registration/confirmed", values)]


def confirm_form() -> Form:
    form = registration_form(CONFIRM, confirm_registration)
    fields = [
        replace(
            f,
            options=_consent_options,
            prompt_values=lambda ctx, a: {"version": details.NOTICE_VERSION, "confirming": True},
        )
        if f.name == "consent"
        else f
        for f in form.fields
    ]
    return replace(form, fields=fields)


class ConfirmFlow(FormFlow):
    """The registration form over an imported record: consent first, then what it lacks, then
    the summary to confirm or change."""

    def __init__(self, *, superseded: tuple[str, ...] = ()) -> None:
        super().__init__(confirm_form())
        # Forms whose drafts the record makes moot once it is the user's (the registration's).
        self.superseded = superseded

    async def start(
        self, ctx: Context, conv: Conversation, initial: dict[str, Any] | None = None
    ) -> list[Reply]:
        own = await unconfirmed(ctx)
        if own is not None:
            answers = _known(*own)
            answers["consent"] = (own[0].consent_at or ctx.now).isoformat()
            return await super().start(ctx, conv, answers)
        offered = await claimable(ctx)
        if offered is None:
            return [Reply("registration/confirm_nothing"), *await ctx.nav.main_menu(ctx, conv)]
        owner, business = offered
        greeting = Reply(
            "registration/confirm_greeting", {"full_name": owner.full_name, "business_name": business.name}
        )
        replies = await super().start(ctx, conv, _known(owner, business))
        conv.data[OFFERED] = owner.id
        return [greeting, *replies]

    async def handle(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        offered = conv.data.get(OFFERED)
        if offered is None and not await service.is_registered(ctx):
            # Started over from a draft ("Mulai dari awal" drops the conversation's data).
            found = await claimable(ctx)
            offered = found[0].id if found is not None else None
        replies = await super().handle(ctx, conv, answer)
        consent = conv.data.get("answers", {}).get("consent") if conv.flow == self.name else None
        if consent in (DECLINED, NOT_ME):
            self.cancel(conv)
            if consent == NOT_ME and isinstance(offered, int):
                await self._wrong_number(ctx, offered)
                return [Reply("registration/confirm_not_me"), *await ctx.nav.main_menu(ctx, conv)]
            return [Reply("registration/confirm_declined"), *await ctx.nav.main_menu(ctx, conv)]
        if consent and isinstance(offered, int) and conv.flow == self.name:
            if not await self._claim(ctx, offered, datetime.fromisoformat(str(consent))):
                self.cancel(conv)
                return [Reply("registration/confirm_nothing"), *await ctx.nav.main_menu(ctx, conv)]
            conv.data.pop(OFFERED, None)
            for name in self.superseded:
                conv.drafts.pop(name, None)
        return replies

    async def _claim(self, ctx: Context, owner_id: int, consent_at: datetime) -> bool:
        """The owner agreed: the record becomes theirs (this chat user's), with their consent."""
        phone = ctx.identity.phone
        if not phone or await service.is_registered(ctx):
            return False
        claimed = await ctx.tx.imports.claim(
            owner_id, phone, ctx.user.id, consent_version=details.NOTICE_VERSION, at=consent_at
        )
        if claimed:
            service.forget_registered(ctx)
            forget_fact(ctx, UNCONFIRMED_IMPORT)
            ctx.memo.pop(CLAIMABLE, None)
            await ctx.tx.audit.record(
                actor=ctx.actor,
                action="owner.claimed",
                subject=f"owner:{owner_id}",
                details={"channel": ctx.channel, "consent_version": details.NOTICE_VERSION},
            )
        return claimed

    async def _wrong_number(self, ctx: Context, owner_id: int) -> None:
        phone = ctx.identity.phone
        if phone and await ctx.tx.imports.wrong_number(owner_id, phone, ctx.now):
            ctx.memo.pop(CLAIMABLE, None)
            await ctx.tx.audit.record(
                actor=ctx.actor, action="owner.wrong_number", subject=f"owner:{owner_id}", details={}
            )


class ClaimFlow(OneStepFlow):
    """Telegram does not tell the bot a user's number: they share it with the button first."""

    name = CLAIM

    async def reprompt(self, ctx: Context, conv: Conversation) -> list[Reply]:
        return [Reply("registration/claim_share", request_phone=True)]

    async def handle(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        if not answer.shared_phone:
            return [Reply("registration/claim_use_button"), *await self.reprompt(ctx, conv)]
        conv.finish()
        ctx.memo.pop(CLAIMABLE, None)
        if await claimable(ctx) is None:
            return [Reply("registration/claim_no_record"), *await ctx.nav.main_menu(ctx, conv)]
        return await ctx.nav.start_flow(ctx, conv, CONFIRM)


async def greet(ctx: Context, conv: Conversation) -> list[Reply] | None:
    """Someone writing from a recorded number is greeted by name and asked to confirm."""
    if await claimable(ctx) is None:
        return None
    return await ctx.nav.start_flow(ctx, conv, CONFIRM)


async def _offered(ctx: Context) -> bool:
    return await claimable(ctx) is not None or await unconfirmed(ctx) is not None


async def _may_share(ctx: Context) -> bool:
    return ctx.channel in SHARES_CONTACT and not ctx.identity.phone and not await service.is_registered(ctx)


async def _confirm(ctx: Context, conv: Conversation) -> list[Reply]:
    return await ctx.nav.start_flow(ctx, conv, CONFIRM)


async def _share(ctx: Context, conv: Conversation) -> list[Reply]:
    return await ctx.nav.start_flow(ctx, conv, CLAIM)


CONFIRM_ENTRY = MenuEntry("confirm", "registration/menu_confirm", _confirm, _offered)
CLAIM_ENTRY = MenuEntry("claim", "registration/menu_claim", _share, _may_share)
