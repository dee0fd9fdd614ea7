"""A dashboard page that only reads never holds the database's writer: it reads in
`Database.snapshot()`. On SQLite a `transaction()` holds the one writer (an asyncio lock and
`BEGIN IMMEDIATE`) for as long as it runs, and every owner's chat message waits for it; the
session lookup every request makes writes only when the session ends or is due a touch.

Observed on the engine under test (SQLite, or PostgreSQL with TEST_DATABASE_URL): every
transaction that begins, and whether it is a snapshot (storage/engine.py's `READ_ONLY`)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx
from sqlalchemy import select

from bot.app import App
from handlers.dashboard.auth import IDLE_LIMIT, TOUCH_EVERY
from storage.models import AuditEntry, DashboardSession
from tests.bot.dashboard.conftest import Browser, Clock, csrf_of, make_account
from tests.bot.reads import seeded, writers

OpenBrowser = Callable[[], Awaitable[Browser]]
PATH_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")

#: The GET pages that still open a writing transaction, and why (each may write as it shows).
MUST_WRITE = {
    # Viewing an owner's personal data is audited (UU PDP): `view_owner`.
    "/dashboard/owners/{owner_id:int}",
    # Showing who signed up, or who attended, is audited: `participants.view_participants`.
    "/dashboard/trainings/{training_id:int}",
    "/dashboard/trainings/{training_id:int}/attendance",
    # A code refused at the counter is audited and counts toward the courier's guessing limit:
    # `redeeming.check`.
    "/v/{code}",
}


async def signed_in_admin(app: App, browser: OpenBrowser) -> Browser:
    """An admin (who may open every page, the courier's scan page too), signed in; the clock
    the test holds still, so no request is due to touch the session."""
    await make_account(app.db, "ani", "admin")
    b = await browser()
    assert (await b.login("ani")).status_code == 303
    return b


async def test_every_page_that_only_reads_reads_in_a_snapshot(
    app: App, browser: OpenBrowser, clock: Clock
) -> None:
    values = await seeded(app, clock.now)
    b = await signed_in_admin(app, browser)
    writing: dict[str, int] = {}
    snapshots: dict[str, int] = {}
    pages = [p.path for c in app.capabilities for p in c.pages if "GET" in p.methods]
    assert len(pages) >= 15
    for page in pages:
        path = PATH_PARAM.sub(lambda m: values[m.group(1)], page)  # a new parameter: seed it above
        with writers(app.db) as began:
            response = await b.get(path)
        assert response.status_code == 200, (path, response.status_code)
        writing[page], snapshots[page] = began.count(True), began.count(False)

    # The broadcast's dry run is a POST that only reads (the audience per channel).
    form = {"source": "text", "text": "Pasar murah hari Minggu.", "status": "active"}
    csrf = csrf_of((await b.get("/dashboard/broadcasts")).text)
    with writers(app.db) as began:
        preview = await b.client.post("/dashboard/broadcasts/preview", data={"csrf": csrf, **form})
    assert preview.status_code == 200 and 'id="preview-total">' in preview.text
    writing["/dashboard/broadcasts/preview"] = began.count(True)

    assert {page for page, n in writing.items() if n} == MUST_WRITE, writing
    assert all(writing[page] == 1 for page in MUST_WRITE), writing
    assert all(snapshots.values()), snapshots  # the session, at least, read in a snapshot
    # The rounds page shows the list and the open round's outcomes from one view: the session's
    # snapshot and the page's.
    assert snapshots["/dashboard/update-rounds"] == 2, snapshots
    async with app.db.snapshot() as tx:
        audited = set((await tx.session.execute(select(AuditEntry.action))).scalars())
    assert {"owner.viewed", "training.participants_viewed"} <= audited


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
