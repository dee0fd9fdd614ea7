"""Registration as domain operations: complete, correct, erase. Each writes the audit log.

Audit entries name who, which fields and when, never the values (and never the NIK).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.context import REGISTERED, Context
from handlers.registration.details import NO_NIB, NOTICE_VERSION
from handlers.rules import size_class
from handlers.types import Reply
from storage.models import Business, Owner
from storage.models.registration import BusinessStatus, OwnerSource
from storage.models.update_round import ACTIVE
from storage.repositories.registration import DuplicateOwner
from storage.repositories.update_rounds import round_keys
from storage.scrub import ERASURES

OWNER_FIELDS = ("full_name", "phone")
BUSINESS_FIELDS = (
    "business_name",
    "sector",
    "kbli",
    "district",
    "village",
    "street",
    "year_started",
    "workers",
    "annual_sales",
    "capital",
    "nib",
)
_BUSINESS_COLUMN = {"business_name": "name", "district": "district_code", "village": "village_code"}


def subject(owner: Owner) -> str:
    return f"owner:{owner.id}"


def registration_number(code: str, year: int, sequence: int) -> str:
    """BJB-2026-000123: the agency's short code, the year, a sequence per year."""
    return f"{code}-{year}-{sequence:06d}"


def refused() -> list[Reply]:
    return [Reply("registration/nik_registered")]


def nik_change_refused(done: Corrections) -> list[Reply]:
    """A new NIK someone else registered was not saved; the other corrections were."""
    return [Reply("registration/nik_change_refused")] if done.nik_refused else []


def _business_values(answers: Mapping[str, Any]) -> dict[str, Any]:
    values = {_BUSINESS_COLUMN.get(name, name): answers.get(name) for name in BUSINESS_FIELDS}
    if values["nib"] == NO_NIB:
        values["nib"] = None
    values["size_class"] = size_class(int(answers["capital"]), int(answers["annual_sales"]))
    return values


async def complete_registration(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    """Store a confirmed registration and give it a number; a NIK already registered is refused."""
    cipher = ctx.tx.cipher
    nik = cipher.decrypt(str(answers["nik"]))
    index = cipher.blind_index(nik)
    if await ctx.tx.owners.is_registered(ctx.user.id) or await ctx.tx.owners.nik_taken(index):
        return refused()
    owner = Owner(
        user_id=ctx.user.id,
        full_name=answers["full_name"],
        nik_ciphertext=cipher.encrypt(nik),
        nik_index=index,
        phone=answers["phone"],
        consent_at=datetime.fromisoformat(str(answers["consent"])),
        consent_version=NOTICE_VERSION,
        registered_at=ctx.now,
        updated_at=ctx.now,
    )
    business = Business(
        owner_id=0, nib_verified=False, status=BusinessStatus.ACTIVE, **_business_values(answers)
    )
    try:
        await ctx.tx.owners.add(owner, business)
        forget_registered(ctx)
    except DuplicateOwner:
        return refused()
    year = ctx.now.astimezone(ctx.agency.time_zone).year
    owner.reg_no = registration_number(
        ctx.agency.code, year, await ctx.tx.counters.next(f"registration:{year}")
    )
    await ctx.tx.owners.save(owner)
    await ctx.tx.audit.record(
        actor=ctx.actor,
        action="owner.registered",
        subject=subject(owner),
        details={
            "fields": ["consent", "nik", *OWNER_FIELDS, *BUSINESS_FIELDS],
            "consent_version": NOTICE_VERSION,
        },
    )
    help_wanted = business.nib is None and bool(answers.get("nib_help"))
    if help_wanted:
        await ctx.tx.nib_queue.add(owner.id, ctx.now)
        await ctx.tx.audit.record(actor=ctx.actor, action="nib_help.requested", subject=subject(owner))
    values = {"reg_no": owner.reg_no, "size_class": business.size_class, "nib_help": help_wanted}
    return [Reply("registration/done", values)]


def record_answers(owner: Owner, business: Business) -> dict[str, Any]:
    """A stored registration as form answers (a field the record lacks is None; the NIK sealed)."""
    answers: dict[str, Any] = {
        "consent": owner.consent_at.isoformat() if owner.consent_at else None,
        "full_name": owner.full_name,
        "nik": owner.nik_ciphertext,
        "nik_confirm": True,
        "phone": owner.phone,
    }
    for name in BUSINESS_FIELDS:
        answers[name] = getattr(business, _BUSINESS_COLUMN.get(name, name))
    if business.size_class == "large":
        answers["large_ack"] = True
    return answers


async def stored_answers(ctx: Context) -> dict[str, Any] | None:
    """The user's registration as form answers, to correct it ("Ubah data")."""
    found = await ctx.tx.owners.of_user(ctx.user.id)
    if found is None:
        return None
    owner, business = found
    answers = record_answers(owner, business)
    answers["consent"] = (owner.consent_at or owner.registered_at).isoformat()
    if business.nib is None:
        answers["nib"] = NO_NIB
        answers["nib_help"] = await ctx.tx.nib_queue.open_for(owner.id) is not None
    return answers


@dataclass(frozen=True, slots=True)
class Corrections:
    """What applying an owner's answers did: the fields changed, whether a new NIK was refused
    (registered by someone else: every other change is kept), whether NIB help was asked."""

    changed: tuple[str, ...]
    nik_refused: bool
    nib_help: bool


async def apply_corrections(
    ctx: Context, owner: Owner, business: Business, answers: Mapping[str, Any]
) -> Corrections:
    """Apply the answers field by field; each changed field is one audit entry (no values). A NIK
    that someone else registered, before or while this runs, is refused and the other changes
    are kept."""
    cipher = ctx.tx.cipher
    nik = cipher.decrypt(str(answers["nik"]))
    new_nik = owner.nik_ciphertext is None or nik != cipher.decrypt(owner.nik_ciphertext)
    nik_refused = new_nik and await ctx.tx.owners.nik_taken(cipher.blind_index(nik), except_owner=owner.id)
    changed = _set_fields(owner, business, answers)
    if new_nik and not nik_refused:
        owner.nik_ciphertext, owner.nik_index = cipher.encrypt(nik), cipher.blind_index(nik)
        changed.append("nik")
    owner.updated_at = ctx.now
    try:
        await ctx.tx.owners.save(owner)
    except DuplicateOwner:
        # The NIK was registered between the check and the save; the savepoint rolled every
        # change back, so apply them again without it.
        await ctx.tx.session.refresh(owner)
        await ctx.tx.session.refresh(business)
        changed, nik_refused = _set_fields(owner, business, answers), True
        owner.updated_at = ctx.now
        await ctx.tx.owners.save(owner)
    for name in changed:
        await ctx.tx.audit.record(
            actor=ctx.actor, action="owner.updated", subject=subject(owner), details={"field": name}
        )
    help_wanted = business.nib is None and bool(answers.get("nib_help"))
    if help_wanted and await ctx.tx.nib_queue.open_for(owner.id) is None:
        await ctx.tx.nib_queue.add(owner.id, ctx.now)
        await ctx.tx.audit.record(actor=ctx.actor, action="nib_help.requested", subject=subject(owner))
    return Corrections(tuple(changed), nik_refused, help_wanted)


def _set_fields(owner: Owner, business: Business, answers: Mapping[str, Any]) -> list[str]:
    """Set every field but the NIK from the answers; the names of those that changed."""
    changed: list[str] = []
    for name in OWNER_FIELDS:
        if getattr(owner, name) != answers.get(name):
            setattr(owner, name, answers.get(name))
            changed.append(name)
    new_values = _business_values(answers)
    for name in BUSINESS_FIELDS:
        column = _BUSINESS_COLUMN.get(name, name)
        if getattr(business, column) != new_values[column]:
            setattr(business, column, new_values[column])
            changed.append(name)
    if "nib" in changed:
        business.nib_verified = False
    business.size_class = new_values["size_class"]
    return changed


async def update_registration(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    """Apply an owner's corrections (Ubah data). Saving an imported record they have not
    confirmed yet confirms it: they have just looked at all of it."""
    found = await ctx.tx.owners.of_user(ctx.user.id)
    if found is None:
        return await complete_registration(ctx, answers)
    owner, business = found
    done = await apply_corrections(ctx, owner, business, answers)
    if owner.source == OwnerSource.IMPORT and owner.confirmed_at is None:
        await mark_confirmed(ctx, owner, business)
    values = {"reg_no": owner.reg_no, "changed": len(done.changed), "nib_help": done.nib_help}
    return [*nik_change_refused(done), Reply("registration/updated", values)]


async def mark_confirmed(ctx: Context, owner: Owner, business: Business) -> None:
    """An imported owner confirmed their data by chat: audited, and it counts as current data
    (during an open data-update round it is their answer: still running)."""
    owner.confirmed_at = ctx.now
    business.status = BusinessStatus.ACTIVE
    await ctx.tx.audit.record(actor=ctx.actor, action="owner.confirmed", subject=subject(owner))
    current = await ctx.tx.update_rounds.current()
    if current is not None:
        await ctx.tx.update_rounds.answer(
            current.id, owner, business, outcome=ACTIVE, reason=None, now=ctx.now
        )
        await ctx.tx.outbox.cancel(round_keys(current.id, ctx.user.id), "answered")


async def erase_registration(ctx: Context) -> bool:
    """Erase the personal fields, keep anonymous statistics; False when there was nothing to erase."""
    found = await ctx.tx.owners.of_user(ctx.user.id)
    if found is None:
        return False
    owner, business = found
    await ctx.tx.owners.erase(owner, business, ctx.now)
    # The numbers the platforms vouched for are the owner's phone number too.
    ctx.identity.phone = None
    await ctx.tx.users.forget_phones(ctx.user.id)
    for erase in ctx.erasers:
        await erase(ctx.tx, owner_id=owner.id, user_id=ctx.user.id, now=ctx.now)
    # Counted, so that the erased values are scrubbed from the database files (storage/scrub.py).
    await ctx.tx.counters.next(ERASURES)
    forget_registered(ctx)
    await ctx.tx.audit.record(
        actor=ctx.actor,
        action="owner.erased",
        subject=subject(owner),
        details={
            "fields": [
                "consent",
                "nik",
                *OWNER_FIELDS,
                "business_name",
                "kbli",
                "street",
                "annual_sales",
                "capital",
                "nib",
            ]
        },
    )
    return True


async def is_registered(ctx: Context) -> bool:
    """Whether this user has a (not erased) registration; looked up once per message."""
    return bool(await ctx.remember(REGISTERED, lambda: ctx.tx.owners.is_registered(ctx.user.id)))


def forget_registered(ctx: Context) -> None:
    """After registering or erasing, the next question about it must look again."""
    ctx.memo.pop(REGISTERED, None)
