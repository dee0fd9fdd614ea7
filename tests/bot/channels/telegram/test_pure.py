"""Pure parts of the Telegram channel: callback ids and rendering."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.channels.telegram.adapter import CallbackIds
from bot.channels.telegram.render import TextMessage, plan, ptb_markup
from messages import RenderedChoice, RenderedReply


def test_long_choice_ids_are_mapped_to_short_callback_data() -> None:
    ids = CallbackIds()
    assert ids.encode("m:help") == "m:help"
    long_id = "region:" + "x" * 80
    short = ids.encode(long_id)
    assert len(short.encode()) <= 64 and ids.decode(short) == long_id
    assert CallbackIds().decode(short) == short  # unknown after a restart: the router calls it stale


def test_html_is_escaped_split_and_the_keyboard_is_on_the_last_part() -> None:
    reply = RenderedReply("*Tebal* <script> & " + "kata " * 2000, (RenderedChoice("a", "A"),))
    messages = plan(reply, CallbackIds(), "Bagikan")
    assert len(messages) == 3 and all(isinstance(m, TextMessage) for m in messages)
    first = messages[0]
    assert isinstance(first, TextMessage) and first.html.startswith("<b>Tebal</b> &lt;script&gt; &amp;")
    assert all(len(m.html) <= 4096 + 20 for m in messages if isinstance(m, TextMessage))
    markup = messages[-1].markup
    assert markup is not None and markup["inline_keyboard"] == [[{"text": "A", "callback_data": "a"}]]
    assert isinstance(ptb_markup(markup), InlineKeyboardMarkup)  # what the file senders get


def test_a_phone_request_gets_the_contact_button() -> None:
    messages = plan(RenderedReply("Nomor HP?", request_phone=True), CallbackIds(), "Bagikan nomor saya")
    markup = ptb_markup(messages[-1].markup)
    assert isinstance(markup, ReplyKeyboardMarkup)
    assert markup.keyboard[0][0].request_contact is True
