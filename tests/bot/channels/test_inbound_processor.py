"""The inbound processor on its own: recovery at start, and two processes on one store."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

from bot.app import App, build_app
from bot.channels.inbound import InboundProcessor, Unsupported
from bot.settings import load_settings
from handlers.router import identity_lock
from handlers.types import Incoming, utcnow
from messages import RenderedReply
from storage.database import Database
from storage.models.outbox import OutboxMessage
from storage.repositories.channels import StoredInbound
from tests.bot.outbox.helpers import dispatcher, sweep_until_done
from tests.conftest import TEST_SECRET_KEY

CHANNEL = "whatsapp"


class RecordingChannel:
    """Reads a stored `{"text": …}`; `gate` (when set) holds every parse until it is opened."""

    name = CHANNEL
    tracks_delivery = False

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.gate = gate
        self.parsed: list[int] = []
        self.sent: list[tuple[str, str]] = []

    async def parse(self, stored: StoredInbound) -> Incoming | Unsupported | None:
        self.parsed.append(stored.id)
        if self.gate is not None:
            await self.gate.wait()
        return Incoming(
            channel=CHANNEL,
            external_user_id=stored.external_user_id,
            text=str(stored.payload["text"]),
            provider_message_id=str(stored.id),
        )

    def render(self, reply: object, locale: str) -> RenderedReply:
        return RenderedReply(getattr(reply, "template", "?"))

    async def send_all(self, external_id: str, reply: RenderedReply, locale: str) -> list[str]:
        self.sent.append((external_id, reply.text))
        return [f"out-{len(self.sent)}"]


class RecordingSender:
    """The outbox's side of the channel: what a sweep sends, in order."""

    channel = CHANNEL

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, external_id: str, reply: RenderedReply) -> str:
        self.sent.append((external_id, reply.text))
        return f"sent-{len(self.sent)}"

    async def send_template(self, external_id: str, template: str, language: str, parameters: object) -> str:
        raise AssertionError("a reply goes as itself, not as a template")


async def _store(db: Database, count: int, *, users: int = 1) -> None:
    async with db.transaction() as tx:
        for n in range(count):
            await tx.inbound.store(CHANNEL, f"wamid.{n}", f"62811{n % users:05d}", {"text": "halo"})


async def _store_one(db: Database, wamid: str, external_id: str, text: str = "halo") -> StoredInbound:
    async with db.transaction() as tx:
        row = await tx.inbound.store(CHANNEL, wamid, external_id, {"text": text})
    assert row is not None
    return row


async def _processed_order(db: Database) -> dict[str, list[int]]:
    """Each chat's row ids in the order they were processed (every row must be)."""
    async with db.transaction() as tx:
        rows = await tx.inbound.all(CHANNEL)
    assert all(row.processed_at is not None for row in rows), [r.id for r in rows if r.processed_at is None]
    order: dict[str, list[int]] = {}
    for row in sorted(rows, key=lambda r: (r.processed_at, r.id)):
        order.setdefault(row.external_user_id, []).append(row.id)
    return order


async def _state_stamp(db: Database, external_id: str) -> object:
    """When the conversation of `external_id` was last saved."""
    async with db.transaction() as tx:
        user, _ = await tx.users.find_or_create(CHANNEL, external_id)
        return (await tx.states.load(user.id)).updated_at


async def _app(database_url: str, tmp_path: Path) -> App:
    settings = load_settings(
        database_url=database_url, data_dir=tmp_path / "data", secret_key=TEST_SECRET_KEY, _env_file=None
    )
    return await build_app(settings)


async def test_recovery_queues_every_pending_row_not_only_the_first_thousand(
    database_url: str, tmp_path: Path
) -> None:
    app = await _app(database_url, tmp_path)
    try:
        await _store(app.db, 1200, users=40)
        gate = asyncio.Event()  # nothing is processed while recovery reads the store
        processor = InboundProcessor(app.db, app.router, {CHANNEL: RecordingChannel(gate)})
        assert await processor.recover() == 1200
        gate.set()
        await asyncio.wait_for(processor.drain(), 60)
        async with app.db.transaction() as tx:
            assert await tx.inbound.count_pending() == 0
        await processor.close()
    finally:
        await app.close()


async def test_a_row_recovered_by_a_second_process_while_the_first_handles_it_is_answered_once(
    database_url: str, tmp_path: Path
) -> None:
    first, second = await _app(database_url, tmp_path), await _app(database_url, tmp_path)
    try:
        gate = asyncio.Event()
        slow = RecordingChannel(gate)
        fast = RecordingChannel()
        running = InboundProcessor(first.db, first.router, {CHANNEL: slow})
        starting = InboundProcessor(second.db, second.router, {CHANNEL: fast})

        row = await _store_one(first.db, "wamid.1", "628110000")
        running.submit([row])  # the live process took the webhook and is handling it…
        await asyncio.sleep(0.05)
        assert slow.parsed == [row.id]
        assert await starting.recover() == 1  # …while a second process starts and recovers it
        await asyncio.wait_for(starting.drain(), 10)
        applied = await _state_stamp(first.db, "628110000")
        gate.set()
        await asyncio.wait_for(running.drain(), 10)

        assert len(fast.sent) + len(slow.sent) == 1, (fast.sent, slow.sent)
        # Applied once: the live process's attempt (its work may run twice in a group-commit
        # batch) left the conversation as the second process had committed it.
        assert await _state_stamp(first.db, "628110000") == applied
        async with first.db.transaction() as tx:
            stored = await tx.inbound.get(row.id)
            assert stored is not None and stored.processed_at is not None
        await running.close()
        await starting.close()
    finally:
        await first.close()
        await second.close()


async def test_a_chats_later_message_taken_by_another_process_waits_for_the_earlier_one(
    database_url: str, tmp_path: Path
) -> None:
    """Two deliveries of one chat on two processes: the later one (higher id) must not overtake."""
    first, second = await _app(database_url, tmp_path), await _app(database_url, tmp_path)
    try:
        gate = asyncio.Event()
        held, taking = RecordingChannel(gate), RecordingChannel()
        running = InboundProcessor(first.db, first.router, {CHANNEL: held})
        other = InboundProcessor(second.db, second.router, {CHANNEL: taking})
        earlier = await _store_one(first.db, "wamid.21", "628110021", "halo")
        later = await _store_one(second.db, "wamid.22", "628110021", "bantuan")

        running.submit([earlier])  # the first process took "halo" and has not claimed it yet…
        await asyncio.sleep(0.05)
        assert held.parsed == [earlier.id]
        other.submit([later])  # …when the second takes "bantuan", stored after it
        await asyncio.wait_for(other.drain(), 10)
        assert taking.parsed == [later.id, earlier.id, later.id], "the earlier one first, then its own"
        # The main menu for "halo", then help and the menu again for "bantuan": in that order.
        assert [template for _, template in taking.sent] == ["menu/main", "help/general", "menu/main"]

        gate.set()
        await asyncio.wait_for(running.drain(), 10)
        assert held.sent == [], "the first process's attempt found it processed and answered nothing"
        assert await _processed_order(first.db) == {"628110021": [earlier.id, later.id]}
        await running.close()
        await other.close()
    finally:
        await first.close()
        await second.close()


async def test_two_processes_recovering_one_backlog_process_each_row_once_in_each_chats_order(
    database_url: str, tmp_path: Path
) -> None:
    first, second = await _app(database_url, tmp_path), await _app(database_url, tmp_path)
    try:
        texts = ["halo", "bantuan", "menu", "bantuan"]
        users = [f"6281100{n:03d}" for n in range(8)]
        async with first.db.transaction() as tx:  # what a stopped bot left stored, interleaved
            for round_ in range(len(texts)):
                for user in users:
                    await tx.inbound.store(CHANNEL, f"wamid.{user}.{round_}", user, {"text": texts[round_]})
        gate = asyncio.Event()  # both have recovered the whole backlog before either goes on
        one, two = RecordingChannel(gate), RecordingChannel(gate)
        processors = [
            InboundProcessor(first.db, first.router, {CHANNEL: one}),
            InboundProcessor(second.db, second.router, {CHANNEL: two}),
        ]
        assert [await p.recover() for p in processors] == [len(users) * len(texts)] * 2
        gate.set()
        await asyncio.wait_for(asyncio.gather(*(p.drain() for p in processors)), 60)

        order = await _processed_order(first.db)
        assert all(ids == sorted(ids) for ids in order.values()), order
        # Each message answered once, by one of them: one menu for "halo" and "menu", help and
        # the menu for each "bantuan".
        for user in users:
            sent = [t for to, t in one.sent + two.sent if to == user]
            assert sorted(sent) == sorted(["menu/main"] * 4 + ["help/general"] * 2), (user, sent)
        for processor in processors:
            await processor.close()
    finally:
        await first.close()
        await second.close()


async def test_a_running_process_takes_the_rows_a_dead_one_left_behind_not_the_fresh_or_failed_ones(
    database_url: str, tmp_path: Path
) -> None:
    app = await _app(database_url, tmp_path)
    try:
        now = utcnow()
        async with app.db.transaction() as tx:
            # Stored by a process that died before it got to it, three minutes ago.
            left = await tx.inbound.store(
                CHANNEL, "wamid.31", "628110031", {"text": "halo"}, now - timedelta(minutes=3)
            )
            # Failed an attempt (a bug): left for the next start, as always.
            failed = await tx.inbound.store(
                CHANNEL, "wamid.32", "628110032", {"text": "halo"}, now - timedelta(minutes=3)
            )
            # Just stored: its own process is on it.
            fresh = await tx.inbound.store(CHANNEL, "wamid.33", "628110033", {"text": "halo"}, now)
            assert left is not None and failed is not None and fresh is not None
            await tx.inbound.record_attempt(failed.id, "RuntimeError: a bug")
        channel = RecordingChannel()
        processor = InboundProcessor(app.db, app.router, {CHANNEL: channel})
        assert await processor.recover(stored_before=now - timedelta(minutes=2)) == 1
        await asyncio.wait_for(processor.drain(), 10)
        assert channel.parsed == [left.id]
        assert [to for to, _ in channel.sent] == ["628110031"]
        await processor.close()
    finally:
        await app.close()


class HangingChannel(RecordingChannel):
    """Every send hangs (a platform that stopped answering), after noting that it started."""

    def __init__(self) -> None:
        super().__init__()
        self.sending = asyncio.Event()

    async def send_all(self, external_id: str, reply: RenderedReply, locale: str) -> list[str]:
        self.sending.set()
        await asyncio.Event().wait()
        return []


async def test_replies_a_shutdown_stopped_are_queued_in_the_outbox(database_url: str, tmp_path: Path) -> None:
    app = await _app(database_url, tmp_path)
    try:
        channel = HangingChannel()
        processor = InboundProcessor(app.db, app.router, {CHANNEL: channel})
        row = await _store_one(app.db, "wamid.9", "628110009")
        processor.submit([row])
        await asyncio.wait_for(channel.sending.wait(), 10)
        await processor.close(grace=0.2)

        async with app.db.transaction() as tx:
            stored = await tx.inbound.get(row.id)
            assert stored is not None and stored.processed_at is not None, "the message was handled"
            user, _ = await tx.users.find_or_create(CHANNEL, "628110009")
            queued = (
                (await tx.session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
            )
        assert queued, "the unsent replies are in the outbox"
        assert {(m.channel, m.external_id, m.user_id, m.kind, m.status) for m in queued} == {
            (CHANNEL, "628110009", user.id, "reply", "pending")
        }
        # The router's answer to a first "halo", in the order it would have been sent.
        handled = await app.router.handle(Incoming(CHANNEL, "628110010", text="halo"))
        assert [m.payload["template"] for m in queued] == [r.template for r in handled.replies]

        # After the restart the outbox sends them to the user in that order, each once.
        sender = RecordingSender()
        outbox = dispatcher(app.db, sender, app.renderer, app.agency, clock=utcnow, in_flight=1)
        await sweep_until_done(outbox)
        expected = [app.renderer.render_reply(r, handled.locale).text for r in handled.replies]
        assert sender.sent == [("628110009", text) for text in expected]
    finally:
        await app.close()


async def test_a_worker_stopped_while_its_message_commits_queues_the_answer(
    database_url: str, tmp_path: Path
) -> None:
    app = await _app(database_url, tmp_path)
    try:
        channel = RecordingChannel()
        processor = InboundProcessor(app.db, app.router, {CHANNEL: channel})
        row = await _store_one(app.db, "wamid.11", "628110011")
        # Hold what the message's commit needs (SQLite: the writer; PostgreSQL: the user's lock),
        # so the worker is stopped while its message waits in the group commit.
        release = asyncio.Event()
        holding = asyncio.Event()

        async def hold() -> None:
            async with app.db.transaction(identity_lock(CHANNEL, "628110011")):
                holding.set()
                await release.wait()

        holder = asyncio.create_task(hold())
        await holding.wait()
        processor.submit([row])
        await asyncio.sleep(0.2)
        closing = asyncio.create_task(processor.close(grace=0.1))
        await asyncio.sleep(0.3)
        assert not closing.done(), "close() waits for the stopped worker to queue its answer"
        release.set()
        await asyncio.wait_for(closing, 10)
        await holder

        assert channel.sent == [], "nothing was sent: the worker was stopped"
        async with app.db.transaction() as tx:
            stored = await tx.inbound.get(row.id)
            assert stored is not None and stored.processed_at is not None, "the message was committed"
            queued = (await tx.session.execute(select(OutboxMessage))).scalars().all()
        assert queued, "its answer waits in the outbox"
        assert {(m.external_id, m.kind) for m in queued} == {("628110011", "reply")}
    finally:
        await app.close()


class TrackingChannel(RecordingChannel):
    """Keeps its sent ids for delivery statuses, as WhatsApp does; `replied` is set at each send."""

    tracks_delivery = True

    def __init__(self) -> None:
        super().__init__()
        self.replied = asyncio.Event()

    async def send_all(self, external_id: str, reply: RenderedReply, locale: str) -> list[str]:
        self.replied.set()
        return await super().send_all(external_id, reply, locale)


async def test_sent_ids_are_recorded_together_and_none_is_lost_at_close(
    database_url: str, tmp_path: Path
) -> None:
    app = await _app(database_url, tmp_path)
    inserts: list[int] = []

    def count(*args: Any) -> None:  # (connection, cursor, statement, parameters, context, many)
        if args[2].lstrip().upper().startswith("INSERT INTO OUTBOUND_MESSAGES"):
            inserts.append(1)

    event.listen(app.db.engine.sync_engine, "before_cursor_execute", count)
    try:
        channel = TrackingChannel()
        processor = InboundProcessor(app.db, app.router, {CHANNEL: channel})
        await _store(app.db, 20, users=20)
        await processor.recover()
        await asyncio.wait_for(processor.drain(), 30)
        assert len(channel.sent) == 20
        assert len(inserts) < 5, f"one statement for many replies, not one each: {len(inserts)}"
        row = await _store_one(app.db, "wamid.last", "628110099999")
        channel.replied.clear()
        processor.submit([row])
        await asyncio.wait_for(channel.replied.wait(), 10)  # it went; its id waits to be written
        await asyncio.sleep(0)  # the worker notes the id
        await processor.close()  # at once: the id is written on the way out
        async with app.db.transaction() as tx:
            for n in range(1, 22):
                found = await tx.outbound.find(CHANNEL, f"out-{n}")
                assert found is not None and found.status == "sent", n
    finally:
        event.remove(app.db.engine.sync_engine, "before_cursor_execute", count)
        await app.close()
