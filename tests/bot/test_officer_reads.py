"""An officer command that only reads never holds the database's writer: it reads in
`Database.snapshot()`. On SQLite a `transaction()` in the command's process takes the one
writer (`BEGIN IMMEDIATE`), and the running bot's writes wait in SQLite's sleeping busy handler
until it ends: `broadcast status` following a broadcast would ask every second.

Observed on the engine under test, as tests/bot/dashboard/test_read_only_pages.py does."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.settings import Settings
from handlers.officer import OfficerError
from tests.bot.reads import seeded, writers
from tests.handlers.registration.imports import GOOD, write_csv
from tests.handlers.trainings.helpers import Clock, Officer

#: Every command that only reads (`{name}`: a value of the seeded database).
READING = (
    ("owners", "list"),
    ("owners", "list", "--kecamatan", "Landasan Ulin"),
    ("nib-queue", "list"),
    ("broadcast", "--text-file", "{text_file}", "--dry-run"),
    ("broadcast", "status", "{broadcast_id}"),
    ("update-round", "stats"),
    ("courier", "list"),
    ("voucher", "program", "list"),
    ("training", "list"),
    ("training", "show", "{training_id}"),
    ("training", "announce", "{training_id}", "--dry-run"),
    ("officer", "list"),
    ("owners", "import", "{import_file}", "--dry-run"),
    ("owners", "invite", "--dry-run"),
)


async def test_every_command_that_only_reads_reads_in_a_snapshot(
    app: App, settings: Settings, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    values = await seeded(app, now)
    text_file = tmp_path / "pengumuman.txt"
    text_file.write_text("Pasar murah hari Minggu.", encoding="utf-8")
    values["text_file"] = str(text_file)
    values["import_file"] = str(write_csv(tmp_path / "umkm.csv", GOOD))
    officer = Officer(app.db, app.agency, settings, Clock(now))
    writing: dict[str, int] = {}
    snapshots: dict[str, int] = {}
    for argv in READING:
        typed = [part.format(**values) for part in argv]
        with writers(app.db) as began:
            printed = await officer.run(*typed)
        assert printed or officer.err, typed  # it showed something
        writing[" ".join(argv)], snapshots[" ".join(argv)] = began.count(True), began.count(False)
    # A certificate written to a file reads the participant (refused here: nobody attended).
    with writers(app.db) as began, pytest.raises(OfficerError):
        await officer.run("training", "certificate", values["training_id"], "BJB-2026-000001", "-o", "s.pdf")
    writing["training certificate -o"], snapshots["training certificate -o"] = (
        began.count(True),
        began.count(False),
    )
    assert not {command for command, n in writing.items() if n}, writing
    assert all(snapshots.values()), snapshots
    # What one command shows comes from one view: a training and its figures, a round and its
    # outcomes, read in the same snapshot.
    assert snapshots["training show {training_id}"] == 1, snapshots
    assert snapshots["update-round stats"] == 1, snapshots


@pytest.mark.parametrize("shown", [(), ("--format", "csv")])
async def test_a_participant_list_reads_in_a_snapshot_and_audits_before_it_prints(
    app: App, settings: Settings, shown: tuple[str, ...]
) -> None:
    """On screen or as CSV for a pipe: the rows are read in a snapshot and the view audited in a
    short transaction of its own, so the writer is never held while a pager takes its time."""
    now = datetime.now(UTC)
    values = await seeded(app, now)
    officer = Officer(app.db, app.agency, settings, Clock(now))
    with writers(app.db) as began:
        printed = await officer.run("training", "participants", values["training_id"], *shown)
    assert printed.count("\n") >= 2  # the headers and the one person signed up
    # The training looked up, the rows read (snapshots), then the audit's one short write.
    assert began == [False, False, True], began
