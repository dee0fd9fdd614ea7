"""Trainings benchmark (not a test): prints its figures.

    .venv/bin/python -m bench.trainings [--owners 20000] [--taps 5000] [--capacity 100]
                                        [--database-url postgresql+asyncpg://…]

1. an announcement of a 100-seat training to 20,000 targeted owners: the time to queue it
   (`umkm-bot training announce`'s domain function, one INSERT … SELECT), then the time the
   outbox takes to send it through an in-process Sender that answers at once, at a raised cap
   (the real platforms' caps, 25-80 a second, make the real send take minutes: bench.outbox
   measures the sender against a fake platform);
2. 5,000 of those owners tap "Daftar" near-simultaneously: every tap goes through the app's
   router (the running bot's path from a delivered update to its replies), all started at once
   in tap order; each answer is rendered as the owner would read it. Printed: sign-ups per
   second, the time until every tap has its answer (and the latency of one tap), and the exact
   outcome: 100 confirmed, the rest waiting, the queue in tap order.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench.outbox import drop_created, fresh_database
from bot.app import build_app, declared_kinds
from bot.loop import run_async
from bot.outbox.dispatcher import ChannelDispatcher, DispatchConfig
from bot.outbox.ratelimit import ChannelLimits
from bot.settings import load_settings
from handlers.capability import quiet_kinds
from handlers.trainings.schedule import TrainingPlan, announce, create_training
from handlers.trainings.seats import Seating
from handlers.types import Incoming, utcnow
from messages import RenderedReply
from storage.models import OutboxMessage
from storage.models.trainings import CONFIRMED, WAITING, Enrolment
from tests.bot.outbox.seed import seed_owners, user_id_of
from tests.conftest import TEST_SECRET_KEY
from tests.profiles import profile_without_quiet_hours


@dataclass
class NullSender:
    """A channel that answers every send at once: the outbox's own cost, without a network."""

    channel: str = "telegram"
    sent: int = 0
    with_buttons: int = field(default=0)

    async def send(self, external_id: str, reply: RenderedReply) -> str:
        self.sent += 1
        self.with_buttons += bool(reply.choices)
        return f"{external_id}:{self.sent}"

    async def send_template(self, external_id: str, kind: str, locale: str, text: str) -> str:
        raise AssertionError("no templates on this channel")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(url: str, workdir: Path, *, owners: int, taps: int, capacity: int, cap: float) -> None:
    settings = load_settings(
        database_url=url,
        data_dir=workdir / "data",
        secret_key=TEST_SECRET_KEY,
        agency_profile=profile_without_quiet_hours(workdir),
        _env_file=None,
    )
    app = await build_app(settings)
    db = app.db
    try:
        started = time.monotonic()
        chats = await seed_owners(db, owners, sector="kuliner")
        print(f"seeded {owners:,} registered owners in {time.monotonic() - started:.1f} s")
        now = utcnow()
        plan = TrainingPlan(
            title="Kemasan produk pangan",
            topic="kemasan",
            starts_at=now + timedelta(days=10),
            ends_at=now + timedelta(days=10, hours=6),
            capacity=capacity,
            venue="Aula Diskopumnaker",
            district_code="63.72.01",
            target_sectors=("kuliner",),
        )
        seating = Seating(app.agency, app.router.config.training_offer)
        async with db.transaction() as tx:
            training = await create_training(tx, officer="officer:bench", plan=plan, now=now)
        t0 = time.monotonic()
        async with db.transaction() as tx:
            _, queued = await announce(
                tx, seating, officer="officer:bench", training_id=training.id, now=utcnow()
            )
        print(f"announcement queued for {queued:,} targeted owners in {time.monotonic() - t0:.2f} s")

        sender = NullSender()
        dispatcher = ChannelDispatcher(
            db,
            sender,
            app.renderer,
            app.agency,
            limits=ChannelLimits(cap, 0.0),
            config=DispatchConfig(batch=500, max_in_flight=64, quiet_kinds=quiet_kinds(declared_kinds())),
            attachments=app.attachments(),
        )
        t0 = time.monotonic()
        while sender.sent < queued:
            await dispatcher.sweep()
        spent = time.monotonic() - t0
        print(
            f"announcement sent through the outbox (in-process sender, cap {cap:,.0f}/s): {sender.sent:,} in"
            f" {spent:.1f} s = {sender.sent / spent:,.0f}/s, {sender.with_buttons:,} with the Daftar button"
        )

        tapping = chats[:taps]
        latencies: list[float] = []

        async def tap(chat: str) -> None:
            began = time.monotonic()
            incoming = Incoming("telegram", chat, choice_id=f"tr:join:{training.id}")
            response = await app.router.handle(incoming)
            for reply in response.replies:
                app.renderer.render_reply(reply, response.locale)
            latencies.append(time.monotonic() - began)

        t0 = time.monotonic()
        await asyncio.gather(*(tap(chat) for chat in tapping))
        answered = time.monotonic() - t0
        print(
            f"{taps:,} Daftar taps at once: every tap answered in {answered:.2f} s = {taps / answered:,.0f}"
            f" sign-ups/s; one tap's answer: median {statistics.median(latencies) * 1000:,.0f} ms,"
            f" p99 {percentile(latencies, 0.99) * 1000:,.0f} ms"
        )

        async with db.transaction() as tx:
            rows = (
                await tx.session.execute(
                    select(Enrolment.user_id, Enrolment.status)
                    .where(Enrolment.training_id == training.id)
                    .order_by(Enrolment.queue_no)
                )
            ).all()
            seats = (await tx.trainings.get(training.id)).seats_taken  # type: ignore[union-attr]
            outbox = await tx.session.scalar(select(func.count()).select_from(OutboxMessage))
        order = [await user_id_of(db, "telegram", chat) for chat in tapping]
        confirmed = [u for u, s in rows if s == CONFIRMED]
        waiting = [u for u, s in rows if s == WAITING]
        print(
            f"outcome: {len(confirmed)} confirmed (seats taken {seats}), {len(waiting):,} waiting,"
            f" {len(rows) - len(confirmed) - len(waiting)} other; outbox rows {outbox:,}"
        )
        print(
            f"confirmed are the first {capacity} taps: {confirmed == order[:capacity]};"
            f" the waiting list is the rest in tap order: {waiting == order[capacity:]}"
        )
    finally:
        await app.close()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--owners", type=int, default=20_000)
    parser.add_argument("--taps", type=int, default=5_000)
    parser.add_argument("--capacity", type=int, default=100)
    parser.add_argument("--cap", type=float, default=5_000, help="the in-process sender's rate cap")
    parser.add_argument("--database-url", help="PostgreSQL base URL (default: an SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        try:
            url = await fresh_database(args.database_url, workdir)
            print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}")
            await run(url, workdir, owners=args.owners, taps=args.taps, capacity=args.capacity, cap=args.cap)
        finally:
            await drop_created(args.database_url)


if __name__ == "__main__":
    run_async(main())  # the event loop `umkm-bot run` uses (uvloop where installed)
