"""After Hapus data, the erased values leave the database files too, not only the live rows.

Nulling a column leaves the old value behind on disk until the database reuses the space:

- SQLite keeps it in the write-ahead log (the page as it was written before) and, without
  `secure_delete`, in the freed part of the page. Every connection sets `PRAGMA secure_delete`
  (storage/engine.py), so the page itself is overwritten with zeros when the row changes; a
  `wal_checkpoint(TRUNCATE)` then copies the log into the file and empties it.
- PostgreSQL keeps the old row version (a dead tuple) in the table file. A plain VACUUM marks
  its space free but leaves its bytes in the page until something else is written there (we
  checked: a nulled name survived VACUUM in the page's free space), so the tables concerned get
  VACUUM FULL, which writes them anew, with their TOAST tables and indexes, and truncates the
  old files. Erasures are rare and these tables small; a lock that is not free within
  `LOCK_TIMEOUT` lets the next run try again.

Erasing counts itself (`ERASURES`, in the erasing transaction); a scrub remembers the count it
caught up with (`SCRUBBED`), so a scrub that fails, or a process stopped before it ran, is made
up by the next run of any process. The app's scheduler runs `Scrubber.run` every
`SCRUB_EVERY` seconds (bot/outbox/scheduler.py): that is the bound the README states.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from sqlalchemy import text

from storage import sqlite_inline
from storage.database import Database

log = logging.getLogger(__name__)

ERASURES = "erasures"
SCRUBBED = "erasures:scrubbed"
LOCK_TIMEOUT = "5s"
_CHECKPOINT_TRIES = 50


class ScrubIncomplete(RuntimeError):
    """The erased values could not be removed from the files yet (a reader held the WAL)."""


async def scrub(db: Database, tables: Sequence[str]) -> None:
    """Remove what is left of erased values from the files of `tables` (all of SQLite's)."""
    if db.is_sqlite:
        await _truncate_wal(db)
        return
    async with db.engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text(f"SET lock_timeout = '{LOCK_TIMEOUT}'"))
        try:
            for table in tables:
                await autocommit.execute(text(f'VACUUM FULL "{table}"'))
        finally:
            # The connection goes back to the pool: the bot's own transactions wait for locks.
            await autocommit.execute(text("RESET lock_timeout"))


async def _truncate_wal(db: Database) -> None:
    """Copy the whole WAL into the file and empty it; a reader still on an older snapshot makes
    SQLite answer "busy", so try again for a few seconds."""
    async with db.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert isinstance(driver, sqlite_inline.Connection)
        for _ in range(_CHECKPOINT_TRIES):
            busy, _log, _done = await driver.checkpoint("TRUNCATE")
            if not busy:
                return
            await asyncio.sleep(0.1)
    raise ScrubIncomplete("the SQLite WAL could not be emptied: a reader kept it busy")


class Scrubber:
    """Scrubs after erasures that have not been scrubbed yet; cheap when there are none."""

    def __init__(self, db: Database, tables: Sequence[str]) -> None:
        self.db = db
        self.tables = tuple(tables)

    async def run(self) -> bool:
        """Scrub if an erasure happened since the last scrub; True when it did."""
        async with self.db.transaction() as tx:
            erased = await tx.counters.current(ERASURES)
            scrubbed = await tx.counters.current(SCRUBBED)
        if erased <= scrubbed:
            return False
        await scrub(self.db, self.tables)
        async with self.db.transaction() as tx:
            await tx.counters.set_at_least(SCRUBBED, erased)
        log.info("erasure.scrubbed", extra={"erasures": erased - scrubbed, "tables": len(self.tables)})
        return True
