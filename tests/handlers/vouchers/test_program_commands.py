"""`umkm-bot voucher program …` run in-process: what the officer reads, and what the database holds."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.app import App
from bot.cli import build_parser
from handlers.officer import OfficerError
from handlers.vouchers.commands import run_voucher
from storage.models.vouchers import ProgramStatus
from tests.bot.dashboard.seed import issue_vouchers, seed_varied_owners
from tests.handlers.vouchers.helpers import program, redeem_at_counter


async def voucher(app: App, *argv: str, locale: str = "id") -> str:
    """Run `umkm-bot voucher …`; what it printed (a refusal raises `OfficerError`)."""
    out = io.StringIO()
    ctx = replace(app.officer_context(out=out, err=out), locale=locale)
    await run_voucher(build_parser().parse_args(["voucher", *argv]), ctx)
    return out.getvalue()


@pytest.mark.parametrize(
    ("locale", "refusal"),
    [
        ("id", "program {id} sudah dihentikan sementara (Kuota habis)"),
        ("en", "program {id} is already paused (Kuota habis)"),
    ],
)
async def test_pausing_a_paused_program_is_refused_like_resuming_a_running_one(
    app: App, locale: str, refusal: str
) -> None:
    added = await program(app)
    pid = str(added.id)
    with pytest.raises(OfficerError) as running:
        await voucher(app, "program", "resume", pid, locale=locale)
    assert str(running.value) == {"id": f"program {pid} tidak sedang dihentikan"}.get(
        locale, f"program {pid} is not paused"
    )
    await voucher(app, "program", "pause", pid, "--reason", "Kuota habis", locale=locale)
    with pytest.raises(OfficerError) as paused:
        await voucher(app, "program", "pause", pid, "--reason", "Lain", locale=locale)
    assert str(paused.value).startswith(refusal.format(id=pid))
    assert "\n" not in str(paused.value)
    async with app.db.transaction() as tx:
        stored = await tx.vouchers.program(added.id)
    assert stored is not None
    assert (stored.status, stored.pause_reason) == (ProgramStatus.PAUSED, "Kuota habis")


async def test_a_name_is_refused_while_a_program_of_that_name_is_not_closed(app: App) -> None:
    first = await program(app, name="Gratis Ongkir 2027")
    add = ("program", "add", "--courier", "JNE Banjarbaru", "--quota", "10", "--name")
    for state in ("open", "paused"):
        with pytest.raises(OfficerError) as taken:
            await voucher(app, *add, " gratis  ongkir 2027 ")
        assert str(taken.value) == (
            f"--name: program {first.id} sudah bernama “Gratis Ongkir 2027” dan belum berakhir; "
            "pilih nama lain atau akhiri program itu dulu"
        ), state
        if state == "open":
            await voucher(app, "program", "pause", str(first.id), "--reason", "Sebentar")
    await voucher(app, "program", "close", str(first.id))
    await voucher(app, *add, "Gratis Ongkir 2027")  # a closed program's name may come back
    async with app.db.transaction() as tx:
        names = [(p.name, p.status) for p in await tx.vouchers.programs()]
    assert names == [("Gratis Ongkir 2027", ProgramStatus.CLOSED), ("Gratis Ongkir 2027", ProgramStatus.OPEN)]


async def test_the_list_counts_a_paused_programs_vouchers_active_and_a_closed_ones_not(app: App) -> None:
    await seed_varied_owners(app.db, 6)
    added = await program(app, name="P2")
    pid = str(added.id)
    codes = await issue_vouchers(app.db, added.id, 3, zone=app.agency.time_zone)
    await redeem_at_counter(app.db, codes[0])
    # Paused, its two unused vouchers are still redeemed at the counters: active.
    await voucher(app, "program", "pause", pid, "--reason", "Pembaruan data")
    assert "\tterbit 3/500\tdipakai 1\taktif 2\t" in await voucher(app, "program", "list")
    await voucher(app, "program", "close", pid)
    listed = await voucher(app, "program", "list")
    assert "\tBerakhir\tterbit 3/500\tdipakai 1\taktif 0\t" in listed
    assert "Pembaruan data" not in listed  # the pause is over: its reason is not shown as if it held
    async with app.db.snapshot() as tx:
        counts = await tx.vouchers.counts(added.id, datetime.now(UTC))
    assert counts == {"issued": 3, "redeemed": 1, "voided": 0, "expired": 0, "ended": 2, "active": 0}
