"""An officer command refuses bad input in the officer's language (OFFICER_LOCALE: `id`, or `en`),
from the templates under messages/templates/<locale>/officer/, never from words in the code: a
sample of each command family, run in process, once in each language; and a look through the
code for an `OfficerError` raised with words of its own."""

from __future__ import annotations

import ast
import io
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot import backup as backup_command
from bot.app import App
from bot.cli import build_parser
from bot.settings import Settings
from handlers.officer import OfficerError
from tests.handlers.trainings.helpers import Clock, Officer, add_training

ROOT = Path(__file__).resolve().parents[2]
AREA = "Diskopumnaker Banjarbaru"
#: One refusal: the command as typed (`{tmp}`: the test's folder), and its line in Indonesian
#: and in English.
Case = tuple[Sequence[str], str, str]


async def _refused_in_both_languages(
    app: App, settings: Settings, tmp_path: Path, cases: Sequence[Case]
) -> None:
    for argv, indonesian, english in cases:
        typed = [part.format(tmp=tmp_path) for part in argv]
        for locale, expected in (("id", indonesian), ("en", english)):
            officer = Officer(
                app.db, app.agency, settings.model_copy(update={"officer_locale": locale}), Clock()
            )
            with pytest.raises(OfficerError) as refused:
                await officer.run(*typed)
            assert str(refused.value) == expected.format(tmp=tmp_path), (locale, typed)


async def test_owners_and_the_nib_queue(app: App, settings: Settings, tmp_path: Path) -> None:
    await _refused_in_both_languages(
        app,
        settings,
        tmp_path,
        [
            (
                ["owners", "list", "--kecamatan", "Mars"],
                f"--kecamatan: kecamatan “Mars” tidak ada di wilayah {AREA}",
                f"--kecamatan: there is no kecamatan “Mars” in {AREA}'s area",
            ),
            (
                ["owners", "list", "--sector", "roket"],
                "--sector: bidang usaha “roket” tidak dikenal; pilih salah satu: kuliner, fesyen, kriya, "
                "perdagangan, jasa, pertanian, batu_permata, lainnya",
                "--sector: unknown sector “roket”; use one of: kuliner, fesyen, kriya, perdagangan, jasa, "
                "pertanian, batu_permata, lainnya",
            ),
            (
                ["owners", "set-status", "BJB-2026-000001", "closed", "--reason", "  "],
                "--reason: tulis alasannya dalam beberapa kata",
                "--reason: say why, in a few words",
            ),
            (
                ["owners", "verify-nib", "BJB-2026-999999"],
                "nomor pendaftaran BJB-2026-999999 tidak ditemukan",
                "no registration BJB-2026-999999",
            ),
            (
                ["nib-queue", "done", "BJB-2026-999999"],
                "nomor pendaftaran BJB-2026-999999 tidak ditemukan",
                "no registration BJB-2026-999999",
            ),
        ],
    )


async def test_import(app: App, settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "umkm.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    await _refused_in_both_languages(
        app,
        settings,
        tmp_path,
        [
            (
                ["owners", "import", "{tmp}/umkm.xls"],
                "tidak dapat membaca {tmp}/umkm.xls: format .xls yang lama; simpan sebagai .xlsx "
                "(Excel: Save As, Excel Workbook)",
                "cannot read {tmp}/umkm.xls: the old .xls format: save it as .xlsx (Excel: Save As, Excel Workbook)",
            ),
            (
                ["owners", "import", "{tmp}/tidak-ada.csv"],
                "tidak dapat membaca {tmp}/tidak-ada.csv: berkas tidak ditemukan",
                "cannot read {tmp}/tidak-ada.csv: no such file",
            ),
            (
                ["owners", "import", "{tmp}/umkm.xls", "--report", "{tmp}/laporan.txt"],
                "--report: nama berkas harus berakhiran .xlsx atau .csv, bukan “laporan.txt”",
                "--report: name a file ending in .xlsx or .csv, not “laporan.txt”",
            ),
            (
                ["owners", "import", "{tmp}/umkm.xls", "--report", "{tmp}/no/laporan.xlsx"],
                "--report: folder {tmp}/no tidak ada",
                "--report: no such directory: {tmp}/no",
            ),
        ],
    )


async def test_vouchers_and_couriers(app: App, settings: Settings, tmp_path: Path) -> None:
    await _refused_in_both_languages(
        app,
        settings,
        tmp_path,
        [
            (
                ["voucher", "program", "add", "--name", "Ongkir", "--courier", "Kilat", "--quota", "5"],
                "--courier: tidak ada mitra kurir “Kilat” (mitra baru: umkm-bot courier add --name NAMA)",
                "--courier: no courier partner “Kilat” (a new partner: umkm-bot courier add --name NAME)",
            ),
            (
                ["voucher", "program", "add", "--name", "Ongkir", "--courier", "Kilat", "--quota", "0"],
                "--quota: minimal 1",
                "--quota must be at least 1",
            ),
            (
                ["voucher", "program", "resume", "99"],
                "tidak ada program voucher 99",
                "no voucher program 99",
            ),
            (
                ["voucher", "redeem", "ONG-7KQ4M-9XTRH", "--resi", " ", "--ongkir", "18000"],
                "--resi: tulis nomor resi paketnya",
                "--resi: the parcel's receipt number",
            ),
            (  # as the courier's chat and scan page read it
                ["voucher", "redeem", "ONG-7KQ4M-9XTRH", "--resi", "R1", "--ongkir", "18000"],
                "--resi: nomor resi terdiri dari 6 sampai 40 huruf, angka atau tanda hubung: “R1”",
                "--resi: a receipt number has 6 to 40 letters, digits or dashes: “R1”",
            ),
            (
                ["voucher", "redeem", "ONG-7KQ4M-9XTRH", "--resi", "JNE1", "--ongkir", "gratis"],
                "--ongkir: tulis jumlah rupiah lebih dari Rp0, contoh Rp25.000 atau 25rb",
                "--ongkir: an amount of rupiah above Rp0, like Rp25.000 or 25rb",
            ),
            (
                ["voucher", "report", "--month", "2026-13", "-o", "{tmp}/ongkir.xlsx"],
                "--month: bukan bulan seperti 2026-12: “2026-13”",
                "--month: not a month like 2026-12: “2026-13”",
            ),
            (
                ["courier", "remove", "--name", "Kilat"],
                "--name: tidak ada mitra kurir “Kilat” (mitra baru: umkm-bot courier add --name NAMA)",
                "--name: no courier partner “Kilat” (a new partner: umkm-bot courier add --name NAME)",
            ),
        ],
    )


async def test_trainings(app: App, settings: Settings, tmp_path: Path) -> None:
    training = str((await add_training(app.db)).id)
    await _refused_in_both_languages(
        app,
        settings,
        tmp_path,
        [
            (["training", "show", "99"], "pelatihan 99 tidak ada", "no training 99"),
            (
                ["training", "edit", training],
                "tulis minimal satu flag yang diubah, misalnya --title atau --capacity",
                "give at least one flag to change, e.g. --title or --capacity",
            ),
            (
                ["training", "edit", training, "--deadline", "besok"],
                "--deadline: bukan waktu seperti 2026-03-14 09:00: “besok”",
                "--deadline: not a time like 2026-03-14 09:00: “besok”",
            ),
            (
                ["training", "edit", training, "--target-kecamatan", "Gambut"],
                f"--target-kecamatan: kecamatan “Gambut” tidak ada di wilayah {AREA}",
                f"--target-kecamatan: there is no kecamatan “Gambut” in {AREA}'s area",
            ),
            (
                ["training", "cancel", training, "--reason", " "],
                "--reason: tulis alasannya, dengan kata-kata yang akan dibaca peserta",
                "--reason: give the reason, in the words participants will read",
            ),
            (
                ["training", "checkin-code", training, "--date", "14-03-2026"],
                "--date: bukan tanggal seperti 2026-03-14: “14-03-2026”",
                "--date: not a date like 2026-03-14: “14-03-2026”",
            ),
            (
                ["training", "checkin-code", training, "--date", "2026-03-15"],
                f"--date: pelatihan {training} berlangsung 2026-03-14 s.d. 2026-03-14, bukan 2026-03-15",
                f"--date: training {training} runs 2026-03-14 to 2026-03-14, not on 2026-03-15",
            ),
            (
                ["training", "checkin", training, "BJB-2026-000001"],
                "kehadiran baru bisa dicatat mulai 2026-03-14 08:00 WITA, satu jam sebelum pelatihan mulai",
                "check-in opens at 2026-03-14 08:00 WITA, an hour before the start",
            ),
            (
                ["training", "certificate", training, "BJB-2026-000001", "-o", "{tmp}/s.pdf"],
                f"BJB-2026-000001 belum punya sertifikat pelatihan {training}",
                f"BJB-2026-000001 has no certificate for training {training}",
            ),
            (
                ["training", "participants", training, "-o", "{tmp}/no/peserta.xlsx"],
                "-o: folder {tmp}/no tidak ada",
                "-o: no such directory: {tmp}/no",
            ),
            (
                ["training", "participants", training, "--format", "xlsx"],
                "--format xlsx: berkas Excel perlu -o BERKAS; tanpa -o, --format csv mencetak CSV",
                "--format xlsx: an Excel file needs -o FILE; without -o, --format csv prints CSV",
            ),
        ],
    )


async def test_update_rounds(app: App, settings: Settings, tmp_path: Path) -> None:
    await _refused_in_both_languages(
        app,
        settings,
        tmp_path,
        [
            (
                ["update-round", "open", "--deadline", "31-03-2026"],
                "--deadline: bukan tanggal seperti 2026-03-31: “31-03-2026”",
                "--deadline: not a date like 2026-03-31: “31-03-2026”",
            ),
            (
                ["update-round", "open", "--deadline", "2026-03-01"],
                "--deadline: 2026-03-01 sudah lewat; pilih hari ini atau sesudahnya",
                "--deadline: 2026-03-01 is in the past; choose today or later",
            ),
            (["update-round", "stats"], "belum ada putaran pembaruan data", "no data-update rounds yet"),
            (
                ["update-round", "export", "--round", "7", "-o", "{tmp}/hasil.xlsx"],
                "putaran pembaruan data 7 tidak ada",
                "there is no data-update round 7",
            ),
        ],
    )
    opened = Officer(app.db, app.agency, settings, Clock())
    await opened.run("update-round", "open", "--deadline", "2026-03-31")
    await _refused_in_both_languages(
        app,
        settings,
        tmp_path,
        [
            (
                ["update-round", "open", "--deadline", "2026-04-30"],
                "putaran 1 masih berjalan sampai 2026-03-31; putaran baru bisa dibuka setelah batas waktunya lewat",
                "round 1 is still open until 2026-03-31; a new round can be opened once its deadline has passed",
            )
        ],
    )


async def test_officer_accounts(
    app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("pendek\n" * 2))
    await _refused_in_both_languages(
        app,
        settings,
        tmp_path,
        [
            (
                ["officer", "add", "ani", "--role", "officer", "--password-stdin"],
                "kata sandi minimal 10 karakter",
                "the password must be at least 10 characters",
            ),
            (["officer", "disable", "siapa"], "tidak ada akun siapa", "no account siapa"),
        ],
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("rahasia-sekali-1\n" * 2))
    await _refused_in_both_languages(
        app,
        settings,
        tmp_path,
        [
            (
                ["officer", "add", "ani", "--role", "courier", "--courier", "Kilat", "--password-stdin"],
                "--courier: tidak ada mitra kurir “Kilat”; tambahkan dulu: umkm-bot courier add --name NAMA",
                "--courier: no courier partner “Kilat”; add it first: umkm-bot courier add --name NAME",
            )
        ],
    )


async def test_exports(app: App, settings: Settings, tmp_path: Path) -> None:
    await _refused_in_both_languages(
        app,
        settings,
        tmp_path,
        [
            (
                ["owners", "export", "-o", "{tmp}/no/pelaku.xlsx"],
                "-o: folder {tmp}/no tidak ada",
                "-o: no such directory: {tmp}/no",
            ),
            (
                ["owners", "export", "-o", "{tmp}"],
                "-o: {tmp} adalah folder; sebutkan nama berkas yang akan ditulis",
                "-o: {tmp} is a directory; name a file to write",
            ),
            (
                ["voucher", "report", "--month", "2026-03", "-o", "{tmp}/no/ongkir.csv"],
                "-o: folder {tmp}/no tidak ada",
                "-o: no such directory: {tmp}/no",
            ),
            (
                ["update-round", "export", "-o", "{tmp}/no/hasil.xlsx"],
                "-o: folder {tmp}/no tidak ada",
                "-o: no such directory: {tmp}/no",
            ),
        ],
    )


async def test_broadcasts(app: App, settings: Settings, tmp_path: Path) -> None:
    await _refused_in_both_languages(
        app,
        settings,
        tmp_path,
        [
            (
                ["broadcast", "--dry-run"],
                "tulis isinya: --template NAMA atau --text-file BERKAS",
                "give the content: --template NAME or --text-file FILE",
            ),
            (
                ["broadcast", "--text-file", "{tmp}/tidak-ada.txt", "--dry-run"],
                "--text-file: tidak dapat membaca {tmp}/tidak-ada.txt: No such file or directory",
                "--text-file: cannot read {tmp}/tidak-ada.txt: No such file or directory",
            ),
            (["broadcast", "status"], "belum ada siaran", "no broadcasts yet"),
        ],
    )


async def test_database_backups(settings: Settings, tmp_path: Path) -> None:
    """`db backup|restore` run without the app (a restore replaces its database), in the same
    language."""
    cases = [
        (
            ["db", "backup", "-o", f"{tmp_path}/no/cadangan"],
            f"-o: folder {tmp_path}/no tidak ada",
            f"-o: no such directory: {tmp_path}/no",
        ),
        (
            ["db", "restore", f"{tmp_path}/tidak-ada"],
            f"berkas {tmp_path}/tidak-ada tidak ada",
            f"no such file: {tmp_path}/tidak-ada",
        ),
    ]
    for argv, indonesian, english in cases:
        for locale, expected in (("id", indonesian), ("en", english)):
            in_locale = settings.model_copy(update={"officer_locale": locale})
            with pytest.raises(OfficerError) as refused:
                await backup_command.run(build_parser().parse_args(argv), in_locale)
            assert str(refused.value) == expected, (locale, argv)


async def test_a_backup_it_cannot_write_is_one_line(app: App, settings: Settings) -> None:
    """A folder nobody may create a file in (even root: /proc) is said as such, not a traceback."""
    for locale, words in (
        ("id", "tidak dapat menulis /proc/self/cadangan"),
        ("en", "cannot write /proc/self/cadangan"),
    ):
        in_locale = settings.model_copy(update={"officer_locale": locale})
        with pytest.raises(OfficerError) as refused:
            await backup_command.run(
                build_parser().parse_args(["db", "backup", "-o", "/proc/self/cadangan"]), in_locale
            )
        line = str(refused.value)
        assert "\n" not in line
        if app.db.is_sqlite:  # pg_dump says it in its own words (tool_failed)
            assert line.startswith(words), line


def _own_words(call: ast.Call) -> bool:
    """An `OfficerError(...)` whose message is words in the code: a string, an f-string, words
    joined to one (`"x: " + ...`), or another exception's English (`str(exc)`)."""
    if not call.args:
        return False
    message = call.args[0]
    if isinstance(message, ast.Constant | ast.JoinedStr | ast.BinOp):
        return True
    return (
        isinstance(message, ast.Call)
        and isinstance(message.func, ast.Name)
        and message.func.id in ("str", "repr", "format")
    )


def test_no_officer_error_carries_words_of_its_own() -> None:
    """Every refusal's words come from a template in the officer's language (`ctx.text`); an
    `OfficerError("--flag: ...")` would be English to an Indonesian officer."""
    found = []
    for folder in ("bot", "handlers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "OfficerError"
                    and _own_words(node)
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, "OfficerError with words in the code (use a template): " + ", ".join(found)


@pytest.mark.parametrize(
    "template",
    ["owners/refused", "update_round/refused", "vouchers/refused", "broadcast/refused", "trainings/refused"],
)
async def test_a_code_a_refusal_has_no_words_for_is_raised_not_printed_empty(
    app: App, settings: Settings, template: str
) -> None:
    """The families' tests above show each known code's words; a code without any is a mistake
    in the code, raised where it happens instead of `umkm-bot: ` and nothing after it."""
    ctx = app.officer_context(io.StringIO(), io.StringIO())
    with pytest.raises(LookupError, match="no_such_code"):
        ctx.refusal(template, {"code": "no_such_code", "flag": "--x"})
