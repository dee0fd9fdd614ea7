"""The interface every conversation flow implements, and the main menu's entries."""

from __future__ import annotations

import re
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
class Keyword:
    """A typed word with an argument that works from anywhere, like `KURIR 7Q2K9` or `HADIR 4821`.

    `pattern` is matched (fullmatch, ignoring case and surrounding spaces) against a typed
    message that is not a global word nor an offered choice; `run` gets the match and may
    start a flow. A capability declares its keywords; keep them specific, since they take
    precedence over a form's free-text answer.
    """

    id: str
    pattern: re.Pattern[str]
    run: Callable[[Context, Conversation, re.Match[str]], Awaitable[list[Reply]]]
