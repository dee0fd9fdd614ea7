"""`umkm-bot broadcast`'s refusals: one line naming the option, from the same `BroadcastError`
the Siaran page marks its field by."""

from __future__ import annotations

import argparse
import io
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import App
from handlers.broadcasts.commands import add_arguments, run
from handlers.broadcasts.progress import Figures, progress_values
from handlers.officer import OfficerError
from tests.bot.outbox.seed import seed_owners


def parsed(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["--template", "nope"], "--template: tidak ada templat pengumuman “announcements/nope”"),
        (
            ["--template", "pembaruan_data", "--kecamatan", "99.99.99"],
            "--kecamatan: kecamatan “99.99.99” tidak ada di wilayah Diskopumnaker Banjarbaru",
        ),
        (
            ["--template", "pembaruan_data", "--sector", "roket"],
            "--sector: bidang usaha “roket” tidak dikenal; pilih salah satu: kuliner, fesyen,",
        ),
    ],
)
async def test_a_refused_broadcast_names_the_option_it_is_about(app: App, argv: list[str], line: str) -> None:
    out = io.StringIO()
    with pytest.raises(OfficerError) as refused:
        await run(parsed(*argv, "--dry-run"), app.officer_context(out=out, err=out))
    assert str(refused.value).startswith(line)
    assert out.getvalue() == ""  # nothing counted, nothing queued


async def test_kecamatan_is_read_by_name_or_by_code_as_every_other_command_reads_it(app: App) -> None:
    await seed_owners(app.db, 3, district_code="63.72.02")  # Landasan Ulin
    await seed_owners(app.db, 2, first=3, district_code="63.72.03")  # Cempaka
    for written in ("Landasan Ulin", "kec. landasan ulin", "63.72.02", "637202"):
        out = io.StringIO()
        await run(parsed("--template", "pembaruan_data", "--kecamatan", written, "--dry-run"),
                  app.officer_context(out=out, err=out))  # fmt: skip
        assert out.getvalue().splitlines()[0] == "penerima: 3 (telegram 3)", written


@pytest.mark.parametrize(
    ("locale", "audience"), [("id", "penerima: 0 (tidak ada)"), ("en", "audience: 0 (nobody)")]
)
async def test_status_prints_the_audience_and_the_progress_bar_on_lines_of_their_own(
    app: App, tmp_path: Path, locale: str, audience: str
) -> None:
    text = tmp_path / "pengumuman.txt"
    text.write_text("Halo pelaku usaha, ada pelatihan baru.", encoding="utf-8")
    queued = io.StringIO()
    await run(parsed("--text-file", str(text), "--no-wait"), app.officer_context(out=queued, err=queued))
    out = io.StringIO()
    ctx = replace(app.officer_context(out=out, err=out), locale=locale)
    await run(parsed("status"), ctx)
    lines = out.getvalue().splitlines()
    assert lines[1] == audience
    assert lines[2].startswith("[")


def test_the_progress_line_writes_the_share_and_the_rate_in_the_officers_language(app: App) -> None:
    figures = Figures(total=8, sent=3, failed=1, unreachable=0, cancelled=0, waiting=4)
    values = progress_values(figures, 2.5)
    line = app.officer_context().text("broadcast/progress", values)
    assert line.startswith("[############------------]  50%  terkirim 3")
    assert "  2,5/dtk  perkiraan selesai 0:02" in line
    english = replace(app.officer_context(), locale="en").text("broadcast/progress", values)
    assert "  2.5/s  ETA 0:02" in english
