"""Streamed spreadsheets for officers: XLSX (openpyxl write-only) or CSV, any number of rows.

A cell that Excel would run as a formula (it starts with = + - @, a tab or a carriage
return: owners type names and addresses) is written as text: with a leading apostrophe in
CSV, as a string cell in XLSX. A file that fails half-way is removed, never left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

log = logging.getLogger(__name__)

FORMATS = ("xlsx", "csv")
#: Excel refuses a sheet title longer than this, or holding one of these characters.
SHEET_TITLE_MOST = 31
_NOT_IN_SHEET_TITLES = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows written between two turns of the event loop. Reading the rows may never wait (SQLite runs
# on the loop's thread, and a fetched batch is at hand): without these turns, an export of
# 100,000 owners through the dashboard kept the loop to itself for its 20 s, and the bot
# acknowledged no message meanwhile. 10 rows are about 2 ms of work.
ROWS_PER_TURN = 10


def sheet_title(name: str) -> str:
    """`name` as Excel takes a sheet title: without []:*?/\\ and at most 31 characters. The
    titles come from the officer's templates (`officer/*/…sheet`), which keep within that: this
    only keeps a value put in one (a month, an id) from making a file Excel cannot open."""
    return " ".join(name.translate(_NOT_IN_SHEET_TITLES).split())[:SHEET_TITLE_MOST].strip()


def csv_cell(value: Any) -> Any:
    """A text that Excel would read as a formula is quoted with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return f"'{value}"
    return value


async def write(
    path: Path,
    file_format: str,
    *,
    sheet: str,
    headers: Sequence[str],
    rows: AsyncIterator[Sequence[Any]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write `headers` then every row to `path` (an XLSX file's one sheet titled `sheet`, in the
    officer's words); returns how many rows. On any failure the partial file is removed and the
    error raised."""
    try:
        if file_format == "xlsx":
            return await _write_xlsx(path, sheet, headers, _taking_turns(rows), progress)
        return await _write_csv(path, headers, rows)  # print_csv takes the turns
    except BaseException:
        remove(path)
        raise


async def _taking_turns(rows: AsyncIterator[Sequence[Any]]) -> AsyncIterator[Sequence[Any]]:
    """`rows`, letting the event loop run other work every `ROWS_PER_TURN` rows."""
    count = 0
    async for values in rows:
        yield values
        count += 1
        if count % ROWS_PER_TURN == 0:
            await asyncio.sleep(0)


def remove(path: Path) -> None:
    """Delete a partial file, if it is there."""
    with contextlib.suppress(OSError):
        path.unlink()


async def _write_xlsx(
    path: Path,
    sheet_name: str,
    headers: Sequence[str],
    rows: AsyncIterator[Sequence[Any]],
    progress: Callable[[int], None] | None,
) -> int:
    # Imported here: openpyxl is 8 MB of memory a process that never exports need not hold.
    from openpyxl import Workbook  # noqa: PLC0415

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(sheet_name) or None)
    sheet.append(list(headers))
    count = 0
    try:
        async for values in rows:
            sheet.append([_xlsx_cell(sheet, v) for v in values])
            count += 1
            if progress is not None and count % 1000 == 0:
                progress(count)
    except BaseException:
        _discard(sheet)
        raise
    # On a thread: zipping the sheet (100,000 rows: about 0.9 s) would hold the event loop.
    saving = asyncio.ensure_future(asyncio.to_thread(workbook.save, path))
    try:
        await asyncio.shield(saving)
    except asyncio.CancelledError:
        await saving  # a thread cannot be stopped: the file is removed once it is done with it
        raise
    return count


def _discard(sheet: Any) -> None:
    """End a write-only sheet that will not be saved, and delete its temporary file. Left to the
    garbage collector, openpyxl's row writer fails then ("I/O operation on closed file"), and the
    file stays in the temporary directory until the process exits. Called while another error
    propagates: a failure here is logged, never raised in its place."""
    try:
        sheet.close()
        sheet._writer.cleanup()  # openpyxl has no public way to drop an unsaved sheet's file
    except Exception:
        log.warning("spreadsheet.discard_failed", exc_info=True)


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl would store a leading = as a formula
        return cell
    return value


async def _write_csv(path: Path, headers: Sequence[str], rows: AsyncIterator[Sequence[Any]]) -> int:
    # With a byte-order mark: Excel reads the file as UTF-8 then.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        return await print_csv(handle, headers, rows)


async def print_csv(handle: TextIO, headers: Sequence[str], rows: AsyncIterator[Sequence[Any]]) -> int:
    """`headers` then every row as CSV to an open text stream (standard output, for a pipe), with
    the cells a CSV file gets; returns how many rows."""
    writer = csv.writer(handle)
    writer.writerow(headers)
    count = 0
    async for values in _taking_turns(rows):
        writer.writerow([csv_cell(v) for v in values])
        count += 1
    return count
