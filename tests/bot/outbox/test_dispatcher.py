"""The dispatcher against the fake Telegram server, through the real Telegram Sender."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select, update

from bot.channels.telegram.channel import TelegramChannel
from handlers.agency import AgencyProfile
from messages import Renderer
from storage.database import Database
from storage.models import OutboxMessage, User
from storage.models.outbox import FAILED, SENT, UNREACHABLE
from storage.repositories.audience import AudienceFilter
from tests.bot.outbox.helpers import broadcast_text, dispatcher, shifted_clock, sweep_until_done
from tests.bot.outbox.seed import seed_owners, user_id_of
from tests.fakes import FakeTelegram


def delivered(tg: FakeTelegram) -> Counter[str]:
    return Counter(str(p["chat_id"]) for p in tg.sent_messages())


async def test_a_broadcast_reaches_every_owner_once_with_provider_ids(
    db: Database, tg: FakeTelegram, telegram: TelegramChannel, renderer: Renderer, agency: AgencyProfile
) -> None:
    clock = shifted_clock(agency.time_zone, 10)
    chats = await seed_owners(db, 60)
    broadcast = await broadcast_text(db, "Pelatihan *gratis* hari Senin", now=clock())
    assert broadcast.total == 60 and broadcast.audience == {"telegram": 60}
    result = await sweep_until_done(dispatcher(db, telegram, renderer, agency, clock=clock))
    assert result.sent == 60
    assert delivered(tg) == Counter(chats)
    text = tg.sent_messages()[0]["text"]
    assert "Pengumuman" in text and "Pelatihan" in text and "BERHENTI" in text
    async with db.transaction() as tx:
        rows = (await tx.session.execute(select(OutboxMessage))).scalars().all()
    assert {r.status for r in rows} == {SENT}
    assert all(r.provider_message_id and r.provider_message_id.startswith(r.external_id + ":") for r in rows)


async def test_filters_opt_outs_and_the_english_locale(
    db: Database, tg: FakeTelegram, telegram: TelegramChannel, renderer: Renderer, agency: AgencyProfile
) -> None:
    clock = shifted_clock(agency.time_zone, 10)
    micro = await seed_owners(db, 5, size_class="micro")
    small = await seed_owners(db, 4, first=100, size_class="small", district_code="63.72.02")
    stopped = await user_id_of(db, "telegram", small[0])
    english = await user_id_of(db, "telegram", small[1])
    async with db.transaction() as tx:
        await tx.session.execute(update(User).where(User.id == stopped).values(opted_out=True))
        await tx.session.execute(update(User).where(User.id == english).values(locale="en"))
        assert await tx.broadcasts.audience_counts(AudienceFilter(size_class="small")) == {"telegram": 3}
        assert await tx.broadcasts.audience_counts(AudienceFilter(district_code="63.72.01")) == {
            "telegram": 5
        }
        assert await tx.broadcasts.audience_counts(AudienceFilter(status="inactive")) == {}
    await broadcast_text(db, "Info UMKM kecil", now=clock(), filters=AudienceFilter(size_class="small"))
    await sweep_until_done(dispatcher(db, telegram, renderer, agency, clock=clock))
    assert delivered(tg) == Counter(small[1:])
    assert not set(micro) & set(delivered(tg))
    english_text = next(p["text"] for p in tg.sent_messages() if str(p["chat_id"]) == small[1])
    assert "Announcement" in english_text


async def test_a_burst_of_429s_pauses_then_keeps_the_rate(
    db: Database, tg: FakeTelegram, telegram: TelegramChannel, renderer: Renderer, agency: AgencyProfile
) -> None:
    clock = shifted_clock(agency.time_zone, 10)
    chats = await seed_owners(db, 80)
    await broadcast_text(db, "Pengumuman", now=clock())
    tg.fail_next("sendMessage", status=429, retry_after=1, count=3)
    rate = 40.0
    result = await sweep_until_done(
        dispatcher(db, telegram, renderer, agency, clock=clock, rate=rate, in_flight=4)
    )
    assert delivered(tg) == Counter(chats), "every owner exactly once"
    assert result.sent == 80
    calls = [c for c in tg.calls if c.method == "sendMessage"]
    first_429 = calls[0].time
    after = [c.time for c in calls[3:]]
    assert after[0] - first_429 >= 0.9, "nothing was sent during retry_after"
    for i in range(len(after) - int(rate)):
        assert after[i + int(rate)] - after[i] >= 0.95, (
            "at most `rate` messages in any second after the pause"
        )
    async with db.transaction() as tx:
        assert await tx.outbox.status_counts() == {SENT: 80}
        rows = (await tx.session.execute(select(OutboxMessage.attempts))).scalars().all()
    assert max(rows) == 1, "a rate limit does not use up attempts"


async def test_5xx_bursts_are_retried_with_backoff_and_nothing_is_lost(
    db: Database, tg: FakeTelegram, telegram: TelegramChannel, renderer: Renderer, agency: AgencyProfile
) -> None:
    clock = shifted_clock(agency.time_zone, 10)
    chats = await seed_owners(db, 40)
    await broadcast_text(db, "Pengumuman", now=clock())
    tg.fail_next("sendMessage", status=502, count=6)
    tg.fail_next("sendMessage", status=500, count=3)
    await sweep_until_done(dispatcher(db, telegram, renderer, agency, clock=clock))
    assert delivered(tg) == Counter(chats)


async def test_endless_5xx_ends_as_failed_with_the_reason(
    db: Database, tg: FakeTelegram, telegram: TelegramChannel, renderer: Renderer, agency: AgencyProfile
) -> None:
    clock = shifted_clock(agency.time_zone, 10)
    await seed_owners(db, 1)
    broadcast = await broadcast_text(db, "Pengumuman", now=clock())
    tg.fail_next("sendMessage", status=503, count=50)
    await sweep_until_done(dispatcher(db, telegram, renderer, agency, clock=clock))
    async with db.transaction() as tx:
        assert await tx.outbox.status_counts() == {FAILED: 1}
        [(reason, count)] = await tx.outbox.errors(broadcast_id=broadcast.id)
    assert "gave up after 4 attempts" in reason and count == 1


async def test_a_user_who_blocked_the_bot_is_unreachable_until_they_write_again(
    db: Database, tg: FakeTelegram, telegram: TelegramChannel, renderer: Renderer, agency: AgencyProfile
) -> None:
    clock = shifted_clock(agency.time_zone, 10)
    chats = await seed_owners(db, 3)
    await broadcast_text(db, "Satu", now=clock())
    tg.fail_next("sendMessage", status=403, count=1)
    await sweep_until_done(dispatcher(db, telegram, renderer, agency, clock=clock, in_flight=1))
    async with db.transaction() as tx:
        assert await tx.outbox.status_counts() == {SENT: 2, UNREACHABLE: 1}
        blocked = (
            await tx.session.execute(
                select(OutboxMessage.external_id).where(OutboxMessage.status == UNREACHABLE)
            )
        ).scalar_one()
        assert await tx.broadcasts.audience_counts(AudienceFilter()) == {"telegram": 2}
        _user, identity = await tx.users.find_or_create("telegram", blocked)
        await tx.users.mark_inbound(identity, clock() + timedelta(seconds=1))
        assert await tx.broadcasts.audience_counts(AudienceFilter()) == {"telegram": 3}
    assert blocked in chats


async def test_quiet_hours_hold_announcements_until_seven(
    db: Database, tg: FakeTelegram, telegram: TelegramChannel, renderer: Renderer, agency: AgencyProfile
) -> None:
    night = shifted_clock(agency.time_zone, 22)
    await seed_owners(db, 5)
    await broadcast_text(db, "Malam", now=night())
    result = await dispatcher(db, telegram, renderer, agency, clock=night).sweep()
    assert result.sent == 0 and tg.sent_messages() == []
    async with db.transaction() as tx:
        times = (await tx.session.execute(select(OutboxMessage.next_attempt_at))).scalars().all()
    assert {t.astimezone(agency.time_zone).hour for t in times} == {7}


async def test_only_one_process_sends_per_channel(
    db: Database, tg: FakeTelegram, telegram: TelegramChannel, renderer: Renderer, agency: AgencyProfile
) -> None:
    clock = shifted_clock(agency.time_zone, 10)
    await seed_owners(db, 10)
    await broadcast_text(db, "Satu", now=clock())
    first = dispatcher(db, telegram, renderer, agency, clock=clock, owner="first")
    second = dispatcher(db, telegram, renderer, agency, clock=clock, owner="second")
    assert (await first.sweep()).sent == 10
    assert (await second.sweep()).held
    await first.stop()
    assert not (await second.sweep()).held
