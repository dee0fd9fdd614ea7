"""The inbound store's claim: a chat's deliveries are claimed in id order, each once."""

from __future__ import annotations

from storage.database import Database
from storage.repositories.channels import StoredInbound


async def _store(db: Database, wamid: str, user: str) -> StoredInbound:
    async with db.transaction() as tx:
        row = await tx.inbound.store("whatsapp", wamid, user, {"text": wamid})
    assert row is not None
    return row


async def test_a_delivery_waits_for_its_chats_earlier_one_and_is_claimed_once(db: Database) -> None:
    first = await _store(db, "w1", "62811")
    other_chat = await _store(db, "w2", "62822")
    second = await _store(db, "w3", "62811")
    async with db.transaction() as tx:
        assert not await tx.inbound.claim(second.id), "the chat's earlier delivery waits"
        ahead = await tx.inbound.ahead_of(second)
        assert ahead is not None and [(r.id, r.payload) for r in ahead] == [(first.id, {"text": "w1"})]
        assert await tx.inbound.claim(other_chat.id), "another chat is not held back"
        assert await tx.inbound.claim(first.id)
        assert not await tx.inbound.claim(first.id), "claimed once"
        assert await tx.inbound.ahead_of(second) == []
        assert await tx.inbound.claim(second.id)
        assert await tx.inbound.ahead_of(second) is None, "processed already"


async def test_a_delivery_whose_attempt_failed_no_longer_holds_its_chat_back(db: Database) -> None:
    failing = await _store(db, "w1", "62811")
    later = await _store(db, "w2", "62811")
    async with db.transaction() as tx:
        await tx.inbound.record_attempt(failing.id, "RuntimeError: a bug")
        assert await tx.inbound.ahead_of(later) == []
        assert await tx.inbound.claim(later.id)
        pending = await tx.inbound.pending()
    assert [row.id for row in pending] == [failing.id], "tried again at the next start"
