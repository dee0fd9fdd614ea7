"""What a handler gets to work with for one message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from handlers.agency import AgencyProfile
from handlers.types import Incoming, Reply
from storage.models import ChannelIdentity, User
from storage.repositories import Transaction

if TYPE_CHECKING:
    from handlers.conversation import Conversation


class Navigator(Protocol):
    """Moves between flows; the router provides it."""

    async def start_flow(self, ctx: Context, conv: Conversation, name: str) -> list[Reply]: ...

    async def main_menu(self, ctx: Context, conv: Conversation, *, greet: bool = False) -> list[Reply]: ...


@dataclass(frozen=True, slots=True)
class HandlerConfig:
    """Behaviour settings handlers need (from `Settings`, passed in by `bot/`)."""

    form_idle: timedelta = timedelta(hours=24)


@dataclass(slots=True)
class Context:
    """One message being handled: who, where, with which transaction."""

    tx: Transaction
    user: User
    identity: ChannelIdentity
    incoming: Incoming
    agency: AgencyProfile
    config: HandlerConfig
    nav: Navigator
    now: datetime

    @property
    def locale(self) -> str:
        return self.user.locale

    @property
    def channel(self) -> str:
        return self.incoming.channel

    @property
    def actor(self) -> str:
        """How the audit log names this user."""
        return f"user:{self.user.id}"
