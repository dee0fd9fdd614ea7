"""The officer dashboard (dasbor petugas): accounts and sign-in, the shared pages (Ringkasan,
Unduh, Petugas, Audit) and the page mechanism every capability uses (handlers/pages.py).

`umkm-bot officer add|list|disable|reset-password` manages the accounts.
"""

from handlers.capability import Capability
from handlers.dashboard.commands import COMMAND
from handlers.dashboard.pages import PAGES

CAPABILITY = Capability(name="dashboard", commands=(COMMAND,), pages=PAGES)

__all__ = ["CAPABILITY"]
