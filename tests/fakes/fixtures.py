"""Pytest fixtures for the fakes, shared by every test package (registered in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes import FakeWhatsApp


@pytest.fixture(scope="module")
def whatsapp_server() -> Iterator[FakeWhatsApp]:
    with FakeWhatsApp() as server:
        yield server


@pytest.fixture
def wa(whatsapp_server: FakeWhatsApp) -> FakeWhatsApp:
    """One fake per module, reset before every test."""
    whatsapp_server.reset()
    return whatsapp_server
