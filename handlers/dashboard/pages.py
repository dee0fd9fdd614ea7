"""The dashboard's own pages: Ringkasan (the capabilities' overview panels), Unduh (their
downloads), Petugas (accounts, admins only) and Audit (the log, admins only). A courier's
home is a short page that tells them to scan a voucher's QR code: the only page they have."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from handlers.dashboard.accounts import (
    AccountError,
    add_account,
    disable_account,
    list_accounts,
    reset_password,
)
from handlers.pages import ADMINS, STAFF, Html, NavEntry, Page, PageContext, Redirect, id_of
from storage.models.dashboard import ADMIN, COURIER, OFFICER, ROLES, OfficerAccount
from storage.repositories import Transaction

HOME = "/dashboard"
ACCOUNTS = "/dashboard/accounts"
AUDIT = "/dashboard/audit"
PAGE_SIZE = 50


async def home(ctx: PageContext) -> Html:
    if ctx.officer.role == COURIER:
        return Html("courier_home", {"courier_name": ctx.officer.courier_name or ""})
    return Html("overview", {"panels": await ctx.render_panels("overview"), "now": ctx.now()})


async def downloads(ctx: PageContext) -> Html:
    return Html("downloads", {"panels": await ctx.render_panels("downloads")})


#: The add form's field an `AccountError` is about (others: none, shown above the form).
ACCOUNT_FIELDS = {
    "username": "username",
    "exists": "username",
    "role": "role",
    "courier_missing": "courier",
    "courier_not_courier": "courier",
    "courier_unknown": "courier",
    "password_short": "password",
    "password_long": "password",
    "password_differs": "password",
}
#: What the add form shows again as typed: never the passwords.
KEPT_FIELDS = ("username", "role", "courier")


async def _accounts_values(ctx: PageContext) -> dict[str, Any]:
    """The accounts, the roles, and the courier partners an account may name (not removed)."""
    async with ctx.db.snapshot() as tx:
        accounts = await list_accounts(tx)
        partners = [courier.name for courier, _staff in await tx.couriers.active()]
    return {
        "accounts": accounts,
        "roles": ROLES,
        "role_names": ctx.labels("labels/role"),
        "couriers": partners,
    }


async def accounts_page(ctx: PageContext) -> Html:
    empty = dict.fromkeys(KEPT_FIELDS, "")
    return Html("accounts", {**await _accounts_values(ctx), "form": empty, "errors": {}, "error": None})


def _account_error(ctx: PageContext, exc: AccountError) -> Redirect:
    ctx.notice("account_error", {"code": exc.code}, error=True)
    return Redirect(ACCOUNTS)


AccountAction = Callable[[Transaction], Awaitable[OfficerAccount]]


async def _on_account(
    ctx: PageContext, action: AccountAction, notice: str, *, new_password: bool
) -> Redirect:
    """Run one account function in a transaction; its refusal or its success is the next notice."""
    try:
        if new_password:
            _check_passwords_match(ctx)
        async with ctx.db.transaction() as tx:
            account = await action(tx)
    except AccountError as exc:
        return _account_error(ctx, exc)
    ctx.notice(notice, {"username": account.username})
    return Redirect(ACCOUNTS)


def _check_passwords_match(ctx: PageContext) -> None:
    if ctx.form.get("password", "") != ctx.form.get("password_again", ""):
        raise AccountError("password_differs", "the two passwords differ")


async def add_account_page(ctx: PageContext) -> Html | Redirect:
    """The new account; a refusal shows the form again as typed (never the passwords), the
    wrong field marked, so a hurried second try does not fall back to another role."""
    form = ctx.form
    role = form.get("role", "")
    try:
        _check_passwords_match(ctx)
        async with ctx.db.transaction() as tx:
            account = await add_account(
                tx,
                form.get("username", ""),
                role=role,
                password=form.get("password", ""),
                courier_name=form.get("courier") if role == COURIER else None,
                officer=ctx.actor,
                now=ctx.now(),
            )
    except AccountError as exc:
        text = ctx.renderer.render("dashboard/notices/account_error", ctx.locale, {"code": exc.code}).strip()
        field = ACCOUNT_FIELDS.get(exc.code)
        values = {
            **await _accounts_values(ctx),
            "form": {name: form.get(name, "").strip() for name in KEPT_FIELDS},
            "errors": {field: text} if field else {},
            "error": None if field else text,
        }
        return Html("accounts", values, status=400)
    ctx.notice("account_added", {"username": account.username})
    return Redirect(ACCOUNTS)


async def disable_account_page(ctx: PageContext) -> Redirect:
    username = ctx.form.get("username", "")
    if username == ctx.officer.username:
        return _account_error(ctx, AccountError("self", "you cannot disable your own account"))
    return await _on_account(
        ctx,
        lambda tx: disable_account(tx, username, officer=ctx.actor, now=ctx.now()),
        "account_disabled",
        new_password=False,
    )


async def reset_password_page(ctx: PageContext) -> Redirect:
    form = ctx.form
    return await _on_account(
        ctx,
        lambda tx: reset_password(
            tx, form.get("username", ""), password=form.get("password", ""), officer=ctx.actor, now=ctx.now()
        ),
        "password_reset",
        new_password=True,
    )


def readable_details(details: Mapping[str, Any], within: str = "") -> list[tuple[str, Any]]:
    """An entry's details as `key: value` pairs in key order, as an officer reads them: a nested
    table's pairs under its key (`filters.kecamatan`), a list joined with commas, and a value
    that is None (or an empty list or table) left out. Details never hold personal data."""
    pairs: list[tuple[str, Any]] = []
    for key, value in sorted(details.items()):
        name = f"{within}{key}"
        if isinstance(value, Mapping):
            pairs += readable_details(value, f"{name}.")
        elif isinstance(value, list | tuple):
            if value:
                pairs.append((name, ", ".join(str(item) for item in value if item is not None)))
        elif value is not None and value != "":
            pairs.append((name, value))
    return pairs


async def audit_page(ctx: PageContext) -> Html:
    """The audit log, newest first, by actor, action or subject (`owner:42`): none personal."""
    filters = {k: ctx.query.get(k, "").strip()[:64] for k in ("actor", "action", "subject")}
    filters = {k: v for k, v in filters.items() if v}
    async with ctx.db.snapshot() as tx:
        entries = await tx.audit.page(**filters, before=id_of(ctx.query.get("before")), limit=PAGE_SIZE + 1)
        actions = await tx.audit.actions()
    more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    # Each action in the officer's words; one without words yet (a new one) shows its key.
    names = ctx.labels("labels/audit_action")
    values: dict[str, Any] = {
        "entries": [
            {
                "at": e.at,
                "actor": e.actor,
                "action": names.get(e.action, e.action),
                "subject": e.subject,
                "details": readable_details(e.details or {}),
            }
            for e in entries
        ],
        "filters": {k: filters.get(k, "") for k in ("actor", "action", "subject")},
        "actions": [(action, names.get(action, action)) for action in actions],
        "next_page": f"{AUDIT}?{urlencode({**filters, 'before': entries[-1].id})}" if more else None,
        "first_page": f"{AUDIT}?{urlencode(filters)}" if ctx.query.get("before") else None,
    }
    return Html("audit", values)


PAGES = (
    Page(
        HOME,
        home,
        roles=frozenset({ADMIN, OFFICER, COURIER}),
        nav=NavEntry("dashboard/nav/overview", 10, STAFF),
    ),
    Page("/dashboard/downloads", downloads, nav=NavEntry("dashboard/nav/downloads", 80)),
    Page(ACCOUNTS, accounts_page, roles=ADMINS, nav=NavEntry("dashboard/nav/accounts", 90)),
    Page(f"{ACCOUNTS}/add", add_account_page, methods=("POST",), roles=ADMINS),
    Page(f"{ACCOUNTS}/disable", disable_account_page, methods=("POST",), roles=ADMINS),
    Page(f"{ACCOUNTS}/reset-password", reset_password_page, methods=("POST",), roles=ADMINS),
    Page(AUDIT, audit_page, roles=ADMINS, nav=NavEntry("dashboard/nav/audit", 95)),
)
