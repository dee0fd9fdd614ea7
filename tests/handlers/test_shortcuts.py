"""Shortcuts: buttons of messages the bot sent on its own and short typed commands work at any
step, and leave an unfinished form as a draft; global words and offered choices come first."""

from __future__ import annotations

from handlers.agency import AgencyProfile
from handlers.context import Context
from handlers.conversation import Conversation
from handlers.flow import MenuEntry, Shortcut
from handlers.types import Reply
from storage.database import Database
from tests.handlers.forms.sample_form import sample_flow
from tests.handlers.harness import Harness

RAN: list[str] = []


async def _ran(ctx: Context, conv: Conversation, argument: str) -> list[Reply]:
    RAN.append(argument)
    return [Reply("language/changed"), *await ctx.nav.main_menu(ctx, conv)]


async def _start(ctx, conv):  # type: ignore[no-untyped-def]
    return await ctx.nav.start_flow(ctx, conv, "sample")


SHORTCUT = Shortcut("test.join", _ran, choice_prefix="t:join:", words=("daftar", "join"))


def harness(db: Database, agency: AgencyProfile) -> Harness:
    RAN.clear()
    return Harness(
        db, agency, [sample_flow()], [MenuEntry("sample", "menu/help", _start)], shortcuts=[SHORTCUT]
    )


async def test_a_button_from_an_outbox_message_works_in_the_middle_of_a_form(
    db: Database, agency: AgencyProfile
) -> None:
    h = harness(db, agency)
    await h.say("halo")
    await h.say("1")
    await h.say("Siti Aminah")  # the form now asks its second question
    await h.say(choice="t:join:12")  # no conversation offered this button: not a stale choice
    assert RAN == ["12"] and h.templates[0] == "language/changed"
    assert "has_draft" in str(h.last.replies[-1].values) and h.last.replies[-1].values["has_draft"]  # type: ignore[union-attr]


async def test_typed_words_with_their_argument_work_and_others_do_not(
    db: Database, agency: AgencyProfile
) -> None:
    h = harness(db, agency)
    await h.say("halo")
    await h.say("DAFTAR 7")
    await h.say("join 8.")
    await h.say("daftar usaha")  # not a number: an ordinary answer (here: the main menu again)
    await h.say("menu")
    assert RAN == ["7", "8"]
    assert h.templates == ["menu/main"]
