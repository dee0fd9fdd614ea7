"""Is an owner's data current (data terkini)? What the voucher program's eligibility and the
agency's figures ask of the data-update rounds (pembaruan data).

Current means one of:
- no round was ever opened (nothing has been asked yet);
- the owner answered "still running" (masih berjalan) in the latest round;
- the owner registered by chat after the latest round opened (they typed it all just now);
- the owner confirmed their imported data by chat after the latest round opened (a
  confirmation during an open round is recorded as their answer as well).

Imported records count as registered only once confirmed: the agency's spreadsheet is what the
round is checking.
"""

from __future__ import annotations

from storage.models.registration import OwnerSource
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
    if owner.confirmed_at is not None and owner.confirmed_at >= latest.opened_at:
        return True
    if owner.source == OwnerSource.CHAT and owner.registered_at >= latest.opened_at:
        return True
    return await tx.update_rounds.outcome(latest.id, owner_id) == ACTIVE
