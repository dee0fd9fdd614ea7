"""The router: global words, choices, opt-out, errors contained, one user's messages in order."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import select

from bot.channels.telegram.adapter import CALLBACK_LIMIT
from bot.logs import KeyValueFormatter
from handlers.agency import AgencyProfile
from handlers.context import Context
from handlers.conversation import Answer, Conversation
from handlers.flow import MenuEntry, OneStepFlow
from handlers.menu import HELP_ENTRY, LANGUAGE_ENTRY, LanguageFlow
from handlers.types import Choice, Incoming, Reply
from messages.reply import compact_id
from storage.database import Database
from storage.models import ChannelIdentity, User
from tests.handlers.harness import Harness


class Exploding(OneStepFlow):
    """A flow whose second step fails, to see what the user gets and what the database keeps."""

    name = "exploding"

    async def reprompt(self, ctx: Context, conv: Conversation) -> list[Reply]:
        return [Reply("errors/empty_answer")]

    async def handle(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        conv.data["touched"] = True
        await ctx.tx.users.set_locale(ctx.user.id, "en")
        raise RuntimeError("NIK 6372024501900003 must never reach a log")


class Recording(OneStepFlow):
    """Appends each message to the state, yielding in between: interleaving would lose entries."""

    name = "recording"

    async def reprompt(self, ctx: Context, conv: Conversation) -> list[Reply]:
        return [Reply("errors/empty_answer")]

    async def handle(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        seen = list(conv.data.get("seen", []))
        await asyncio.sleep(0.002)
        conv.data["seen"] = [*seen, answer.text]
        return []


LONG_ID = "o:" + "sektor-usaha-dengan-nama-yang-sangat-panjang-" * 2  # past Telegram's 64 bytes


class Picking(OneStepFlow):
    """Offers a choice whose id is too long for Telegram's callback data; keeps what was picked."""

    name = "picking"

    async def reprompt(self, ctx: Context, conv: Conversation) -> list[Reply]:
        return [Reply("errors/empty_answer", choices=[Choice(LONG_ID, label="Panjang")])]

    async def handle(self, ctx: Context, conv: Conversation, answer: Answer) -> list[Reply]:
        conv.finish()
        return [Reply("broadcast/text", {"text": f"picked {answer.choice_id}"})]


async def _run(name: str, ctx: Context, conv: Conversation) -> list[Reply]:
    return await ctx.nav.start_flow(ctx, conv, name)


def harness(db: Database, agency: AgencyProfile, user: str = "u1") -> Harness:
    menu = [
        LANGUAGE_ENTRY,
        HELP_ENTRY,
        MenuEntry("explode", "menu/help", lambda ctx, conv: _run("exploding", ctx, conv)),
        MenuEntry("record", "menu/help", lambda ctx, conv: _run("recording", ctx, conv)),
        MenuEntry("pick", "menu/help", lambda ctx, conv: _run("picking", ctx, conv)),
    ]
    return Harness(db, agency, [LanguageFlow(), Exploding(), Recording(), Picking()], menu, user=user)


async def test_first_message_gets_the_indonesian_main_menu(db: Database, agency) -> None:
    h = harness(db, agency)
    reply = await h.say("halo")
    assert "Menu utama" in reply and "Halo!" in reply
    assert h.choices[:2] == ["Ganti bahasa / Language", "Bantuan"]
    async with db.transaction() as tx:
        identity = (await tx.session.execute(select(ChannelIdentity))).scalar_one()
        assert (identity.channel, identity.external_id) == ("console", "u1")
        assert identity.last_inbound_at is not None


async def test_switching_to_english_changes_every_later_message(db: Database, agency) -> None:
    h = harness(db, agency)
    await h.say("halo")
    await h.say("1")
    reply = await h.say("English")
    assert "I will use English" in reply and "Main menu" in reply
    assert "Main menu" in await h.say("menu")


@pytest.mark.parametrize("word", ["bantuan", "HELP", "/help", "Bantuan!", "ｈｅｌｐ"])
async def test_help_words_work_in_any_case_and_width(db: Database, agency, word: str) -> None:
    h = harness(db, agency)
    await h.say("halo")
    await h.say("1")  # in the language question
    await h.say(word)
    assert h.templates == ["help/general", "language/ask"]  # help, then the same question again


async def test_stop_and_start_opt_out_and_back_in(db: Database, agency) -> None:
    h = harness(db, agency)
    await h.say("halo")
    assert "tidak akan menerima pengumuman" in await h.say("berhenti")
    async with db.transaction() as tx:
        assert (await tx.session.execute(select(User.opted_out))).scalar_one() is True
    assert "Selamat datang kembali" in await h.say("mulai")
    async with db.transaction() as tx:
        assert (await tx.session.execute(select(User.opted_out))).scalar_one() is False
    await h.say("/start")  # Telegram's first command: no "welcome back" for someone who never left
    assert h.templates == ["menu/main"]


async def test_a_button_from_an_old_message_is_explained_not_obeyed(db: Database, agency) -> None:
    h = harness(db, agency)
    await h.say("halo")
    await h.say("1")  # now in the language question; the menu's buttons are stale
    await h.say(choice="m:help")
    assert h.templates == ["errors/stale_choice", "language/ask"]
    await h.say(choice="lang:en")
    assert h.templates == ["language/changed", "menu/main"]


async def test_a_long_choice_id_pressed_in_its_compact_form_is_that_choice(db: Database, agency) -> None:
    # Telegram carries a long id as its hash; any process (not only the one that sent the
    # button) must resolve it, from what the conversation offered.
    h = harness(db, agency)
    await h.say("halo")
    await h.say("5")  # the picking flow
    pressed = compact_id(LONG_ID, CALLBACK_LIMIT)
    assert pressed != LONG_ID and len(pressed.encode()) <= CALLBACK_LIMIT
    assert f"picked {LONG_ID}" in await h.say(choice=pressed)
    await h.say("5")
    await h.say(choice=compact_id(LONG_ID + "-another", CALLBACK_LIMIT))  # never offered
    assert h.templates[0] == "errors/stale_choice"


async def test_global_buttons_always_work(db: Database, agency) -> None:
    h = harness(db, agency)
    await h.say("halo")
    await h.say("1")
    await h.say(choice="g:menu")
    assert h.templates == ["menu/main"]


async def test_a_failing_handler_apologises_rolls_back_and_logs_without_personal_data(
    db: Database, agency, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness(db, agency)
    await h.say("halo")
    await h.say("3")  # the exploding flow's first question
    with caplog.at_level(logging.ERROR):
        reply = await h.say("anything")
    assert h.templates == ["errors/internal"] and "Jawaban Anda sebelumnya tetap tersimpan" in reply
    record = next(r for r in caplog.records if r.getMessage() == "message.failed")
    assert record.exc_info is not None  # logged with its traceback, not swallowed
    async with db.transaction() as tx:
        state = await tx.states.load(1)
        assert state.flow == "exploding" and "touched" not in state.data["data"]
        assert (await tx.session.execute(select(User.locale))).scalar_one() == "id"  # rolled back


def test_the_log_formatter_redacts_nik_shaped_numbers() -> None:
    record = logging.LogRecord("x", logging.ERROR, "f", 1, "event", None, None)
    record.detail = "NIK 6372024501900003 and phone 081234567890"
    line = KeyValueFormatter().format(record)
    assert "6372024501900003" not in line and "[redacted]" in line and "081234567890" in line


async def test_one_users_messages_are_handled_one_after_another(db: Database, agency) -> None:
    h = harness(db, agency)
    other = harness(db, agency, user="u2")
    await h.say("halo")
    await h.say("4")  # recording flow
    await other.say("halo")
    await other.say("4")
    texts = [f"m{i}" for i in range(15)]
    await asyncio.gather(
        *(h.router.handle(Incoming("console", "u1", text=t)) for t in texts),
        *(other.router.handle(Incoming("console", "u2", text=t)) for t in texts),
    )
    async with db.transaction() as tx:
        for user_id in (1, 2):
            assert (await tx.states.load(user_id)).data["data"]["seen"] == texts


@pytest.mark.parametrize("typed", ["bahasa indonesia", "BAHASA  INDONESIA!", "Bahasa-Indonesia"])
async def test_typed_labels_ignore_case_spacing_and_symbols(db: Database, agency, typed: str) -> None:
    h = harness(db, agency)
    await h.say("halo")
    await h.say("1")
    await h.say(typed)
    assert h.templates == ["language/changed", "menu/main"]


async def test_symbols_alone_select_nothing(db: Database, agency) -> None:
    h = harness(db, agency)
    await h.say("halo")
    await h.say("1")
    await h.say("»")
    assert h.templates == ["errors/choose_option", "language/ask"]


@pytest.mark.parametrize(
    "written", ["6372024501900003", "6372 0245 0190 0003", "6372.0245.0190.0003", "6372-0245-0190-0003"]
)
def test_the_log_formatter_redacts_a_nik_however_it_is_written(written: str) -> None:
    record = logging.LogRecord("x", logging.ERROR, "f", 1, "event", None, None)
    record.detail = f"typed {written} then 0812-3456-7890 and Rp 15.000.000"
    line = KeyValueFormatter().format(record)
    assert written not in line and "[redacted]" in line
    assert "0812-3456-7890" in line and "15.000.000" in line  # phones and amounts stay readable
