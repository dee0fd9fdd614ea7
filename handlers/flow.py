"""The interface every conversation flow implements, and the main menu's entries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from handlers.context import Context
from handlers.conversation import Answer, Conversation
from handlers.types import Reply


class Flow(Protocol):
    """A conversation with steps; its progress lives in `Conversation`."""

    name: str

    async def start(self, ctx: Context, conv: Conversation) -> list[Reply]: ...

    async def handle(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]: ...

    async def reprompt(self, ctx: Context, conv: Conversation) -> list[Reply]:
        """Ask the current question again (after help, a stale button, stop/start)."""
        ...

    async def back(self, ctx: Context, conv: Conversation) -> list[Reply]: ...

    async def idle(self, ctx: Context, conv: Conversation) -> list[Reply]:
        """The user comes back after a long pause."""
        ...

    def suspend(self, conv: Conversation) -> None:
        """Leave for now (menu, another flow); keep what can be resumed."""
        ...

    def cancel(self, conv: Conversation) -> None:
        """Leave for good (batal), dropping unfinished answers."""
        ...


class OneStepFlow:
    """Base for short flows of one question: leaving them keeps nothing."""

    name = ""

    async def start(self, ctx: Context, conv: Conversation) -> list[Reply]:
        conv.enter(self.name, "ask")
        return await self.reprompt(ctx, conv)

    async def handle(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        raise NotImplementedError

    async def reprompt(self, ctx: Context, conv: Conversation) -> list[Reply]:
        raise NotImplementedError

    async def back(self, ctx: Context, conv: Conversation) -> list[Reply]:
        conv.finish()
        return await ctx.nav.main_menu(ctx, conv)

    async def idle(self, ctx: Context, conv: Conversation) -> list[Reply]:
        return await self.reprompt(ctx, conv)

    def suspend(self, conv: Conversation) -> None:
        conv.finish()

    def cancel(self, conv: Conversation) -> None:
        conv.finish()


async def always(_ctx: Context) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """One line of the main menu: a label template, when it shows, and what choosing it does."""

    id: str
    template: str
    run: Callable[[Context, Conversation], Awaitable[list[Reply]]]
    visible: Callable[[Context], Awaitable[bool]] = always


@dataclass(frozen=True, slots=True)
class Shortcut:
    """A button or typed word that works at any point of a conversation, the active flow's question
    or not: the buttons of messages the bot sent on its own (an announcement's "Daftar", a seat
    offer's "Terima"), which no conversation state remembers offering, and short typed commands
    that also work where buttons cannot (`HADIR 4821`, or a WhatsApp template outside the 24-hour
    window that says "ketik DAFTAR 12").

    The router runs it before the active flow: for a pressed choice whose id starts with
    `choice_prefix` (`tr:join:` + `12`), or for typed text whose first word is one of `words`
    (casefolded) followed by text matching `argument` in full. A typed answer that selects an
    offered choice, and the global words (menu, batal, ...), come first. `run(ctx, conv, argument)`
    gets what follows the prefix or the word, and returns the replies; like a completed form it
    ends with the main menu or starts a flow (the one it interrupts is kept as a draft).
    """

    name: str
    run: Callable[[Context, Conversation, str], Awaitable[list[Reply]]]
    choice_prefix: str | None = None
    words: tuple[str, ...] = ()
    argument: str = r"\d+"
