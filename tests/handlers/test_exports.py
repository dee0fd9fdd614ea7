"""Exports read in a snapshot and are audited after: the bot's writers never wait for one."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from handlers import exports
from storage.database import Database
from storage.repositories import Transaction

WAIT = 5.0  # seconds: far more than a write takes, far less than one stuck behind the export


async def _store_something(db: Database) -> int:
    """What the bot does meanwhile: a write transaction (storing a message, say)."""
    async with db.transaction() as tx:
        return await tx.counters.next("meanwhile")


def _openpyxl_files() -> set[Path]:
    """The temporary files openpyxl keeps a write-only sheet's rows in until it is saved."""
    return set(Path(tempfile.gettempdir()).glob("openpyxl.*"))


async def _audit(tx: Transaction, count: int) -> None:
    await tx.audit.record(actor="officer", action="test.export", subject="owners", details={"rows": count})


async def test_writers_commit_while_an_export_reads_and_the_export_is_audited_after(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "export.xlsx"

    async def rows(tx: Transaction) -> AsyncIterator[Sequence[Any]]:
        for n in range(1, 4):
            yield [n]
            # Before snapshots, the export held SQLite's one writer: this waited until it ended.
            assert await asyncio.wait_for(_store_something(db), WAIT) == n

    assert await exports.export(db, path, "xlsx", sheet="S", headers=["n"], rows=rows, audit=_audit) == 3
    sheet = load_workbook(path, read_only=True).active
    assert sheet is not None
    assert [row for row in sheet.iter_rows(values_only=True)] == [("n",), (1,), (2,), (3,)]
    async with db.transaction() as tx:
        [entry] = await tx.audit.for_subject("owners")
    assert (entry.action, entry.details) == ("test.export", {"rows": 3})


async def test_an_export_whose_audit_fails_leaves_no_file(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"

    async def rows(tx: Transaction) -> AsyncIterator[Sequence[Any]]:
        yield ["a row"]

    async def failing_audit(tx: Transaction, count: int) -> None:
        raise RuntimeError("the audit log cannot be written")

    with pytest.raises(RuntimeError):
        await exports.export(db, path, "csv", sheet="S", headers=["h"], rows=rows, audit=failing_audit)
    assert not path.exists()


async def test_an_export_that_fails_half_way_is_not_audited_and_leaves_no_file(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "export.xlsx"
    temporary = _openpyxl_files()

    async def rows(tx: Transaction) -> AsyncIterator[Sequence[Any]]:
        yield ["a row"]
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        await exports.export(db, path, "xlsx", sheet="S", headers=["h"], rows=rows, audit=_audit)
    assert not path.exists()
    assert _openpyxl_files() == temporary
    async with db.transaction() as tx:
        assert await tx.audit.for_subject("owners") == []
