"""The capabilities' pages over their domain functions, in process: what the officer reads and
what the database holds."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.app import App
from storage.models import AuditEntry, Broadcast, Business, OutboxMessage, Owner, UpdateRound
from tests.bot.dashboard.conftest import Browser, Clock, make_account
from tests.bot.dashboard.seed import seed_varied_owners

OpenBrowser = Callable[[], Awaitable[Browser]]


async def admin(app: App, browser: OpenBrowser) -> Browser:
    await make_account(app.db, "ani", "admin")
    b = await browser()
    await b.login("ani")
    return b


async def test_open_a_round_see_its_progress_and_download_its_results(
    app: App, browser: OpenBrowser, clock: Clock
) -> None:
    await seed_varied_owners(app.db, 12)
    b = await admin(app, browser)
    past = (clock.now - timedelta(days=2)).date().isoformat()
    refused = await b.post(
        "/dashboard/update-rounds/open", {"deadline": past}, token_from="/dashboard/update-rounds"
    )
    assert refused.status_code == 303
    assert "sudah lewat" in (await b.get("/dashboard/update-rounds")).text
    deadline = (clock.now + timedelta(days=10)).date().isoformat()
    opened = await b.post(
        "/dashboard/update-rounds/open",
        {"deadline": deadline, "note": "Mohon dijawab"},
        token_from="/dashboard/update-rounds",
    )
    page = await b.get(opened.headers["location"])
    assert "12 pelaku usaha diundang" in page.text and "0 / 12" in page.text
    assert "Pembaruan data berjalan" in (await b.get("/dashboard")).text
    async with app.db.transaction() as tx:
        round_id = await tx.session.scalar(select(UpdateRound.id))
        invitations = await tx.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert invitations == 12
    again = await b.post(
        "/dashboard/update-rounds/open", {"deadline": deadline}, token_from="/dashboard/update-rounds"
    )
    assert "Masih ada putaran" in (await b.get(again.headers["location"])).text
    export = await b.post(
        "/dashboard/downloads/update-round", {"round": str(round_id)}, token_from="/dashboard/downloads"
    )
    rows = list(load_workbook(io.BytesIO(export.content), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "No. Pendaftaran" and len(rows) == 1  # nobody has answered yet
    async with app.db.transaction() as tx:
        actions = list((await tx.session.execute(select(AuditEntry.action))).scalars())
    assert "update_round.opened" in actions and "update_round.export" in actions


async def test_a_broadcast_dry_run_sends_nothing_and_sending_queues_its_audience(
    app: App, browser: OpenBrowser
) -> None:
    await seed_varied_owners(app.db, 10)
    b = await admin(app, browser)
    form = {"source": "text", "text": "Pasar murah hari Minggu.", "status": "active"}
    preview = await b.post("/dashboard/broadcasts/preview", form, token_from="/dashboard/broadcasts")
    async with app.db.transaction() as tx:
        active = await tx.session.scalar(
            select(func.count()).select_from(Business).where(Business.status == "active")
        )
        assert await tx.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert f'id="preview-total">{active}<' in preview.text and "Pasar murah hari Minggu." in preview.text
    empty = await b.post(
        "/dashboard/broadcasts/preview", {**form, "text": " "}, token_from="/dashboard/broadcasts"
    )
    assert empty.status_code == 400 and "empty" in empty.text
    sent = await b.post("/dashboard/broadcasts/send", form, token_from="/dashboard/broadcasts")
    progress = await b.get(sent.headers["location"])
    assert "Siaran #1" in progress.text and "diantrekan" in progress.text
    async with app.db.transaction() as tx:
        broadcast = await tx.session.scalar(select(Broadcast))
    assert broadcast is not None and broadcast.total == active and broadcast.created_by == "dashboard:ani"


async def test_a_status_needs_a_reason_and_an_nib_can_be_verified(app: App, browser: OpenBrowser) -> None:
    await seed_varied_owners(app.db, 2)
    b = await admin(app, browser)
    async with app.db.transaction() as tx:
        owner_id = await tx.session.scalar(select(Owner.id).where(Owner.reg_no == "BJB-2026-000001"))
    detail = f"/dashboard/owners/{owner_id}"
    await b.post(f"{detail}/status", {"status": "inactive", "reason": "  "}, token_from=detail)
    assert "Tulis alasannya" in (await b.get(detail)).text
    await b.post(f"{detail}/verify-nib", {}, token_from=detail)
    page = await b.get(detail)
    assert "NIB ditandai terverifikasi" in page.text and "terverifikasi</span>" in page.text
    async with app.db.transaction() as tx:
        business = await tx.session.scalar(select(Business).where(Business.owner_id == owner_id))
    assert business is not None and business.nib_verified and business.status == "active"
    assert (await b.get("/dashboard/owners/999999")).status_code == 404


async def test_an_id_beyond_any_record_is_not_found(app: App, browser: OpenBrowser, clock: Clock) -> None:
    """A huge number in a path, `?round=` or `?before=` is a page not found (or the first page),
    never a server error: the database is not asked about an id no record can have."""
    await seed_varied_owners(app.db, 2)
    b = await admin(app, browser)
    huge = "99999999999999999999"
    for path in ("owners", "trainings", "vouchers", "broadcasts"):
        page = await b.get(f"/dashboard/{path}/{huge}")
        assert page.status_code == 404, (path, page.status_code)
    assert (await b.get(f"/dashboard/owners/{2**31}")).status_code == 404  # just past an INTEGER key
    assert (await b.get(f"/dashboard/update-rounds?round={huge}")).status_code == 404
    assert (await b.get(f"/dashboard/audit?before={huge}")).status_code == 200
