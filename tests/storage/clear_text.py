"""Is a value stored anywhere in clear? SQLite: the file's bytes; PostgreSQL: every row as text."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from storage.database import Database
from storage.models import Base


async def stored_in_clear(db: Database, value: str) -> bool:
    """True if `value` appears in any table (PostgreSQL) or anywhere in the database files (SQLite).

    On SQLite the WAL is read too, so this sees what was written even before a checkpoint.
    """
    if db.is_sqlite:
        path = Path(db.engine.url.database or "")
        data = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        return value.encode() in data or value.encode("utf-16-le") in data
    async with db.transaction() as tx:
        for table in Base.metadata.sorted_tables:
            found = await tx.session.scalar(
                text(f'SELECT count(*) FROM "{table.name}" AS t WHERE t::text LIKE :pattern'),
                {"pattern": f"%{value}%"},
            )
            if found:
                return True
    return False
