"""The dashboard in a real browser (Playwright + Debian's Chromium, headless) against
`umkm-bot run` as a real process: what an officer does in a day, and what is refused.

Screenshots of every page, at desktop and phone width, are written under the test's tmp
folder (`screenshots/`); `pytest tests/bot/dashboard/test_browser.py --basetemp=/tmp/shots`
keeps them at a known place.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser, BrowserContext, Page
from sqlalchemy import func, select

from handlers.agency import AgencyProfile
from handlers.trainings.attendance import NotATrainingDay, day_code
from handlers.types import utcnow
from handlers.vouchers.programs import NewProgram, add_program
from storage.database import Database
from storage.models import AuditEntry, Broadcast, Business, Courier, Owner, Training, Voucher
from storage.repositories.audience import AudienceFilter
from tests.bot.conftest import Running, whatsapp_env
from tests.bot.dashboard.browser import DESKTOP, PHONE, Shots, launch
from tests.bot.dashboard.conftest import PASSWORD, make_account
from tests.bot.dashboard.seed import issue_vouchers, seed_varied_owners
from tests.fakes import FakeWhatsApp

OWNERS = 1234


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    async for browser in launch():
        yield browser


@pytest.fixture
async def server(run_bot: Any, db: Database) -> AsyncIterator[Running]:
    await seed_varied_owners(db, OWNERS)
    await make_account(db, "admin", "admin")
    await make_account(db, "petugas", "officer")
    await make_account(db, "kurir", "courier", courier="Kurir Banua")
    with FakeWhatsApp() as wa:
        running = run_bot(**whatsapp_env(wa))
        running.health()
        yield running


async def new_page(chromium: Browser, *, phone: bool = False) -> tuple[BrowserContext, Page]:
    context = await chromium.new_context(viewport=PHONE if phone else DESKTOP, accept_downloads=True)
    return context, await context.new_page()


async def sign_in(page: Page, url: str, username: str, password: str = PASSWORD) -> None:
    await page.goto(f"{url}/dashboard/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("form[action^='/dashboard/login'] button")


async def scalar(db: Database, query: Any) -> Any:
    async with db.transaction() as tx:
        return await tx.session.scalar(query)


async def actions(db: Database, subject: str | None = None) -> list[str]:
    query = select(AuditEntry.action).order_by(AuditEntry.id)
    if subject:
        query = query.where(AuditEntry.subject == subject)
    async with db.transaction() as tx:
        return list((await tx.session.execute(query)).scalars())


def id_number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


async def overview_matches_the_database(page: Page, db: Database, shots: Shots) -> None:
    registered = await scalar(db, select(func.count()).select_from(Owner).where(Owner.deleted_at.is_(None)))
    assert registered == OWNERS
    assert await page.inner_text("#figure-total") == id_number(registered)
    assert await page.inner_text("#figure-nib") == id_number(OWNERS // 10 + 1)
    assert await page.locator("svg.chart").count() >= 5
    await shots.take(page, "01-ringkasan")


async def search_view_and_correct_an_owner(page: Page, db: Database, shots: Shots) -> None:
    # Search an owner by name: the words are posted, never in the URL.
    await page.click("nav.main >> text=Pelaku usaha")
    assert await page.inner_text("#owners-total") == id_number(OWNERS)
    await shots.take(page, "02-pelaku-usaha")
    await page.fill("input[name=search]", "Dewi Pemilik 1004")
    await page.click("form[action='/dashboard/owners/search'] button")
    assert "Dewi" not in page.url and "1004" not in page.url
    assert await page.inner_text("#owners-total") == "1"
    await page.click("text=BJB-2026-001004")
    owner_id = int(page.url.rsplit("/", 1)[1])
    assert await page.inner_text("#nik") == "6372********1004"
    await shots.take(page, "03-detail")

    # Change the status with a reason: saved, audited, and the owner will be told.
    await page.select_option("select[name=status]", "closed")
    await page.fill("input[name=reason]", "Pindah ke luar kota")
    await page.click("form[action$='/status'] button")
    assert "Status diubah menjadi Tutup" in await page.inner_text(".notice")
    status = await scalar(db, select(Business.status).where(Business.owner_id == owner_id))
    assert status == "closed"

    # The admin reveals the NIK: shown once, audited.
    await page.click("form[action$='/nik'] button")
    assert await page.inner_text("#nik") == "6372000000001004"
    assert await actions(db, f"owner:{owner_id}") == [
        "owner.viewed",
        "owner.status_set",
        "owner.viewed",
        "owner.nik_revealed",
    ]

    # The NIB help queue, and one request marked done.
    await page.click("nav.main >> text=Antrean NIB")
    await shots.take(page, "04-antrean-nib")
    await page.locator("form[action$='/nib-done'] button").first.click()
    assert "ditandai selesai" in await page.inner_text(".notice")


async def compose_dry_run_and_send_a_broadcast(page: Page, db: Database, shots: Shots) -> None:
    await page.click("nav.main >> text=Siaran")
    await page.fill("textarea[name=text]", "Pelatihan pemasaran daring hari Sabtu di Balai Kota.")
    await page.select_option("select[name=kecamatan]", "63.72.02")
    await page.click("#dry-run")
    async with db.transaction() as tx:
        expected = await tx.broadcasts.audience_counts(AudienceFilter(district_code="63.72.02"))
    assert await page.inner_text("#preview-total") == id_number(sum(expected.values()))
    for channel, count in expected.items():
        assert await page.inner_text(f"td[data-channel={channel}]") == id_number(count)
    assert await scalar(db, select(func.count()).select_from(Broadcast)) == 0
    await shots.take(page, "05-siaran-uji-coba")
    await page.click("#send")
    assert re.search(r"/dashboard/broadcasts/\d+$", page.url)
    assert await scalar(db, select(Broadcast.total)) == sum(expected.values())
    await shots.take(page, "06-siaran-progres")


async def open_a_round_and_download_the_owners(
    page: Page, db: Database, shots: Shots, tmp_path: Path
) -> None:
    await page.click("nav.main >> text=Pembaruan data")
    deadline = (utcnow() + timedelta(days=14)).date().isoformat()
    await page.fill("input[name=deadline]", deadline)
    await page.fill("input[name=note]", "Mohon dijawab sebelum batas waktu.")
    await page.click("form[action='/dashboard/update-rounds/open'] button")
    assert "dibuka" in await page.inner_text(".notice")
    await shots.take(page, "07-pembaruan-data")

    await page.click("nav.main >> text=Unduh")
    await shots.take(page, "08-unduh")
    async with page.expect_download() as download_info:
        await page.click("#export-owners")
    download = await download_info.value
    saved = tmp_path / "pelaku.xlsx"
    await download.save_as(saved)
    rows = list(load_workbook(saved, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("No. Pendaftaran", "Tanggal Daftar", "Nama Pemilik", "NIK")
    assert len(rows) == OWNERS + 1
    assert all(str(r[3]).startswith("6372****") for r in rows[1:])
    assert "owners.export" in await actions(db)


async def test_an_officers_day_in_the_browser(
    server: Running, chromium: Browser, db: Database, tmp_path: Path
) -> None:
    url = server.url
    shots = Shots(tmp_path / "screenshots")
    context, page = await new_page(chromium)
    await sign_in(page, url, "admin")
    assert page.url == f"{url}/dashboard"
    await overview_matches_the_database(page, db, shots)
    await search_view_and_correct_an_owner(page, db, shots)
    await compose_dry_run_and_send_a_broadcast(page, db, shots)
    await open_a_round_and_download_the_owners(page, db, shots, tmp_path)
    for name, label in (("09-petugas", "Petugas"), ("10-audit", "Audit")):
        await page.click(f"nav.main >> text={label}")
        await shots.take(page, name)

    # Sign out: the dashboard asks to sign in again.
    await page.click("header form button")
    await page.goto(f"{url}/dashboard/owners")
    assert page.url.startswith(f"{url}/dashboard/login")
    await context.close()


async def test_what_the_dashboard_refuses(
    server: Running, chromium: Browser, db: Database, tmp_path: Path
) -> None:
    url = server.url
    shots = Shots(tmp_path / "screenshots")
    context, page = await new_page(chromium, phone=True)

    # Signed out: any page sends to the sign-in form, then back to the page.
    await page.goto(f"{url}/dashboard/owners")
    assert page.url.startswith(f"{url}/dashboard/login?next=")
    await shots.take(page, "11-masuk")
    await page.fill("input[name=username]", "petugas")
    await page.fill("input[name=password]", "salah-sekali-123")
    await page.click("form[action^='/dashboard/login'] button")
    assert "Nama pengguna atau kata sandi salah" in await page.inner_text("[role=alert]")

    # An officer: no accounts page, no NIK reveal.
    await page.fill("input[name=username]", "petugas")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[action^='/dashboard/login'] button")
    assert page.url == f"{url}/dashboard/owners"
    response = await page.goto(f"{url}/dashboard/accounts")
    assert response is not None and response.status == 403
    assert "Tidak diizinkan" in await page.inner_text("h1")
    await shots.take(page, "12-ditolak")

    # A POST without the CSRF token is refused, and changes nothing.
    owner_id = await scalar(db, select(func.min(Owner.id)))
    before = await scalar(db, select(Business.status).where(Business.owner_id == owner_id))
    refused = await page.request.post(
        f"{url}/dashboard/owners/{owner_id}/status", form={"status": "inactive", "reason": "tanpa token"}
    )
    assert refused.status == 403
    assert await scalar(db, select(Business.status).where(Business.owner_id == owner_id)) == before
    reveal = await page.request.post(f"{url}/dashboard/owners/{owner_id}/nik", form={})
    assert reveal.status == 403
    await context.close()

    # A courier sees the courier's page only.
    context, page = await new_page(chromium, phone=True)
    await sign_in(page, url, "kurir")
    assert "Kurir Banua" in await page.inner_text("h1")
    assert await page.locator("nav.main").count() == 0
    await shots.take(page, "13-kurir")
    response = await page.goto(f"{url}/dashboard/owners")
    assert response is not None and response.status == 403
    await context.close()

    # Five wrong passwords lock the username for 15 minutes, even for the right password.
    context, page = await new_page(chromium)
    for _ in range(5):
        await sign_in(page, url, "admin", "bukan-kata-sandinya")
    assert "dikunci" in await page.inner_text("[role=alert]")
    await sign_in(page, url, "admin")
    assert "dikunci" in await page.inner_text("[role=alert]")
    assert page.url.startswith(f"{url}/dashboard/login")
    await shots.take(page, "14-terkunci")
    assert (await actions(db, "account:admin")).count("dashboard.login_locked") == 1
    await context.close()


async def a_voucher_of_kurir_banua(db: Database, agency: AgencyProfile) -> str:
    """A program run with the courier account's partner, and one voucher of it (printed code)."""
    async with db.transaction() as tx:
        program = await add_program(
            tx,
            NewProgram(name="Gratis Ongkir 2026", courier="Kurir Banua", quota=100),
            officer="t",
            now=utcnow(),
        )
    return (await issue_vouchers(db, program.id, 1, zone=agency.time_zone))[0]


async def test_a_courier_redeems_a_voucher_on_a_phone(
    server: Running, chromium: Browser, db: Database, agency: AgencyProfile, tmp_path: Path
) -> None:
    url = server.url
    shots = Shots(tmp_path / "screenshots")
    code = await a_voucher_of_kurir_banua(db, agency)

    # The phone's camera opens the QR's address; the courier signs in and comes back to it.
    context, page = await new_page(chromium, phone=True)
    await page.goto(f"{url}/v/{code}")
    assert page.url.startswith(f"{url}/dashboard/login?next=")
    await page.fill("input[name=username]", "kurir")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[action^='/dashboard/login'] button")
    assert page.url == f"{url}/v/{code}"
    assert "Voucher berlaku" in await page.inner_text("#verdict")
    assert await page.inner_text("#owner-first-name") == "Siti"
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await shots.take(page, "15-pindai")

    await page.fill("input[name=resi]", "kb 0001 2345")
    await page.fill("input[name=ongkir]", "18rb")
    await page.click("#redeem")
    assert "Voucher ditukar" in await page.inner_text("#verdict")
    assert await page.inner_text("#receipt-resi") == "KB00012345"
    await shots.take(page, "16-ditukar")
    voucher = await scalar(db, select(Voucher).where(Voucher.redeemed_at.is_not(None)))
    partner = await scalar(db, select(Courier.id).where(Courier.name == "Kurir Banua"))
    assert (voucher.resi, voucher.paid, voucher.courier_id) == ("KB00012345", 18_000, partner)

    # Exactly once: the same QR again says when and with which resi it was used.
    await page.goto(f"{url}/v/{code}")
    assert "sudah dipakai" in await page.inner_text("#verdict")
    await shots.take(page, "17-sudah-dipakai")
    await context.close()

    # The officer sees it on the Voucher page and pays the courier from the month's reconciliation.
    context, page = await new_page(chromium)
    await sign_in(page, url, "petugas")
    assert await page.inner_text("#figure-vouchers-redeemed") == "1"
    assert await page.inner_text("#figure-vouchers-paid") == "Rp18.000"
    await shots.take(page, "18-ringkasan-voucher")
    await page.click("nav.main >> text=Voucher")
    assert await page.inner_text("tr[data-program] td[data-count=redeemed]") == "1"
    await shots.take(page, "19-voucher")
    await page.click("text=Gratis Ongkir 2026")
    assert "KB00012345" in await page.inner_text("#vouchers")
    await shots.take(page, "20-program-voucher")
    await page.click("nav.main >> text=Unduh")
    async with page.expect_download() as download_info:
        await page.click("#export-vouchers")
    saved = tmp_path / "rekonsiliasi.xlsx"
    await (await download_info.value).save_as(saved)
    rows = list(load_workbook(saved, read_only=True).active.iter_rows(values_only=True))
    assert [r[:5] for r in rows[1:]] == [
        (code, rows[1][1], "KB00012345", 18_000, 18_000),
        ("JUMLAH", "1", None, 18_000, 18_000),
    ]
    assert "voucher.report" in await actions(db)
    await context.close()


async def test_an_officer_adds_a_training_and_puts_its_check_in_code_on_the_projector(
    server: Running, chromium: Browser, db: Database, agency: AgencyProfile, tmp_path: Path
) -> None:
    url = server.url
    shots = Shots(tmp_path / "screenshots")
    zone = agency.time_zone
    # Today, from a few minutes on (the start cannot be in the past), until three hours later.
    starts = (utcnow() + timedelta(minutes=5)).astimezone(zone).replace(second=0, microsecond=0)
    ends = starts + timedelta(hours=3)
    context, page = await new_page(chromium)
    await sign_in(page, url, "petugas")
    await page.click("nav.main >> text=Pelatihan")
    assert "Belum ada pelatihan yang akan datang" in await page.inner_text("#trainings")
    await shots.take(page, "21-pelatihan")

    # Through the form, as an officer types it: a slip is shown beside its field, values kept.
    await page.fill("input[name=title]", "Foto produk dengan ponsel")
    await page.select_option("select[name=topic]", "pemasaran_digital")
    await page.fill("input[name=starts]", f"{starts:%Y-%m-%dT%H:%M}")
    await page.fill("input[name=ends]", f"{starts - timedelta(hours=1):%Y-%m-%dT%H:%M}")
    await page.fill("input[name=capacity]", "25")
    await page.fill("input[name=venue]", "Aula Diskopumnaker")
    await page.select_option("select[name=kecamatan]", "63.72.02")
    await page.check("input[name=sector-kuliner]")
    await page.click("#add-training-button")
    assert "Waktu selesai harus setelah" in await page.inner_text("#error-ends")
    assert await page.input_value("input[name=title]") == "Foto produk dengan ponsel"
    assert await page.is_checked("input[name=sector-kuliner]")
    await shots.take(page, "22-tambah-pelatihan-salah")
    await page.fill("input[name=ends]", f"{ends:%Y-%m-%dT%H:%M}")
    await page.click("#add-training-button")
    assert re.search(r"/dashboard/trainings/\d+$", page.url)
    assert "ditambahkan" in await page.inner_text(".notice")
    training = await scalar(db, select(Training).where(Training.title == "Foto produk dengan ponsel"))
    assert (training.capacity, training.district_code, training.target_sectors) == (
        25,
        "63.72.02",
        ["kuliner"],
    )
    assert training.starts_at == starts.astimezone(UTC)
    await shots.take(page, "23-pelatihan-detail")

    # The check-in code, full screen for the venue's projector: the code of the day, nothing else.
    await page.click("#checkin-code-link")
    try:
        expected: str | None = day_code(training, agency, utcnow().astimezone(zone).date())
    except NotATrainingDay:  # just before midnight the start falls tomorrow
        expected = None
    if expected is not None:
        assert await page.inner_text("#code-digits") == expected
    else:
        assert "bukan hari pelatihan" in await page.inner_text("#no-code")
    assert "Foto produk dengan ponsel" in await page.inner_text("#projector-title")
    assert await page.locator("nav").count() == 0 and await page.locator("header").count() == 0
    assert await page.get_attribute("meta[http-equiv=refresh]", "content") == "60"
    await shots.take(page, "24-kode-hadir")

    for name, path in (
        ("25-umumkan", f"/dashboard/trainings/{training.id}/announce"),
        ("26-kehadiran", f"/dashboard/trainings/{training.id}/attendance"),
        ("27-penilaian", f"/dashboard/trainings/{training.id}/feedback"),
        ("28-angka-pelatihan", "/dashboard/trainings/stats"),
    ):
        await page.goto(f"{url}{path}")
        await shots.take(page, name)
    assert await page.locator("svg.chart").count() == 3
    await context.close()
