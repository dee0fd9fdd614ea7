"""`UserRepository.identify`: the user, their identity and whether they are a registered owner,
in the one query every message starts with."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.database import Database
from storage.models import Business, Owner, utcnow
from storage.models.registration import OwnerSource
from tests.storage.plans import SCANS, dialect, plan_of, statements


async def test_identify_says_whether_the_user_is_a_registered_owner(db: Database) -> None:
    async with db.transaction() as tx:
        first = await tx.users.identify("console", "ani")
        assert not first.registered
        again = await tx.users.identify("console", "ani")
        assert (again.user.id, again.identity.id) == (first.user.id, first.identity.id)
        owner = Owner(
            user_id=first.user.id, full_name="Siti Aminah", phone="+6281234567890", reg_no="BJB-2026-000001"
        )
        business = Business(owner_id=0, name="Warung", district_code="63.72.02", size_class="micro")
        await tx.owners.add(owner, business)
        assert (await tx.users.identify("console", "ani")).registered
        assert not (await tx.users.identify("console", "budi")).registered, "another user"
    async with db.transaction() as tx:
        assert (await tx.users.identify("console", "ani")).registered
        assert await tx.owners.is_registered(first.user.id)
        loaded_owner = await tx.session.get(Owner, owner.id)
        loaded_business = await tx.session.get(Business, business.id)
        assert loaded_owner is not None and loaded_business is not None
        await tx.owners.erase(loaded_owner, loaded_business, utcnow())
        assert not (await tx.users.identify("console", "ani")).registered, "erased (Hapus data)"
        assert not await tx.owners.is_registered(first.user.id)


async def test_a_state_outside_any_flow_is_written_only_when_it_changes(db: Database) -> None:
    earlier, later = datetime(2026, 12, 1, 8, tzinfo=UTC), datetime(2026, 12, 1, 9, tzinfo=UTC)
    offered = {"offered": [{"id": "m:help"}]}
    async with db.transaction() as tx:
        user, _ = await tx.users.find_or_create("console", "ani")
        await tx.states.save(await tx.states.load(user.id), flow=None, step=None, data=offered, at=earlier)
    async with db.transaction() as tx:  # the menu again: nothing to write
        await tx.states.save(await tx.states.load(user.id), flow=None, step=None, data=offered, at=later)
    async with db.transaction() as tx:
        state = await tx.states.load(user.id)
        assert state.updated_at == earlier
        await tx.states.save(state, flow=None, step=None, data={"offered": []}, at=later)
    async with db.transaction() as tx:  # changed: written
        state = await tx.states.load(user.id)
        assert (state.data, state.updated_at) == ({"offered": []}, later)
        await tx.states.save(state, flow="registration", step="nik", data={"offered": []}, at=later)
    async with db.transaction() as tx:  # entering a flow is always written
        assert (await tx.states.load(user.id)).flow == "registration"


async def test_the_numbers_other_users_hold_are_looked_up_by_index(db: Database) -> None:
    # Every message asks whether an imported record waits for the writer's number, and whether
    # another channel's user has it. Without an index on the identities' numbers every message of
    # a WhatsApp user read all identities; and SQLite, without statistics, found "unclaimed
    # imports" by the unique user_id (IS NULL), walking every record not yet confirmed.
    async with db.transaction() as tx:
        imported = Owner(full_name="Siti Aminah", phone="+6281234567890", source=OwnerSource.IMPORT)
        await tx.owners.add(imported, Business(owner_id=0, name="Warung", size_class="micro"))
        telegram = await tx.users.identify("telegram", "111")
        telegram.identity.phone = "+6281234567890"
        whatsapp = await tx.users.identify("whatsapp", "6281234567890")
        whatsapp.identity.phone = "+6281234567890"
    with statements(db, "SELECT users.id") as seen:
        async with db.transaction() as tx:
            found = await tx.users.identify("whatsapp", "6281234567890")
            [(statement, parameters)] = seen
            plan = await plan_of(db, tx, statement, parameters)
    assert found.facts["phone_claimable"] and found.facts["phone_linkable"]
    assert SCANS[dialect(db)] not in plan, plan
    if db.is_sqlite:  # PostgreSQL picks by its statistics
        assert "ix_owners_phone (phone=? AND user_id=?)" in plan, plan
