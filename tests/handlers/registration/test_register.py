"""Registration by chat through the console: wrong entries, consent, NIK check, the stored records."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.channels.console import ConsoleChannel
from storage.models import Business, ConversationState, NibHelpRequest, Owner
from tests.handlers.registration.conversation import NIK, OTHER_NIK, router_sender, to_summary
from tests.storage.clear_text import stored_in_clear

# (wrong entry, piece of the hint, right entry, piece of the next question)
WRONG_THEN_RIGHT: list[tuple[str, str, str, str]] = [
    ("halo", "Silakan pilih", "Setuju", "nama lengkap"),  # the consent wants a choice
    ("X", "2 sampai 100 huruf", "Siti Aminah", "NIK"),
    ("6372 0245 0190 000", "16 angka", "6372 0245 0190 0003", "Landasan Ulin"),
    ("mungkin", "Silakan pilih", "Benar", "Nomor HP"),
    ("0511-4772000", "bukan nomor telepon rumah", "0812-3456-7890", "nama usaha"),
    ("🙂", "nama usaha 2 sampai 120", "Warung Bu Tini", "bidang"),
    ("Bengkel pesawat", "Silakan pilih", "1", "KBLI"),
    ("5610", "5 angka", "56101", "kecamatan"),
    ("Kecamatan Mars", "Silakan pilih", "Landasan Ulin", "kelurahan/desa"),
    ("Guntung", "Silakan pilih", "Guntung Payung", "alamat jalan"),
    ("Jl", "5 sampai 200", "Jl. A. Yani Km. 5 No. 12", "mulai tahun"),
    ("2099", "4 angka", "sejak 2019", "tenaga kerja"),
    ("banyak", "dengan angka", "3 orang", "omzet"),
    ("2-3 juta", "tanpa sen, tanda minus, atau rentang", "150jt", "modal usaha"),
    ("sedikit", "Jumlah uang belum bisa dibaca", "Rp 20 juta", "NIB"),
    ("12345", "13 angka", "belum punya", "Mau dibantu?"),
    ("nanti", "Silakan pilih", "Ya", "Ringkasan pendaftaran"),
]


async def count(app: App, model: type) -> int:
    async with app.db.transaction() as tx:
        return int(await tx.session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_whole_registration_with_a_wrong_entry_at_every_field(
    app: App, console: ConsoleChannel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert "Daftar usaha" in "\n".join(await console.send("halo"))
    assert "Pemberitahuan data pribadi" in "\n".join(await console.send("1"))
    for wrong, hint, right, question in WRONG_THEN_RIGHT:
        replies = await console.send(wrong)
        assert len(replies) == 2, (wrong, replies)
        assert hint in replies[0], (wrong, replies)
        text = "\n".join(await console.send(right))
        assert question in text, (right, text)
    replies = "\n".join(await console.send("1"))
    reg_no = re.search(r"BJB-(\d{4})-(\d{6})", replies)
    assert reg_no is not None and reg_no.group(2) == "000001", replies
    assert "antrean bantuan NIB" in replies and "Data saya" in replies and "Daftar usaha" not in replies

    async with app.db.transaction() as tx:
        owner = (await tx.session.execute(select(Owner))).scalar_one()
        business = (await tx.session.execute(select(Business))).scalar_one()
        assert owner.full_name == "Siti Aminah" and owner.phone == "+6281234567890"
        assert owner.reg_no == reg_no.group(0) and owner.consent_version == "2026-11-v1"
        assert owner.consent_at is not None and owner.consent_at <= owner.registered_at
        assert owner.nik_ciphertext is not None and NIK not in owner.nik_ciphertext
        assert tx.cipher.decrypt(owner.nik_ciphertext) == NIK
        assert owner.nik_index == tx.cipher.blind_index(NIK)
        assert (business.name, business.sector, business.kbli) == ("Warung Bu Tini", "kuliner", "56101")
        assert (business.district_code, business.village_code) == ("63.72.02", "63.72.02.1004")
        assert (business.year_started, business.workers) == (2019, 3)
        assert (business.annual_sales, business.capital, business.size_class) == (
            150_000_000,
            20_000_000,
            "micro",
        )
        assert business.nib is None and not business.nib_verified and business.status == "active"
        assert await tx.counters.current(f"registration:{reg_no.group(1)}") == 1
        audit = await tx.audit.for_subject(f"owner:{owner.id}")
        assert [a.action for a in audit] == ["owner.registered", "nib_help.requested"]
        assert NIK not in str([a.details for a in audit])
        state = await tx.session.get(ConversationState, owner.user_id)
        assert state is not None and state.flow is None and state.data["drafts"] == {}
    assert await count(app, NibHelpRequest) == 1
    assert NIK not in caplog.text and "6372 0245 0190 0003" not in caplog.text


async def test_the_nik_is_never_in_clear_in_the_database_file(app: App, console: ConsoleChannel) -> None:
    send = router_sender(app.router, app.renderer, "console", "nik-leak")
    await to_summary(send)
    assert not await stored_in_clear(app.db, NIK)  # mid-form: the answers are in the database too
    await send("1")
    assert not await stored_in_clear(app.db, NIK)
    # The same check finds the other answers, so it can fail.
    assert await stored_in_clear(app.db, "Siti Aminah")


async def test_declining_the_notice_stores_nothing_and_ends_politely(
    app: App, console: ConsoleChannel
) -> None:
    await console.send("halo")
    await console.send("Daftar usaha")
    replies = "\n".join(await console.send("Tidak setuju"))
    assert "tidak ada data Anda yang disimpan" in replies and "Menu utama" in replies
    async with app.db.transaction() as tx:
        state = (await tx.session.execute(select(ConversationState))).scalar_one()
        assert state.flow is None and state.data["drafts"] == {} and state.data["data"] == {}
    assert await count(app, Owner) == 0
    # Choosing again starts from the notice, not from a draft.
    assert "Pemberitahuan data pribadi" in "\n".join(await console.send("Daftar usaha"))


async def test_a_wrong_nik_reading_re_asks_the_nik(app: App, console: ConsoleChannel) -> None:
    for text in ("halo", "Daftar usaha", "Setuju", "Siti Aminah"):
        await console.send(text)
    assert "Perempuan" in "\n".join(await console.send(OTHER_NIK[:6] + "4501900003"))
    assert "Tulis NIK" in "\n".join(await console.send("Bukan, ulangi"))
    text = "\n".join(await console.send(OTHER_NIK))
    assert "Laki-laki" in text and "12 Maret 1985" in text


async def test_an_unknown_district_code_is_a_warning_not_a_refusal(console: ConsoleChannel) -> None:
    for text in ("halo", "Daftar usaha", "Setuju", "Siti Aminah"):
        await console.send(text)
    text = "\n".join(await console.send("6372994501900003"))
    assert "tidak ada di data Kemendagri" in text and "Apakah ini benar?" in text


async def test_a_registered_nik_is_refused_without_saying_whose(app: App) -> None:
    first = router_sender(app.router, app.renderer, "console", "ani")
    await to_summary(first)
    await first("1")
    second = router_sender(app.router, app.renderer, "console", "budi")
    for text in ("halo", "Daftar usaha", "Setuju", "Budi Santoso"):
        await second(text)
    replies = await second(NIK)
    assert "sudah terdaftar" in replies[0] and "(0511) 000000" in replies[0]
    assert "Siti" not in "\n".join(replies) and "BJB-" not in "\n".join(replies)
    assert await count(app, Owner) == 1


async def test_a_business_above_medium_is_told_the_programs_are_for_umkm(console: ConsoleChannel) -> None:
    script = [
        "halo",
        "Daftar usaha",
        "Setuju",
        "Siti Aminah",
        NIK,
        "Benar",
        "081234567890",
        "PT Besar Sekali",
    ]
    script += ["1", "Lewati", "1", "1", "Jl. Panglima Batur No. 1", "2000", "250", "60 miliar"]
    for text in script:
        await console.send(text)
    text = "\n".join(await console.send("12 miliar"))
    assert "Usaha besar" in text and "ditujukan untuk UMKM" in text
    assert "NIB" in "\n".join(await console.send("Lanjutkan"))
