"""Repositories: the only code that writes SQL. One module per domain noun.

A `Transaction` gives every repository over one session; capabilities add a
property for theirs.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.core import (
    AuditRepository,
    CounterRepository,
    StateRepository,
    UserRepository,
)


class Transaction:
    """One unit of work over one session."""

    def __init__(self, session: AsyncSession, *, sqlite: bool) -> None:
        self.session = session
        self.sqlite = sqlite

    @property
    def users(self) -> UserRepository:
        return UserRepository(self.session)

    @property
    def states(self) -> StateRepository:
        return StateRepository(self.session)

    @property
    def counters(self) -> CounterRepository:
        return CounterRepository(self.session, sqlite=self.sqlite)

    @property
    def audit(self) -> AuditRepository:
        return AuditRepository(self.session)


__all__ = ["AuditRepository", "CounterRepository", "StateRepository", "Transaction", "UserRepository"]
