"""Officer commands on bad input or settings: non-zero exit, one line, no traceback."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.app import App
from tests.bot.cli_helpers import run_cli
from tests.handlers.registration.conversation import HAPPY_PATH, router_sender, to_summary


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
    app: App, database_url: str, tmp_path: Path
) -> None:
    """`-o data.csv` is a CSV file (not Excel under a .csv name); --format may only agree with the
    name, and a name of no known format is refused before anything is written."""
    await _register_one(app)
    env = {"DATABASE_URL": database_url}
    plain = tmp_path / "data.csv"
    written = run_cli(["owners", "export", "-o", str(plain)], tmp_path / "d", **env)
    assert written.returncode == 0, written.stderr
    assert not plain.read_bytes().startswith(b"PK")  # not a zip (XLSX) under a .csv name
    assert "Nama Usaha" in plain.read_text(encoding="utf-8-sig").splitlines()[0]
    book = tmp_path / "data.XLSX"
    assert run_cli(["owners", "export", "-o", str(book)], tmp_path / "d", **env).returncode == 0
    assert book.read_bytes().startswith(b"PK")  # a zip: XLSX
    voucher = tmp_path / "voucher.csv"
    report = run_cli(["voucher", "report", "--month", "2026-11", "-o", str(voucher)], tmp_path / "d", **env)
    assert report.returncode == 0, report.stderr
    assert not voucher.read_bytes().startswith(b"PK")
    refused = [
        (
            ["owners", "export", "--format", "xlsx", "-o", "o.csv"],
            "--format xlsx tidak cocok dengan berkas “o.csv”",
        ),
        (
            ["owners", "export", "-o", "o.txt"],
            "-o: nama berkas harus berakhiran .xlsx atau .csv, bukan “o.txt”",
        ),
        (["owners", "export", "-o", "o"], "-o: nama berkas harus berakhiran .xlsx atau .csv, bukan “o”"),
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
        result = run_cli([*flags, str(target)], tmp_path / "d", **env)
        assert _one_line_failure(result).startswith(f"umkm-bot: {reason}"), result.stderr
        assert result.returncode == 2 and not target.exists()


async def test_numbers_beyond_any_record_or_program_are_refused_not_a_traceback(
    app: App, database_url: str, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": database_url}
    huge = "99999999999999999999"
    program = ["voucher", "program", "add", "--name", "Besar", "--courier", "JNE"]
    for flags, reason in (
        (["--quota", huge], "umkm-bot: --quota must be at most 1000000"),
        (["--quota", "5", "--valid-days", "999999999"], "umkm-bot: --valid-days must be at most 366"),
    ):
        assert _one_line_failure(run_cli([*program, *flags], tmp_path / "d", **env)) == reason
    for argv in (
        ["broadcast", "status", huge],
        ["training", "show", huge],
        ["voucher", "program", "pause", huge, "--reason", "x"],
    ):
        result = run_cli(argv, tmp_path / "d", **env)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert f"no record has the id {huge}" in result.stderr
