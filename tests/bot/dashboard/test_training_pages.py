"""The Pelatihan pages, in process, on the engine the suite runs on (SQLite, or PostgreSQL with
TEST_DATABASE_URL): what the officer reads, and what the database, the outbox and the audit log
hold afterwards. The dashboard's clock is the trainings tests' Monday 2 March 2026, 10:00 WITA."""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

import httpx
from openpyxl import load_workbook
from sqlalchemy import func, select
from starlette.applications import Starlette

from bot.app import App, build_app
from bot.settings import Settings
from handlers.trainings.attendance import rate
from handlers.trainings.rules import Applicant, checkin_code
from handlers.trainings.seats import applicant_of, sign_up
from storage.models import AuditEntry, Business, OutboxMessage
from storage.models.trainings import CANCELLED, CONFIRMED, WAITING, Training
from storage.repositories.trainings import Person
from tests.bot.dashboard.conftest import Browser, Clock, make_account
from tests.bot.dashboard.seed import seed_varied_owners
from tests.handlers.trainings.helpers import ENDS, NOW, STARTS, Officer, add_training, enrolments, wita
from tests.storage.plans import statements

OpenBrowser = Callable[[], Awaitable[Browser]]
TRAININGS = "/dashboard/trainings"
FORM = {
    "title": "Kemasan produk pangan",
    "topic": "kemasan",
    "starts": "2026-03-20T09:00",
    "ends": "2026-03-20T15:00",
    "deadline": "2026-03-18T16:00",
    "capacity": "20",
    "venue": "Aula Diskopumnaker",
    "kecamatan": "63.72.02",
    "online": "",
    "sector-kuliner": "1",
    "size-micro": "1",
    "target-63.72.03": "1",
    "description": "Label, izin edar, dan foto produk.",
}


async def signed_in(
    app: App, browser: OpenBrowser, clock: Clock, username: str = "ani", role: str = "officer"
) -> Browser:
    clock.now = NOW
    await make_account(app.db, username, role)
    b = await browser()
    assert (await b.login(username)).status_code == 303
    return b


async def later(b: Browser, clock: Clock, when: datetime) -> None:
    """Move the dashboard's clock to `when`, signing in again if the session ended (8 idle hours)."""
    clock.now = when
    if (await b.get("/dashboard/login")).status_code == 200:
        assert (await b.login("ani")).status_code == 303


async def next_page(b: Browser, response: httpx.Response) -> str:
    """The page a POST redirected to, as the officer sees it next."""
    assert response.status_code == 303, response.text
    return (await b.get(response.headers["location"])).text


async def audit(app: App, actor: str = "dashboard:ani") -> list[str]:
    async with app.db.transaction() as tx:
        query = select(AuditEntry.action).where(AuditEntry.actor == actor).order_by(AuditEntry.id)
        return [a for a in (await tx.session.execute(query)).scalars() if a != "dashboard.login"]


async def outbox(app: App, kind: str) -> list[OutboxMessage]:
    async with app.db.transaction() as tx:
        query = select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        return list((await tx.session.execute(query)).scalars())


async def sign_up_owners(app: App, training_id: int, seeded: Sequence[int]) -> None:
    """Seeded owners (`seed_varied_owners`' numbers) sign up, in this order, as a tap on Daftar does."""
    async with app.db.transaction() as tx:
        owner_ids = list(
            (await tx.session.execute(select(Business.owner_id).order_by(Business.owner_id))).scalars()
        )
        for number in seeded:
            found = await tx.owners.get(owner_ids[number])
            assert found is not None and found[0].user_id is not None
            applicant, person = await applicant_of(tx, found[0].user_id)
            assert person is not None
            outcome = await sign_up(tx, training_id, person, applicant, actor="test", now=NOW)
            assert outcome.outcome in (CONFIRMED, WAITING), outcome


async def two_seats_three_people(app: App) -> Training:
    """The helpers' training (Saturday 14 March 2026) with 2 seats: seeded owners 0 and 1 have
    them, owner 2 waits."""
    await seed_varied_owners(app.db, 4)
    training = await add_training(app.db, capacity=2)
    await sign_up_owners(app, training.id, range(3))
    return training


async def test_add_a_training_checked_as_the_command(app: App, browser: OpenBrowser, clock: Clock) -> None:
    b = await signed_in(app, browser, clock)
    page = (await b.get(TRAININGS)).text
    assert "Belum ada pelatihan yang akan datang" in page and "Tambah pelatihan" in page

    # Each field's problem beside it; what was typed stays.
    bad = await b.post(
        f"{TRAININGS}/add",
        {**FORM, "title": " ", "capacity": "0", "online": "meet.example/x", "starts": ""},
        token_from=TRAININGS,
    )
    assert bad.status_code == 400
    assert re.search(r'id="error-capacity">Jumlah kursi minimal 1', bad.text)
    assert re.search(r'id="error-starts">Tulis tanggal dan jam', bad.text)
    assert re.search(r'id="error-online">Tautan daring harus diawali https://', bad.text)
    assert 'value="Aula Diskopumnaker"' in bad.text and 'value="meet.example/x"' in bad.text
    assert 'name="sector-kuliner" value="1" checked' in bad.text
    assert 'name="target-63.72.03" value="1" checked' in bad.text
    assert "Label, izin edar, dan foto produk.</textarea>" in bad.text
    # Then the plan's own checks, every one found.
    late = await b.post(
        f"{TRAININGS}/add",
        {**FORM, "title": "", "ends": "2026-03-20T08:00", "deadline": "2026-03-21T09:00"},
        token_from=TRAININGS,
    )
    assert late.status_code == 400
    assert re.search(r'id="error-title">Tulis judul pelatihan', late.text)
    assert re.search(r'id="error-ends">Waktu selesai harus setelah waktu mulai', late.text)
    assert re.search(r'id="error-deadline">Pendaftaran harus ditutup sebelum', late.text)
    past = await b.post(f"{TRAININGS}/add", {**FORM, "starts": "2026-03-01T09:00"}, token_from=TRAININGS)
    assert re.search(r'id="error-starts">Waktu mulai sudah lewat', past.text)
    async with app.db.transaction() as tx:
        assert await tx.session.scalar(select(func.count()).select_from(Training)) == 0

    added = await b.post(f"{TRAININGS}/add", FORM, token_from=TRAININGS)
    assert added.headers["location"] == f"{TRAININGS}/1"
    detail = await next_page(b, added)
    assert "Pelatihan #1 “Kemasan produk pangan” ditambahkan." in detail
    assert "Jumat, 20 Maret 2026, 09.00 – 15.00 WITA" in detail
    assert "Aula Diskopumnaker, Kecamatan Landasan Ulin" in detail
    assert "sektor Kuliner (makanan &amp; minuman); skala Mikro; kecamatan Cempaka" in detail
    async with app.db.transaction() as tx:
        training = await tx.trainings.get(1)
    assert training is not None
    assert (training.starts_at, training.ends_at, training.signup_deadline) == (
        wita(2026, 3, 20, 9),
        wita(2026, 3, 20, 15),
        wita(2026, 3, 18, 16),
    )
    assert (training.capacity, training.district_code, training.target_districts) == (
        20,
        "63.72.02",
        ["63.72.03"],
    )
    assert 'data-count="seats">0 / 20<' in (await b.get(TRAININGS)).text
    assert await audit(app) == ["training.created"]


async def test_edit_a_training_checked_as_the_command(app: App, browser: OpenBrowser, clock: Clock) -> None:
    await seed_varied_owners(app.db, 3)
    training = await add_training(app.db, capacity=5, target_sectors=("kuliner", "fesyen", "kriya"))
    await sign_up_owners(app, training.id, range(3))
    b = await signed_in(app, browser, clock)
    # The form shows it as stored; a new place is told to whoever signed up.
    here = f"{TRAININGS}/{training.id}"
    form = (await b.get(f"{here}/edit")).text
    assert 'name="starts" value="2026-03-14T09:00"' in form and 'value="Aula Diskopumnaker"' in form
    assert (
        'name="sector-fesyen" value="1" checked' in form and 'name="size-micro" value="1" checked' not in form
    )
    edit = {**FORM, "capacity": "2", "sector-kuliner": "", "size-micro": "", "target-63.72.03": ""}
    too_few = await b.post(f"{here}/edit", edit, token_from=f"{here}/edit")
    assert too_few.status_code == 400
    assert (
        re.search(r'id="error-capacity">Sudah 3 kursi terisi', too_few.text) and 'value="2"' in too_few.text
    )
    moved = await b.post(
        f"{here}/edit",
        {**edit, "capacity": "25", "venue": "", "online": "https://meet.example/kemasan"},
        token_from=f"{here}/edit",
    )
    shown = await next_page(b, moved)
    assert "Pelatihan #1 diubah. 3 peserta dan antrean diberi tahu jadwal atau tempat yang baru." in shown
    assert "daring: https://meet.example/kemasan" in shown and "Kemasan produk pangan" in shown
    async with app.db.transaction() as tx:
        edited = await tx.trainings.get(training.id)
    assert edited is not None
    assert (edited.online_url, edited.venue, edited.district_code, edited.capacity) == (
        "https://meet.example/kemasan",
        None,
        None,
        25,
    )
    assert (edited.starts_at, edited.target_sectors, edited.description) == (
        wita(2026, 3, 20, 9),
        [],
        "Label, izin edar, dan foto produk.",
    )
    assert [r.payload["template"] for r in await outbox(app, "training.notice")] == ["trainings/changed"] * 3
    past = await b.post(f"{here}/edit", {**FORM, "starts": "2026-03-01T09:00"}, token_from=f"{here}/edit")
    assert past.status_code == 400 and re.search(r'id="error-starts">Waktu mulai sudah lewat', past.text)
    assert 'value="2026-03-01T09:00"' in past.text
    assert await audit(app) == ["training.edited", "training.participants_viewed"]
    assert (await b.get(f"{TRAININGS}/99")).status_code == 404
    assert (await b.get(f"{TRAININGS}/99/edit")).status_code == 404


async def test_one_training_lists_the_confirmed_and_the_waiting_in_order_page_by_page(
    app: App, browser: OpenBrowser, clock: Clock
) -> None:
    await seed_varied_owners(app.db, 60)
    training = await add_training(app.db, capacity=3)
    await sign_up_owners(app, training.id, range(56))
    b = await signed_in(app, browser, clock)
    listing = (await b.get(TRAININGS)).text
    assert 'data-count="seats">3 / 3<' in listing and 'data-count="waiting">53<' in listing

    here = f"{TRAININGS}/{training.id}"
    confirmed = (await b.get(here)).text
    assert 'id="figure-confirmed">3 / 3<' in confirmed and 'id="figure-waiting">53<' in confirmed
    assert [n for n in ("Pemilik 0<", "Pemilik 1<", "Pemilik 2<", "Pemilik 3<") if n in confirmed] == [
        "Pemilik 0<",
        "Pemilik 1<",
        "Pemilik 2<",
    ]
    assert "0812-0000-0000" in confirmed  # the number, as officers write it
    waiting = (await b.get(f"{here}?list=waiting")).text
    positions = re.findall(r'<td class="num">(\d+)</td>\s*<td>\w+ Pemilik (\d+)</td>', waiting)
    assert positions[:2] == [("1", "3"), ("2", "4")] and len(positions) == 50
    following = re.search(r'href="([^"]+after=\d+)"', waiting)
    assert following is not None
    rest = (await b.get(following.group(1).replace("&amp;", "&"))).text
    assert re.findall(r'<td class="num">(\d+)</td>\s*<td>\w+ Pemilik (\d+)</td>', rest) == [
        ("51", "53"),
        ("52", "54"),
        ("53", "55"),
    ]
    assert "Berikutnya" not in rest
    # Each view of names and numbers is in the audit log, with how many rows it showed.
    async with app.db.transaction() as tx:
        details = list(
            (
                await tx.session.execute(
                    select(AuditEntry.details).where(AuditEntry.action == "training.participants_viewed")
                )
            ).scalars()
        )
    assert [d["rows"] for d in details] == [3, 50, 3]


async def test_cancel_needs_the_reason_and_the_tick_and_tells_everyone(
    app: App, browser: OpenBrowser, clock: Clock
) -> None:
    training = await two_seats_three_people(app)
    b = await signed_in(app, browser, clock)
    here = f"{TRAININGS}/{training.id}"
    unsure = await b.post(f"{here}/cancel", {"reason": "Narasumber sakit"}, token_from=here)
    assert "Centang kotak konfirmasi" in await next_page(b, unsure)
    no_reason = await b.post(f"{here}/cancel", {"reason": " ", "confirm": "1"}, token_from=here)
    assert "Tulis alasannya" in await next_page(b, no_reason)
    cancelled = await b.post(
        f"{here}/cancel", {"reason": "Narasumber sakit", "confirm": "1"}, token_from=here
    )
    page = await next_page(b, cancelled)
    assert "Pelatihan #1 dibatalkan; 3 peserta" in page and "Dibatalkan: Narasumber sakit" in page
    assert "Batalkan pelatihan" not in page and "/edit" not in page
    assert len(await outbox(app, "training.notice")) == 3
    again = await b.post(f"{here}/cancel", {"reason": "lagi", "confirm": "1"}, token_from=here)
    assert "Pelatihan #1 sudah dibatalkan" in await next_page(b, again)
    refused_edit = await b.get(f"{here}/edit")
    assert "Pelatihan #1 sudah dibatalkan" in await next_page(b, refused_edit)
    attendance = f"{here}/attendance"
    late = await b.post(attendance, {"who": "BJB-2026-000000"}, token_from=attendance)
    assert "Pelatihan #1 sudah dibatalkan" in await next_page(b, late)
    async with app.db.transaction() as tx:
        assert (await tx.trainings.get(training.id)).status == CANCELLED  # type: ignore[union-attr]
    for path in ("cancel", "announce", "edit", "attendance", "certificate"):
        missing = await b.post(
            f"{TRAININGS}/99/{path}", {**FORM, "reason": "x", "confirm": "1"}, token_from=here
        )
        assert missing.status_code == 404, path
    assert (await audit(app)).count("training.cancelled") == 1


async def test_announce_shows_the_audience_then_queues_through_the_outbox_once(
    app: App, browser: OpenBrowser, clock: Clock
) -> None:
    await seed_varied_owners(app.db, 24)
    async with app.db.transaction() as tx:
        kuliner = await tx.session.scalar(
            select(func.count()).select_from(Business).where(Business.sector == "kuliner")
        )
    training = await add_training(app.db, capacity=10, target_sectors=("kuliner",))
    b = await signed_in(app, browser, clock)
    here = f"{TRAININGS}/{training.id}"
    shown = (await b.get(f"{here}/announce")).text
    assert f'id="audience-total">{kuliner}<' in shown and 'data-channel="telegram"' in shown
    assert "Sablon kaos untuk pemula" in shown and "DAFTAR 1" in shown
    assert await outbox(app, "training.announcement") == []

    sent = await b.post(f"{here}/announce", {}, token_from=f"{here}/announce")
    assert f"diantrekan untuk {kuliner} pelaku usaha" in await next_page(b, sent)
    rows = await outbox(app, "training.announcement")
    assert len(rows) == kuliner == 4
    assert rows[0].payload["choices"][0]["id"] == f"tr:join:{training.id}"
    again = await b.post(f"{here}/announce", {}, token_from=f"{here}/announce")
    assert "diantrekan untuk 0 pelaku usaha" in await next_page(b, again)
    assert len(await outbox(app, "training.announcement")) == 4

    await later(b, clock, STARTS)  # sign-ups closed: nothing to announce
    closed = await b.get(f"{here}/announce")
    assert "Pendaftaran pelatihan #1 sudah ditutup" in await next_page(b, closed)
    assert await audit(app) == ["training.announced", "training.announced"]


async def test_the_check_in_code_for_a_projector(app: App, browser: OpenBrowser, clock: Clock) -> None:
    training = await add_training(app.db)
    b = await signed_in(app, browser, clock)
    screen = f"{TRAININGS}/{training.id}/checkin-code"
    before = (await b.get(screen)).text
    assert "Hari ini bukan hari pelatihan" in before and "Sabtu, 14 Maret 2026" in before
    assert 'id="code-digits"' not in before

    await later(b, clock, STARTS - timedelta(hours=1))
    page = (await b.get(screen)).text
    expected = checkin_code(training.secret, STARTS.astimezone(app.agency.time_zone).date())
    assert f'<span id="code-digits">{expected}</span>' in page
    assert "Sablon kaos untuk pemula" in page and "Sabtu, 14 Maret 2026" in page
    assert '<meta http-equiv="refresh" content="60">' in page
    assert "<nav" not in page and "Keluar" not in page  # nothing but the code on the wall


async def test_attendance_check_in_by_number_certificates_and_feedback(
    app: App, browser: OpenBrowser, clock: Clock
) -> None:
    training = await two_seats_three_people(app)
    b = await signed_in(app, browser, clock)
    here = f"{TRAININGS}/{training.id}/attendance"
    early = await b.post(here, {"who": "BJB-2026-000000"}, token_from=here)
    assert "Kehadiran baru bisa dicatat mulai 2026-03-14 08:00 WITA" in await next_page(b, early)

    await later(b, clock, STARTS)
    by_phone = await b.post(here, {"who": "0812-0000-0001"}, token_from=here)
    page = await next_page(b, by_phone)
    assert "Ahmad Pemilik 1 tercatat hadir." in page and 'id="figure-attended">1 / 2<' in page
    assert "Ahmad Pemilik 1" in page and "oleh petugas" in page
    again = await b.post(here, {"who": "BJB-2026-000001"}, token_from=here)
    assert "BJB-2026-000001 sudah tercatat hadir" in await next_page(b, again)
    waiting = await b.post(here, {"who": "BJB-2026-000002"}, token_from=here)
    assert "BJB-2026-000002 belum mendapat kursi" in await next_page(b, waiting)
    stranger = await b.post(here, {"who": "BJB-2026-000099"}, token_from=here)
    assert "BJB-2026-000099 tidak terdaftar" in await next_page(b, stranger)
    early_certificate = await b.post(
        f"{TRAININGS}/{training.id}/certificate", {"who": "BJB-2026-000001"}, token_from=here
    )
    assert "Sertifikat baru dikirim setelah pelatihan selesai" in await next_page(b, early_certificate)

    # After the end: from a paper list, and a certificate again; then what they said.
    await later(b, clock, ENDS + timedelta(hours=1))
    paper = await b.post(here, {"who": "BJB-2026-000000"}, token_from=here)
    assert "tercatat hadir" in await next_page(b, paper)
    assert len(await outbox(app, "training.certificate")) == 2  # the end's follow-up, at once
    resent = await b.post(
        f"{TRAININGS}/{training.id}/certificate", {"who": "0812-0000-0001"}, token_from=here
    )
    assert "Sertifikat Ahmad Pemilik 1 diantrekan untuk dikirim lagi" in await next_page(b, resent)
    assert len(await outbox(app, "training.certificate")) == 3
    attendees = [e for e in await enrolments(app.db, training.id) if e.attended_at]
    async with app.db.transaction() as tx:
        for enrolment, (rating, comment) in zip(
            attendees,
            [(5, "Sangat bermanfaat, terima kasih"), (3, None)],
            strict=True,
        ):
            assert await rate(tx, enrolment, rating, comment, actor="test", now=clock.now)
    feedback = (await b.get(f"{TRAININGS}/{training.id}/feedback")).text
    assert 'id="figure-average">4,0<' in feedback and 'id="figure-ratings">2<' in feedback
    assert 'data-rating="5">1<' in feedback and 'data-rating="3">1<' in feedback
    assert "Sangat bermanfaat, terima kasih" in feedback and "Pemilik" not in feedback
    done = await audit(app)
    assert [a for a in done if a != "training.participants_viewed"] == [
        "training.checked_in",
        "training.checked_in",
        "training.certificate_resent",
    ]
    assert done[-1] == "training.participants_viewed"  # the list of who attended, shown last


async def test_a_capacity_beyond_any_hall_is_refused_beside_its_field(
    app: App, browser: OpenBrowser, clock: Clock
) -> None:
    b = await signed_in(app, browser, clock)
    big = await b.post(
        f"{TRAININGS}/add", {**FORM, "capacity": "99999999999999999999999"}, token_from=TRAININGS
    )
    assert big.status_code == 400 and "Jumlah kursi paling banyak 10.000" in big.text
    async with app.db.transaction() as tx:
        assert (await tx.session.execute(select(func.count()).select_from(Training))).scalar_one() == 0


async def test_stats_show_the_commands_figures_and_the_overview_panel(
    app: App, browser: OpenBrowser, clock: Clock
) -> None:
    await seed_varied_owners(app.db, 5)
    held = await add_training(app.db, capacity=3)
    await add_training(app.db, title="Es krim rumahan", topic="es_krim", capacity=10)
    await sign_up_owners(app, held.id, range(4))
    b = await signed_in(app, browser, clock)
    await later(b, clock, STARTS)
    await b.post(f"{TRAININGS}/{held.id}/attendance", {"who": "BJB-2026-000000"}, token_from=TRAININGS)
    await later(b, clock, ENDS + timedelta(hours=1))

    stats = (await b.get(f"{TRAININGS}/stats")).text
    assert 'id="figure-year-attended">1 / 500<' in stats and 'id="figure-people">1<' in stats
    row = re.search(r"<td>1 Sablon kaos untuk pemula</td>(.*?)</tr>", stats, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', row.group(1))
    # trainings, targeted, announced, signed up, waiting, attended, no-shows, rating: as `training stats`
    assert cells == ["1", "0", "0", "4", "1", "1", "2", "-"]
    printed = await Officer(app.db, app.agency, app.settings, clock).run("training", "stats")  # type: ignore[arg-type]
    command_row = next(line for line in printed.splitlines() if line.startswith("1 Sablon"))
    assert command_row.split()[-8:] == cells
    assert stats.count("<svg") == 3
    other_year = (await b.get(f"{TRAININGS}/stats?year=2025")).text
    assert "Angka pelatihan 2025" in other_year and "Belum ada pelatihan tahun ini" in other_year
    for typo in ("9999", "0001", "0000", "20266"):  # not a year of figures: this year's page
        page = await b.get(f"{TRAININGS}/stats?year={typo}")
        assert page.status_code == 200 and "Angka pelatihan 2026" in page.text

    await later(b, clock, NOW)
    overview = (await b.get("/dashboard")).text
    assert 'id="figure-trainings-coming">2<' in overview
    assert (
        'id="figure-trainings-seats">3 / 13<' in overview and 'id="figure-trainings-waiting">1<' in overview
    )
    assert "Kursi pelatihan yang akan datang" in overview
    # The year's attendance as the statistics page counts it (`year_attendance`, not `year_stats`).
    assert 'id="figure-trainings-attended">1 / 500<' in overview and "(1 orang)" in overview


async def test_the_overview_reads_the_same_statements_however_many_trainings_the_year_holds(
    app: App, browser: OpenBrowser, clock: Clock
) -> None:
    """The Ringkasan shows the year's attendance, not the statistics page's per-training figures:
    counting a training's sent announcements reads its audience's outbox rows, once per training,
    on the page every officer opens first."""
    await seed_varied_owners(app.db, 5)
    await add_training(app.db, capacity=3)
    b = await signed_in(app, browser, clock)
    await b.get("/dashboard")  # the first request compiles statements and templates
    with statements(app.db, "SELECT") as one_training:
        assert 'id="figure-trainings-coming">1<' in (await b.get("/dashboard")).text
    for number in range(3):
        await add_training(app.db, title=f"Pelatihan {number}", capacity=5)
    with statements(app.db, "SELECT") as four_trainings:
        assert 'id="figure-trainings-coming">4<' in (await b.get("/dashboard")).text
    assert len(four_trainings) == len(one_training)
    assert not [statement for statement, _ in four_trainings if "outbox" in statement]


async def test_the_participants_download_is_xlsx_with_formulas_neutralised(
    app: App, browser: OpenBrowser, clock: Clock
) -> None:
    await seed_varied_owners(app.db, 2)
    training = await add_training(app.db, capacity=2, open_to_public=True)
    await sign_up_owners(app, training.id, range(2))
    async with app.db.transaction() as tx:
        account, _ = await tx.users.find_or_create("telegram", "5550001")
        done = await sign_up(
            tx,
            training.id,
            Person(account.id, '=HYPERLINK("http://x")', "+6281399990000", "63.72.02"),
            Applicant(registered=False),
            actor="test",
            now=NOW,
        )
        assert done.outcome == WAITING
    b = await signed_in(app, browser, clock)
    downloads = (await b.get("/dashboard/downloads")).text
    assert "Peserta pelatihan" in downloads and f'<option value="{training.id}">' in downloads

    export = await b.post(
        "/dashboard/downloads/trainings", {"training": str(training.id)}, token_from="/dashboard/downloads"
    )
    assert export.status_code == 200
    assert f"peserta-pelatihan-{training.id}.xlsx" in export.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("No", "Nama", "Nomor HP")
    assert [(r[1], r[5], r[6]) for r in rows[1:]] == [
        ("Siti Pemilik 0", "terdaftar", None),
        ("Ahmad Pemilik 1", "terdaftar", None),
        ('=HYPERLINK("http://x")', "antre", 1),
    ]
    formula = sheet.cell(row=4, column=2)
    assert formula.data_type == "s"  # text, not a formula Excel would run
    assert "training.participants_exported" in await audit(app)
    unknown = await b.post(
        "/dashboard/downloads/trainings", {"training": "99"}, token_from="/dashboard/downloads"
    )
    assert unknown.status_code == 404


async def test_what_the_trainings_pages_refuse(app: App, browser: OpenBrowser, clock: Clock) -> None:
    training = await add_training(app.db)
    here = f"{TRAININGS}/{training.id}"
    anonymous = await browser()
    signed_out = await anonymous.get(here)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/dashboard/login")

    officer = await signed_in(app, browser, clock)
    for path, data in (
        (f"{TRAININGS}/add", FORM),
        (f"{here}/cancel", {"reason": "x", "confirm": "1"}),
        (f"{here}/announce", {}),
        (f"{here}/edit", FORM),
        (f"{here}/attendance", {"who": "BJB-2026-000001"}),
        ("/dashboard/downloads/trainings", {"training": str(training.id)}),
    ):
        refused = await officer.client.post(path, data=data)  # no CSRF token
        assert refused.status_code == 403, path
    async with app.db.transaction() as tx:
        kept = await tx.trainings.get(training.id)
        count = await tx.session.scalar(select(func.count()).select_from(Training))
    assert kept is not None and kept.status != CANCELLED and count == 1
    assert await outbox(app, "training.announcement") == []

    await make_account(app.db, "loket", "courier", courier="Kurir Banua")
    courier = await browser()
    assert (await courier.login("loket")).status_code == 303
    for path in (TRAININGS, here, f"{here}/checkin-code", f"{here}/attendance", f"{TRAININGS}/stats"):
        assert (await courier.get(path)).status_code == 403, path
    posted = await courier.post(f"{TRAININGS}/add", FORM, token_from="/dashboard")
    assert posted.status_code == 403
    assert "Pelatihan" not in (await courier.get("/dashboard")).text.split("<main>")[0]


async def test_more_seats_are_offered_for_the_configured_training_offer_hours(
    settings: Settings, clock: Clock
) -> None:
    """The pages read TRAINING_OFFER_HOURS as the commands do (here 2 hours, not the default 24)."""
    app = await build_app(settings.model_copy(update={"training_offer_hours": 2.0}))
    web = Starlette(routes=app.dashboard(clock).routes())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=web), base_url="http://127.0.0.1"
    ) as client:
        try:
            training = await two_seats_three_people(app)
            clock.now = NOW
            await make_account(app.db, "ani", "officer")
            b = Browser(client)
            assert (await b.login("ani")).status_code == 303
            here = f"{TRAININGS}/{training.id}/edit"
            # The helpers' training as its edit form shows it, with one seat more.
            form = {
                "title": training.title,
                "topic": "sablon",
                "starts": "2026-03-14T09:00",
                "ends": "2026-03-14T16:00",
                "capacity": "3",
                "venue": "Aula Diskopumnaker",
                "kecamatan": "63.72.05",
            }
            saved = await b.post(here, form, token_from=here)
            assert "1 kursi ditawarkan ke antrean" in await next_page(b, saved)
            offered = [e for e in await enrolments(app.db, training.id) if e.offer_expires_at is not None]
            assert [e.offer_expires_at for e in offered] == [NOW + timedelta(hours=2)]
        finally:
            await app.close()
