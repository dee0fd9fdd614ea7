"""Data-update rounds (pembaruan data): is the business still running, and is its data current?

    [still running?] --masih berjalan--> (address, workers, omzet, capital, NIB prefilled) --> summary --> saved
           \\--sudah tutup--> [reason, optional] --> summary --> business inactive

The questions after "masih berjalan" are the registration form's own fields and parsers.
"""

from handlers.update_round.flow import UPDATE_ENTRY, UpdateDataFlow, update_flow
from handlers.update_round.planner import UpdateRoundPlanner, open_round

__all__ = ["UPDATE_ENTRY", "UpdateDataFlow", "UpdateRoundPlanner", "open_round", "update_flow"]
