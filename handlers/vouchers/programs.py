"""The officers' side of voucher programs and courier partners: each function acts and writes
the audit entry; the commands (and the dashboard) only parse and show."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.capability import OutboxKind
from handlers.outbox import queue_audience
from handlers.types import Reply
from handlers.vouchers.planner import drop_reminders
from storage.models.vouchers import Courier, Period, ProgramStatus, VoucherProgram
from storage.repositories import Transaction
from storage.repositories.voucher_reports import voucher_counts

#: Owners who asked while the program was paused are told it runs again.
RESUMED = OutboxKind(
    "voucher.resumed", quiet_hours=True, whatsapp_template="announcement", messages=("vouchers/resumed",)
)
#: Holders of unused vouchers are told when the program closes, or a pause voids them: their
#: codes are dead now.
ENDED = OutboxKind(
    "voucher.ended",
    quiet_hours=True,
    whatsapp_template="notice",
    messages=("vouchers/closed_notice", "vouchers/voided_notice"),
)
# A link code an officer reads out or sends to the courier's staff: short, no look-alikes.
LINK_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LINK_LENGTH = 8


class ProgramError(ValueError):
    """The request cannot be done as asked. `code` and `values` name the officer's words: the
    dashboard's (`dashboard/notices/voucher_error`) and the command's (`officer/vouchers/refused`);
    the message is for logs and tests."""

    def __init__(self, code: str, message: str, **values: Any) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


@dataclass(frozen=True, slots=True)
class NewProgram:
    name: str
    courier: str
    quota: int
    per_owner: int = 1
    period: Period = Period.MONTH
    max_ongkir: int = 25_000
    valid_days: int = 30
    size_classes: Sequence[str] = ()
    districts: Sequence[str] = ()
    requires_current_data: bool = False


async def add_program(tx: Transaction, new: NewProgram, *, officer: str, now: datetime) -> VoucherProgram:
    courier = await tx.couriers.by_name(new.courier)
    if courier is None:
        raise ProgramError(
            "no_courier",
            f"no courier partner {new.courier!r}; add it first: umkm-bot courier add --name NAME",
            courier=new.courier,
        )
    if not new.name.strip():
        raise ProgramError("name_missing", "the program needs a name")
    await _check_name_free(tx, new.name)
    for value, what in ((new.quota, "quota"), (new.per_owner, "per-owner"), (new.valid_days, "valid-days")):
        if value < 1:
            raise ProgramError("at_least_one", f"{what} must be at least 1", field=what)
    if new.max_ongkir < 1:
        raise ProgramError("rupiah", "max-ongkir must be more than Rp0", field="max-ongkir")
    program = await tx.vouchers.add_program(
        VoucherProgram(
            name=new.name.strip(),
            courier_id=courier.id,
            quota=new.quota,
            per_owner=new.per_owner,
            period=new.period,
            max_ongkir=new.max_ongkir,
            valid_days=new.valid_days,
            size_classes=list(new.size_classes),
            districts=list(new.districts),
            requires_current_data=new.requires_current_data,
            created_at=now,
            created_by=officer,
        )
    )
    await tx.audit.record(
        actor=officer,
        action="voucher_program.added",
        subject=f"voucher_program:{program.id}",
        details={"quota": new.quota},
    )
    return program


def _same_name(name: str) -> str:
    """A program's name as officers and owners tell it apart: case and spacing do not count."""
    return " ".join(name.split()).casefold()


async def _check_name_free(tx: Transaction, name: str) -> None:
    """No program that is open or paused has this name. Officers' lists and an owner's choice
    name programs by name, and two live ones alike cannot be told apart; a closed program's
    name may be used again (a yearly program comes back under the same name). Both callers
    (the command and the dashboard's form) add inside the `voucher-program:new` transaction,
    so two adds of one name cannot both pass."""
    wanted = _same_name(name)
    for other in await tx.vouchers.programs([ProgramStatus.OPEN, ProgramStatus.PAUSED]):
        if _same_name(other.name) == wanted:
            raise ProgramError(
                "name_taken",
                f"--name: program {other.id} is already called {other.name!r}; close it or choose another name",
                field="name",
                name=other.name,
                id=other.id,
            )


async def _program(tx: Transaction, program_id: int) -> VoucherProgram:
    program = await tx.vouchers.program(program_id)
    if program is None:
        raise ProgramError("no_program", f"no voucher program {program_id}", id=program_id)
    return program


async def pause(
    tx: Transaction, program_id: int, *, reason: str, void_issued: bool, officer: str, now: datetime
) -> tuple[VoucherProgram, int, int]:
    """No new vouchers; owners asking are told `reason`. Issued vouchers stay valid unless
    `void_issued`: then the holders of the ones they could still have used are told, with the
    reason (through the outbox, once each), and expiry reminders still waiting are dropped.
    Returns the program, how many vouchers were voided and how many holders will be told. A paused program is refused, as `resume` refuses a running one: its reason is changed
    by resuming first, not overwritten unawares. Holders of vouchers that stay valid are not
    told: nothing changed for them."""
    program = await _program(tx, program_id)
    if program.status is ProgramStatus.CLOSED:
        raise ProgramError("closed", f"program {program.id} is closed", id=program.id)
    if program.status is ProgramStatus.PAUSED:
        raise ProgramError(
            "already_paused",
            f"program {program.id} is already paused",
            id=program.id,
            reason=program.pause_reason or "",
        )
    reason = " ".join(reason.split())
    if not reason:
        raise ProgramError("reason_missing", "--reason: say why, in the words owners will read")
    program.status, program.pause_reason = ProgramStatus.PAUSED, reason
    voided = await tx.vouchers.void_issued(program.id, reason, now) if void_issued else 0
    told = 0
    if voided:
        await drop_reminders(tx, program.id, reason="vouchers voided", now=now)
        told = await queue_audience(
            tx,
            ENDED,
            Reply("vouchers/voided_notice", {"program": program.name, "reason": reason}),
            tx.vouchers.voided_holders(program.id, now),
            key_prefix=f"voucher-program:{program.id}:voided:{now.isoformat()}:user:",
            due_at=now,
            now=now,
        )
    await tx.audit.record(
        actor=officer,
        action="voucher_program.paused",
        subject=f"voucher_program:{program.id}",
        details={"reason": reason, "voided": voided, "told": told},
    )
    return program, voided, told


async def resume(
    tx: Transaction, program_id: int, *, officer: str, now: datetime
) -> tuple[VoucherProgram, int]:
    """Open again; the owners who asked while it was paused are told (through the outbox)."""
    program = await _program(tx, program_id)
    if program.status is not ProgramStatus.PAUSED:
        raise ProgramError("not_paused", f"program {program.id} is not paused", id=program.id)
    program.status, program.pause_reason = ProgramStatus.OPEN, None
    told = await queue_audience(
        tx,
        RESUMED,
        Reply("vouchers/resumed", {"program": program.name}),
        tx.vouchers.waiting_audience(program.id),
        key_prefix=f"voucher-program:{program.id}:resumed:{now.isoformat()}:user:",
        due_at=now,
        now=now,
    )
    await tx.vouchers.waiters_notified(program.id, now)
    await tx.audit.record(
        actor=officer,
        action="voucher_program.resumed",
        subject=f"voucher_program:{program.id}",
        details={"told": told},
    )
    return program, told


async def close(
    tx: Transaction, program_id: int, *, officer: str, now: datetime
) -> tuple[VoucherProgram, int]:
    """Over for good: no new vouchers, and issued ones can no longer be redeemed. The owners
    holding one they could still have used are told (through the outbox, once each), and the
    expiry reminders still waiting for its vouchers are dropped. Returns the program and how
    many were told."""
    program = await _program(tx, program_id)
    if program.status is ProgramStatus.CLOSED:
        raise ProgramError("closed", f"program {program.id} is closed", id=program.id)
    # The pause's reason goes, as on resuming: the officers' views show it while paused only.
    program.status, program.pause_reason, program.closed_at = ProgramStatus.CLOSED, None, now
    await drop_reminders(tx, program.id, reason="program closed", now=now)
    told = await queue_audience(
        tx,
        ENDED,
        Reply("vouchers/closed_notice", {"program": program.name}),
        tx.vouchers.unused_holders(program.id, now),
        key_prefix=f"voucher-program:{program.id}:closed:user:",
        due_at=now,
        now=now,
    )
    await tx.audit.record(
        actor=officer,
        action="voucher_program.closed",
        subject=f"voucher_program:{program.id}",
        details={"told": told},
    )
    return program, told


@dataclass(frozen=True, slots=True)
class ProgramSummary:
    """A program as officers list it: its courier partner's name and its vouchers counted
    (issued, redeemed, voided, expired, ended with a closed program, active)."""

    program: VoucherProgram
    courier: str
    counts: dict[str, int]


async def program_summaries(tx: Transaction, *, now: datetime) -> list[ProgramSummary]:
    """Every program, oldest first, with its counts (one grouped query for all of them)."""
    programs = await tx.vouchers.programs()
    counts = await tx.vouchers.counts_by_program(now)
    couriers = {c.id: c.name for c in await tx.couriers.all()}
    return [
        ProgramSummary(p, couriers.get(p.courier_id, "-"), counts.get(p.id) or voucher_counts())
        for p in programs
    ]


# Courier partners ------------------------------------------------------------


def link_hash(tx: Transaction, code: str) -> str:
    """Link codes are kept as keyed hashes (SECRET_KEY): a database copy does not give them away."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return tx.cipher.blind_index(normalised, purpose="courier-link")


async def add_courier(tx: Transaction, name: str, *, officer: str, now: datetime) -> tuple[Courier, str]:
    """The courier partner (created if new) and a fresh one-time link code for one of its staff."""
    if not name.strip():
        raise ProgramError("courier_name_missing", "--name: the courier partner's name")
    courier = await tx.couriers.by_name(name, include_removed=True) or await tx.couriers.add(name, now)
    courier.removed_at = None  # a removed partner added again comes back (names are unique)
    code = "".join(secrets.choice(LINK_ALPHABET) for _ in range(LINK_LENGTH))
    await tx.couriers.add_link(courier.id, link_hash(tx, code), now)
    await tx.audit.record(actor=officer, action="courier.link_code", subject=f"courier:{courier.id}")
    return courier, code


async def remove_courier(tx: Transaction, name: str, *, officer: str, now: datetime) -> tuple[Courier, int]:
    courier = await tx.couriers.by_name(name)
    if courier is None:
        raise ProgramError("no_courier", f"no courier partner {name!r}", courier=name)
    revoked = await tx.couriers.remove(courier, now)
    await tx.audit.record(
        actor=officer, action="courier.removed", subject=f"courier:{courier.id}", details={"revoked": revoked}
    )
    return courier, revoked


async def link_staff(
    tx: Transaction, code: str, *, user_id: int, actor: str, now: datetime
) -> Courier | None:
    """A courier's staff member sent KURIR <code>: they redeem for that courier from now on."""
    courier = await tx.couriers.use_link(link_hash(tx, code), user_id, now)
    if courier is None:
        return None
    await tx.couriers.link_staff(courier.id, user_id, now)
    await tx.audit.record(actor=actor, action="courier.staff_linked", subject=f"courier:{courier.id}")
    return courier
