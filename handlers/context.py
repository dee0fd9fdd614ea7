"""What a handler gets to work with for one message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from handlers.agency import AgencyProfile
from handlers.types import Incoming, Reply
from storage.models import ChannelIdentity, User
from storage.repositories import Transaction

if TYPE_CHECKING:
    from handlers.conversation import Conversation


class Navigator(Protocol):
    """Moves between flows; the router provides it."""

    async def start_flow(
        self,
        ctx: Context,
        conv: Conversation,
        name: str,
        initial: dict[str, Any] | None = None,
        *,
        after: str | None = None,
    ) -> list[Reply]:
        """Start a flow (a form may start from `initial` answers); `after` names a main-menu
        entry to run when it completes."""
        ...

    async def main_menu(self, ctx: Context, conv: Conversation, *, greet: bool = False) -> list[Reply]: ...

    async def completed(self, ctx: Context, conv: Conversation) -> list[Reply]:
        """A flow completed: back to where it was started from, or the main menu."""
        ...


class Eraser(Protocol):
    """What Hapus data removes of one capability's records for one owner (UU PDP): personal
    links and free text go, anonymous counts stay. Runs in the erasing transaction."""

    async def __call__(self, tx: Transaction, *, owner_id: int, user_id: int, now: datetime) -> None: ...


class Greeter(Protocol):
    """What a capability says to someone who writes with no conversation going on and picks no
    menu entry, or None to let the main menu answer. It may start one of its flows."""

    async def __call__(self, ctx: Context, conv: Conversation) -> list[Reply] | None: ...


@dataclass(frozen=True, slots=True)
class HandlerConfig:
    """Behaviour settings handlers need (from `Settings`, passed in by `bot/`)."""

    form_idle: timedelta = timedelta(hours=24)
    # The public base URL of the HTTP server: what a voucher's QR code opens (PUBLIC_URL/v/CODE).
    public_url: str = "http://127.0.0.1:8080"
    # TRAINING_OFFER_HOURS: how long a freed training seat is held for the person offered it.
    training_offer: timedelta = timedelta(hours=24)


#: `Context.memo` key: whether the user has a (not erased) registration. The router knows it
#: from the message's first query; the registration code forgets it when it changes.
REGISTERED = "registration:registered"
# The user's `USER_FACTS` (storage.repositories.core) as the message's first statement read them.
FACTS = "user:facts"
# The fact that an imported record waits for the identity's number (the router forgets it when
# the platform vouches for a new number).
PHONE_CLAIMABLE = "phone_claimable"
# Likewise: another user on another channel has the identity's number.
PHONE_LINKABLE = "phone_linkable"
# The user holds an imported record not confirmed yet (forgotten when they claim one).
UNCONFIRMED_IMPORT = "unconfirmed_import"


def known_not(ctx: Context, fact: str) -> bool:
    """Whether this message's first statement found `fact` false: nothing to look up then."""
    facts = ctx.memo.get(FACTS)
    return facts is not None and facts.get(fact) is False


def forget_fact(ctx: Context, fact: str) -> None:
    """After a change that can make `fact` true (a sign-up, a courier link), look it up again."""
    facts = ctx.memo.get(FACTS)
    if facts is not None:
        facts.pop(fact, None)


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
    # Facts looked up once per message (is this user registered?), however often asked.
    memo: dict[str, Any] = field(default_factory=dict)
    # Every capability's part of Hapus data (the app factory collects them).
    erasers: Sequence[Eraser] = ()

    async def remember(self, key: str, look_up: Callable[[], Awaitable[Any]]) -> Any:
        """The value of `look_up()`, computed at most once while this message is handled."""
        if key not in self.memo:
            self.memo[key] = await look_up()
        return self.memo[key]

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
