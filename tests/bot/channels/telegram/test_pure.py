"""Pure parts of the Telegram channel: callback ids and rendering."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.channels.telegram.adapter import CALLBACK_LIMIT
from bot.channels.telegram.render import TextMessage, plan, ptb_markup
from messages import RenderedChoice, RenderedReply
from messages.reply import compact_id, matches


def test_long_choice_ids_go_as_a_compact_hash_that_fits_callback_data() -> None:
    long_id = "region:" + "x" * 80
    reply = RenderedReply("Pilih", (RenderedChoice("m:help", "Bantuan"), RenderedChoice(long_id, "Jauh")))
    [message] = plan(reply, "Bagikan")
    assert message.markup is not None
    [[short_button], [long_button]] = message.markup["inline_keyboard"]
    assert short_button["callback_data"] == "m:help"
    assert long_button["callback_data"] == compact_id(long_id, CALLBACK_LIMIT)
    assert len(long_button["callback_data"].encode()) <= CALLBACK_LIMIT
    assert matches(long_id, long_button["callback_data"]) and not matches(
        "region:y", long_button["callback_data"]
    )
    # An id that looks like a compact one is compacted too, so it can never be mistaken for one.
    assert compact_id("#short", CALLBACK_LIMIT) != "#short"


def test_html_is_escaped_split_and_the_keyboard_is_on_the_last_part() -> None:
    reply = RenderedReply("*Tebal* <script> & " + "kata " * 2000, (RenderedChoice("a", "A"),))
    messages = plan(reply, "Bagikan")
    assert len(messages) == 3 and all(isinstance(m, TextMessage) for m in messages)
    first = messages[0]
    assert isinstance(first, TextMessage) and first.html.startswith("<b>Tebal</b> &lt;script&gt; &amp;")
    assert all(len(m.html) <= 4096 + 20 for m in messages if isinstance(m, TextMessage))
    markup = messages[-1].markup
    assert markup is not None and markup["inline_keyboard"] == [[{"text": "A", "callback_data": "a"}]]
    assert isinstance(ptb_markup(markup), InlineKeyboardMarkup)  # what the file senders get


def test_a_phone_request_gets_the_contact_button() -> None:
    messages = plan(RenderedReply("Nomor HP?", request_phone=True), "Bagikan nomor saya")
    markup = ptb_markup(messages[-1].markup)
    assert isinstance(markup, ReplyKeyboardMarkup)
    assert markup.keyboard[0][0].request_contact is True
