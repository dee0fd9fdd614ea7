"""The router: one message in, replies out, for any channel.

It finds the user by channel identity, resolves typed numbers and labels to
offered choices, runs a global command, a capability's shortcut (a button of a
message the bot sent on its own, or a typed `HADIR 4821`) or the active flow, and
saves the new state in the same transaction. Messages are handled in the order they arrive,
in shared transactions (`handlers.group_commit`), so one user's messages never
interleave; across PostgreSQL processes an advisory lock per chat (`identity_lock`)
serialises them, and a stored delivery is claimed first in its transaction
(`handle_claimed`), so the inbound processor can keep each chat's stored order. A
failure rolls back that message alone, is logged with its traceback and answers with
an apology; the user's earlier answers stay as they were.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.agency import AgencyProfile
from handlers.context import (
    FACTS,
    PHONE_CLAIMABLE,
    PHONE_LINKABLE,
    REGISTERED,
    Context,
    Eraser,
    Greeter,
    HandlerConfig,
)
from handlers.conversation import Answer, Conversation
from handlers.flow import Flow, MenuEntry, Shortcut
from handlers.forms.engine import FormFlow
from handlers.group_commit import GroupCommitter, user_lock
from handlers.result import Invalid
from handlers.rules import parse_mobile
from handlers.types import Choice, Incoming, Reply, utcnow
from handlers.words import Command, command_of, label_key, normalise
from messages.reply import matches
from storage.database import Database
from storage.repositories import Transaction

log = logging.getLogger(__name__)

MENU_PREFIX = "m:"
DEFAULT_LOCALE = "id"


@dataclass(frozen=True, slots=True)
class Response:
    """The replies to one message, and the locale to render them in."""

    user_id: int | None
    locale: str
    replies: list[Reply]


def identity_lock(channel: str, external_user_id: str) -> str:
    """The lock that serialises one chat's messages across processes (PostgreSQL)."""
    return f"identity:{channel}:{external_user_id}"


class StaleChoice(Exception):
    """A button from an older message was pressed."""


class Router:
    def __init__(
        self,
        db: Database,
        agency: AgencyProfile,
        *,
        flows: Sequence[Flow],
        menu: Sequence[MenuEntry],
        label_of: Callable[[Choice, str], str],
        config: HandlerConfig | None = None,
        clock: Callable[[], datetime] = utcnow,
        erasers: Sequence[Eraser] = (),
        shortcuts: Sequence[Shortcut] = (),
        greeters: Sequence[Greeter] = (),
    ) -> None:
        self.db = db
        self.agency = agency
        self.flows = {flow.name: flow for flow in flows}
        self.menu = list(menu)
        self.config = config or HandlerConfig()
        self._label_of = label_of
        self._clock = clock
        self.erasers = tuple(erasers)
        self.shortcuts = tuple(shortcuts)
        self._typed = {
            word.casefold(): (shortcut, re.compile(shortcut.argument))
            for shortcut in self.shortcuts
            for word in shortcut.words
        }
        self.greeters = tuple(greeters)
        # The process's group committer: a channel's own small writes for a message (storing a
        # delivery, recording what was sent) share its transactions too (`run_alone`).
        self.committer = GroupCommitter(db)

    async def handle(self, incoming: Incoming) -> Response:
        """Handle one message; never raises.

        The response comes back only after its transaction has committed. A failing handler is
        rolled back alone, logged with its traceback and answered with an apology; earlier
        answers stay as they were.
        """
        response = await self._handle(incoming, None)
        assert response is not None  # nothing to claim: always handled
        return response

    async def handle_claimed(
        self, incoming: Incoming, claim: Callable[[Transaction], Awaitable[bool]]
    ) -> Response | None:
        """`handle` for a stored delivery that another process may hold too.

        `claim` runs first in the message's transaction, under the user's lock, and marks the
        delivery processed: the new state and "processed" commit together, so a crash can never
        apply one message twice. If it returns False (processed already, or not its turn yet)
        nothing is done and this returns None. A failing handler's delivery is still claimed (so
        it is not replayed at every start) and answered with an apology.
        """
        return await self._handle(incoming, claim)

    async def _handle(
        self, incoming: Incoming, claim: Callable[[Transaction], Awaitable[bool]] | None
    ) -> Response | None:
        seen: dict[str, object] = {}

        async def work(tx: Transaction) -> Response | None:
            if claim is not None and not await claim(tx):
                return None
            return await self._process(tx, incoming, seen)

        async def fallback(tx: Transaction, exc: Exception) -> Response | None:
            log.error("message.failed", exc_info=exc, extra={"channel": incoming.channel, **seen})
            if claim is not None and not await claim(tx):
                return None
            return self._apology(seen)

        try:
            return await self.committer.run(
                work,
                fallback=fallback,
                locks=[identity_lock(incoming.channel, incoming.external_user_id)],
                chats=[(incoming.channel, incoming.external_user_id)],
            )
        except Exception:
            log.exception("message.not_committed", extra={"channel": incoming.channel, **seen})
            return self._apology(seen)

    @staticmethod
    def _apology(seen: dict[str, object]) -> Response:
        locale, user_id = seen.get("locale"), seen.get("user_id")
        return Response(
            user_id if isinstance(user_id, int) else None,
            locale if isinstance(locale, str) else DEFAULT_LOCALE,
            [Reply("errors/internal")],
        )

    async def _process(self, tx: Transaction, incoming: Incoming, seen: dict[str, object]) -> Response:
        found = await tx.users.identify(incoming.channel, incoming.external_user_id)
        user, identity = found.user, found.identity
        seen.update(user_id=user.id, locale=user.locale)
        await self.db.lock(tx, user_lock(user.id))
        await tx.users.mark_inbound(identity, incoming.received_at)
        facts = dict(found.facts)
        vouched = incoming.shared_phone or incoming.sender_phone
        if vouched:
            phone = parse_mobile(vouched)
            number = vouched if isinstance(phone, Invalid) else phone
            if number != identity.phone:
                identity.phone = number
                for fact in (PHONE_CLAIMABLE, PHONE_LINKABLE):  # read for the number it had
                    facts.pop(fact, None)
        state = await tx.states.load(user.id)
        # A deep copy: flows change nested answers in place, and the loaded value outlives a failed
        # message's SAVEPOINT when the next message of the batch finds the state in the identity map.
        conv = Conversation.from_stored(state.flow, state.step, copy.deepcopy(state.data))
        ctx = Context(
            tx, user, identity, incoming, self.agency, self.config, self, self._clock(), erasers=self.erasers
        )
        ctx.memo[REGISTERED] = found.registered
        ctx.memo[FACTS] = facts
        replies = await self._dispatch(ctx, conv, state.updated_at)
        conv.remember_offered(next((list(r.choices) for r in reversed(replies) if r.choices), []))
        await tx.states.save(state, flow=conv.flow, step=conv.step, data=conv.to_stored(), at=ctx.now)
        log.info(
            "message.handled",
            extra={"channel": incoming.channel, "user_id": user.id, "flow": conv.flow, "step": conv.step},
        )
        return Response(user.id, user.locale, replies)

    # Navigator -----------------------------------------------------------

    async def start_flow(
        self,
        ctx: Context,
        conv: Conversation,
        name: str,
        initial: dict[str, Any] | None = None,
        *,
        after: str | None = None,
    ) -> list[Reply]:
        """Leave the active flow (kept as a draft where it can be) and start `name`; a form can
        start from `initial` answers (a shortcut that knows some of them already); `after`
        names a main-menu entry to come back to when it completes."""
        self._leave(conv)
        conv.after = after
        flow = self.flows[name]
        if initial is None:
            return await flow.start(ctx, conv)
        if not isinstance(flow, FormFlow):
            raise TypeError(f"flow {name!r} is not a form: it takes no initial answers")
        return await flow.start(ctx, conv, initial)

    async def completed(self, ctx: Context, conv: Conversation) -> list[Reply]:
        entry = next((e for e in self.menu if e.id == conv.after), None)
        self._leave(conv)
        if entry is not None and await entry.visible(ctx):
            return await entry.run(ctx, conv)
        return await self.main_menu(ctx, conv)

    async def main_menu(self, ctx: Context, conv: Conversation, *, greet: bool = False) -> list[Reply]:
        self._leave(conv)
        choices = [
            Choice(f"{MENU_PREFIX}{entry.id}", template=entry.template)
            for entry in self.menu
            if await entry.visible(ctx)
        ]
        return [Reply("menu/main", {"greet": greet, "has_draft": bool(conv.drafts)}, choices=choices)]

    # Dispatch ------------------------------------------------------------

    async def _dispatch(self, ctx: Context, conv: Conversation, last_update: datetime) -> list[Reply]:
        pressed = self._pressed_shortcut(ctx.incoming.choice_id)
        if pressed is not None:
            shortcut, argument = pressed
            return await shortcut.run(ctx, conv, argument)
        try:
            answer: Answer | None = self._answer(ctx, conv)
        except StaleChoice:
            answer = None
        # A typed word that names an offered choice is that choice, even if it is also a global word.
        typed_choice = answer is not None and answer.choice_id is not None and ctx.incoming.choice_id is None
        command = None if typed_choice else command_of(ctx.incoming.text, ctx.incoming.choice_id)
        if command is not None:
            return await self._command(ctx, conv, command)
        typed = None if typed_choice or ctx.incoming.choice_id else self._typed_shortcut(ctx.incoming.text)
        if typed is not None:
            shortcut, argument = typed
            return await shortcut.run(ctx, conv, argument)
        flow = self.flows.get(conv.flow) if conv.flow else None
        if conv.flow and flow is None:
            log.warning("conversation.unknown_flow", extra={"flow": conv.flow, "user_id": ctx.user.id})
            conv.finish()
        if flow is not None and ctx.now - last_update > self.config.form_idle:
            return await flow.idle(ctx, conv)
        if answer is None:
            return [Reply("errors/stale_choice"), *await self._reprompt(ctx, conv)]
        if flow is not None:
            return await flow.handle(ctx, conv, answer)
        return await self._menu_choice(ctx, conv, answer)

    def _pressed_shortcut(self, choice_id: str | None) -> tuple[Shortcut, str] | None:
        if not choice_id:
            return None
        for shortcut in self.shortcuts:
            prefix = shortcut.choice_prefix
            if prefix and choice_id.startswith(prefix):
                return shortcut, choice_id[len(prefix) :]
        return None

    def _typed_shortcut(self, text: str) -> tuple[Shortcut, str] | None:
        words = normalise(text).split(maxsplit=1)
        if len(words) != 2 or words[0] not in self._typed:
            return None
        shortcut, argument = self._typed[words[0]]
        return (shortcut, words[1]) if argument.fullmatch(words[1]) else None

    def _answer(self, ctx: Context, conv: Conversation) -> Answer:
        incoming = ctx.incoming
        offered = conv.offered_choices()
        if incoming.choice_id is not None:
            if command_of("", incoming.choice_id) is not None:
                return Answer(incoming.text, incoming.choice_id, incoming.shared_phone)
            chosen = next((c.id for c in offered if matches(c.id, incoming.choice_id)), None)
            if chosen is None:
                raise StaleChoice(incoming.choice_id)
            return Answer(incoming.text, chosen, incoming.shared_phone)
        text = incoming.text.strip()
        if offered and text:
            if text.isdecimal() and text.isascii() and 1 <= int(text) <= len(offered):
                return Answer(text, offered[int(text) - 1].id, incoming.shared_phone)
            wanted = label_key(text)
            for choice in offered:
                if wanted and label_key(self._label_of(choice, ctx.locale)) == wanted:
                    return Answer(text, choice.id, incoming.shared_phone)
            for choice in offered:
                if wanted and choice.words and wanted in self._words_of(choice.words, ctx.locale):
                    return Answer(text, choice.id, incoming.shared_phone)
        return Answer(text, None, incoming.shared_phone)

    def _words_of(self, template: str, locale: str) -> set[str]:
        """The typed answers a `Choice.words` template lists, as `label_key` compares them."""
        listed = self._label_of(Choice("words", template=template), locale)
        return {label_key(line) for line in listed.splitlines() if line.strip()}

    async def _menu_choice(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        entry_id = (answer.choice_id or "").removeprefix(MENU_PREFIX)
        entry = next((e for e in self.menu if e.id == entry_id), None)
        if entry is not None and await entry.visible(ctx):
            return await entry.run(ctx, conv)
        for greet in self.greeters:
            replies = await greet(ctx, conv)
            if replies is not None:
                return replies
        return await self.main_menu(ctx, conv, greet=True)

    async def _command(self, ctx: Context, conv: Conversation, command: Command) -> list[Reply]:
        flow = self.flows.get(conv.flow) if conv.flow else None
        if command is Command.MENU:
            return await self.main_menu(ctx, conv)
        if command is Command.CANCEL:
            if flow is None:
                return await self.main_menu(ctx, conv)
            flow.cancel(conv)
            return [Reply("form/cancelled"), *await self.main_menu(ctx, conv)]
        if command is Command.BACK:
            return await flow.back(ctx, conv) if flow else await self.main_menu(ctx, conv)
        if command is Command.HELP:
            return [Reply("help/general"), *await self._reprompt(ctx, conv)]
        if command is Command.STOP:
            ctx.user.opted_out = True
            await ctx.tx.users.set_opted_out(ctx.user.id, True)
            return [Reply("optout/stopped"), *(await flow.reprompt(ctx, conv) if flow else [])]
        was_out = ctx.user.opted_out
        if was_out:
            ctx.user.opted_out = False
            await ctx.tx.users.set_opted_out(ctx.user.id, False)
        started = [Reply("optout/started")] if was_out else []
        return started + await self._reprompt(ctx, conv)

    async def _reprompt(self, ctx: Context, conv: Conversation) -> list[Reply]:
        flow = self.flows.get(conv.flow) if conv.flow else None
        return await flow.reprompt(ctx, conv) if flow else await self.main_menu(ctx, conv)

    def _leave(self, conv: Conversation) -> None:
        flow = self.flows.get(conv.flow) if conv.flow else None
        if flow is not None:
            flow.suspend(conv)
        conv.finish()
        conv.after = None
