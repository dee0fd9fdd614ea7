"""The session lookup every dashboard request makes never holds the database's writer: it reads
in `Database.snapshot()`, and writes only when the session ends or is due a touch. On SQLite a
`transaction()` holds the one writer (an asyncio lock and `BEGIN IMMEDIATE`) for as long as it
runs, and every owner's chat message waits for it.

Observed on the engine under test (SQLite, or PostgreSQL with TEST_DATABASE_URL): every
transaction that begins, and whether it is a snapshot (storage/engine.py's `READ_ONLY`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import event, select

from bot.app import App
from handlers.dashboard.auth import IDLE_LIMIT, TOUCH_EVERY
from storage.database import Database
from storage.engine import READ_ONLY
from storage.models import DashboardSession
from tests.bot.dashboard.conftest import Browser, Clock, make_account

OpenBrowser = Callable[[], Awaitable[Browser]]


@contextmanager
def writers(db: Database) -> Iterator[list[bool]]:
    """For each transaction begun meanwhile, in order: True when it may write (a `transaction()`,
    holding SQLite's writer), False for a `snapshot()`."""
    began: list[bool] = []

    def on_begin(connection: Any) -> None:
        began.append(not connection.get_execution_options().get(READ_ONLY))

    event.listen(db.engine.sync_engine, "begin", on_begin)
    try:
        yield began
    finally:
        event.remove(db.engine.sync_engine, "begin", on_begin)


async def signed_in_admin(app: App, browser: OpenBrowser) -> Browser:
    """An admin (who may open every page, the courier's scan page too), signed in; the clock
    the test holds still, so no request is due to touch the session."""
    await make_account(app.db, "ani", "admin")
    b = await browser()
    assert (await b.login("ani")).status_code == 303
    return b


async def session_row(app: App) -> DashboardSession | None:
    async with app.db.snapshot() as tx:
        return await tx.session.scalar(select(DashboardSession))


async def get_counting(app: App, b: Browser, path: str) -> tuple[httpx.Response, int]:
    """The answer to a GET, and how many transactions that may write it began."""
    with writers(app.db) as began:
        response = await b.get(path)
    return response, began.count(True)


async def test_a_session_is_touched_once_a_minute_at_most(
    app: App, browser: OpenBrowser, clock: Clock
) -> None:
    b = await signed_in_admin(app, browser)
    signed_in_at = clock.now
    clock.advance(TOUCH_EVERY - timedelta(seconds=1))
    response, writes = await get_counting(app, b, "/dashboard")
    assert response.status_code == 200 and writes == 0
    row = await session_row(app)
    assert row is not None and row.last_seen_at == signed_in_at

    clock.advance(timedelta(seconds=1))  # a touch is due: one short write
    response, writes = await get_counting(app, b, "/dashboard")
    assert response.status_code == 200 and writes == 1
    row = await session_row(app)
    assert row is not None and row.last_seen_at == clock.now

    clock.advance(TOUCH_EVERY - timedelta(seconds=1))
    response, writes = await get_counting(app, b, "/dashboard")
    assert response.status_code == 200 and writes == 0


async def test_an_idle_or_disabled_session_still_ends(app: App, browser: OpenBrowser, clock: Clock) -> None:
    b = await signed_in_admin(app, browser)
    clock.advance(IDLE_LIMIT + timedelta(seconds=1))
    response, writes = await get_counting(app, b, "/dashboard")
    assert response.status_code == 303 and response.headers["location"].startswith("/dashboard/login")
    assert writes == 1 and await session_row(app) is None

    assert (await b.login("ani")).status_code == 303
    assert await session_row(app) is not None
    # Disabled behind the dashboard's back (disabling through it ends the sessions itself).
    async with app.db.transaction() as tx:
        account = await tx.officers.by_username("ani")
        assert account is not None
        account.disabled_at = clock.now
    response, writes = await get_counting(app, b, "/dashboard")
    assert response.status_code == 303 and response.headers["location"].startswith("/dashboard/login")
    assert writes == 1 and await session_row(app) is None
