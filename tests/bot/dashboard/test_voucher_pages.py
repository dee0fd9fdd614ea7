"""The Voucher pages and the courier's scan page, in process: what the officer and the counter
read, and what the database holds."""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.app import App
from handlers.vouchers import codes as voucher_codes
from handlers.vouchers.programs import remove_courier
from handlers.vouchers.redeeming import Redeemed, redeem
from storage.models import AuditEntry, OutboxMessage, Voucher, VoucherProgram
from storage.models.vouchers import Courier, ProgramStatus
from tests.bot.dashboard.conftest import Browser, Clock, make_account
from tests.bot.dashboard.seed import issue_vouchers, seed_varied_owners
from tests.handlers.vouchers.helpers import COURIER, program, redeem_at_counter

OpenBrowser = Callable[[], Awaitable[Browser]]
VOUCHERS = "/dashboard/vouchers"
PROGRAM_FORM = {
    "name": "Gratis Ongkir 2026",
    "courier": COURIER,
    "quota": "100",
    "per_owner": "1",
    "period": "month",
    "max_ongkir": "20rb",
    "valid_days": "30",
    "size-micro": "1",
    "kecamatan-63.72.02": "1",
}


async def signed_in(
    app: App, browser: OpenBrowser, username: str, role: str, courier: str | None = None
) -> Browser:
    await make_account(app.db, username, role, courier)
    b = await browser()
    assert (await b.login(username)).status_code == 303
    return b


async def notice(b: Browser, response: httpx.Response) -> str:
    """The page a POST redirected to, as the officer sees it next."""
    return (await b.get(response.headers["location"])).text


async def audit(app: App) -> list[tuple[str, str]]:
    async with app.db.transaction() as tx:
        return [(a, b) for a, b in await tx.session.execute(select(AuditEntry.actor, AuditEntry.action))]


async def test_add_a_program_checked_as_the_command_then_pause_resume_and_close(
    app: App, browser: OpenBrowser
) -> None:
    b = await signed_in(app, browser, "ani", "admin")
    assert "Tambahkan mitra kurir lebih dulu" in (await b.get(VOUCHERS)).text

    # A courier partner: its one-time link code shown on this answer, never again.
    made = await b.post(f"{VOUCHERS}/couriers/add", {"name": COURIER}, token_from=VOUCHERS)
    link_code = re.search(r'id="link-code">([A-Z0-9]{8})<', made.text)
    assert made.status_code == 200 and link_code is not None
    page = (await b.get(VOUCHERS)).text
    assert link_code.group(1) not in page and COURIER in page

    # The form is read as `voucher program add` reads its flags; what was typed stays.
    bad = await b.post(f"{VOUCHERS}/add", {**PROGRAM_FORM, "max_ongkir": "banyak"}, token_from=VOUCHERS)
    assert bad.status_code == 400 and "Ongkir maksimal: tulis jumlah rupiah" in bad.text
    assert 'value="Gratis Ongkir 2026"' in bad.text and 'name="size-micro" value="1" checked' in bad.text
    zero = await b.post(f"{VOUCHERS}/add", {**PROGRAM_FORM, "quota": "0"}, token_from=VOUCHERS)
    assert zero.status_code == 400 and "Kuota minimal 1" in zero.text
    for field, most, says in (
        ("quota", "99999999999999999999", "Kuota paling banyak 1.000.000"),
        ("valid_days", "999999999", "Masa berlaku paling banyak 366"),
    ):
        big = await b.post(f"{VOUCHERS}/add", {**PROGRAM_FORM, field: most}, token_from=VOUCHERS)
        assert big.status_code == 400 and says in big.text, field
    added = await b.post(f"{VOUCHERS}/add", PROGRAM_FORM, token_from=VOUCHERS)
    assert added.status_code == 303 and added.headers["location"] == f"{VOUCHERS}/1"
    detail = await notice(b, added)
    assert "Program #1 “Gratis Ongkir 2026” ditambahkan" in detail
    assert "Landasan Ulin" in detail and "Mikro" in detail and "Rp20.000 per paket" in detail
    async with app.db.transaction() as tx:
        added_program = await tx.vouchers.program(1)
    assert added_program is not None
    assert (added_program.max_ongkir, added_program.size_classes, added_program.districts) == (
        20_000,
        ["micro"],
        ["63.72.02"],
    )

    here = f"{VOUCHERS}/1"
    no_reason = await b.post(f"{here}/pause", {"reason": "  "}, token_from=here)
    assert "Tulis alasannya" in await notice(b, no_reason)
    paused = await b.post(
        f"{here}/pause", {"reason": "Kuota bulan ini habis", "void_issued": "1"}, token_from=here
    )
    page = await notice(b, paused)
    assert "Program #1 dihentikan sementara" in page and "Kuota bulan ini habis" in page
    assert "Dihentikan sementara" in (await b.get(VOUCHERS)).text
    resumed = await b.post(f"{here}/resume", {}, token_from=here)
    assert "Program #1 berjalan lagi; 0 pelaku usaha" in await notice(b, resumed)
    unsure = await b.post(f"{here}/close", {}, token_from=here)
    assert "Centang kotak konfirmasi" in await notice(b, unsure)
    closed = await b.post(f"{here}/close", {"confirm": "1"}, token_from=here)
    assert "Program #1 diakhiri" in await notice(b, closed)
    again = await b.post(f"{here}/close", {"confirm": "1"}, token_from=here)
    assert "Program #1 sudah berakhir" in await notice(b, again)
    async with app.db.transaction() as tx:
        status = await tx.session.scalar(select(VoucherProgram.status))
    assert status == ProgramStatus.CLOSED
    mine = [
        action
        for actor, action in await audit(app)
        if actor == "dashboard:ani" and action != "dashboard.login"
    ]
    assert mine == [
        "courier.link_code",
        "voucher_program.added",
        "voucher_program.paused",
        "voucher_program.resumed",
        "voucher_program.closed",
    ]
    assert (await b.get(f"{VOUCHERS}/99")).status_code == 404
    assert (await b.post(f"{VOUCHERS}/99/resume", {}, token_from=VOUCHERS)).status_code == 404


async def test_the_form_refuses_the_name_of_a_program_not_closed_as_the_command_does(
    app: App, browser: OpenBrowser
) -> None:
    await program(app, name="Gratis Ongkir 2026")
    b = await signed_in(app, browser, "ani", "officer")
    form = {**PROGRAM_FORM, "name": "GRATIS ONGKIR  2026"}
    taken = await b.post(f"{VOUCHERS}/add", form, token_from=VOUCHERS)
    assert taken.status_code == 400
    assert "Program #1 sudah bernama “Gratis Ongkir 2026” dan belum berakhir" in taken.text
    assert 'value="GRATIS ONGKIR  2026"' in taken.text  # what was typed stays
    async with app.db.transaction() as tx:
        assert len(await tx.vouchers.programs()) == 1


async def test_a_removed_courier_partner_can_be_added_again(app: App, browser: OpenBrowser) -> None:
    b = await signed_in(app, browser, "ani", "officer")
    await b.post(f"{VOUCHERS}/couriers/add", {"name": COURIER}, token_from=VOUCHERS)
    removed = await b.post(f"{VOUCHERS}/couriers/remove", {"name": COURIER}, token_from=VOUCHERS)
    assert f"Mitra kurir {COURIER} dihapus" in await notice(b, removed)
    assert "Belum ada mitra kurir" in (await b.get(VOUCHERS)).text
    again = await b.post(f"{VOUCHERS}/couriers/add", {"name": COURIER.upper()}, token_from=VOUCHERS)
    assert again.status_code == 200 and f"Kode tautan untuk {COURIER}" in again.text
    async with app.db.transaction() as tx:
        couriers = list((await tx.session.execute(select(Courier))).scalars())
    assert [(c.name, c.removed_at) for c in couriers] == [(COURIER, None)]
    unknown = await b.post(f"{VOUCHERS}/couriers/remove", {"name": "Siapa"}, token_from=VOUCHERS)
    assert "Tidak ada mitra kurir “Siapa”" in await notice(b, unknown)
    # A notice is escaped once, like the rest of the page (not `&amp;amp;`).
    odd = await b.post(f"{VOUCHERS}/couriers/remove", {"name": "Kopi & <Teh>"}, token_from=VOUCHERS)
    assert "“Kopi &amp; &lt;Teh&gt;”" in await notice(b, odd)


async def test_issued_and_redeemed_vouchers_page_by_keyset_without_the_owners_data(
    app: App, browser: OpenBrowser
) -> None:
    await seed_varied_owners(app.db, 120)
    shown = await program(app)
    codes = await issue_vouchers(app.db, shown.id, 55, zone=app.agency.time_zone)
    for n, code in enumerate(codes[:2]):
        await redeem_at_counter(app.db, code, resi=f"JNE00000{n}")
    b = await signed_in(app, browser, "ani", "officer")
    listing = (await b.get(VOUCHERS)).text
    for count, value in (("issued", 55), ("redeemed", 2), ("active", 53)):
        assert f'data-count="{count}">{value}<' in listing

    here = f"{VOUCHERS}/{shown.id}"
    first = (await b.get(here)).text
    assert first.count('<td class="code">') == 50 and codes[-1] in first and codes[0] not in first
    following = re.search(r'href="([^"]+before=\d+)"', first)
    assert following is not None
    rest = (await b.get(following.group(1).replace("&amp;", "&"))).text
    assert rest.count('<td class="code">') == 5 and codes[0] in rest and "Berikutnya" not in rest
    redeemed = (await b.get(f"{here}?show=redeemed")).text
    assert redeemed.count('<td class="code">') == 2 and "JNE000000" in redeemed and "Rp18.000" in redeemed
    for page in (first, rest, redeemed):
        assert "Pemilik" not in page and "637200000000" not in page and "0812" not in page


async def test_a_closed_programs_unused_vouchers_are_no_longer_counted_or_shown_active(
    app: App, browser: OpenBrowser
) -> None:
    await seed_varied_owners(app.db, 6)
    shown = await program(app)
    codes = await issue_vouchers(app.db, shown.id, 3, zone=app.agency.time_zone)
    await redeem_at_counter(app.db, codes[0])
    b = await signed_in(app, browser, "ani", "officer")
    here = f"{VOUCHERS}/{shown.id}"
    closed = await b.post(f"{here}/close", {"confirm": "1"}, token_from=here)
    page = await notice(b, closed)
    assert "diakhiri; 2 pemegang voucher yang belum dipakai akan diberi tahu" in page
    assert 'id="figure-active">0<' in page and 'id="figure-ended">2<' in page
    assert page.count('<span class="badge ended">program berakhir</span>') == 2
    assert page.count('<span class="badge active">') == 0
    listing = (await b.get(VOUCHERS)).text
    for count, value in (("issued", 3), ("redeemed", 1), ("active", 0)):
        assert f'data-count="{count}">{value}<' in listing


async def test_the_monthly_reconciliation_download_and_the_voucher_figures(
    app: App, browser: OpenBrowser, clock: Clock
) -> None:
    await seed_varied_owners(app.db, 12)
    shown = await program(app, max_ongkir=25_000)
    codes = await issue_vouchers(app.db, shown.id, 3, zone=app.agency.time_zone)
    for code, ongkir, rest in ((codes[0], 18_000, False), (codes[1], 40_000, True)):
        async with app.db.transaction() as tx:
            done = await redeem(
                tx,
                code,
                resi="JNE123456",
                ongkir=ongkir,
                courier=None,
                actor="t",
                now=clock.now,
                owner_pays_rest=rest,
            )
        assert isinstance(done, Redeemed)
    b = await signed_in(app, browser, "ani", "officer")
    month = clock.now.astimezone(app.agency.time_zone).strftime("%Y-%m")

    overview = (await b.get("/dashboard")).text
    assert 'id="figure-vouchers-issued">3<' in overview and 'id="figure-vouchers-redeemed">2<' in overview
    assert 'id="figure-vouchers-paid">Rp43.000<' in overview and "Voucher per program" in overview
    assert "Rekonsiliasi voucher" in (await b.get("/dashboard/downloads")).text

    export = await b.post(
        "/dashboard/downloads/vouchers", {"month": month}, token_from="/dashboard/downloads"
    )
    assert export.status_code == 200
    assert f"rekonsiliasi-voucher-{month}.xlsx" in export.headers["content-disposition"]
    rows = list(load_workbook(io.BytesIO(export.content), read_only=True).active.iter_rows(values_only=True))
    assert rows[0][0] == "Kode Voucher"  # the command's report (tests/bot/test_voucher_cli.py)
    assert sorted(r[0] for r in rows[1:3]) == sorted(codes[:2])
    assert rows[3][0] == "JUMLAH" and rows[3][3:5] == (58_000, 43_000)
    assert ("dashboard:ani", "voucher.report") in await audit(app)

    bad = await b.post(
        "/dashboard/downloads/vouchers", {"month": "Maret", "back": VOUCHERS}, token_from=VOUCHERS
    )
    assert bad.headers["location"] == VOUCHERS and "Pilih bulan" in await notice(b, bad)
    for typo in ("27-01", "9999-12", "2026-1"):  # a four-digit year and a two-digit month only
        bad = await b.post(
            "/dashboard/downloads/vouchers", {"month": typo}, token_from="/dashboard/downloads"
        )
        assert bad.status_code == 303 and "Pilih bulan" in await notice(b, bad)
    assert (await audit(app)).count(("dashboard:ani", "voucher.report")) == 1


async def _voucher_for(app: App, courier: str = COURIER) -> str:
    await seed_varied_owners(app.db, 6)
    shown = await program(app, courier=courier)
    return (await issue_vouchers(app.db, shown.id, 1, zone=app.agency.time_zone))[0]


async def test_the_scan_page_redeems_once_for_the_courier_accounts_partner(
    app: App, browser: OpenBrowser
) -> None:
    code = await _voucher_for(app)
    counter = await signed_in(app, browser, "loket", "courier", COURIER)
    scan = f"/v/{code}"
    page = await counter.get(scan)
    assert page.status_code == 200 and "Voucher berlaku" in page.text
    assert 'id="owner-first-name">Siti<' in page.text and 'id="owner-business">Warung Siti 0<' in page.text
    assert "Pemilik" not in page.text and "6372" not in page.text and "0812" not in page.text

    typo = await counter.post(scan, {"resi": "X1", "ongkir": "18rb"}, token_from=scan)
    assert typo.status_code == 400 and "6 sampai 40 huruf" in typo.text and 'value="18rb"' in typo.text
    over = await counter.post(scan, {"resi": "JNE0001234", "ongkir": "40rb"}, token_from=scan)
    assert over.status_code == 400 and "di atas batas program Rp25.000" in over.text
    redeemed = await counter.post(scan, {"resi": "jne 000 1234", "ongkir": "18rb"}, token_from=scan)
    assert redeemed.status_code == 200 and "Voucher ditukar" in redeemed.text
    assert 'id="receipt-resi">JNE0001234<' in redeemed.text and 'id="receipt-paid">Rp18.000<' in redeemed.text

    twice = await counter.post(scan, {"resi": "JNE0009999", "ongkir": "18rb"}, token_from=scan)
    assert "Tidak bisa ditukar" in twice.text and "sudah dipakai" in twice.text and "JNE0001234" in twice.text
    assert "sudah dipakai" in (await counter.get(scan)).text
    async with app.db.transaction() as tx:
        voucher = await tx.session.scalar(select(Voucher).where(Voucher.redeemed_at.is_not(None)))
        partner = await tx.couriers.by_name(COURIER)
        told = await tx.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "voucher.redeemed")
        )
    assert voucher is not None and partner is not None
    assert (voucher.resi, voucher.ongkir, voucher.paid) == ("JNE0001234", 18_000, 18_000)
    assert (voucher.courier_id, voucher.redeemed_by) == (partner.id, "dashboard:loket")
    assert told == 1
    assert [a for a in await audit(app) if a[1] == "voucher.redeemed"] == [
        ("dashboard:loket", "voucher.redeemed")
    ]


async def test_another_partners_courier_an_unlinked_account_and_an_officer_are_refused(
    app: App, browser: OpenBrowser
) -> None:
    code = await _voucher_for(app)
    scan = f"/v/{code}"
    other = await signed_in(app, browser, "lain", "courier", "Kurir Banua")
    assert "untuk ekspedisi lain" in (await other.get(scan)).text
    refused = await other.post(scan, {"resi": "JNE0001234", "ongkir": "18rb"}, token_from=scan)
    assert "Tidak bisa ditukar" in refused.text and "untuk ekspedisi lain" in refused.text

    officer = await signed_in(app, browser, "ani", "officer")
    assert (await officer.get(scan)).status_code == 403

    gone = await signed_in(app, browser, "lama", "courier", "Kurir Lama")
    async with app.db.transaction() as tx:
        await remove_courier(tx, "Kurir Lama", officer="test", now=datetime.now(UTC))
    unlinked = await gone.get(scan)
    assert unlinked.status_code == 403 and "Akun belum terhubung" in unlinked.text

    async with app.db.transaction() as tx:
        assert await tx.session.scalar(select(Voucher.redeemed_at)) is None
    admin = await signed_in(app, browser, "boss", "admin")
    done = await admin.post(scan, {"resi": "JNE0001234", "ongkir": "18rb"}, token_from=scan)
    assert "Voucher ditukar" in done.text  # an admin redeems as the program's own courier


def unknown_scan() -> str:
    """The scan page of a well-formed code nobody was given."""
    return f"/v/{voucher_codes.display(voucher_codes.new_code())}"


async def test_the_guessing_limit_holds_per_courier_partner(app: App, browser: OpenBrowser) -> None:
    await _voucher_for(app)
    guesser = await signed_in(app, browser, "loket", "courier", COURIER)
    for _ in range(11):
        assert "tidak dikenal" in (await guesser.get(unknown_scan())).text
    assert "Terlalu banyak kode" in (await guesser.get(unknown_scan())).text
    other = await signed_in(app, browser, "lain", "courier", "Kurir Banua")
    assert "tidak dikenal" in (await other.get(unknown_scan())).text


async def test_a_courier_account_names_an_existing_courier_partner(app: App, browser: OpenBrowser) -> None:
    admin = await signed_in(app, browser, "boss", "admin")
    form = {
        "username": "loket",
        "role": "courier",
        "password": "rahasia-kurir-1",
        "password_again": "rahasia-kurir-1",
    }
    unknown = await admin.post(
        "/dashboard/accounts/add", {**form, "courier": "Siapa"}, token_from="/dashboard/accounts"
    )
    assert unknown.status_code == 400 and "Mitra kurir itu belum ada" in unknown.text
    await admin.post(f"{VOUCHERS}/couriers/add", {"name": COURIER}, token_from=VOUCHERS)
    added = await admin.post(
        "/dashboard/accounts/add", {**form, "courier": COURIER.lower()}, token_from="/dashboard/accounts"
    )
    assert "loket" in await notice(admin, added)
    async with app.db.transaction() as tx:
        account = await tx.officers.by_username("loket")
    assert account is not None and account.courier_name == COURIER  # the partner's own spelling
