"""Inviting imported owners to check their data by chat (undangan konfirmasi data):
`umkm-bot owners invite`.

Imported owners have never written to the bot, so the invitation goes to the number in their
record on WhatsApp, as the agency's approved template (free-form text would be refused there:
WhatsApp 131047); the row has no chat user yet, and is rendered in Indonesian. The message names
no one and shows no data: whoever holds the number reads only that the agency asks them to
reply. Their reply starts the confirmation (handlers/registration/confirm.py).

Each owner is invited at most once a day (the dedupe key holds the date), so running the
command twice changes nothing, and a later run (`--only-unconfirmed`) reminds those who have not
confirmed yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from handlers.capability import OutboxKind
from handlers.outbox import queue_audience
from handlers.types import Reply
from storage.repositories import Transaction
from storage.repositories.audience import count_by_channel

INVITE = OutboxKind(
    "registration.invite",
    quiet_hours=True,
    whatsapp_template="invitation",
    messages=("registration/invitation",),
    template_only=True,
)


@dataclass(frozen=True, slots=True)
class Invited:
    """How many owners the invitation reaches, and how many of those rows are new."""

    reached: int
    queued: int


async def invite_imported(
    tx: Transaction,
    *,
    district_code: str | None,
    only_unconfirmed: bool,
    dry_run: bool,
    officer: str,
    now: datetime,
    today: date,
) -> Invited:
    """Queue the invitation for every imported owner the filters select (not erased, with a
    number, not opted out, not known to be unreachable, not a number someone said is wrong);
    audited. A dry run only counts them."""
    invitees = tx.imports.invitees(district_code=district_code, only_unconfirmed=only_unconfirmed)
    reached = sum((await count_by_channel(tx.session, invitees)).values())
    if dry_run:
        return Invited(reached, 0)
    queued = await queue_audience(
        tx,
        INVITE,
        Reply("registration/invitation"),
        invitees,
        key_prefix="owner-invite:",
        key_suffix=f":{today.isoformat()}",
        key_column="owner_id",
        due_at=now,
        now=now,
    )
    await tx.audit.record(
        actor=officer,
        action="owners.invited",
        subject="owners",
        details={
            "queued": queued,
            "reached": reached,
            "kecamatan": district_code,
            "only_unconfirmed": only_unconfirmed,
        },
    )
    return Invited(reached, queued)
