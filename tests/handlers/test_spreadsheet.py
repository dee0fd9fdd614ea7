"""Writing a spreadsheet never keeps the event loop to itself, however many rows."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from handlers import spreadsheet

ROWS = 1_000


async def _at_hand(n: int) -> AsyncIterator[Sequence[Any]]:
    """Rows that never make the reader wait (as SQLite's, read on the loop's thread)."""
    for i in range(n):
        yield [i, f"usaha {i}"]


@pytest.mark.parametrize("file_format", spreadsheet.FORMATS)
async def test_other_work_runs_while_the_rows_are_written(tmp_path: Path, file_format: str) -> None:
    turns = 0

    async def other_work() -> None:  # a webhook being acknowledged, say
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    turns_by_the_last_row: list[int] = []

    async def rows() -> AsyncIterator[Sequence[Any]]:
        async for row in _at_hand(ROWS):
            yield row
        turns_by_the_last_row.append(turns)

    task = asyncio.create_task(other_work())
    try:
        count = await spreadsheet.write(
            tmp_path / f"out.{file_format}", file_format, sheet="S", headers=["n", "name"], rows=rows()
        )
    finally:
        task.cancel()
    assert count == ROWS
    assert turns_by_the_last_row[0] >= ROWS // spreadsheet.ROWS_PER_TURN - 1


async def test_the_workbook_is_saved_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saving, saved = threading.Event(), threading.Event()
    original = Workbook.save

    def save(workbook: Workbook, filename: str) -> None:
        saving.set()
        # Only the event loop sets this: were the save on the loop's thread, it would wait in vain.
        if not saved.wait(5):
            raise AssertionError("the save held the event loop")
        original(workbook, filename)

    monkeypatch.setattr(Workbook, "save", save)
    path = tmp_path / "out.xlsx"
    writing = asyncio.create_task(
        spreadsheet.write(path, "xlsx", sheet="S", headers=["n", "name"], rows=_at_hand(3))
    )

    async def let_it_finish() -> None:
        await asyncio.to_thread(saving.wait, 5)
        saved.set()

    await asyncio.gather(let_it_finish(), writing)
    sheet = load_workbook(path, read_only=True).active
    assert sheet is not None
    assert sum(1 for _ in sheet.iter_rows()) == 4
