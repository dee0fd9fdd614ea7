"""Dashboard accounts (petugas), their sessions and the login lockout.

Passwords arrive here already hashed and session tokens already hashed: this module
stores and finds, it never sees a secret in clear.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from storage.models.dashboard import DashboardSession, LoginFailures, OfficerAccount


class DuplicateAccount(Exception):
    """An account with that username exists already."""


class OfficerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, account: OfficerAccount) -> OfficerAccount:
        if await self.by_username(account.username) is not None:
            raise DuplicateAccount(account.username)
        self.session.add(account)
        await self.session.flush()
        return account

    async def by_username(self, username: str) -> OfficerAccount | None:
        return await self.session.scalar(select(OfficerAccount).where(OfficerAccount.username == username))

    async def get(self, account_id: int) -> OfficerAccount | None:
        return await self.session.get(OfficerAccount, account_id)

    async def all(self) -> list[OfficerAccount]:
        result = await self.session.execute(select(OfficerAccount).order_by(OfficerAccount.username))
        return list(result.scalars())

    async def end_sessions(self, account_id: int) -> int:
        result = await self.session.execute(
            delete(DashboardSession).where(DashboardSession.account_id == account_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class SessionRepository:
    """Signed-in browsers, by the SHA-256 of their cookie token."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, token_hash: str, account_id: int, csrf_token: str, now: datetime) -> None:
        self.session.add(
            DashboardSession(
                id=token_hash,
                account_id=account_id,
                csrf_token=csrf_token,
                created_at=now,
                last_seen_at=now,
                data={},
            )
        )
        await self.session.flush()

    async def find(self, token_hash: str) -> tuple[DashboardSession, OfficerAccount] | None:
        row = (
            await self.session.execute(
                select(DashboardSession, OfficerAccount)
                .join(OfficerAccount, OfficerAccount.id == DashboardSession.account_id)
                .where(DashboardSession.id == token_hash)
            )
        ).first()
        return (row[0], row[1]) if row is not None else None

    async def touch(self, token_hash: str, now: datetime) -> bool:
        """Mark the session seen at `now`; False when it is gone (ended since it was read)."""
        result = await self.session.execute(
            update(DashboardSession).where(DashboardSession.id == token_hash).values(last_seen_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    async def set_data(self, row: DashboardSession, data: dict[str, Any]) -> None:
        row.data = dict(data)
        flag_modified(row, "data")
        await self.session.flush()

    async def end(self, token_hash: str) -> None:
        await self.session.execute(delete(DashboardSession).where(DashboardSession.id == token_hash))

    async def end_idle(self, before: datetime) -> int:
        """Remove sessions idle since before `before` (they are refused anyway)."""
        result = await self.session.execute(
            delete(DashboardSession).where(DashboardSession.last_seen_at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)


class LoginFailureRepository:
    """Consecutive failed logins per username; callers serialise on the username (a named lock)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, username: str) -> LoginFailures | None:
        return await self.session.get(LoginFailures, username)

    async def record(self, username: str, *, now: datetime, limit: int, lock_for: timedelta) -> LoginFailures:
        """One more failure; the `limit`-th in a row locks the username until now + `lock_for`.
        Failures before an expired lock do not count."""
        row = await self.get(username)
        if row is None:
            row = LoginFailures(username=username, failures=0, last_failed_at=now)
            self.session.add(row)
        elif row.locked_until is not None and row.locked_until <= now:
            row.failures, row.locked_until = 0, None
        row.failures += 1
        row.last_failed_at = now
        if row.failures >= limit:
            row.locked_until = now + lock_for
        await self.session.flush()
        return row

    async def clear(self, username: str) -> None:
        await self.session.execute(delete(LoginFailures).where(LoginFailures.username == username))
