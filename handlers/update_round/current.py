"""Is an owner's data current? What programs that require current data (vouchers) ask.

Current means: no data-update round was ever opened (the registration is the data), or
the owner registered after the latest round opened, or answered it "masih berjalan"
(their data confirmed or corrected in that round).
"""

from __future__ import annotations

from storage.models.update_round import ACTIVE
from storage.repositories import Transaction


async def has_current_data(tx: Transaction, owner_id: int) -> bool:
    latest = await tx.update_rounds.latest()
    if latest is None:
        return True
    found = await tx.owners.get(owner_id)
    if found is None:
        return False
    owner, _business = found
    if owner.registered_at >= latest.opened_at:
        return True
    return await tx.update_rounds.outcome_of(latest.id, owner_id) == ACTIVE
