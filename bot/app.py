"""The app factory: builds everything from settings, in the order things start.

Handler registration (flows and the main menu, in menu order) is in one visible
place: `flows()` and `menu()` below.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.outbox.scheduler import Planner
from bot.settings import ConfigError, Settings
from handlers import registration, update_round
from handlers.agency import AgencyProfile, ProfileError, load_profile
from handlers.context import HandlerConfig
from handlers.flow import Flow, MenuEntry
from handlers.linking import LINK_ENTRY, LinkFlow
from handlers.menu import HELP_ENTRY, LANGUAGE_ENTRY, LanguageFlow
from handlers.router import Router
from messages import Renderer
from storage.crypto import Cipher
from storage.database import Database
from storage.migrate import current_revisions, head_revisions, upgrade

log = logging.getLogger(__name__)


def flows() -> list[Flow]:
    return [*registration.flows(), update_round.update_flow(), LinkFlow(), LanguageFlow()]


def menu() -> list[MenuEntry]:
    return [*registration.menu_entries(), update_round.UPDATE_ENTRY, LINK_ENTRY, LANGUAGE_ENTRY, HELP_ENTRY]


def planners(db: Database, agency: AgencyProfile) -> list[Planner]:
    return [update_round.UpdateRoundPlanner(db, agency)]


@dataclass
class App:
    """Everything that lives as long as the process; `close()` releases it."""

    settings: Settings
    agency: AgencyProfile
    db: Database
    renderer: Renderer
    router: Router

    def planners(self) -> list[Planner]:
        """What the scheduler runs besides the outbox sweeps: reminders turned into outbox rows."""
        return planners(self.db, self.agency)

    async def close(self) -> None:
        await self.db.close()


async def prepare_database(settings: Settings, db: Database) -> None:
    """Migrate the embedded SQLite database; require PostgreSQL to be migrated by `db upgrade`."""
    if db.is_sqlite:
        await asyncio.to_thread(upgrade, settings.effective_database_url)
        return
    async with db.engine.connect() as connection:
        current = await current_revisions(connection)
    if current != head_revisions():
        raise ConfigError("DATABASE_URL: the database schema is not current; run 'umkm-bot db upgrade' first")


async def build_app(settings: Settings) -> App:
    try:
        agency = load_profile(settings.agency_profile)
    except ProfileError as exc:
        raise ConfigError(f"AGENCY_PROFILE: {exc}") from None
    db = Database(settings.effective_database_url, cipher=Cipher(settings.secret_key or ""))
    try:
        await prepare_database(settings, db)
    except BaseException:
        await db.close()
        raise
    renderer = Renderer(agency.time_zone, agency.template_values())
    router = Router(
        db,
        agency,
        flows=flows(),
        menu=menu(),
        label_of=lambda choice, locale: renderer.render_choice(choice, locale).label,
        config=HandlerConfig(form_idle=timedelta(hours=settings.form_idle_hours)),
    )
    log.info(
        "app.built", extra={"database": "sqlite" if db.is_sqlite else "postgresql", "agency": agency.code}
    )
    return App(settings, agency, db, renderer, router)
