"""The plan the engine under test chooses for a statement the code ran: to show a hot statement
reads an index, not every row (SQLite's EXPLAIN QUERY PLAN; PostgreSQL's EXPLAIN with sorts and
sequential scans priced out, so a plan shows them only when nothing else can do the work)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from storage.database import Database
from storage.repositories import Transaction

# What a plan says when it reads every row of a table, and when it sorts.
SCANS = {"sqlite": "SCAN ", "postgresql": "Seq Scan"}
SORTS = {"sqlite": "TEMP B-TREE", "postgresql": "Sort"}


@contextmanager
def statements(db: Database, starting: str) -> Iterator[list[tuple[str, Any]]]:
    """The (statement, parameters) run meanwhile whose SQL starts with `starting` (any case)."""
    seen: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:  # (connection, cursor, statement, parameters, context, many)
        statement, parameters = args[2], args[3]
        if statement.lstrip().upper().startswith(starting.upper()):
            seen.append((statement, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", capture)


async def plan_of(db: Database, tx: Transaction, statement: str, parameters: Any) -> str:
    """The plan of `statement`, one line a step, in `tx`."""
    connection = await tx.session.connection()
    if db.is_sqlite:
        explain = "EXPLAIN QUERY PLAN " + statement
    else:
        await connection.exec_driver_sql("SET LOCAL enable_sort = off")
        await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        explain = "EXPLAIN " + statement
    result = await connection.exec_driver_sql(explain, parameters)
    return "\n".join(str(row[-1]) for row in result.all())


def dialect(db: Database) -> str:
    return "sqlite" if db.is_sqlite else "postgresql"
