"""Streamed spreadsheets for officers: XLSX (openpyxl write-only) or CSV, any number of rows.

A cell that Excel would run as a formula (it starts with = + - @, a tab or a carriage
return: owners type names and addresses) is written as text: with a leading apostrophe in
CSV, as a string cell in XLSX. A file that fails half-way is removed, never left behind.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

FORMATS = ("xlsx", "csv")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    """Write `headers` then every row to `path`; returns how many rows. On any failure the
    partial file is removed and the error raised."""
    try:
        if file_format == "xlsx":
            return await _write_xlsx(path, sheet, headers, rows, progress)
        return await _write_csv(path, headers, rows)
    except BaseException:
        remove(path)
        raise


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
    sheet = workbook.create_sheet(sheet_name)
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
    workbook.save(path)
    return count


def _discard(sheet: Any) -> None:
    """End a write-only sheet that will not be saved, and delete its temporary file. Left to the
    garbage collector, openpyxl's row writer fails then ("I/O operation on closed file"), and the
    file stays in the temporary directory until the process exits."""
    sheet.close()
    sheet._writer.cleanup()


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl would store a leading = as a formula
        return cell
    return value


async def _write_csv(path: Path, headers: Sequence[str], rows: AsyncIterator[Sequence[Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        async for values in rows:
            writer.writerow([csv_cell(v) for v in values])
            count += 1
    return count
