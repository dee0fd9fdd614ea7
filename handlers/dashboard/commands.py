"""`umkm-bot officer`: dashboard accounts (petugas).

    umkm-bot officer add USERNAME --role admin|officer|courier [--courier NAME] [--password-stdin]
    umkm-bot officer list
    umkm-bot officer disable USERNAME
    umkm-bot officer reset-password USERNAME [--password-stdin]

A password is asked twice on a terminal, or read as one line from stdin with --password-stdin.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from handlers.capability import OfficerCommand
from handlers.dashboard.accounts import (
    AccountError,
    add_account,
    check_password,
    disable_account,
    list_accounts,
    reset_password,
)
from handlers.officer import OfficerContext, OfficerError
from storage.models.dashboard import ROLES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="account_command", required=True)
    add = sub.add_parser("add", help="a new dashboard account")
    add.add_argument("username", help="2-32 characters: letters, digits, '.', '_', '-'")
    add.add_argument("--role", required=True, choices=ROLES, help="what the account may do")
    add.add_argument("--courier", metavar="NAME", help="a courier account's courier partner")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    sub.add_parser("list", help="every account")
    disable = sub.add_parser("disable", help="stop an account from signing in (ends its sessions)")
    disable.add_argument("username")
    reset = sub.add_parser("reset-password", help="a new password (ends the account's sessions)")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true", help="read the password from stdin")


def refused(args: argparse.Namespace, ctx: OfficerContext, code: str) -> OfficerError:
    """A refusal of `officer` in the officer's words (officer/accounts/refused: an `AccountError`'s
    code, as the dashboard's account_error words it), naming the account and partner typed."""
    values = {"code": code, "username": args.username, "courier": getattr(args, "courier", None)}
    return ctx.refusal("accounts/refused", values)


def read_password(args: argparse.Namespace, ctx: OfficerContext) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass(ctx.text("accounts/password_prompt") + " ")
        if getpass.getpass(ctx.text("accounts/password_again") + " ") != password:
            raise refused(args, ctx, "password_differs")
    else:
        raise refused(args, ctx, "no_terminal")
    try:
        check_password(password)
    except AccountError as exc:
        raise refused(args, ctx, exc.code) from None
    return password


async def run(args: argparse.Namespace, ctx: OfficerContext) -> None:
    if args.account_command == "list":
        async with ctx.db.snapshot() as tx:
            accounts = await list_accounts(tx)
        states, roles = ctx.labels("labels/account_state"), ctx.labels("labels/role")
        for account in accounts:
            last = (
                ctx.local(account.last_login_at).strftime("%Y-%m-%d %H:%M") if account.last_login_at else "-"
            )
            state = states["disabled" if account.disabled_at else "active"]
            print(
                f"{account.username}\t{roles[account.role]}\t{account.courier_name or '-'}\t{state}\t{last}",
                file=ctx.out,
            )
        ctx.say("accounts/count", {"count": len(accounts)}, err=True)
        return
    password = read_password(args, ctx) if args.account_command in ("add", "reset-password") else ""
    try:
        async with ctx.db.transaction() as tx:
            if args.account_command == "add":
                account = await add_account(
                    tx,
                    args.username,
                    role=args.role,
                    password=password,
                    courier_name=args.courier,
                    officer=ctx.actor,
                    now=ctx.now(),
                )
            elif args.account_command == "disable":
                account = await disable_account(tx, args.username, officer=ctx.actor, now=ctx.now())
            else:
                account = await reset_password(
                    tx, args.username, password=password, officer=ctx.actor, now=ctx.now()
                )
    except AccountError as exc:
        raise refused(args, ctx, exc.code) from None
    ctx.say(
        f"accounts/{args.account_command.replace('-', '_')}",
        {"username": account.username, "role": ctx.labels("labels/role")[account.role]},
    )


COMMAND = OfficerCommand(
    name="officer",
    help="dashboard accounts (add, list, disable, reset-password)",
    add_arguments=add_arguments,
    run=run,
)
