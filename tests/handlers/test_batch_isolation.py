"""A message that fails in the middle of a group-commit batch rolls back alone.

The messages are handed to the router at once, so they share one transaction
(one SAVEPOINT each); the failing one must leave nothing behind for the messages
after it in the same batch, even what it changed in memory.
"""

from __future__ import annotations

import asyncio
from typing import Any

from handlers.agency import AgencyProfile
from handlers.context import Context
from handlers.flow import MenuEntry
from handlers.forms import Field, Form, FormFlow
from handlers.types import Incoming, Reply
from storage.database import Database
from tests.handlers.harness import Harness


def _text(text: str, ctx: Context, answers: Any) -> str:
    return text


def _explode_on_boom(ctx: Context, answers: Any) -> dict[str, Any]:
    if answers.get("first") == "boom":
        raise RuntimeError("a bug while asking the next question")
    return {}


async def _complete(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    return []


FORM = Form(
    name="fragile",
    fields=[
        Field("first", prompt="errors/empty_answer", label="menu/help", parse=_text),
        Field(
            "second",
            prompt="errors/empty_answer",
            label="menu/help",
            parse=_text,
            prompt_values=_explode_on_boom,
        ),
    ],
    summary="form/resume",
    summary_values=lambda ctx, answers: {"form": "fragile"},
    on_complete=_complete,
)


async def _start(ctx, conv):  # type: ignore[no-untyped-def]
    return await ctx.nav.start_flow(ctx, conv, "fragile")


def harness(db: Database, agency: AgencyProfile) -> Harness:
    return Harness(db, agency, [FormFlow(FORM)], [MenuEntry("fragile", "menu/help", _start)])


async def test_a_failed_answer_does_not_leak_into_the_next_message_of_the_same_batch(
    db: Database, agency: AgencyProfile
) -> None:
    h = harness(db, agency)
    await h.say("halo")
    await h.say("1")  # the form's first question
    first, second = await asyncio.gather(
        h.router.handle(Incoming("console", "u1", text="boom")),
        h.router.handle(Incoming("console", "u1", text="bantuan")),
    )
    assert h.router.committer.batches == 3  # the two messages did share one transaction
    assert [r.template for r in first.replies] == ["errors/internal"]
    assert [r.template for r in second.replies][-1] == "errors/empty_answer"
    async with db.transaction() as tx:
        state = await tx.states.load(1)
        assert (state.flow, state.step) == ("fragile", "first")
        assert state.data["data"]["answers"] == {}, "the failed message's answer was kept"
