"""Data-update rounds (pembaruan data): is the business still running, and is its data current?

    [still running?] --masih berjalan--> (address, workers, omzet, capital, NIB prefilled) --> summary --> saved
           \\--sudah tutup--> [reason, optional] --> summary --> business inactive

The questions after "masih berjalan" are the registration form's own fields and parsers.
"""

from datetime import datetime

from handlers.capability import Capability
from handlers.update_round.commands import COMMAND
from handlers.update_round.flow import UPDATE_ENTRY, UpdateDataFlow, update_flow
from handlers.update_round.pages import PAGES, PANELS
from handlers.update_round.planner import INVITATION, REMINDER, UpdateRoundPlanner, open_round
from storage.repositories import Transaction


async def erase_answers(tx: Transaction, *, owner_id: int, user_id: int, now: datetime) -> None:
    """Hapus data: the reason a business closed is free text the owner typed; the outcome
    (aktif, tidak aktif, tidak merespons) stays as an anonymous count."""
    await tx.update_rounds.erase_reasons(owner_id)


CAPABILITY = Capability(
    name="update_round",
    flows=lambda: (update_flow(),),
    menu=(UPDATE_ENTRY,),
    planners=(UpdateRoundPlanner,),
    commands=(COMMAND,),
    outbox_kinds=(INVITATION, REMINDER),
    erase=erase_answers,
    pages=PAGES,
    panels=PANELS,
    erases_from=("update_answers",),
)

__all__ = ["CAPABILITY", "UPDATE_ENTRY", "UpdateDataFlow", "UpdateRoundPlanner", "open_round", "update_flow"]
