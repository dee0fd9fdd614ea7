"""Officer commands on bad input or settings: non-zero exit, one line, no traceback."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.app import App
from bot.cli import build_parser
from bot.settings import Settings
from handlers.officer import OfficerError
from tests.bot.cli_helpers import run_cli
from tests.handlers.registration.conversation import HAPPY_PATH, router_sender, to_summary
from tests.handlers.trainings.helpers import Clock, Officer


async def _register_one(app: App) -> None:
    send = router_sender(app.router, app.renderer, "console", "ani")
    await to_summary(send)
    await send("1")


def _one_line_failure(result: object) -> str:
    stderr = str(getattr(result, "stderr", ""))
    assert getattr(result, "returncode", 0) != 0
    assert "Traceback" not in stderr, stderr
    # Log lines (LOG_LEVEL=INFO) may come first; the reason is the last line.
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("umkm-bot: "), stderr
    return last


async def test_export_with_another_secret_key_is_one_line(
    app: App, database_url: str, tmp_path: Path
) -> None:
    await _register_one(app)
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "another-secret-key-0123456789abcdefghijklmnop"}
    out = tmp_path / "p.csv"
    result = run_cli(["owners", "export", "--format", "csv", "-o", str(out)], tmp_path / "d", **env)
    assert "SECRET_KEY" in _one_line_failure(result)
    assert not out.exists()  # no partial export left behind


async def test_export_to_a_directory_is_one_line(app: App, database_url: str, tmp_path: Path) -> None:
    await _register_one(app)
    env = {"DATABASE_URL": database_url}
    for fmt in ("csv", "xlsx"):
        result = run_cli(["owners", "export", "--format", fmt, "-o", str(tmp_path)], tmp_path / "d", **env)
        _one_line_failure(result)


async def test_a_csv_export_never_hands_excel_a_formula(app: App, database_url: str, tmp_path: Path) -> None:
    """A business name may start with + - @ (allowed punctuation); Excel would run it as a formula."""
    send = router_sender(app.router, app.renderer, "console", "ani")
    formula = '+HYPERLINK("http://contoh.id","Klik")'
    for text, _expected in HAPPY_PATH:
        await send(formula if text == "Warung Bu Tini" else text)
    assert any("Nomor pendaftaran" in r for r in await send("1"))
    out = tmp_path / "p.csv"
    result = run_cli(
        ["owners", "export", "--format", "csv", "-o", str(out)], tmp_path / "d", DATABASE_URL=database_url
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    name = rows[1][rows[0].index("Nama Usaha")]
    assert name == "'" + formula


async def test_an_export_writes_the_format_its_file_name_says(
    app: App, database_url: str, settings: Settings, tmp_path: Path
) -> None:
    """`-o data.csv` is a CSV file (not Excel under a .csv name); --format may only agree with a
    name that says its format, and a name of a format the export cannot write is refused before
    anything is written; any other name is written as --format says, or as XLSX. One real process
    (the rule as an officer meets it), the rest in process (each process costs about 1.5 s)."""
    await _register_one(app)
    plain = tmp_path / "data.csv"
    written = run_cli(["owners", "export", "-o", str(plain)], tmp_path / "d", DATABASE_URL=database_url)
    assert written.returncode == 0, written.stderr
    assert not plain.read_bytes().startswith(b"PK")  # not a zip (XLSX) under a .csv name
    assert "Nama Usaha" in plain.read_text(encoding="utf-8-sig").splitlines()[0]
    officer = Officer(app.db, app.agency, settings, Clock())
    book = tmp_path / "data.XLSX"
    await officer.run("owners", "export", "-o", str(book))
    assert book.read_bytes().startswith(b"PK")  # a zip: XLSX
    voucher = tmp_path / "voucher.csv"
    await officer.run("voucher", "report", "--month", "2026-11", "-o", str(voucher))
    assert not voucher.read_bytes().startswith(b"PK")
    unnamed = tmp_path / "rekap"
    await officer.run("owners", "export", "-o", str(unnamed))
    assert unnamed.read_bytes().startswith(b"PK")
    texted = tmp_path / "rekap.txt"
    await officer.run("owners", "export", "--format", "csv", "-o", str(texted))
    assert "Nama Usaha" in texted.read_text(encoding="utf-8-sig").splitlines()[0]
    refused = [
        (
            ["owners", "export", "--format", "xlsx", "-o", "o.csv"],
            "--format xlsx tidak cocok dengan berkas “o.csv”",
        ),
        (
            ["owners", "export", "-o", "o.pdf"],
            "-o: nama berkas harus berakhiran .xlsx atau .csv, bukan “o.pdf”",
        ),
        (
            ["voucher", "report", "--month", "2026-11", "--format", "csv", "-o", "v.xlsx"],
            "--format csv tidak cocok",
        ),
        (
            ["update-round", "export", "-o", "ur.csv"],
            "-o: nama berkas harus berakhiran .xlsx, bukan “ur.csv”",
        ),
    ]
    for argv, reason in refused:
        *flags, output = argv
        target = tmp_path / output
        with pytest.raises(OfficerError) as refusal:
            await officer.run(*flags, str(target))
        assert str(refusal.value).startswith(reason), str(refusal.value)
        assert not target.exists()
    refused_run = run_cli(
        ["owners", "export", "--format", "xlsx", "-o", str(tmp_path / "o.csv")],
        tmp_path / "d",
        DATABASE_URL=database_url,
    )
    assert _one_line_failure(refused_run).startswith("umkm-bot: --format xlsx tidak cocok")
    assert refused_run.returncode == 2


async def test_numbers_beyond_any_record_or_program_are_refused_not_a_traceback(
    app: App, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = "99999999999999999999"
    officer = Officer(app.db, app.agency, settings, Clock())
    program = ["voucher", "program", "add", "--name", "Besar", "--courier", "JNE"]
    for flags, reason in (
        (["--quota", huge], "--quota: paling banyak 1.000.000"),
        (["--quota", "5", "--valid-days", "999999999"], "--valid-days: paling banyak 366"),
    ):
        with pytest.raises(OfficerError) as refusal:
            await officer.run(*program, *flags)
        assert str(refusal.value) == reason
    for argv in (
        ["broadcast", "status", huge],
        ["training", "show", huge],
        ["voucher", "program", "pause", huge, "--reason", "x"],
    ):
        with pytest.raises(SystemExit) as exited:  # argparse's own refusal: usage, reason, exit 2
            build_parser().parse_args(argv)
        assert exited.value.code == 2
        assert f"no record has the id {huge}" in capsys.readouterr().err
