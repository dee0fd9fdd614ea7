"""Rules the schema keeps, whatever capability adds a table."""

from __future__ import annotations

import pytest
from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint, text

from storage.database import Database
from storage.models import Base


def test_every_foreign_key_has_an_index_that_starts_with_its_columns() -> None:
    # Deleting a user (linking merges two) or an owner makes the database find every row that
    # points at it; without an index it reads the whole table (the outbox: every message ever).
    missing = []
    for table in Base.metadata.sorted_tables:
        leads = [[column.name for column in index.columns] for index in table.indexes]
        leads += [
            [column.name for column in constraint.columns]
            for constraint in table.constraints
            if isinstance(constraint, PrimaryKeyConstraint | UniqueConstraint)
        ]
        for key in table.foreign_key_constraints:
            columns = [column.name for column in key.columns]
            if not any(lead[: len(columns)] == columns for lead in leads):
                missing.append(f"{table.name}({', '.join(columns)})")
    assert missing == []


@pytest.mark.postgresql
async def test_the_outbox_keys_compare_byte_by_byte_so_a_prefix_is_a_range_of_their_index(
    db: Database,
) -> None:
    # storage.repositories.outbox.keyed reads a prefix's rows as a range; under a linguistic
    # collation (en_US, id_ID) "update-round:3:user:42:h-7" need not sort after its own prefix.
    async with db.transaction() as tx:
        collation = await tx.session.scalar(
            text(
                "SELECT collation_name FROM information_schema.columns"
                " WHERE table_name = 'outbox' AND column_name = 'dedupe_key'"
            )
        )
    assert collation == "C"
