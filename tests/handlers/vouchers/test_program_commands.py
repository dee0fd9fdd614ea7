"""`umkm-bot voucher program …` run in-process: what the officer reads, and what the database holds."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from bot.app import App
from bot.cli import build_parser
from handlers.officer import OfficerError
from handlers.vouchers.commands import run_voucher
from storage.models.vouchers import ProgramStatus
from tests.handlers.vouchers.helpers import program


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
