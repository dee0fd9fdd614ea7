"""Signing in to the dashboard: passwords, the lockout, sessions and their CSRF tokens.

- Five failed logins in a row for a username (known or not) lock it for 15 minutes; the
  lock is audited for a known account. A locked username is refused before its password is
  checked.
- A session is a random token in an HttpOnly cookie; the database holds its SHA-256 only.
  It ends at logout, when the account is disabled or its password reset, or after 8 hours
  without a request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.dashboard.accounts import normalise_username, password_matches, subject
from handlers.pages import SignedIn
from storage.database import Database
from storage.models.dashboard import DashboardSession

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
IDLE_LIMIT = timedelta(hours=8)
# A session's last_seen_at is written at most this often (not on every request).
TOUCH_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def actor(username: str) -> str:
    """How the audit log names someone acting through the dashboard."""
    return f"dashboard:{username}"


@dataclass(frozen=True, slots=True)
class LoggedIn:
    token: str
    officer: SignedIn


@dataclass(frozen=True, slots=True)
class Locked:
    until: datetime


@dataclass(frozen=True, slots=True)
class WrongPassword:
    """Wrong username or password (which one is not said)."""


LoginResult = LoggedIn | Locked | WrongPassword


async def login(db: Database, username: str, password: str, *, now: datetime) -> LoginResult:
    username = normalise_username(username)[:64]
    async with db.transaction() as tx:
        failures = await tx.login_failures.get(username)
        if failures is not None and failures.locked_until is not None and failures.locked_until > now:
            return Locked(failures.locked_until)
        account = await tx.officers.by_username(username)
        stored = account.password_hash if account is not None else None
    # The hash is checked outside the transaction: SQLite's one writer is not held for it.
    matches = await password_matches(stored, password)
    lock_name = f"dashboard-login:{username}"
    async with db.transaction(lock_name) as tx:
        if not matches or account is None or account.disabled_at is not None:
            row = await tx.login_failures.record(username, now=now, limit=MAX_FAILURES, lock_for=LOCK_FOR)
            if row.locked_until is not None:
                if account is not None:
                    await tx.audit.record(
                        actor=actor(username),
                        action="dashboard.login_locked",
                        subject=subject(username),
                        details={"failures": row.failures, "minutes": int(LOCK_FOR.total_seconds() // 60)},
                    )
                return Locked(row.locked_until)
            if account is not None:
                await tx.audit.record(
                    actor=actor(username), action="dashboard.login_failed", subject=subject(username)
                )
            return WrongPassword()
        await tx.login_failures.clear(username)
        token = secrets.token_urlsafe(32)
        await tx.dashboard_sessions.add(
            token_hash=token_hash(token), account_id=account.id, csrf_token=secrets.token_urlsafe(32), now=now
        )
        fresh = await tx.officers.get(account.id)
        assert fresh is not None
        fresh.last_login_at = now
        await tx.audit.record(actor=actor(username), action="dashboard.login", subject=subject(username))
    return LoggedIn(token, SignedIn(account.id, account.username, account.role, account.courier_name))


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in browser's session, as a request sees it."""

    token_hash: str
    officer: SignedIn
    csrf_token: str
    data: dict[str, object]


async def end_idle_sessions(db: Database, *, now: datetime) -> int:
    """Remove the sessions idle past `IDLE_LIMIT`, and with them what they kept (a search's
    words may name an owner): otherwise one whose cookie never comes back would stay for good.
    Run by the scheduler; returns how many."""
    async with db.transaction() as tx:
        return await tx.dashboard_sessions.end_idle(now - IDLE_LIMIT)


async def find_session(db: Database, token: str | None, *, now: datetime) -> Session | None:
    """The live session of a cookie token, touched; None when unknown, idle too long or disabled.

    Every dashboard request asks, so it reads in a snapshot: on SQLite a `transaction()` holds
    the one writer, and every owner's message would wait for it. Only ending the session or
    touching it (at most once a `TOUCH_EVERY`) takes a short write transaction of its own."""
    if not token:
        return None
    hashed = token_hash(token)
    async with db.snapshot() as tx:
        found = await tx.dashboard_sessions.find(hashed)
    if found is None:
        return None
    row, account = found
    if now - row.last_seen_at > IDLE_LIMIT or account.disabled_at is not None:
        async with db.transaction() as tx:
            await tx.dashboard_sessions.end(hashed)  # one ended meanwhile: deletes nothing
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        async with db.transaction() as tx:
            # A session ended since the read (logout, its account disabled) is not brought back.
            if not await tx.dashboard_sessions.touch(hashed, now):
                return None
    return _session(row, account.username, account.role, account.courier_name)


def _session(row: DashboardSession, username: str, role: str, courier: str | None) -> Session:
    return Session(row.id, SignedIn(row.account_id, username, role, courier), row.csrf_token, dict(row.data))


async def save_session_data(db: Database, session: Session, data: dict[str, object]) -> None:
    async with db.transaction() as tx:
        found = await tx.dashboard_sessions.find(session.token_hash)
        if found is not None:
            await tx.dashboard_sessions.set_data(found[0], data)


async def logout(db: Database, session: Session) -> None:
    async with db.transaction() as tx:
        await tx.dashboard_sessions.end(session.token_hash)
        await tx.audit.record(
            actor=actor(session.officer.username),
            action="dashboard.logout",
            subject=subject(session.officer.username),
        )
