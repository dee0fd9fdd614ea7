"""`umkm-bot training …` as officers use it: what each command prints, what it changes, and a bad
input's one-line reason (exit 2)."""

from __future__ import annotations

import csv
import io
import signal
import subprocess
import sys
from dataclasses import fields
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from handlers.officer import OfficerError
from handlers.payload import reply_from_payload
from handlers.trainings.schedule import TrainingPlan
from messages import LOCALES, Renderer, to_plain
from storage.models import AuditEntry
from storage.models.trainings import CONFIRMED, WAITING
from tests.bot.cli_helpers import cli_env, run_cli
from tests.bot.outbox.seed import seed_owners
from tests.handlers.trainings.helpers import (
    ENDS,
    STARTS,
    WITA,
    Officer,
    Scene,
    add_training,
    enrolments,
    outbox_rows,
    register_owner,
    signed_up,
)

ADD = [
    "training", "add", "--title", "Kemasan produk pangan", "--topic", "kemasan",
    "--starts", "2026-03-20 09:00", "--ends", "2026-03-20 15:00",
    "--venue", "Aula Diskopumnaker", "--kecamatan", "Landasan Ulin", "--capacity", "25",
]  # fmt: skip


async def test_add_prints_the_new_id_and_list_and_show_describe_it(scene: Scene) -> None:
    printed = await scene.officer.run(
        *ADD, "--deadline", "2026-03-18 16:00", "--sector", "kuliner", "--open-to-public"
    )
    training_id = int(printed)
    assert "pelatihan 1 dibuat: Kemasan produk pangan, 2026-03-20 09:00 WITA, 25 kursi" in scene.officer.err
    listing = await scene.officer.run("training", "list")
    assert "Kemasan produk pangan" in listing and "0/25" in listing and "terjadwal" in listing
    shown = await scene.officer.run("training", "show", str(training_id))
    assert "Waktu: 2026-03-20 09:00 – 15:00 WITA\n" in shown
    assert "Aula Diskopumnaker, Kecamatan Landasan Ulin" in shown
    assert "Pendaftaran ditutup: 2026-03-18 16:00 WITA" in shown
    assert "terbuka untuk umum; sektor kuliner" in shown


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (["--topic", "menjahit"], "--topic: topik “menjahit” tidak dikenal; pilih salah satu: sablon, kue,"),
        (
            ["--starts", "20/03/2026 09:00"],
            "--starts: bukan waktu seperti 2026-03-14 09:00: “20/03/2026 09:00”",
        ),
        (
            ["--kecamatan", "Gambut"],
            "--kecamatan: kecamatan “Gambut” tidak ada di wilayah Diskopumnaker Banjarbaru",
        ),
        (["--ends", "2026-03-20 08:00"], "--ends: pelatihan harus selesai setelah mulai"),
        (["--capacity", "0"], "--capacity: jumlah kursi minimal 1"),
        (["--capacity", "99999999999999999999"], "--capacity: jumlah kursi paling banyak 10.000"),
        (["--online", "https://meet.example/abc"], "--venue dan --online tidak bisa dipakai bersamaan"),
    ],
)
async def test_bad_input_to_add_is_refused_with_its_reason(
    scene: Scene, change: list[str], reason: str
) -> None:
    argv = list(ADD)
    flag = change[0]
    if flag in argv and change[1:]:
        argv[argv.index(flag) + 1] = change[1]
    else:
        argv += change
    with pytest.raises(OfficerError) as refused:
        await scene.officer.run(*argv)
    assert str(refused.value).startswith(reason)


def test_as_a_process_add_prints_only_the_id_and_bad_input_exits_2_with_one_line(
    database_url: str, tmp_path: Path
) -> None:
    day = (datetime.now(WITA) + timedelta(days=20)).date().isoformat()
    argv = [*ADD]
    argv[argv.index("--starts") + 1] = f"{day} 09:00"
    argv[argv.index("--ends") + 1] = f"{day} 15:00"
    env = {"DATABASE_URL": database_url}
    added = run_cli(argv, tmp_path / "data", **env)
    assert added.returncode == 0, added.stderr
    assert added.stdout == "1\n"
    argv[argv.index("--topic") + 1] = "menjahit"
    refused = run_cli(argv, tmp_path / "data", **env)
    assert refused.returncode == 2
    assert refused.stderr.startswith("umkm-bot: --topic: topik “menjahit” tidak dikenal")
    assert refused.stderr.count("\n") == 1
    # Printed into a pipe nobody reads any more (`| head` that has had its line): it ends
    # quietly, as a Unix tool killed by SIGPIPE, with no traceback.
    listing = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "training", "participants", "1", "--format", "csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_env(tmp_path / "data", **env),
        cwd=tmp_path,
    )
    assert listing.stdout is not None and listing.stderr is not None
    listing.stdout.close()
    assert listing.wait(timeout=60) == 128 + signal.SIGPIPE
    assert "Traceback" not in listing.stderr.read().decode()


async def test_announce_reaches_the_targeted_owners_once_and_the_dry_run_counts_them(scene: Scene) -> None:
    db = scene.db
    await seed_owners(db, 5, sector="kuliner")
    await seed_owners(db, 3, first=100, sector="kuliner", channel="whatsapp")
    await seed_owners(db, 4, first=200, sector="jasa")
    training = await add_training(db, capacity=10, target_sectors=("kuliner",))

    dry = await scene.officer.run("training", "announce", str(training.id), "--dry-run")
    assert "penerima: 8 (telegram 5, whatsapp 3)" in dry and "uji coba" in dry
    assert await outbox_rows(db) == []

    announced = await scene.officer.run("training", "announce", str(training.id))
    assert "diantrekan untuk 8 pelaku usaha" in announced and "8 pelaku usaha terdaftar cocok" in announced
    rows = await outbox_rows(db, "training.announcement")
    assert len(rows) == 8
    assert rows[0].payload["choices"][0]["id"] == f"tr:join:{training.id}"
    again = await scene.officer.run("training", "announce", str(training.id))
    assert "diantrekan untuk 0 pelaku usaha" in again
    assert len(await outbox_rows(db, "training.announcement")) == 8

    shown = await scene.officer.run("training", "show", str(training.id))
    assert "Pengumuman: 2026-03-02 10:00 WITA, 8 pelaku usaha cocok" in shown


async def test_the_announcement_counts_its_seats_in_english_one_seat_or_more(scene: Scene) -> None:
    await register_owner(scene.db, "701", 1, channel="telegram")
    renderer = Renderer(scene.agency.time_zone, scene.agency.template_values())
    for capacity, english, indonesian in ((1, "1 seat.", "1 kursi."), (2, "2 seats.", "2 kursi.")):
        training = await add_training(scene.db, capacity=capacity)
        await scene.officer.run("training", "announce", str(training.id))
        rows = await outbox_rows(scene.db, "training.announcement")
        [reply] = [
            reply_from_payload(r.payload)
            for r in rows
            if r.payload["values"]["training"]["id"] == training.id
        ]
        assert f"Free, limited places: {english}" in to_plain(renderer.render_reply(reply, "en").text)
        assert f"Gratis, tempat terbatas: {indonesian}" in to_plain(renderer.render_reply(reply, "id").text)


async def test_edit_and_cancel_tell_the_participants(scene: Scene) -> None:
    db, officer = scene.db, scene.officer
    training = await add_training(db, capacity=2)
    await signed_up(scene.chat, training.id, "701", "702", "703", channel="telegram")
    moved = await officer.run(
        "training", "edit", str(training.id), "--venue", "Gedung PKK", "--kecamatan", "63.72.02"
    )
    assert "pelatihan 1 diubah: tempat, kecamatan tempat\n3 peserta dan antrean diberi tahu" in moved
    with pytest.raises(OfficerError, match=r"^--capacity: sudah 2 kursi terisi"):
        await officer.run("training", "edit", str(training.id), "--capacity", "1")
    with pytest.raises(OfficerError, match=r"^--starts: waktu mulainya sudah lewat"):
        await officer.run("training", "edit", str(training.id), "--starts", "2026-03-01 09:00")
    with pytest.raises(OfficerError, match=r"^tulis minimal satu flag yang diubah"):
        await officer.run("training", "edit", str(training.id))

    cancelled = await officer.run(
        "training", "cancel", str(training.id), "--reason", "Narasumber berhalangan"
    )
    assert "dibatalkan; 3 peserta" in cancelled
    notices = [r.payload["template"] for r in await outbox_rows(db, "training.notice")]
    assert notices == ["trainings/changed"] * 3 + ["trainings/cancelled"] * 3
    with pytest.raises(OfficerError, match=f"^pelatihan {training.id} sudah dibatalkan$"):
        await officer.run("training", "cancel", str(training.id), "--reason", "lagi")
    with pytest.raises(OfficerError, match=r"^pelatihan 99 tidak ada$"):
        await officer.run("training", "edit", "99", "--capacity", "3")


async def test_edit_names_what_changed_in_the_officers_words(scene: Scene) -> None:
    training = await add_training(scene.db, capacity=2)
    edited = await scene.officer.run("training", "edit", str(training.id), "--capacity", "3")
    assert edited.splitlines()[0] == f"pelatihan {training.id} diubah: jumlah kursi"
    english = Officer(
        scene.db, scene.agency, scene.settings.model_copy(update={"officer_locale": "en"}), scene.clock
    )
    edited = await english.run(
        "training", "edit", str(training.id), "--starts", "2026-03-14 08:00", "--open-to-public"
    )
    assert edited.splitlines()[0] == f"training {training.id} changed: start time, open to the public"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_field_of_a_training_has_the_officers_word(locale: str) -> None:
    renderer = Renderer(WITA)
    words = dict(
        line.split(": ", 1) for line in renderer.render("officer/trainings/fields", locale).splitlines()
    )
    assert set(words) == {f.name for f in fields(TrainingPlan)}
    assert all(words.values())


async def test_participants_on_screen_and_as_files_with_waiting_positions(
    scene: Scene, tmp_path: Path
) -> None:
    db, officer = scene.db, scene.officer
    training = await add_training(db, capacity=1, open_to_public=True)
    await register_owner(db, "siti", 1, name="Siti Aminah")
    await register_owner(db, "budi", 2, name="Budi Santoso")
    for user in ("siti", "budi"):
        await scene.chat.say(user, f"daftar {training.id}")
    for answer in (f"daftar {training.id}", "Dewi Lestari", "0813-5000-1234", "Landasan Ulin", "Simpan"):
        await scene.chat.say("dewi", answer)
    assert [e.status for e in await enrolments(db)] == [CONFIRMED, WAITING, WAITING]

    shown = await officer.run("training", "participants", str(training.id))
    lines = shown.splitlines()
    assert lines[0].split()[:3] == ["No", "Nama", "Nomor"]
    assert "Siti Aminah" in lines[1] and "BJB-2026-000001" in lines[1] and "terdaftar" in lines[1]
    assert "Budi Santoso" in lines[2] and "antre" in lines[2]
    assert "Dewi Lestari" in lines[3] and "umum" in lines[3] and "0813-5000-1234" in lines[3]

    xlsx = tmp_path / "peserta.xlsx"
    exported = await officer.run("training", "participants", str(training.id), "-o", str(xlsx))
    assert "3 peserta ditulis" in exported
    rows = list(load_workbook(xlsx, read_only=True).active.iter_rows(values_only=True))
    header = rows[0]
    position = header.index("No. antrean")
    assert [(r[1], r[5], r[position]) for r in rows[1:]] == [
        ("Siti Aminah", "terdaftar", None),
        ("Budi Santoso", "antre", 1),
        ("Dewi Lestari", "antre", 2),
    ]
    csv_file = tmp_path / "peserta.csv"
    await officer.run("training", "participants", str(training.id), "--format", "csv", "-o", str(csv_file))
    with csv_file.open(encoding="utf-8-sig") as handle:
        written = list(csv.reader(handle))
    assert len(written) == 4
    # --format csv without -o: the same CSV on standard output, for a pipe; the count on stderr.
    printed = await officer.run("training", "participants", str(training.id), "--format", "csv")
    assert list(csv.reader(io.StringIO(printed))) == written
    assert "3 peserta" in officer.err
    async with db.transaction() as tx:
        audited = (
            await tx.session.execute(
                select(AuditEntry.action, AuditEntry.details).where(AuditEntry.actor == "officer:test")
            )
        ).all()
    assert sorted(
        (action, details.get("file")) for action, details in audited if "participants" in action
    ) == [
        ("training.participants_exported", "-"),
        ("training.participants_exported", "peserta.csv"),
        ("training.participants_exported", "peserta.xlsx"),
        ("training.participants_viewed", None),
    ]


async def test_participants_and_certificate_files_are_what_their_names_say(
    scene: Scene, tmp_path: Path
) -> None:
    training = await add_training(scene.db)
    listed = tmp_path / "peserta.csv"
    await scene.officer.run("training", "participants", str(training.id), "-o", str(listed))
    assert not listed.read_bytes().startswith(b"PK")  # CSV, as the name says (no --format)
    one = str(training.id)
    # A name of no file format is written as --format says, or as XLSX (as before names decided).
    unnamed = tmp_path / "peserta"
    await scene.officer.run("training", "participants", one, "-o", str(unnamed))
    assert unnamed.read_bytes().startswith(b"PK")
    texted = tmp_path / "peserta.txt"
    await scene.officer.run("training", "participants", one, "--format", "csv", "-o", str(texted))
    assert not texted.read_bytes().startswith(b"PK")
    for argv, name, reason in (
        (["participants", one, "--format", "xlsx"], "p.csv", "--format xlsx tidak cocok"),
        (["participants", one], "p.pdf", "-o: nama berkas harus berakhiran .xlsx atau .csv"),
        (["certificate", one, "BJB-2026-000001"], "s.xlsx", "-o: nama berkas harus berakhiran .pdf"),
    ):
        with pytest.raises(OfficerError, match=f"^{reason}"):
            await scene.officer.run("training", *argv, "-o", str(tmp_path / name))
        assert not (tmp_path / name).exists()


async def test_manual_check_in_by_number_or_phone(scene: Scene) -> None:
    db, officer = scene.db, scene.officer
    training = await add_training(db, capacity=1)
    await signed_up(scene.chat, training.id, "siti", "budi")
    with pytest.raises(
        OfficerError, match=r"^kehadiran baru bisa dicatat mulai 2026-03-14 08:00 WITA, satu jam sebelum"
    ):
        await officer.run("training", "checkin", str(training.id), "BJB-2026-000001")
    scene.clock.now = STARTS
    checked = await officer.run("training", "checkin", str(training.id), "0812-3456-7801")
    assert "Pemilik 1 tercatat hadir" in checked
    with pytest.raises(OfficerError, match=r"^BJB-2026-000001 sudah tercatat hadir$"):
        await officer.run("training", "checkin", str(training.id), "BJB-2026-000001")
    with pytest.raises(OfficerError, match=r"^BJB-2026-000002 belum mendapat kursi"):
        await officer.run("training", "checkin", str(training.id), "BJB-2026-000002")
    with pytest.raises(OfficerError, match=f"^BJB-2026-000099 tidak terdaftar di pelatihan {training.id}$"):
        await officer.run("training", "checkin", str(training.id), "BJB-2026-000099")


@pytest.mark.parametrize("year", ["20266", "10000", "9999", "1", "0", "-5"])
async def test_stats_for_a_year_out_of_range_is_one_line_not_another_year(scene: Scene, year: str) -> None:
    """A typo is refused with its reason; `--year 0` is not read as "this year"."""
    with pytest.raises(OfficerError, match=f"^--year: tahun {year} di luar jangkauan"):
        await scene.officer.run("training", "stats", "--year", year)


async def test_stats_per_training_topic_and_kecamatan_against_the_yearly_target(scene: Scene) -> None:
    db, officer, chat = scene.db, scene.officer, scene.chat
    sablon = await add_training(db, capacity=2)
    online = await add_training(
        db, title="Pemasaran digital", topic="pemasaran_digital", venue=None, district_code=None,
        online_url="https://meet.example/x", capacity=1,
    )  # fmt: skip
    for number, user in enumerate(("a", "b", "c"), 1):
        await register_owner(db, user, number)
        await chat.say(user, f"daftar {sablon.id}")
        await chat.say(user, f"daftar {online.id}")
    scene.clock.now = STARTS
    for who in ("BJB-2026-000001", "BJB-2026-000002"):
        await officer.run("training", "checkin", str(sablon.id), who)
    await officer.run("training", "checkin", str(online.id), "BJB-2026-000001")
    scene.clock.now = ENDS + timedelta(days=1)
    await chat.press("a", f"tr:rate:{sablon.id}:5")
    await chat.press("b", f"tr:rate:{sablon.id}:4")

    report = await officer.run("training", "stats", "--year", "2026")
    assert "Pelatihan tahun 2026" in report
    row = next(line for line in report.splitlines() if line.startswith(f"{sablon.id} Sablon"))
    # trainings, targeted, announced, signed up, waiting, attended, no-shows, rating
    assert row.split()[-8:] == ["1", "0", "0", "3", "1", "2", "0", "4,5"]
    assert any(line.startswith("Sablon") for line in report.splitlines())
    assert any(line.startswith("daring") for line in report.splitlines())
    assert any(line.startswith("63.72.05 Banjarbaru Selatan") for line in report.splitlines())
    assert "Tahun 2026: 3 kehadiran, 2 orang berbeda, target 500 orang setahun (0,4%)" in report
    english = Officer(
        scene.db, scene.agency, scene.settings.model_copy(update={"officer_locale": "en"}), scene.clock
    )
    report = await english.run("training", "stats", "--year", "2026")
    row = next(line for line in report.splitlines() if line.startswith(f"{sablon.id} Sablon"))
    assert row.split()[-1] == "4.5"
    assert "2026: 3 attendances, 2 different people, target 500 people a year (0.4%)" in report
