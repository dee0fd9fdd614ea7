"""Data saya, Ubah data, Hapus data: the owner's rights over their data (UU PDP)."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.channels.console import ConsoleChannel
from storage.models import AuditEntry, Base, Business, ConversationState, NibHelpRequest, Owner
from storage.models.registration import BusinessStatus
from tests.handlers.registration.conversation import NIK, OTHER_NIK, router_sender, to_summary


async def _registered(app: App, console: ConsoleChannel) -> None:
    await to_summary(router_sender(app.router, app.renderer, "console", console.user))
    await console.send("1")


async def test_data_saya_shows_the_profile_with_the_nik_masked(app: App, console: ConsoleChannel) -> None:
    await _registered(app, console)
    text = "\n".join(await console.send("Data saya"))
    assert "6372********0003" in text and NIK not in text
    assert "Warung Bu Tini" in text and "BJB-" in text and "Guntung Payung" in text


async def test_data_saya_shows_whether_the_business_is_marked_closed_in_both_languages(
    app: App, console: ConsoleChannel
) -> None:
    await _registered(app, console)
    assert "Status usaha: aktif" in "\n".join(await console.send("Data saya"))
    async with app.db.transaction() as tx:
        business = (await tx.session.execute(select(Business))).scalar_one()
        business.status = BusinessStatus.CLOSED  # as an officer or a data-update round sets it
    text = "\n".join(await console.send("Data saya"))
    assert "Status usaha: tutup" in text and "masih berjalan" in text
    async with app.db.transaction() as tx:
        await tx.users.set_locale((await tx.session.execute(select(Owner))).scalar_one().user_id, "en")
    text = "\n".join(await console.send("My data"))
    assert "Business status: closed" in text and "still running" in text


async def test_ubah_data_changes_one_field_and_audits_its_name_only(
    app: App, console: ConsoleChannel
) -> None:
    await _registered(app, console)
    text = "\n".join(await console.send("Ubah data"))
    assert "Ringkasan pendaftaran" in text and "Warung Bu Tini" in text
    assert "Nama usaha" in "\n".join(await console.send("2"))
    assert "nama usaha" in "\n".join(await console.send("Nama usaha"))
    assert "Warung Bu Tini Dua" in "\n".join(await console.send("Warung Bu Tini Dua"))
    assert "1 jawaban diubah" in "\n".join(await console.send("1"))
    async with app.db.transaction() as tx:
        business = (await tx.session.execute(select(Business))).scalar_one()
        assert business.name == "Warung Bu Tini Dua"
        entries = (await tx.session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars().all()
        assert [(e.action, e.details.get("field")) for e in entries][-1] == ("owner.updated", "business_name")
        assert "Warung" not in str([e.details for e in entries])


async def test_hapus_data_erases_personal_fields_and_keeps_statistics(
    app: App, console: ConsoleChannel
) -> None:
    await _registered(app, console)
    assert "Yakin" in "\n".join(await console.send("Hapus data"))
    assert "tidak dihapus" in "\n".join(await console.send("Tidak"))
    await console.send("Hapus data")
    text = "\n".join(await console.send("Ya, hapus data saya"))
    assert "sudah dihapus" in text and "kecamatan" in text and "Daftar usaha" in text
    async with app.db.transaction() as tx:
        owner = (await tx.session.execute(select(Owner))).scalar_one()
        business = (await tx.session.execute(select(Business))).scalar_one()
        assert owner.deleted_at is not None
        personal = (
            owner.user_id,
            owner.full_name,
            owner.nik_ciphertext,
            owner.nik_index,
            owner.phone,
            owner.reg_no,
        )
        assert personal == (None,) * 6
        assert (business.name, business.street, business.kbli, business.annual_sales, business.capital) == (
            None,
        ) * 5
        kept = (business.district_code, business.village_code, business.sector, business.size_class)
        assert kept == ("63.72.02", "63.72.02.1004", "kuliner", "micro")
        assert (business.year_started, business.workers, business.status) == (2019, 3, "active")
        assert (await tx.session.execute(select(NibHelpRequest))).first() is None
        actions = [e.action for e in await tx.audit.for_subject(f"owner:{owner.id}")]
        assert actions[-1] == "owner.erased"
    # The same NIK can register again after erasure.
    await to_summary(router_sender(app.router, app.renderer, "console", console.user))
    assert "BJB-" in "\n".join(await console.send("1"))


async def test_after_hapus_data_no_personal_value_is_left_in_any_table(
    app: App, console: ConsoleChannel
) -> None:
    await _registered(app, console)
    await console.send("Hapus data")
    assert "sudah dihapus" in "\n".join(await console.send("Ya, hapus data saya"))
    await console.send("halo")  # a later message: the state is written again
    async with app.db.transaction() as tx:
        rows = [
            str(tuple(r))
            for table in Base.metadata.sorted_tables
            for r in await tx.session.execute(select(table))
        ]
    for value in ("Siti Aminah", "Warung Bu Tini", "Jl. A. Yani Km. 5", "81234567890", NIK, "v1:"):
        assert not [r for r in rows if value in r], value


async def test_hapus_data_drops_every_unfinished_form(app: App, console: ConsoleChannel) -> None:
    """A half-filled data update (pembaruan data) holds what the owner typed: erased too."""
    await _registered(app, console)
    await console.send("Perbarui data")
    await console.send("Sudah tutup")
    await console.send("pindah ikut suami ke Jl. Melati 5")
    await console.send("menu")  # the update form is kept as a draft
    await console.send("Hapus data")
    assert "sudah dihapus" in "\n".join(await console.send("Ya, hapus data saya"))
    async with app.db.transaction() as tx:
        state = (await tx.session.execute(select(ConversationState))).scalar_one()
        assert state.data["drafts"] == {}
        assert "Melati" not in str(state.data)


async def test_an_unfinished_correction_is_offered_again_and_starting_over_keeps_the_stored_data(
    app: App, console: ConsoleChannel
) -> None:
    await _registered(app, console)
    await console.send("Ubah data")
    await console.send("2")  # change an answer
    await console.send("Nama usaha")
    menu = "\n".join(await console.send("menu"))  # leave mid-correction
    assert "belum selesai masih tersimpan" in menu
    offered = "\n".join(await console.send("Ubah data"))
    assert "belum selesai" in offered and "Lanjutkan" in offered  # not silently dropped
    restarted = "\n".join(await console.send("Mulai dari awal"))
    # Starting over a correction means the stored registration again, not an empty form.
    assert "Ringkasan pendaftaran" in restarted and "Warung Bu Tini" in restarted
    assert "Pemberitahuan data pribadi" not in restarted
    cancelled = "\n".join(await console.send("Batal"))
    assert "Menu utama" in cancelled and "belum selesai" not in cancelled


async def test_a_refused_nik_change_keeps_the_other_corrections_of_that_round(
    app: App, console: ConsoleChannel
) -> None:
    """Ubah data with a new business name and a new NIK that someone else registers before the owner
    saves: the name is saved, the NIK is not."""
    await _registered(app, console)
    await console.send("Ubah data")
    await console.send("2")
    await console.send("Nama usaha")
    await console.send("Warung Bu Tini Dua")
    await console.send("2")
    assert "Tulis *NIK*".replace("*", "") in "\n".join(await console.send("NIK")).replace("*", "")
    assert "Landasan Ulin" in "\n".join(await console.send(OTHER_NIK))
    assert "Ringkasan" in "\n".join(await console.send("Benar"))
    other = router_sender(app.router, app.renderer, "console", "budi")
    await to_summary(other, OTHER_NIK)
    assert "BJB-" in "\n".join(await other("1"))  # registered while the correction waited
    saved = "\n".join(await console.send("1"))
    assert "NIK baru tidak disimpan" in saved and "1 jawaban diubah" in saved
    async with app.db.transaction() as tx:
        user, _identity = await tx.users.find_or_create("console", console.user)
        found = await tx.owners.of_user(user.id)
        assert found is not None
        owner, business = found
        assert business.name == "Warung Bu Tini Dua"
        assert tx.cipher.decrypt(owner.nik_ciphertext or "") == NIK
        fields = [e.details.get("field") for e in await tx.audit.for_subject(f"owner:{owner.id}")]
    assert "business_name" in fields and "nik" not in fields
