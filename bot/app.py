"""The app factory: builds everything from settings, in one place and in the order things start.

`CAPABILITIES` is the one visible list of what the bot does: each entry is a package
under handlers/ that declares its flows, menu entries, planners, officer commands,
outbox kinds and what Hapus data erases of it (handlers/capability.py). Adding a
program is adding it here (docs/adding-a-capability.md). `run`, `outbox run`, `chat`
and every officer command build their `App` with `build_app`.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TextIO

from bot.dashboard import Dashboard, is_https
from bot.settings import ConfigError, Settings, opening_database
from handlers import broadcasts, dashboard, registration, trainings, update_round, vouchers
from handlers.agency import AgencyProfile, ProfileError, load_profile
from handlers.attachments import AttachmentBuilder
from handlers.capability import (
    Capability,
    OutboxKind,
    Planner,
    attachment_builders,
    outbox_kinds,
    quiet_kinds,
    template_only_kinds,
    whatsapp_templates,
)
from handlers.context import HandlerConfig
from handlers.flow import Flow, MenuEntry, Shortcut
from handlers.linking import LINK_ENTRY, LinkFlow
from handlers.menu import HELP_ENTRY, LANGUAGE_ENTRY, LanguageFlow
from handlers.officer import OfficerContext
from handlers.outbox import CORE_KINDS
from handlers.router import Router
from handlers.types import utcnow
from messages import Renderer
from storage.crypto import Cipher
from storage.database import Database
from storage.engine import first_connection
from storage.migrate import current_revisions, head_revisions, upgrade

if TYPE_CHECKING:
    from bot.channels.app_channels import Channels

log = logging.getLogger(__name__)

#: What the bot does, in main-menu order.
CAPABILITIES: tuple[Capability, ...] = (
    registration.CAPABILITY,
    update_round.CAPABILITY,
    vouchers.CAPABILITY,
    trainings.CAPABILITY,
    broadcasts.CAPABILITY,
    dashboard.CAPABILITY,
)


def flows(capabilities: tuple[Capability, ...] = CAPABILITIES) -> list[Flow]:
    """Every conversation: the capabilities', then linking accounts and choosing a language."""
    return [*(flow for c in capabilities for flow in c.flows()), LinkFlow(), LanguageFlow()]


def menu(capabilities: tuple[Capability, ...] = CAPABILITIES) -> list[MenuEntry]:
    """The main menu: the capabilities' entries, then linking, language and help."""
    return [*(entry for c in capabilities for entry in c.menu), LINK_ENTRY, LANGUAGE_ENTRY, HELP_ENTRY]


def shortcuts(capabilities: tuple[Capability, ...] = CAPABILITIES) -> list[Shortcut]:
    """Buttons and typed words that work at any point of a conversation."""
    return [shortcut for c in capabilities for shortcut in c.shortcuts]


def declared_kinds(capabilities: tuple[Capability, ...] = CAPABILITIES) -> dict[str, OutboxKind]:
    """Every outbox kind the app sends, by name: the core ones and the capabilities'."""
    return outbox_kinds(capabilities, CORE_KINDS)


def officer_name() -> str:
    """How the audit log names the officer running a command."""
    try:
        return f"officer:{getpass.getuser()}"
    except (KeyError, OSError):
        return "officer:unknown"


@dataclass
class App:
    """Everything that lives as long as the process; `close()` releases it."""

    settings: Settings
    agency: AgencyProfile
    db: Database
    renderer: Renderer
    router: Router
    capabilities: tuple[Capability, ...] = CAPABILITIES
    kinds: Mapping[str, OutboxKind] = field(default_factory=dict)
    _channels: Channels | None = None

    def planners(self) -> list[Planner]:
        """What the scheduler runs besides the outbox sweeps: reminders turned into outbox rows."""
        return [
            make(self.db, self.agency, self.router.config) for c in self.capabilities for make in c.planners
        ]

    def attachments(self) -> dict[str, AttachmentBuilder]:
        """The builders of the files outbox rows name, by name (built when a row is sent)."""
        return attachment_builders(self.capabilities)

    def whatsapp_templates(self) -> dict[str, str]:
        """Outbox kind -> the approved WhatsApp template that carries it outside the 24-hour window."""
        return whatsapp_templates(self.kinds, self.agency.whatsapp_templates)

    def quiet_kinds(self) -> frozenset[str]:
        """Outbox kinds that wait out the agency's quiet hours."""
        return quiet_kinds(self.kinds)

    def template_only_kinds(self) -> frozenset[str]:
        """Outbox kinds that always go as the approved WhatsApp template."""
        return template_only_kinds(self.kinds)

    def erased_tables(self) -> tuple[str, ...]:
        """The tables Hapus data changes: scrubbed after an erasure (storage/scrub.py)."""
        return tuple(dict.fromkeys(t for c in self.capabilities for t in c.erases_from))

    async def channels(self) -> Channels:
        """The configured platforms' channels and their HTTP clients, built once; closed by `close()`."""
        if self._channels is None:
            # Imported here: the platforms' SDKs (python-telegram-bot, aiohttp, httpx: about 25 MB)
            # are not loaded by officer commands, which never open a channel.
            from bot.channels.app_channels import open_channels  # noqa: PLC0415

            self._channels = await open_channels(self.settings, self.renderer, self.whatsapp_templates())
        return self._channels

    def officer_context(self, out: TextIO | None = None, err: TextIO | None = None) -> OfficerContext:
        return OfficerContext(
            db=self.db,
            agency=self.agency,
            renderer=self.renderer,
            actor=officer_name(),
            locale=self.settings.officer_locale,
            out=out or sys.stdout,
            err=err or sys.stderr,
            clock=utcnow,
            config=self.router.config,
        )

    def dashboard(self, clock: Callable[[], datetime] = utcnow) -> Dashboard:
        """The officer dashboard's routes over this app's database, words and capabilities."""
        return Dashboard(
            db=self.db,
            agency=self.agency,
            renderer=self.renderer,
            locale=self.settings.officer_locale,
            capabilities=self.capabilities,
            clock=clock,
            secure_cookies=is_https(self.settings.public_url),
            config=self.router.config,
        )

    async def close(self) -> None:
        try:
            if self._channels is not None:
                await self._channels.close()
        finally:
            await self.db.close()


async def prepare_database(settings: Settings, db: Database) -> None:
    """Migrate the embedded SQLite database; require PostgreSQL to be migrated by `db upgrade`."""
    if db.is_sqlite:
        await asyncio.to_thread(upgrade, settings.effective_database_url)
        return
    async with first_connection(db.engine) as connection:
        current = await current_revisions(connection)
    if current != head_revisions():
        raise ConfigError("DATABASE_URL: the database schema is not current; run 'umkm-bot db upgrade' first")


def handler_config(settings: Settings) -> HandlerConfig:
    """The behaviour settings handlers, planners and officer commands read."""
    return HandlerConfig(
        form_idle=timedelta(hours=settings.form_idle_hours),
        training_offer=timedelta(hours=settings.training_offer_hours),
        public_url=settings.effective_public_url,
    )


async def build_app(settings: Settings, capabilities: tuple[Capability, ...] = CAPABILITIES) -> App:
    try:
        agency = load_profile(settings.agency_profile)
    except ProfileError as exc:
        raise ConfigError(f"AGENCY_PROFILE: {exc}") from None
    kinds = declared_kinds(capabilities)
    with opening_database(settings):
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
        flows=flows(capabilities),
        menu=menu(capabilities),
        label_of=lambda choice, locale: renderer.render_choice(choice, locale).label,
        config=handler_config(settings),
        erasers=[c.erase for c in capabilities if c.erase is not None],
        shortcuts=shortcuts(capabilities),
        greeters=[c.greet for c in capabilities if c.greet is not None],
    )
    log.info(
        "app.built", extra={"database": "sqlite" if db.is_sqlite else "postgresql", "agency": agency.code}
    )
    return App(settings, agency, db, renderer, router, capabilities, kinds)
