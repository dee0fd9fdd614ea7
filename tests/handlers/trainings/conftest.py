from __future__ import annotations

import pytest

from bot.settings import Settings
from handlers.agency import AgencyProfile
from storage.database import Database
from tests.handlers.trainings.helpers import Chat, Clock, Officer, Scene


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def chat(db: Database, agency: AgencyProfile, settings: Settings, clock: Clock) -> Chat:
    return Chat(db, agency, settings, clock)


@pytest.fixture
def officer(db: Database, agency: AgencyProfile, settings: Settings, clock: Clock) -> Officer:
    return Officer(db, agency, settings, clock)


@pytest.fixture
def scene(db: Database, agency: AgencyProfile, settings: Settings, clock: Clock) -> Scene:
    return Scene(
        db, agency, settings, clock, Chat(db, agency, settings, clock), Officer(db, agency, settings, clock)
    )
