"""The capabilities' pages over their domain functions, in process: what the officer reads and
what the database holds."""

from __future__ import annotations

import ast
import html
import io
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.app import App
from messages import LOCALES, Renderer
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


async def test_downloading_a_round_that_does_not_exist_says_so(
    app: App, browser: OpenBrowser, clock: Clock
) -> None:
    b = await admin(app, browser)
    downloads = "/dashboard/downloads"
    none_yet = await b.post(f"{downloads}/update-round", {}, token_from=downloads)
    assert "Belum ada putaran pembaruan data." in (await b.get(none_yet.headers["location"])).text
    deadline = (clock.now + timedelta(days=10)).date().isoformat()
    await b.post(
        "/dashboard/update-rounds/open", {"deadline": deadline}, token_from="/dashboard/update-rounds"
    )
    for asked in ("99", "99999999999999999999", "satu"):
        missing = await b.post(f"{downloads}/update-round", {"round": asked}, token_from=downloads)
        assert missing.status_code == 303 and missing.headers["location"] == downloads
        page = (await b.get(downloads)).text
        assert f"Putaran pembaruan data {asked} tidak ada." in page, asked
        assert "Belum ada putaran pembaruan data." not in page


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
    assert empty.status_code == 400 and "Teks pengumuman masih kosong" in empty.text
    sent = await b.post("/dashboard/broadcasts/send", form, token_from="/dashboard/broadcasts")
    progress = await b.get(sent.headers["location"])
    assert "Siaran #1" in progress.text and "diantrekan" in progress.text
    assert ">0,0/dtk<" in progress.text and ">0%</progress>" in progress.text
    async with app.db.transaction() as tx:
        broadcast = await tx.session.scalar(select(Broadcast))
    assert broadcast is not None and broadcast.total == active and broadcast.created_by == "dashboard:ani"


async def test_a_refused_broadcast_says_why_in_the_officers_words_keeps_the_text_and_the_recent_list(
    app: App, browser: OpenBrowser
) -> None:
    await seed_varied_owners(app.db, 3)
    b = await admin(app, browser)
    compose = "/dashboard/broadcasts"
    await b.post(f"{compose}/send", {"source": "text", "text": "Siaran pertama."}, token_from=compose)

    empty = await b.post(f"{compose}/preview", {"source": "text", "text": "  "}, token_from=compose)
    assert empty.status_code == 400
    assert 'id="error-text">Teks pengumuman masih kosong.' in empty.text
    assert "announcement text is empty" not in empty.text
    assert 'href="/dashboard/broadcasts/1"' in empty.text  # the recent broadcasts, still there

    typed = {
        "source": "template",
        "template": "nope",
        "text": "Pasar murah hari Minggu.",
        "kecamatan": "63.72.02",
    }
    unknown = await b.post(f"{compose}/send", typed, token_from=compose)
    assert unknown.status_code == 400
    assert 'id="error-template">Templat "announcements/nope" tidak ada' in html.unescape(unknown.text)
    assert "locale" not in unknown.text and "no message template" not in unknown.text
    assert ">Pasar murah hari Minggu.</textarea>" in unknown.text
    assert '<option value="63.72.02" selected>' in unknown.text
    assert 'href="/dashboard/broadcasts/1"' in unknown.text

    away = await b.post(
        f"{compose}/preview", {"source": "text", "text": "Halo", "kecamatan": "99.99.99"}, token_from=compose
    )
    assert away.status_code == 400 and 'id="error-kecamatan">Kecamatan itu bukan di wilayah kita' in away.text
    async with app.db.transaction() as tx:
        assert await tx.session.scalar(select(func.count()).select_from(Broadcast)) == 1


async def test_a_status_needs_a_reason_keeps_the_chosen_one_and_an_nib_can_be_verified(
    app: App, browser: OpenBrowser
) -> None:
    await seed_varied_owners(app.db, 2)
    b = await admin(app, browser)
    async with app.db.transaction() as tx:
        owner_id = await tx.session.scalar(select(Owner.id).where(Owner.reg_no == "BJB-2026-000001"))
    detail = f"/dashboard/owners/{owner_id}"
    refused = await b.post(f"{detail}/status", {"status": "closed", "reason": "  "}, token_from=detail)
    assert refused.status_code == 400
    assert 'id="error-reason" role="alert">Tulis alasannya' in refused.text
    status_field = refused.text[refused.text.index('<select name="status">') :]
    status_field = status_field[: status_field.index("</select>")]
    assert '<option value="closed" selected>' in status_field  # the chosen status, not "active"
    assert '<option value="active" selected>' not in status_field
    await b.post(f"{detail}/verify-nib", {}, token_from=detail)
    page = await b.get(detail)
    assert "NIB ditandai terverifikasi" in page.text and "terverifikasi</span>" in page.text
    async with app.db.transaction() as tx:
        business = await tx.session.scalar(select(Business).where(Business.owner_id == owner_id))
    assert business is not None and business.nib_verified and business.status == "active"
    assert (await b.get("/dashboard/owners/999999")).status_code == 404


def field_of(html: str, name: str) -> str:
    """The add-account form's control called `name`, as the page sends it."""
    form = html[html.index('action="/dashboard/accounts/add"') :]
    match = re.search(rf'<select[^>]*name="{name}".*?</select>|<input[^>]*name="{name}"[^>]*>', form, re.S)
    assert match, f"no field {name}"
    return match.group(0)


async def test_a_refused_new_account_shows_the_form_again_as_typed_with_the_field_marked(
    app: App, browser: OpenBrowser
) -> None:
    """A courier partner mistyped: the form comes back (400) with the username, the role and the
    partner kept, the partner marked, the passwords not kept, and the role not fallen back to
    Admin; the partners to choose from are offered, so a typo cannot be chosen."""
    b = await admin(app, browser)
    async with app.db.transaction() as tx:
        await tx.couriers.add("JNE Banjarbaru", datetime.now(UTC))
    typed = {
        "username": "petugas.dua",
        "role": "courier",
        "courier": "JNE Banjarbaruu",
        "password": "rahasia-panjang-2",
        "password_again": "rahasia-panjang-2",
    }
    page = await b.get("/dashboard/accounts")
    assert '<option value="JNE Banjarbaru">' in field_of(page.text, "courier")
    refused = await b.post("/dashboard/accounts/add", typed, token_from="/dashboard/accounts")
    assert refused.status_code == 400
    shown = refused.text
    assert 'value="petugas.dua"' in field_of(shown, "username")
    assert '<option value="courier" selected>Kurir</option>' in field_of(shown, "role")
    assert '<option value="officer">Petugas</option>' in field_of(shown, "role")
    assert '<option value="admin" selected>' not in field_of(shown, "role")
    assert 'id="error-courier">Mitra kurir itu belum ada' in shown
    assert "rahasia-panjang-2" not in shown
    async with app.db.transaction() as tx:
        assert await tx.officers.by_username("petugas.dua") is None

    differs = await b.post(
        "/dashboard/accounts/add",
        {**typed, "courier": "JNE Banjarbaru", "password_again": "rahasia-panjang-3"},
        token_from="/dashboard/accounts",
    )
    assert differs.status_code == 400 and 'id="error-password">Kedua kata sandi tidak sama' in differs.text
    assert '<option value="JNE Banjarbaru" selected>' in field_of(differs.text, "courier")

    added = await b.post(
        "/dashboard/accounts/add", {**typed, "courier": "JNE Banjarbaru"}, token_from="/dashboard/accounts"
    )
    assert added.status_code == 303
    async with app.db.transaction() as tx:
        account = await tx.officers.by_username("petugas.dua")
    assert account is not None and (account.role, account.courier_name) == ("courier", "JNE Banjarbaru")


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


#: Where the code records audit entries: the repository's own `record` passes its argument on.
RECORDING_CODE = ("bot", "handlers", "storage")
ACTION_ARGUMENT = re.compile(r'action="([a-z_]+\.[a-z_.]+)"')


def recorded_actions() -> set[str]:
    """Every action the code records: the strings given as `action=` to `audit.record(…)` or
    `AuditEntry(…)` (either branch of a conditional too), and any `action="x.y"` in the code."""
    root = Path(__file__).resolve().parents[3]
    found: set[str] = set()
    for package in RECORDING_CODE:
        for source in (root / package).rglob("*.py"):
            text = source.read_text(encoding="utf-8")
            found.update(ACTION_ARGUMENT.findall(text))
            for node in ast.walk(ast.parse(text)):
                if not isinstance(node, ast.Call):
                    continue
                called = (
                    node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                )
                if called not in ("record", "AuditEntry"):
                    continue
                for keyword in (k for k in node.keywords if k.arg == "action"):
                    found.update(
                        c.value
                        for c in ast.walk(keyword.value)
                        if isinstance(c, ast.Constant) and isinstance(c.value, str)
                    )
    return found


def test_every_action_the_code_records_has_a_name_in_every_locale() -> None:
    """A new audited action needs its words in officer/labels/audit_action, in each language."""
    actions = recorded_actions()
    assert {"owner.viewed", "voucher_program.added", "owners.export_with_nik"} <= actions
    renderer = Renderer(ZoneInfo("Asia/Makassar"))
    for locale in LOCALES:
        names = dict(
            line.split(":", 1)
            for line in renderer.render("officer/labels/audit_action", locale).splitlines()
            if ":" in line
        )
        missing = sorted(actions - {key.strip() for key in names})
        assert not missing, (locale, missing)


async def test_the_audit_page_names_actions_in_the_officers_words_and_shows_details_readably(
    app: App, browser: OpenBrowser
) -> None:
    b = await admin(app, browser)
    async with app.db.transaction() as tx:
        await tx.audit.record(actor="dashboard:ani", action="owner.viewed", subject="owner:7")
        await tx.audit.record(
            actor="dashboard:ani",
            action="broadcast.queued",
            subject="broadcast:3",
            details={"filters": {"kecamatan": None, "sector": "kuliner", "sizes": []}, "total": 12},
        )
        await tx.audit.record(
            actor="officer:budi",
            action="voucher_program.paused",
            subject="voucher_program:2",
            details={"reason": None, "voided": True},
        )
        await tx.audit.record(actor="officer:budi", action="something.new", subject="owner:7")
    page = await b.get("/dashboard/audit")
    assert page.status_code == 200
    text = html.unescape(page.text)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", text)
    assert "Data pemilik dilihat" in cells and "Siaran dijadwalkan" in cells
    assert "Program voucher dijeda" in cells
    assert "something.new" in cells  # no words for it yet: its key, not nothing
    assert "owner.viewed" not in cells and "broadcast.queued" not in cells
    assert "filters.sector: kuliner; total: 12" in cells
    assert "voided: ya" in cells
    assert not any("{" in cell or "None" in cell or "kecamatan" in cell for cell in cells)
    options = dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', text))
    assert options["owner.viewed"] == "Data pemilik dilihat"
    assert options["something.new"] == "something.new"
    # Filtering by an action still works by its key.
    only = html.unescape((await b.get("/dashboard/audit?action=owner.viewed")).text)
    shown = re.findall(r"<td[^>]*>([^<]*)</td>", only)
    assert "Data pemilik dilihat" in shown and "Siaran dijadwalkan" not in shown


async def test_an_unknown_dashboard_path_gets_the_dashboards_not_found_page_and_the_icon_is_served(
    app: App, browser: OpenBrowser
) -> None:
    b = await admin(app, browser)
    for path in ("/dashboard/no-such-page", "/dashboard/owners/7/no-such-tab", "/dashboard/static/x.css"):
        page = await b.get(path)
        assert page.status_code == 404, path
        assert "Halaman ini tidak ada di dasbor." in page.text, path
        assert 'href="/dashboard/audit"' in page.text  # the navigation: still signed in
        assert page.headers["Cache-Control"] == "no-store"
    posted = await b.post("/dashboard/no-such-form", {})
    assert posted.status_code == 404 and "Tidak ditemukan" in posted.text
    # Signed out: the same page, without the navigation.
    stranger = await browser()
    page = await stranger.get("/dashboard/no-such-page")
    assert page.status_code == 404 and "Tidak ditemukan" in page.text and "/dashboard/audit" not in page.text
    # A trailing slash still leads to the page without it.
    for path, to in (
        ("/dashboard/", "/dashboard"),
        ("/dashboard/audit/?action=x.y", "/dashboard/audit?action=x.y"),
    ):
        moved = await b.get(path)
        assert (moved.status_code, moved.headers["location"]) == (307, to)
    # The icon the browser asks for, and the one the layout links.
    for path in ("/favicon.ico", "/dashboard/static/favicon.svg"):
        icon = await stranger.get(path)
        assert icon.status_code == 200, path
        assert icon.headers["content-type"] == "image/svg+xml" and icon.content.startswith(b"<svg")
    assert 'rel="icon"' in (await b.get("/dashboard")).text
