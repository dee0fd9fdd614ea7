"""The owner's "Pelatihan": the list of trainings open to them, details in Indonesian date words,
one-tap "Daftar" for a registered owner, the public short form for anyone else."""

from __future__ import annotations

from storage.database import Database
from storage.models.trainings import CONFIRMED, WAITING
from tests.handlers.trainings.helpers import Chat, add_training, enrolments, option, register_owner


async def _open_training(chat: Chat, user: str, title: str, entry: str = "Pelatihan") -> str:
    replies = await chat.say(user, "menu")
    replies = await chat.say(user, option(replies, entry))
    return await chat.say(user, option(replies, title))


async def test_a_registered_owner_reads_the_details_and_signs_up_with_one_tap(
    chat: Chat, db: Database
) -> None:
    await register_owner(db, "siti", 1, name="Siti Aminah")
    await add_training(db, description="Membuat desain dan menyablon kaos sendiri.")

    details = await _open_training(chat, "siti", "Sablon kaos untuk pemula (14 Mar 2026)")
    assert "Sabtu, 14 Maret 2026, 09.00 – 16.00 WITA" in details
    assert "Aula Diskopumnaker, Kecamatan Banjarbaru Selatan" in details
    assert "Kursi tersisa: 2 dari 2" in details and "menyablon kaos" in details

    done = await chat.say("siti", option(details, "Daftar"))
    assert "Anda terdaftar di Sablon kaos untuk pemula" in done
    option(done, "Pelatihan saya")  # the main menu now offers the owner's sign-ups
    [enrolment] = await enrolments(db)
    assert (enrolment.status, enrolment.full_name, enrolment.phone, enrolment.public) == (
        CONFIRMED,
        "Siti Aminah",
        "+6281234567801",
        False,
    )

    again = await _open_training(chat, "siti", "Sablon")
    assert "Anda terdaftar sebagai peserta" in again and "Daftar\n" not in again


async def test_a_full_training_puts_the_next_sign_ups_on_the_waiting_list_with_their_position(
    chat: Chat, db: Database
) -> None:
    training = await add_training(db, capacity=1)
    for number, user in enumerate(("ani", "budi", "citra"), 1):
        await register_owner(db, user, number)
    await chat.say("ani", f"DAFTAR {training.id}")
    second = await chat.say("budi", f"daftar {training.id}")
    third = await chat.say("citra", f"Daftar {training.id}")
    assert "sudah penuh" in second and "daftar tunggu nomor 1" in second
    assert "daftar tunggu nomor 2" in third
    details = await _open_training(chat, "citra", "Sablon")
    assert "Kelas penuh" in details and "nomor 2" in details
    assert [e.status for e in await enrolments(db)] == [CONFIRMED, WAITING, WAITING]

    twice = await chat.say("budi", f"DAFTAR {training.id}")
    assert "sudah mendaftar" in twice and "nomor 1" in twice
    assert len(await enrolments(db)) == 3


async def test_someone_not_registered_signs_up_for_a_public_training_with_the_short_form(
    chat: Chat, db: Database
) -> None:
    await add_training(db, title="Pembuatan es krim", topic="es_krim", open_to_public=True)
    await add_training(db, title="Pemasaran digital untuk anggota", topic="pemasaran_digital")

    menu = await chat.say("dewi", "halo")
    listing = await chat.say("dewi", option(menu, "Pelatihan"))
    assert "Pembuatan es krim" in listing
    assert "Pemasaran digital" not in listing, "only registered owners may join that one"
    details = await chat.say("dewi", option(listing, "Pembuatan es krim"))
    asked = await chat.say("dewi", option(details, "Daftar"))
    assert "nama lengkap" in asked
    asked = await chat.say("dewi", "Dewi Lestari")
    assert "Nomor HP" in asked
    refused = await chat.say("dewi", "0511 477 1234")  # a landline: refused, the name is kept
    assert "HP" in refused and "Dewi Lestari" not in refused
    asked = await chat.say("dewi", "0813-5000-1234")
    assert "kecamatan" in asked
    summary = await chat.say("dewi", option(asked, "Landasan Ulin"))
    assert "Dewi Lestari" in summary and "0813-5000-1234" in summary and "Landasan Ulin" in summary
    # Back to the number: its answer as the summary shows it, kept by sending it again.
    assert "kecamatan" in await chat.say("dewi", "kembali")
    phone = await chat.say("dewi", "kembali")
    assert "Jawaban sekarang: 0813-5000-1234" in phone
    summary = await chat.say("dewi", "0813-5000-1234")
    assert "Dewi Lestari" in summary and "Landasan Ulin" in summary
    done = await chat.say("dewi", option(summary, "Simpan"))
    assert "Anda terdaftar di Pembuatan es krim" in done
    [enrolment] = await enrolments(db)
    assert (enrolment.full_name, enrolment.phone, enrolment.district_code, enrolment.public) == (
        "Dewi Lestari",
        "+6281350001234",
        "63.72.02",
        True,
    )

    # One sign-up per person: the same number from another chat is refused.
    other = await chat.say("eko", f"daftar {enrolment.training_id}")
    for answer in ("Eko Prasetyo", "0813-5000-1234"):
        other = await chat.say("eko", answer)
    other = await chat.say("eko", option(other, "Landasan Ulin"))
    refused = await chat.say("eko", option(other, "Simpan"))
    assert "sudah dipakai untuk mendaftar" in refused
    assert len(await enrolments(db)) == 1


async def test_a_training_targeted_at_a_sector_is_shown_to_its_owners_only(chat: Chat, db: Database) -> None:
    await register_owner(db, "siti", 1)  # fesyen, micro, Banjarbaru Selatan
    fashion = await add_training(
        db, title="Kemasan produk fesyen", topic="kemasan", target_sectors=("fesyen",)
    )
    food = await add_training(db, title="Kemasan makanan", topic="kemasan", target_sectors=("kuliner",))
    listing = await chat.say("siti", option(await chat.say("siti", "menu"), "Pelatihan"))
    assert fashion.title in listing and food.title not in listing
    refused = await chat.say("siti", f"DAFTAR {food.id}")
    assert "hanya untuk pelaku usaha terdaftar" in refused
    assert await enrolments(db) == []


async def test_the_list_is_paged_ten_at_a_time(chat: Chat, db: Database) -> None:
    for n in range(12):
        await add_training(db, title=f"Pelatihan nomor {n + 1:02d}", open_to_public=True)
    listing = await chat.say("fajar", option(await chat.say("fajar", "menu"), "Pelatihan"))
    assert "Pelatihan nomor 10" in listing and "Pelatihan nomor 11" not in listing
    assert "halaman 1/2" in listing
    second = await chat.say("fajar", option(listing, "Berikutnya"))
    assert "Pelatihan nomor 12" in second and "halaman 2/2" in second


async def test_english_speakers_read_the_same_in_english(chat: Chat, db: Database) -> None:
    training = await add_training(db, open_to_public=True)
    menu = await chat.say("gita", "menu")
    await chat.say("gita", option(await chat.say("gita", option(menu, "Ganti bahasa")), "English"))
    details = await _open_training(chat, "gita", "Sablon", entry="Trainings")
    assert "Saturday, 14 March 2026, 09:00 – 16:00 WITA" in details
    assert "Seats left: 2 of 2" in details
    asked = await chat.say("gita", f"join {training.id}")
    assert "full name" in asked


async def test_going_back_out_of_the_list_keeps_no_unfinished_form(chat: Chat, db: Database) -> None:
    """Browsing keeps nothing however it is left: `kembali` past the list, like `menu`, leaves no
    draft that the main menu or the next visit would offer to continue."""
    await register_owner(db, "siti", 1)
    training = await add_training(db)
    await _open_training(chat, "siti", "Sablon")
    listing = await chat.say("siti", "kembali")
    assert training.title in listing
    menu = await chat.say("siti", "kembali")
    assert "Menu utama" in menu and "belum selesai" not in menu
    listing = await chat.say("siti", option(menu, "Pelatihan"))
    assert training.title in listing and "belum selesai" not in listing

    await chat.say("siti", f"DAFTAR {training.id}")  # "Pelatihan saya" browses the same way
    menu = await chat.say("siti", "menu")
    mine = await chat.say("siti", option(menu, "Pelatihan saya"))
    menu = await chat.say("siti", "kembali")
    assert "Menu utama" in menu and "belum selesai" not in menu
    mine = await chat.say("siti", option(menu, "Pelatihan saya"))
    assert training.title in mine and "belum selesai" not in mine
