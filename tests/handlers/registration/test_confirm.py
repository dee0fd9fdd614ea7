"""An imported owner confirms their data by chat, through the real router and templates: greeted by
name when writing from the recorded number, consent first, then only what the record lacks, then
the summary. Nobody else ever sees the record."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.app import App
from bot.channels.console import render_console
from handlers.types import Incoming, utcnow
from handlers.update_round.current import has_current_data
from handlers.update_round.planner import open_round
from messages import to_plain
from storage.models import AuditEntry, Business, ChannelIdentity, Owner
from tests.handlers.registration.conversation import HAPPY_PATH, NIK, OTHER_NIK
from tests.handlers.registration.imports import BUDI, SITI, write_xlsx
from tests.handlers.registration.test_import import run_import
from tests.storage.plans import statements

SITI_WA = "6281234567890"  # her number in the agency's spreadsheet, as WhatsApp gives it


class Chat:
    """One person writing to the bot on one channel, as the channel adapters would hand it over."""

    def __init__(self, app: App, channel: str, user: str, *, sender_phone: str | None = None) -> None:
        self.app, self.channel, self.user, self.sender_phone = app, channel, user, sender_phone

    async def send(self, text: str = "", *, shared_phone: str | None = None) -> str:
        incoming = Incoming(
            self.channel, self.user, text=text, sender_phone=self.sender_phone, shared_phone=shared_phone
        )
        response = await self.app.router.handle(incoming)
        rendered = [self.app.renderer.render_reply(r, response.locale) for r in response.replies]
        return "\n".join(to_plain(render_console(r)) for r in rendered)


async def _imported(app: App, tmp_path: Path, rows: list[list[object]] | None = None) -> None:
    await run_import(app.db, app.agency, write_xlsx(tmp_path / "umkm.xlsx", rows or [SITI, BUDI]))


async def _siti(app: App) -> tuple[Owner, Business]:
    async with app.db.transaction() as tx:
        found = await tx.owners.by_reg_no("BJB-2026-000001")
    assert found is not None
    return found


async def test_writing_from_the_recorded_number_greets_by_name_and_confirms(app: App, tmp_path: Path) -> None:
    sparse = [*SITI[:7], None, None, None, None, "150jt", 20_000_000, 3, 2019]  # no kelurahan, sector
    await _imported(app, tmp_path, [sparse])
    siti = Chat(app, "whatsapp", SITI_WA, sender_phone=f"+{SITI_WA}")

    greeting = await siti.send("halo")
    assert "Halo, Siti Aminah!" in greeting and "Warung Bu Tini" in greeting
    assert "Pemberitahuan data pribadi" in greeting and "Sebelum mengonfirmasi data Anda" in greeting
    assert NIK not in greeting
    asked = await siti.send("Setuju")
    assert "bidang" in asked  # what the record lacks is asked, what it has is not
    assert (await _siti(app))[0].user_id is not None, "agreeing links the record to her chat"
    await siti.send("Kuliner (makanan & minuman)")
    await siti.send("Lewati")  # KBLI stays empty
    await siti.send("Guntung Payung")
    summary = await siti.send("belum punya")
    summary = await siti.send("Tidak")
    assert (
        "Ringkasan pendaftaran" in summary and "6372********0003" in summary and "Warung Bu Tini" in summary
    )
    done = await siti.send("Simpan")
    assert "sudah dikonfirmasi" in done and "BJB-2026-000001" in done

    owner, business = await _siti(app)
    assert owner.confirmed_at is not None and owner.consent_at is not None and owner.consent_version
    assert (business.sector, business.village_code, business.status) == ("kuliner", "63.72.02.1004", "active")
    async with app.db.transaction() as tx:
        actions = [e.action for e in await tx.audit.for_subject(f"owner:{owner.id}")]
        assert await has_current_data(tx, owner.id)
    assert actions[0] == "owner.imported" and actions[-1] == "owner.confirmed" and "owner.claimed" in actions
    menu = await siti.send("menu")
    assert "Data saya" in menu and "Periksa data dari Dinas" not in menu


async def test_another_number_never_sees_the_record_and_registers_as_usual(app: App, tmp_path: Path) -> None:
    await _imported(app, tmp_path)
    stranger = Chat(app, "whatsapp", "6281399900000", sender_phone="+6281399900000")
    menu = await stranger.send("halo")
    assert "Menu utama" in menu and "Daftar usaha" in menu
    for hidden in ("Siti", "Warung Bu Tini", "Periksa data dari Dinas"):
        assert hidden not in menu
    # A number typed in a conversation is not vouched for: it never opens a record.
    console = Chat(app, "console", "someone")
    assert "Siti" not in await console.send("0812-3456-7890")
    assert (await _siti(app))[0].user_id is None


async def test_saying_no_changes_nothing_and_not_me_marks_the_number_wrong(app: App, tmp_path: Path) -> None:
    await _imported(app, tmp_path)
    siti = Chat(app, "whatsapp", SITI_WA, sender_phone=f"+{SITI_WA}")
    await siti.send("halo")
    declined = await siti.send("Tidak setuju")
    assert "tidak diubah" in declined and "Periksa data dari Dinas" in declined
    assert (await _siti(app))[0].user_id is None
    assert "Halo, Siti Aminah!" in await siti.send("halo")  # offered again when she writes again
    not_me = await siti.send("Bukan data saya")
    assert "tidak akan ditampilkan lagi" in not_me
    owner, _ = await _siti(app)
    assert owner.wrong_number_at is not None and owner.user_id is None
    again = await siti.send("halo")
    assert "Siti" not in again and "Daftar usaha" in again


async def test_two_records_with_one_number_show_neither(app: App, tmp_path: Path) -> None:
    same_number = [*BUDI[:3], "0812-3456-7890", *BUDI[4:]]
    await _imported(app, tmp_path, [SITI, same_number])
    reply = await Chat(app, "whatsapp", SITI_WA, sender_phone=f"+{SITI_WA}").send("halo")
    assert "Siti" not in reply and "Budi" not in reply and "Menu utama" in reply


async def test_a_telegram_user_shares_their_contact_to_find_the_record(app: App, tmp_path: Path) -> None:
    await _imported(app, tmp_path)
    siti = Chat(app, "telegram", "70007")
    menu = await siti.send("halo")
    assert "Sudah terdata di Dinas?" in menu and "Siti" not in menu
    assert "Bagikan nomor saya" in await siti.send("Sudah terdata di Dinas?")
    assert "bukan diketik" in await siti.send("0812-3456-7890")
    greeting = await siti.send(shared_phone="+6281234567890")
    assert "Halo, Siti Aminah!" in greeting
    assert "NIB" in await siti.send("Setuju")  # the one thing her record lacks
    await siti.send("belum punya")
    assert "Ringkasan pendaftaran" in await siti.send("Tidak")  # no help wanted
    assert "sudah dikonfirmasi" in await siti.send("Simpan")
    async with app.db.transaction() as tx:
        identity = (
            await tx.session.execute(select(ChannelIdentity).where(ChannelIdentity.channel == "telegram"))
        ).scalar_one()
    assert (await _siti(app))[0].user_id == identity.user_id


async def test_leaving_half_way_keeps_the_link_and_the_menu_offers_to_finish(
    app: App, tmp_path: Path
) -> None:
    await _imported(app, tmp_path)
    siti = Chat(app, "whatsapp", SITI_WA, sender_phone=f"+{SITI_WA}")
    await siti.send("halo")
    await siti.send("Setuju")
    menu = await siti.send("menu")
    assert "Periksa data dari Dinas" in menu and "Data saya" in menu
    resumed = await siti.send("Periksa data dari Dinas")
    assert "belum selesai" in resumed
    assert "NIB" in await siti.send("Lanjutkan")
    # Saving "Ubah data" instead confirms it too: she has looked at all of it.
    await siti.send("menu")
    assert "Ringkasan pendaftaran" in await siti.send("Ubah data")
    assert "sudah diperbarui" in await siti.send("Simpan")
    assert (await _siti(app))[0].confirmed_at is not None
    with statements(app.db, "SELECT owners.id") as read:
        menu = await siti.send("menu")
    assert "Periksa data dari Dinas" not in menu and "belum selesai" not in menu
    # Whether her record still waits for confirmation came with the message's first statement.
    assert read == []


async def test_a_confirmation_during_an_open_round_is_the_owners_answer(app: App, tmp_path: Path) -> None:
    await _imported(app, tmp_path)
    async with app.db.transaction() as tx:
        await open_round(
            tx, officer="officer:test", deadline=date.today() + timedelta(days=10), note=None, now=utcnow()
        )
        owner, _ = await tx.owners.by_reg_no("BJB-2026-000001") or (None, None)
        assert owner is not None and not await has_current_data(tx, owner.id)
    siti = Chat(app, "whatsapp", SITI_WA, sender_phone=f"+{SITI_WA}")
    for typed in ("halo", "Setuju", "belum punya", "Tidak"):
        await siti.send(typed)
    assert "sudah dikonfirmasi" in await siti.send("Simpan")
    async with app.db.transaction() as tx:
        current = await tx.update_rounds.current()
        assert current is not None
        assert await tx.update_rounds.outcome(current.id, owner.id) == "active"
        assert await has_current_data(tx, owner.id)
        confirmed = await tx.session.scalar(
            select(AuditEntry.id).where(AuditEntry.action == "owner.confirmed")
        )
    assert confirmed is not None


async def test_starting_over_a_confirmation_left_before_consent_still_links_it(
    app: App, tmp_path: Path
) -> None:
    await _imported(app, tmp_path)
    siti = Chat(app, "whatsapp", SITI_WA, sender_phone=f"+{SITI_WA}")
    await siti.send("halo")
    await siti.send("menu")  # leaves at the consent question: kept as an unfinished form
    offered = await siti.send("halo")
    assert "Halo, Siti Aminah!" in offered and "belum selesai" in offered
    assert "Pemberitahuan data pribadi" in await siti.send("Mulai dari awal")
    for typed in ("Setuju", "belum punya", "Tidak"):
        await siti.send(typed)
    assert "sudah dikonfirmasi" in await siti.send("Simpan")
    owner, _ = await _siti(app)
    assert owner.user_id is not None and owner.confirmed_at is not None


async def _to_the_nik(chat: Chat, name: str = "Siti Aminah") -> None:
    for typed in ("menu", "Daftar usaha", "Setuju", name):
        await chat.send(typed)


async def test_her_own_nik_in_daftar_usaha_leads_to_her_record_keeping_the_draft(
    app: App, tmp_path: Path
) -> None:
    await _imported(app, tmp_path)
    siti = Chat(app, "whatsapp", SITI_WA, sender_phone=f"+{SITI_WA}")
    await _to_the_nik(siti)
    told = await siti.send(NIK)
    assert "sudah terdaftar" not in told and "sudah ada di data Diskopumnaker" in told
    assert "Periksa data dari Dinas" in told and "Tulis NIK" in told  # the choice, or another NIK
    assert "Warung Bu Tini" not in told  # the record itself shows after her consent, as always

    # Leaving for the record keeps the registration's draft, until the record is hers.
    greeting = await siti.send("Periksa data dari Dinas")
    assert "Halo, Siti Aminah!" in greeting and "Sebelum mengonfirmasi data Anda" in greeting
    declined = await siti.send("Tidak setuju")
    assert "belum selesai" in declined and (await _siti(app))[0].user_id is None
    resumed = await siti.send("Daftar usaha")
    assert "belum selesai" in resumed
    assert "Tulis NIK" in await siti.send("Lanjutkan")  # her consent and name are still there
    await siti.send(NIK)
    await siti.send("Periksa data dari Dinas")
    for typed in ("Setuju", "belum punya", "Tidak"):
        await siti.send(typed)
    assert "sudah dikonfirmasi" in await siti.send("Simpan")
    owner, _ = await _siti(app)
    assert owner.user_id is not None and owner.confirmed_at is not None
    menu = await siti.send("menu")
    assert "Data saya" in menu and "belum selesai" not in menu and "Daftar usaha" not in menu
    async with app.db.transaction() as tx:
        assert await tx.session.scalar(select(func.count()).select_from(Owner)) == 2  # Siti, Budi


async def test_a_registered_nik_says_nothing_about_a_record_to_whoever_cannot_claim_it(
    app: App, tmp_path: Path
) -> None:
    await _imported(app, tmp_path)
    usual = "sudah terdaftar"
    # Another number, a Telegram user who has not shared a number, the console: today's answer.
    for chat in (
        Chat(app, "whatsapp", "6281399900000", sender_phone="+6281399900000"),
        Chat(app, "telegram", "70008"),
        Chat(app, "console", "someone"),
    ):
        await _to_the_nik(chat, "Ani")
        told = await chat.send(NIK)
        assert usual in told and "data Diskopumnaker" not in told and "Periksa data" not in told
    # Her number, but Budi's NIK (a record her number may not confirm): today's answer too.
    siti = Chat(app, "whatsapp", SITI_WA, sender_phone=f"+{SITI_WA}")
    await _to_the_nik(siti)
    told = await siti.send(OTHER_NIK)
    assert usual in told and "data Diskopumnaker" not in told


async def test_a_nik_registered_by_chat_keeps_todays_answer_on_a_recorded_number(
    app: App, tmp_path: Path
) -> None:
    await _imported(app, tmp_path, [BUDI])
    ani = Chat(app, "console", "ani")
    for typed in (typed for typed, _ in HAPPY_PATH):
        await ani.send(typed)
    assert "BJB-" in await ani.send("Simpan")
    # Siti's number holds no record now; Budi's does: writing from it, Siti's NIK (Ani's by chat).
    budi = Chat(app, "whatsapp", "6281255500002", sender_phone="+6281255500002")
    await _to_the_nik(budi, "Budi Santoso")
    told = await budi.send(NIK)
    assert "sudah terdaftar" in told and "data Diskopumnaker" not in told
