"""`UserRepository.identify`: the user, their identity and whether they are a registered owner,
in the one query every message starts with."""

from __future__ import annotations

from storage.database import Database
from storage.models import Business, Owner, utcnow


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
