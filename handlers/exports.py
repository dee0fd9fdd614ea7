"""Exports: rows read in a snapshot, written to a spreadsheet, then audited.

An export reads for a long time (all 100,000 owners: about 20 s). It reads in
`Database.snapshot()`, so on SQLite, where a transaction holds the one writer while it runs,
the bot keeps storing and answering messages meanwhile; the audit record is written afterwards,
in a short transaction of its own. If the file or the audit record cannot be written, the
partial file is removed and nothing is audited: no export goes unrecorded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from handlers import spreadsheet
from storage.database import Database
from storage.repositories import Transaction


async def export(
    db: Database,
    path: Path,
    file_format: str,
    *,
    sheet: str,
    headers: Sequence[str],
    rows: Callable[[Transaction], AsyncIterator[Sequence[Any]]],
    audit: Callable[[Transaction, int], Awaitable[None]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write `headers` and the rows `rows(tx)` reads to `path`, then `audit(tx, rows written)`
    in a transaction of its own; returns how many rows."""
    async with db.snapshot() as tx:
        count = await spreadsheet.write(
            path, file_format, sheet=sheet, headers=headers, rows=rows(tx), progress=progress
        )
    try:
        async with db.transaction() as tx:
            await audit(tx, count)
    except BaseException:
        spreadsheet.remove(path)
        raise
    return count
