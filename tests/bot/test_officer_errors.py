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
