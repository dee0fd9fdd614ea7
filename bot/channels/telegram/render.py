"""How a reply looks on Telegram (pure): HTML text split under 4,096 characters, an inline
keyboard of the choices (one per row, callback_data at most 64 bytes), or, when the reply asks
for the user's phone, a reply keyboard with the share-contact button and the choices as typed
answers; photos and documents with the text as caption when it fits.

Keyboards are the Bot API's JSON (`reply_markup`) as dicts, not PTB's markup objects: every
reply carries one, and building the objects then serialising them was a tenth of a menu
answer's CPU. `ptb_markup` turns one into PTB's object for the file senders that want it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.channels.telegram.adapter import CALLBACK_LIMIT
from handlers.types import Attachment
from messages import RenderedReply
from messages.markup import split_text, to_telegram_html
from messages.reply import compact_id

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024

# A `reply_markup` as the Bot API's JSON object: {"inline_keyboard": …} or {"keyboard": …}.
Markup = dict[str, Any]


@dataclass(frozen=True, slots=True)
class TextMessage:
    html: str
    markup: Markup | None = None


@dataclass(frozen=True, slots=True)
class FileMessage:
    kind: str  # "photo" or "document"
    attachment: Attachment
    caption_html: str = ""
    markup: Markup | None = None


Outgoing = TextMessage | FileMessage


def keyboard(reply: RenderedReply, share_label: str) -> Markup | None:
    if reply.request_phone:
        rows: list[list[dict[str, Any]]] = [[{"text": share_label, "request_contact": True}]]
        rows.extend([{"text": choice.label}] for choice in reply.choices)
        return {"keyboard": rows, "resize_keyboard": True, "one_time_keyboard": True}
    if reply.choices:
        return {
            "inline_keyboard": [
                [{"text": choice.label, "callback_data": compact_id(choice.id, CALLBACK_LIMIT)}]
                for choice in reply.choices
            ]
        }
    return None


def ptb_markup(markup: Markup | None) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    """PTB's object for a keyboard (the file senders take those)."""
    if markup is None:
        return None
    if "inline_keyboard" in markup:
        return InlineKeyboardMarkup(
            [[InlineKeyboardButton(**button) for button in row] for row in markup["inline_keyboard"]]
        )
    return ReplyKeyboardMarkup(
        [[KeyboardButton(**button) for button in row] for row in markup["keyboard"]],
        resize_keyboard=markup.get("resize_keyboard"),
        one_time_keyboard=markup.get("one_time_keyboard"),
    )


def plan(reply: RenderedReply, share_label: str) -> list[Outgoing]:
    """The Telegram messages that show `reply`; the keyboard goes on the last one."""
    markup = keyboard(reply, share_label)
    text = reply.text
    files = [("photo", reply.image), ("document", reply.document)]
    out: list[Outgoing] = []
    for kind, attachment in files:
        if attachment is None:
            continue
        if text and len(text) <= CAPTION_LIMIT and not out:
            out.append(FileMessage(kind, attachment, to_telegram_html(text)))
            text = ""
        else:
            out.append(FileMessage(kind, attachment))
    if text:
        out.extend(TextMessage(to_telegram_html(part)) for part in split_text(text, TEXT_LIMIT))
    if markup is not None and out:
        last = out[-1]
        out[-1] = (
            TextMessage(last.html, markup)
            if isinstance(last, TextMessage)
            else FileMessage(last.kind, last.attachment, last.caption_html, markup)
        )
    return out
