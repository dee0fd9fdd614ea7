"""Erasing an owner's data (Hapus data, UU PDP) as the erase flow does it, registration's own records
and then every capability's eraser: no free text the owner typed survives."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.app import CAPABILITIES
from storage.database import Database
from storage.models import Business, Owner, utcnow
from storage.models.update_round import UpdateAnswer, UpdateRound


async def test_erase_drops_the_closing_reason_the_owner_typed_and_keeps_the_outcome(db: Database) -> None:
    async with db.transaction() as tx:
        user, _identity = await tx.users.find_or_create("console", "ani")
        owner = Owner(
            user_id=user.id, full_name="Siti Aminah", phone="+6281234567890", reg_no="BJB-2026-000001"
        )
        business = Business(owner_id=0, name="Warung", district_code="63.72.02", size_class="micro")
        await tx.owners.add(owner, business)
        round_row = UpdateRound(opened_by="officer:test", deadline=date(2026, 12, 31))
        tx.session.add(round_row)
        await tx.session.flush()
        tx.session.add(
            UpdateAnswer(
                round_id=round_row.id,
                owner_id=owner.id,
                outcome="closed",
                reason="pindah ikut suami, Pak Budi, ke Jl. Melati 5",
                district_code="63.72.02",
                size_class="micro",
            )
        )
        await tx.session.flush()
        owner_id = owner.id
        await tx.owners.erase(owner, business, utcnow())
        for erase in (c.erase for c in CAPABILITIES if c.erase is not None):
            await erase(tx, owner_id=owner_id, user_id=user.id, now=utcnow())
    async with db.transaction() as tx:
        answer = (await tx.session.execute(select(UpdateAnswer))).scalar_one()
        assert (answer.outcome, answer.district_code, answer.size_class) == ("closed", "63.72.02", "micro")
        assert answer.reason is None
