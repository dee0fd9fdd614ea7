"""Trainings under test: a training scheduled at a chosen time, and people talking to the bot on
a clock the test moves (the real router, templates and database; every capability wired as in
bot/app.py)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import CAPABILITIES, flows, handler_config, menu, shortcuts
from bot.channels.console import render_console
from bot.cli import build_parser
from bot.settings import Settings
from handlers.agency import AgencyProfile
from handlers.officer import OfficerContext
from handlers.router import Router
from handlers.trainings import TrainingPlanner
from handlers.trainings.schedule import TrainingPlan, create_training
from handlers.trainings.seats import Seating
from handlers.types import Incoming
from messages import Renderer
from storage.database import Database
from storage.models import Business, OutboxMessage, Owner
from storage.models.trainings import Enrolment, Training

WITA = ZoneInfo("Asia/Makassar")
DISTRICT = "63.72.05"  # Banjarbaru Selatan, where register_console_user's business is


def wita(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A time on the agency's clock (WITA), as the UTC datetime everything stores."""
    return datetime(year, month, day, hour, minute, tzinfo=WITA).astimezone(UTC)


#: Monday 2 March 2026, 10:00 WITA: "now" at the start of most tests.
NOW = wita(2026, 3, 2, 10)
#: Saturday 14 March 2026, 09:00-16:00 WITA.
STARTS, ENDS = wita(2026, 3, 14, 9), wita(2026, 3, 14, 16)


def plan(**changes: Any) -> TrainingPlan:
    values: dict[str, Any] = {
        "title": "Sablon kaos untuk pemula",
        "topic": "sablon",
        "starts_at": STARTS,
        "ends_at": ENDS,
        "capacity": 2,
        "venue": "Aula Diskopumnaker",
        "district_code": DISTRICT,
        **changes,
    }
    return TrainingPlan(**values)


async def add_training(db: Database, *, now: datetime = NOW, **changes: Any) -> Training:
    async with db.transaction() as tx:
        return await create_training(tx, officer="officer:test", plan=plan(**changes), now=now)


def seating(agency: AgencyProfile, hours: float = 24) -> Seating:
    return Seating(agency, timedelta(hours=hours))


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Chat:
    """`await chat.say("menu")` as console user `user` at `clock.now`: what they read, choices
    numbered (as the console shows them); `await chat.press(id)` presses a button of a message the
    bot sent on its own (an announcement's "Daftar")."""

    def __init__(self, db: Database, agency: AgencyProfile, settings: Settings, clock: Clock) -> None:
        self.renderer = Renderer(agency.time_zone, agency.template_values(), clock=clock)
        self.router = Router(
            db,
            agency,
            flows=flows(),
            menu=menu(),
            label_of=lambda choice, locale: self.renderer.render_choice(choice, locale).label,
            config=handler_config(settings),
            clock=clock,
            erasers=[c.erase for c in CAPABILITIES if c.erase is not None],
            shortcuts=shortcuts(),
        )
        self.clock = clock

    async def send(
        self, user: str, text: str = "", choice: str | None = None, channel: str = "console"
    ) -> str:
        incoming = Incoming(channel, user, text=text, choice_id=choice, received_at=self.clock.now)
        response = await self.router.handle(incoming)
        return "\n\n".join(
            render_console(self.renderer.render_reply(r, response.locale)) for r in response.replies
        )

    async def say(self, user: str, text: str) -> str:
        return await self.send(user, text)

    async def press(self, user: str, choice: str, channel: str = "console") -> str:
        return await self.send(user, choice=choice, channel=channel)


def option(replies: str, label: str) -> str:
    """The number of the offered choice labelled `label` (or containing it), in the last menu shown."""
    numbered = [line.strip().split(". ", 1) for line in replies.splitlines() if line.strip()[:1].isdigit()]
    choices = [(number, text) for number, text in (n for n in numbered if len(n) == 2) if number.isdecimal()]
    for number, text in reversed(choices):
        if text == label:
            return number
    for number, text in reversed(choices):
        if label in text:
            return number
    raise AssertionError(f"{label!r} not offered in:\n{replies}")


async def register_owner(
    db: Database,
    user: str,
    number: int,
    *,
    channel: str = "console",
    sector: str = "fesyen",
    size_class: str = "micro",
    district: str = DISTRICT,
    name: str | None = None,
) -> int:
    """A registered owner talking on `channel` as `user` (number 1-99 makes the NIK, phone and
    registration number unique); returns the user id."""
    nik = f"63720541079000{number:02d}"
    async with db.transaction() as tx:
        account, _ = await tx.users.find_or_create(channel, user)
        owner = Owner(
            user_id=account.id,
            full_name=name or f"Pemilik {number}",
            nik_ciphertext=tx.cipher.encrypt(nik),
            nik_index=tx.cipher.blind_index(nik),
            phone=f"+62812345678{number:02d}",
            reg_no=f"BJB-2026-{number:06d}",
        )
        await tx.owners.add(
            owner,
            Business(
                owner_id=0,
                name=f"Usaha {number}",
                sector=sector,
                district_code=district,
                size_class=size_class,
                workers=1,
                annual_sales=50_000_000,
                capital=10_000_000,
            ),
        )
        return account.id


async def outbox_rows(
    db: Database, kind: str | None = None, user_id: int | None = None
) -> list[OutboxMessage]:
    """What the bot has queued to send on its own, oldest first."""
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    if user_id is not None:
        query = query.where(OutboxMessage.user_id == user_id)
    async with db.transaction() as tx:
        return list((await tx.session.execute(query)).scalars())


async def enrolments(db: Database, training_id: int | None = None) -> list[Enrolment]:
    """Sign-ups in the order they were taken."""
    query = select(Enrolment).order_by(Enrolment.queue_no)
    if training_id is not None:
        query = query.where(Enrolment.training_id == training_id)
    async with db.transaction() as tx:
        return list((await tx.session.execute(query)).scalars())


def planner(db: Database, agency: AgencyProfile, settings: Settings) -> TrainingPlanner:
    return TrainingPlanner(db, agency, handler_config(settings))


class Officer:
    """`await officer.run("training", "list")`: an officer command as `umkm-bot` parses it, on the
    test's clock; returns what it printed (stdout) and keeps stderr in `err`."""

    def __init__(self, db: Database, agency: AgencyProfile, settings: Settings, clock: Clock) -> None:
        self.db, self.agency, self.settings, self.clock = db, agency, settings, clock
        self.err = ""

    async def run(self, *argv: str) -> str:
        args = build_parser().parse_args(list(argv))
        out, err = io.StringIO(), io.StringIO()
        ctx = OfficerContext(
            db=self.db,
            agency=self.agency,
            renderer=Renderer(self.agency.time_zone, self.agency.template_values(), clock=self.clock),
            actor="officer:test",
            locale=self.settings.officer_locale,
            out=out,
            err=err,
            clock=self.clock,
            config=handler_config(self.settings),
        )
        await args.officer_command.run(args, ctx)
        self.err = err.getvalue()
        return out.getvalue()


@dataclass
class Scene:
    """Everything a trainings test moves: the database, the clock, people chatting, an officer."""

    db: Database
    agency: AgencyProfile
    settings: Settings
    clock: Clock
    chat: Chat
    officer: Officer

    def planner(self) -> TrainingPlanner:
        return planner(self.db, self.agency, self.settings)


async def signed_up(
    chat: Chat, training_id: int, *users: str, channel: str = "console", first: int = 1
) -> list[int]:
    """Registered owners `users` (numbered from `first`: see `register_owner`), each signed up by
    typing DAFTAR, in this order; returns their user ids."""
    ids = []
    for number, user in enumerate(users, first):
        ids.append(await register_owner(chat.router.db, user, number, channel=channel))
        await chat.send(user, f"daftar {training_id}", channel=channel)
    return ids
