"""What officer commands share: opening the database, naming the officer, the error they exit with."""

from __future__ import annotations

import getpass
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.app import prepare_database
from bot.settings import ConfigError, Settings
from handlers.agency import AgencyProfile, ProfileError, load_profile
from storage.crypto import Cipher
from storage.database import Database


class OfficerError(Exception):
    """Bad input to an officer command; the message is the one line printed before exiting non-zero."""


def officer_name() -> str:
    """How the audit log names the officer running a command."""
    try:
        return f"officer:{getpass.getuser()}"
    except (KeyError, OSError):
        return "officer:unknown"


def agency_of(settings: Settings) -> AgencyProfile:
    try:
        return load_profile(settings.agency_profile)
    except ProfileError as exc:
        raise ConfigError(f"AGENCY_PROFILE: {exc}") from None


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    db = Database(settings.effective_database_url, cipher=Cipher(settings.secret_key or ""))
    try:
        await prepare_database(settings, db)
        yield db
    finally:
        await db.close()
