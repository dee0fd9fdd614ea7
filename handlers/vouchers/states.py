"""What a voucher is now, told the same way everywhere: the owner's *Voucher saya*, the
dashboard's list of a program's vouchers, and the counter that refuses it (`redeeming`).

    redeemed? -> voided? -> past its last day when its program closed (or now)? -> expired
              -> its program closed? -> ended  -> else active

A paused program's vouchers stay active: pausing stops new vouchers, and the counters still
redeem the issued ones (unless the officer voided them). The figures (`voucher_counts` in
storage/repositories/vouchers.py) count in the same order.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from storage.models.vouchers import ProgramStatus, Voucher, VoucherProgram


class VoucherState(StrEnum):
    ACTIVE = "active"
    REDEEMED = "redeemed"
    VOIDED = "voided"  # voided by an officer (a pause with --void-issued), with a reason
    ENDED = "ended"  # its program was closed: it can no longer be redeemed
    EXPIRED = "expired"


def voucher_state(voucher: Voucher, program: VoucherProgram, now: datetime) -> VoucherState:
    """The voucher's state at `now`. A closed program's voucher that had expired before the
    close stays expired; one still valid then ended with the program (a program closed before
    its closing time was kept is read as closed now)."""
    if voucher.redeemed_at is not None:
        return VoucherState.REDEEMED
    if voucher.voided_at is not None:
        return VoucherState.VOIDED
    closed = program.status is ProgramStatus.CLOSED
    expired_by = (program.closed_at or now) if closed else now
    if voucher.expires_at <= expired_by:
        return VoucherState.EXPIRED
    return VoucherState.ENDED if closed else VoucherState.ACTIVE
