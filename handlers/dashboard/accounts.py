"""Dashboard accounts (petugas): add, list, disable, reset a password. Each acts and audits;
`umkm-bot officer …` and the Petugas page call the same functions.

Passwords: at least 10 characters, stored as argon2 hashes (argon2-cffi), hashed in a worker
thread so the event loop keeps serving while it runs.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from storage.models.dashboard import COURIER, ROLES, OfficerAccount
from storage.repositories import Transaction
from storage.repositories.officers import DuplicateAccount

MIN_PASSWORD = 10
MAX_PASSWORD = 200
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")


class AccountError(ValueError):
    """An account cannot be made or changed as asked. `code` names the officer's words: the
    dashboard's (`dashboard/notices/account_error`) and the command's (`officer/accounts/refused`);
    the message is for logs and tests."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@cache
def hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Checked against when the username is unknown, so both cases take the same time."""
    return hasher().hash("not a password of anyone")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError("password_short", f"the password must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError("password_long", f"the password must be at most {MAX_PASSWORD} characters")


async def hash_password(password: str) -> str:
    check_password(password)
    return await asyncio.to_thread(hasher().hash, password)


async def password_matches(stored: str | None, password: str) -> bool:
    """Whether `password` matches the stored hash (None: an unknown user, checked all the same)."""

    def verify() -> bool:
        try:
            return hasher().verify(stored or _dummy_hash(), password[:MAX_PASSWORD])
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify) and stored is not None


def normalise_username(username: str) -> str:
    return username.strip().lower()


def subject(username: str) -> str:
    return f"account:{username}"


async def add_account(
    tx: Transaction,
    username: str,
    *,
    role: str,
    password: str,
    courier_name: str | None,
    officer: str,
    now: datetime,
) -> OfficerAccount:
    """A new account; a courier's names an existing courier partner (`umkm-bot courier add`), for
    whom it redeems on the scan page. Audited (never the password)."""
    username = normalise_username(username)
    if not USERNAME.fullmatch(username):
        raise AccountError(
            "username",
            "the username is 2-32 characters: letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    if role not in ROLES:
        raise AccountError("role", f"the role is one of {', '.join(ROLES)}")
    courier_name = " ".join((courier_name or "").split()) or None
    if role == COURIER and courier_name is None:
        raise AccountError("courier_missing", "a courier account names its courier partner (--courier NAME)")
    if role != COURIER and courier_name is not None:
        raise AccountError("courier_not_courier", "only a courier account has a courier partner")
    if courier_name is not None:
        partner = await tx.couriers.by_name(courier_name)
        if partner is None:
            raise AccountError(
                "courier_unknown",
                f"no courier partner {courier_name!r}; add it first: umkm-bot courier add --name NAME",
            )
        courier_name = partner.name  # the scan page finds the partner by this name
    password_hash = await hash_password(password)
    try:
        account = await tx.officers.add(
            OfficerAccount(
                username=username,
                password_hash=password_hash,
                role=role,
                courier_name=courier_name,
                created_at=now,
                created_by=officer,
            )
        )
    except DuplicateAccount:
        raise AccountError("exists", f"an account {username!r} exists already") from None
    await tx.audit.record(
        actor=officer,
        action="account.added",
        subject=subject(username),
        details={"role": role, **({"courier": courier_name} if courier_name else {})},
    )
    return account


async def _account(tx: Transaction, username: str) -> OfficerAccount:
    account = await tx.officers.by_username(normalise_username(username))
    if account is None:
        raise AccountError("unknown", f"no account {username!r}")
    return account


async def disable_account(tx: Transaction, username: str, *, officer: str, now: datetime) -> OfficerAccount:
    """The account can no longer sign in; its open sessions end now. Audited."""
    account = await _account(tx, username)
    if account.disabled_at is None:
        account.disabled_at = now
        await tx.officers.end_sessions(account.id)
        await tx.audit.record(actor=officer, action="account.disabled", subject=subject(account.username))
    return account


async def reset_password(
    tx: Transaction, username: str, *, password: str, officer: str, now: datetime
) -> OfficerAccount:
    """A new password; the account's open sessions end and a lockout is lifted. Audited."""
    account = await _account(tx, username)
    account.password_hash = await hash_password(password)
    await tx.officers.end_sessions(account.id)
    await tx.login_failures.clear(account.username)
    await tx.audit.record(actor=officer, action="account.password_reset", subject=subject(account.username))
    return account


async def list_accounts(tx: Transaction) -> list[OfficerAccount]:
    return await tx.officers.all()
