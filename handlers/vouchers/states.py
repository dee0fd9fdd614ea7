"""What a voucher is now, told the same way everywhere: the owner's *Voucher saya*, the
dashboard's list of a program's vouchers, and the counter that refuses it (`redeeming`).

    redeemed? -> voided? -> its program closed? -> past its last day? -> active

A paused program's vouchers stay active: pausing stops new vouchers, and the counters still
redeem the issued ones (unless the officer voided them). The figures (`voucher_counts` in
storage/repositories/vouchers.py) count in the same order.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from storage.models.vouchers import ProgramStatus, Voucher


class VoucherState(StrEnum):
    ACTIVE = "active"
    REDEEMED = "redeemed"
    VOIDED = "voided"  # voided by an officer (a pause with --void-issued), with a reason
    ENDED = "ended"  # its program was closed: it can no longer be redeemed
    EXPIRED = "expired"


def voucher_state(voucher: Voucher, program: ProgramStatus, now: datetime) -> VoucherState:
    """The voucher's state at `now`, its program being in state `program`."""
    if voucher.redeemed_at is not None:
        return VoucherState.REDEEMED
    if voucher.voided_at is not None:
        return VoucherState.VOIDED
    if program is ProgramStatus.CLOSED:
        return VoucherState.ENDED
    if voucher.expires_at <= now:
        return VoucherState.EXPIRED
    return VoucherState.ACTIVE
