"""The dashboard's rules, in process (httpx over the app's routes, the dashboard's clock moved
by the test): sessions and cookies, CSRF on every form, roles, lockout, audit, and no personal
data in URLs."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.responses import Response

from bot.app import App
from storage.models import AuditEntry, Owner
from tests.bot.dashboard.conftest import Browser, Clock, make_account
from tests.bot.dashboard.seed import seed_varied_owners

OpenBrowser = Callable[[], Awaitable[Browser]]


async def audit_actions(app: App) -> list[tuple[str, str, str]]:
    async with app.db.transaction() as tx:
        rows = await tx.session.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.subject))
    return [tuple(r) for r in rows]  # type: ignore[misc]


async def signed_in(app: App, browser: OpenBrowser, username: str, role: str) -> Browser:
    await make_account(app.db, username, role, courier="Kurir Banua" if role == "courier" else None)
    b = await browser()
    response = await b.login(username)
    assert response.status_code == 303
    return b


async def test_the_session_cookie_is_httponly_lax_and_not_secure_over_http(
    app: App, browser: OpenBrowser
) -> None:
    await make_account(app.db, "ani", "admin")
    b = await browser()
    response = await b.login("ani")
    cookie = response.headers["set-cookie"]
    assert "umkm_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie


async def test_the_cookie_is_secure_when_public_url_is_https(app: App, clock: Clock) -> None:
    app.settings = app.settings.model_copy(update={"public_url": "https://dinas.example.id"})
    response = Response()
    app.dashboard(clock).set_session_cookie(response, "token")
    assert "Secure" in response.headers["set-cookie"]


async def test_a_session_ends_after_eight_idle_hours_and_at_logout(
    app: App, browser: OpenBrowser, clock: Clock
) -> None:
    b = await signed_in(app, browser, "ani", "officer")
    clock.advance(timedelta(hours=7, minutes=59))
    assert (await b.get("/dashboard")).status_code == 200
    clock.advance(timedelta(hours=7, minutes=59))  # idle measured from the last request
    assert (await b.get("/dashboard")).status_code == 200
    clock.advance(timedelta(hours=8, seconds=1))
    expired = await b.get("/dashboard/owners")
    assert expired.status_code == 303 and expired.headers["location"].startswith("/dashboard/login?next=")

    b = await signed_in(app, browser, "budi", "officer")
    assert (await b.post("/dashboard/logout", {})).status_code == 303
    assert (await b.get("/dashboard")).status_code == 303


async def test_every_form_post_without_the_csrf_token_is_refused(app: App, browser: OpenBrowser) -> None:
    b = await signed_in(app, browser, "ani", "admin")
    posts = [p.path for c in app.capabilities for p in c.pages if "POST" in p.methods]
    assert len(posts) >= 10
    for path in posts:
        concrete = re.sub(r"\{[^}]+\}", "1", path)  # /dashboard/owners/{owner_id:int} -> …/1
        response = await b.client.post(concrete, data={"status": "closed", "reason": "x", "username": "ani"})
        assert response.status_code == 403, path
        wrong = await b.client.post(concrete, data={"csrf": "not-the-token"})
        assert wrong.status_code == 403, path
    assert [
        a for a in await audit_actions(app) if a[1] != "dashboard.login" and a[1] != "account.added"
    ] == []


async def test_the_login_form_needs_its_own_csrf_token(app: App, browser: OpenBrowser) -> None:
    await make_account(app.db, "ani", "admin")
    b = await browser()
    response = await b.client.post(
        "/dashboard/login", data={"username": "ani", "password": "kata-sandi-rahasia"}
    )
    assert response.status_code == 403


async def test_an_officer_cannot_manage_accounts_read_the_audit_or_reveal_a_nik(
    app: App, browser: OpenBrowser
) -> None:
    await seed_varied_owners(app.db, 3)
    b = await signed_in(app, browser, "ani", "officer")
    for path in ("/dashboard/accounts", "/dashboard/audit"):
        assert (await b.get(path)).status_code == 403
    async with app.db.transaction() as tx:
        owner_id = await tx.session.scalar(select(Owner.id).limit(1))
    detail = await b.get(f"/dashboard/owners/{owner_id}")
    assert detail.status_code == 200 and "/nik" not in detail.text
    assert (await b.post(f"/dashboard/owners/{owner_id}/nik", {})).status_code == 403
    nav = detail.text.split("<main>")[0]
    assert "Petugas" not in nav and "Audit" not in nav


async def test_a_courier_sees_only_the_courier_page(app: App, browser: OpenBrowser) -> None:
    b = await signed_in(app, browser, "kurir", "courier")
    home = await b.get("/dashboard")
    assert (
        home.status_code == 200 and "Kurir Banua" in home.text and "nav" not in home.text.split("<main>")[0]
    )
    for path in (
        "/dashboard/owners",
        "/dashboard/broadcasts",
        "/dashboard/downloads",
        "/dashboard/update-rounds",
    ):
        assert (await b.get(path)).status_code == 403, path


async def test_five_failures_lock_for_fifteen_minutes_then_the_password_works(
    app: App, browser: OpenBrowser, clock: Clock
) -> None:
    await make_account(app.db, "ani", "admin")
    b = await browser()
    statuses = [(await b.login("ani", "salah-sekali-123")).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    assert (await b.login("ani")).status_code == 429
    clock.advance(timedelta(minutes=15, seconds=1))
    assert (await b.login("ani")).status_code == 303
    actions = [a[1] for a in await audit_actions(app)]
    assert actions.count("dashboard.login_failed") == 4 and actions.count("dashboard.login_locked") == 1


async def test_a_refused_sign_in_keeps_the_username_never_the_password(
    app: App, browser: OpenBrowser
) -> None:
    await make_account(app.db, "ani", "admin")
    b = await browser()
    wrong = await b.login("ani", "salah-sekali-123")
    assert wrong.status_code == 401 and "Nama pengguna atau kata sandi salah" in wrong.text
    assert re.search(r'<input type="text" name="username" value="ani"', wrong.text)
    assert "salah-sekali-123" not in wrong.text
    assert re.search(r'<input type="password" name="password"(?![^>]*value=)[^>]*>', wrong.text)
    for _ in range(4):
        locked = await b.login("ani", "salah-sekali-123")
    assert locked.status_code == 429 and 'name="username" value="ani"' in locked.text
    assert "salah-sekali-123" not in locked.text


async def test_an_unknown_username_is_locked_too_and_says_nothing_else(
    app: App, browser: OpenBrowser
) -> None:
    b = await browser()
    statuses = [(await b.login("siapa", "salah-sekali-123")).status_code for _ in range(6)]
    assert statuses == [401, 401, 401, 401, 429, 429]
    assert await audit_actions(app) == []


async def test_a_disabled_account_is_signed_out(app: App, browser: OpenBrowser) -> None:
    b = await signed_in(app, browser, "ani", "officer")
    admin = await signed_in(app, browser, "boss", "admin")
    assert (await admin.post("/dashboard/accounts/disable", {"username": "ani"})).status_code == 303
    assert (await b.get("/dashboard")).status_code == 303
    assert (await b.login("ani")).status_code == 401


async def test_views_reveals_and_exports_are_audited_and_urls_hold_no_personal_data(
    app: App, browser: OpenBrowser
) -> None:
    await seed_varied_owners(app.db, 5)
    b = await signed_in(app, browser, "ani", "admin")
    found = await b.post(
        "/dashboard/owners/search", {"search": "Rina Pemilik 2"}, token_from="/dashboard/owners"
    )
    location = found.headers["location"]
    assert found.status_code == 303 and "Rina" not in location and "Pemilik" not in location
    listing = await b.get(location)
    assert "Rina Pemilik 2" in listing.text and "BJB-2026-000002" in listing.text
    by_phone = await b.post(
        "/dashboard/owners/search", {"search": "0812-0000-0003"}, token_from="/dashboard/owners"
    )
    assert "0812" not in by_phone.headers["location"]
    assert "BJB-2026-000003" in (await b.get(by_phone.headers["location"])).text
    async with app.db.transaction() as tx:
        owner_id = await tx.session.scalar(select(Owner.id).where(Owner.reg_no == "BJB-2026-000002"))
    await b.get(f"/dashboard/owners/{owner_id}")
    revealed = await b.post(
        f"/dashboard/owners/{owner_id}/nik", {}, token_from=f"/dashboard/owners/{owner_id}"
    )
    assert "6372000000000002" in revealed.text
    export = await b.post("/dashboard/downloads/owners", {}, token_from="/dashboard/downloads")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    assert "attachment" in export.headers["content-disposition"]
    actions = [(a[1], a[2]) for a in await audit_actions(app)]
    subject = f"owner:{owner_id}"
    assert ("owner.viewed", subject) in actions and ("owner.nik_revealed", subject) in actions
    assert ("owners.export", "owners") in actions


@pytest.mark.parametrize("password", ["pendek", ""])
async def test_accounts_need_ten_character_passwords(app: App, browser: OpenBrowser, password: str) -> None:
    admin = await signed_in(app, browser, "boss", "admin")
    response = await admin.post(
        "/dashboard/accounts/add",
        {"username": "ani", "role": "officer", "password": password, "password_again": password},
        token_from="/dashboard/accounts",
    )
    assert response.status_code == 400
    assert 'id="error-password">Kata sandi minimal 10 karakter' in response.text
    page = await admin.get("/dashboard/accounts")
    assert ">ani<" not in page.text
