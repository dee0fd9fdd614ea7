"""Reminders 3 days before an unused voucher expires, through the outbox (quiet hours kept;
on WhatsApp outside the 24-hour window the approved reminder template carries them)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from handlers.agency import AgencyProfile
from handlers.capability import OutboxKind
from handlers.context import HandlerConfig
from handlers.outbox import Recipient, queue_messages
from handlers.types import Reply
from handlers.vouchers import codes
from handlers.vouchers.issuing import valid_until
from storage.database import Database
from storage.repositories import Transaction

log = logging.getLogger(__name__)

REMIND_BEFORE = timedelta(days=3)

EXPIRING = OutboxKind(
    "voucher.expiring", quiet_hours=True, whatsapp_template="reminder", messages=("vouchers/expiring",)
)


def expiry_key(voucher_id: int) -> str:
    """The dedupe key of a voucher's one reminder."""
    return f"voucher:{voucher_id}:expiring"


async def drop_reminders(tx: Transaction, program_id: int, *, reason: str, now: datetime) -> int:
    """The program's vouchers cannot be used any more (it closed, or a pause voided them): the
    reminders queued for them and not sent yet ("use it before …") are dropped. Only a voucher
    that ends within `REMIND_BEFORE` of now can have one waiting."""
    ids = await tx.vouchers.unredeemed_ids(program_id, now + REMIND_BEFORE)
    return await tx.outbox.cancel_keys([expiry_key(i) for i in ids], reason)


class ExpiryPlanner:
    """Every few minutes: each unused voucher that expires within 3 days gets one reminder."""

    name = "voucher-expiry"

    def __init__(self, db: Database, agency: AgencyProfile, config: HandlerConfig | None = None) -> None:
        self.db = db
        self.agency = agency

    async def plan(self, now: datetime) -> int:
        async with self.db.transaction("planner:voucher-expiry") as tx:
            due = await tx.vouchers.expiring(now, now + REMIND_BEFORE)
            messages = [
                (
                    Recipient(channel, external_id, user_id),
                    Reply(
                        "vouchers/expiring",
                        {"code": codes.display(v.code), "until": valid_until(v, self.agency.time_zone)},
                    ),
                    expiry_key(v.id),
                )
                for channel, external_id, user_id, v in due
                # A voucher valid for 3 days or less is not reminded of as soon as it is issued.
                if v.expires_at - v.issued_at > REMIND_BEFORE
            ]
            queued = await queue_messages(tx, EXPIRING, messages, due_at=now) if messages else 0
        if queued:
            log.info("vouchers.expiry_reminders_queued", extra={"queued": queued})
        return queued
