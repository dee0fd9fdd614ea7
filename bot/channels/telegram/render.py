"""How a reply looks on Telegram (pure): HTML text split under 4,096 characters, an inline
keyboard of the choices (one per row, callback_data at most 64 bytes), or, when the reply asks
for the user's phone, a reply keyboard with the share-contact button and the choices as typed
answers; photos and documents with the text as caption when it fits.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.channels.telegram.adapter import CallbackIds
from handlers.types import Attachment
from messages import RenderedReply
from messages.markup import split_text, to_telegram_html

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup


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


def keyboard(reply: RenderedReply, ids: CallbackIds, share_label: str) -> Markup | None:
    if reply.request_phone:
        rows = [[KeyboardButton(share_label, request_contact=True)]]
        rows.extend([KeyboardButton(choice.label)] for choice in reply.choices)
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)
    if reply.choices:
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(choice.label, callback_data=ids.encode(choice.id))]
                for choice in reply.choices
            ]
        )
    return None


def plan(reply: RenderedReply, ids: CallbackIds, share_label: str) -> list[Outgoing]:
    """The Telegram messages that show `reply`; the keyboard goes on the last one."""
    markup = keyboard(reply, ids, share_label)
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
