from __future__ import annotations

import pytest

from bot.settings import Settings
from handlers.agency import AgencyProfile
from storage.database import Database
from tests.handlers.trainings.helpers import Chat, Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def chat(db: Database, agency: AgencyProfile, settings: Settings, clock: Clock) -> Chat:
    return Chat(db, agency, settings, clock)
