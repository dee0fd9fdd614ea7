"""Broadcasts (pengumuman): an officer's announcement to registered owners, by region,
sector, size class and status, sent through the outbox within each platform's limits."""

from handlers.broadcasts.commands import COMMAND
from handlers.broadcasts.pages import PAGES
from handlers.broadcasts.service import ANNOUNCEMENT, BroadcastError, announcement, queue_broadcast
from handlers.capability import Capability

CAPABILITY = Capability(name="broadcasts", commands=(COMMAND,), outbox_kinds=(ANNOUNCEMENT,), pages=PAGES)

__all__ = ["ANNOUNCEMENT", "CAPABILITY", "BroadcastError", "announcement", "queue_broadcast"]
