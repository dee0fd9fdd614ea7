"""Free-shipping vouchers (gratis ongkir) run with a courier partner: programs with a quota and
eligibility rules, vouchers requested by chat (a code and its QR), redeemed exactly once at
the courier's counter (by chat, the scan page or the CLI), and the monthly reconciliation.

See owner.py and courier.py for the conversations, pages.py for the dashboard's Voucher page
and scan.py for the courier's scan page (`/v/CODE`, what the voucher's QR opens).
"""

from datetime import datetime

from handlers.capability import Capability
from handlers.vouchers.commands import COURIER_COMMAND, VOUCHER_COMMAND
from handlers.vouchers.courier import LINK_SHORTCUT, REDEEM_ENTRY, redeem_flow
from handlers.vouchers.owner import (
    MY_VOUCHERS_ENTRY,
    VOUCHER_ENTRY,
    MyVouchersFlow,
    PickProgramFlow,
    UpdateFirstFlow,
)
from handlers.vouchers.pages import PAGES, PANELS
from handlers.vouchers.planner import EXPIRING, ExpiryPlanner
from handlers.vouchers.programs import ENDED, RESUMED
from handlers.vouchers.redeeming import REDEEMED
from storage.repositories import Transaction


async def erase_vouchers(tx: Transaction, *, owner_id: int, user_id: int, now: datetime) -> None:
    """Hapus data: vouchers keep their anonymous facts (program, kecamatan, size class, dates,
    amounts) for the agency's counts and the courier's payment; the owner's link goes."""
    await tx.vouchers.erase_owner(owner_id, user_id)


CAPABILITY = Capability(
    name="vouchers",
    flows=lambda: (PickProgramFlow(), UpdateFirstFlow(), MyVouchersFlow(), redeem_flow()),
    menu=(VOUCHER_ENTRY, MY_VOUCHERS_ENTRY, REDEEM_ENTRY),
    shortcuts=(LINK_SHORTCUT,),
    planners=(ExpiryPlanner,),
    commands=(VOUCHER_COMMAND, COURIER_COMMAND),
    outbox_kinds=(REDEEMED, EXPIRING, RESUMED, ENDED),
    erase=erase_vouchers,
    pages=PAGES,
    panels=PANELS,
)

__all__ = ["CAPABILITY"]
