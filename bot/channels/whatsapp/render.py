"""Choose how a reply looks on WhatsApp (pure): reply buttons, a list, or a numbered text menu.

- up to 3 choices whose labels fit 20 characters: reply buttons;
- up to 10 choices whose labels fit 24 characters (or 72, shown as the row description
  under a shortened title): a list;
- otherwise a numbered text menu, split into pages under the text limit. The router maps a
  typed number or label to the offered choice, so the menu needs no extra state.
Interactive bodies hold 1,024 characters; longer text goes first as plain messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.whatsapp.client import Button, ListRow
from handlers.types import Attachment
from messages import RenderedReply
from messages.markup import split_text, to_whatsapp

TEXT_LIMIT = 4096
BODY_LIMIT = 1024
CAPTION_LIMIT = 1024
MAX_BUTTONS = 3
BUTTON_TITLE = 20
MAX_ROWS = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
ID_LIMIT = 200


@dataclass(frozen=True, slots=True)
class MenuTexts:
    """The words the renderer adds, in the user's locale (from `messages/templates/*/channels/`)."""

    list_button: str
    numbered_footer: str


@dataclass(frozen=True, slots=True)
class Text:
    body: str


@dataclass(frozen=True, slots=True)
class Buttons:
    body: str
    buttons: tuple[Button, ...]


@dataclass(frozen=True, slots=True)
class ListMenu:
    body: str
    button: str
    rows: tuple[ListRow, ...]


@dataclass(frozen=True, slots=True)
class Media:
    kind: str  # "image" or "document"
    attachment: Attachment
    caption: str


Outgoing = Text | Buttons | ListMenu | Media


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _interactive(body: str, reply: RenderedReply, texts: MenuTexts) -> Buttons | ListMenu | None:
    choices = reply.choices
    labels = [c.label.strip() for c in choices]
    if any(len(c.id) > ID_LIMIT or not label for c, label in zip(choices, labels, strict=True)):
        return None
    if len(set(labels)) != len(labels) or len(body) > BODY_LIMIT or not body.strip():
        return None
    if len(choices) <= MAX_BUTTONS and all(len(label) <= BUTTON_TITLE for label in labels):
        return Buttons(body, tuple(Button(c.id, label) for c, label in zip(choices, labels, strict=True)))
    if len(choices) <= MAX_ROWS and all(len(label) <= ROW_DESCRIPTION for label in labels):
        rows = tuple(
            ListRow(c.id, label)
            if len(label) <= ROW_TITLE
            else ListRow(c.id, _shorten(label, ROW_TITLE), label)
            for c, label in zip(choices, labels, strict=True)
        )
        if len({row.title for row in rows}) == len(rows):
            return ListMenu(body, _shorten(texts.list_button, BUTTON_TITLE), rows)
    return None


def numbered_menu(text: str, reply: RenderedReply, texts: MenuTexts) -> list[Text]:
    lines = [f"{number}. {choice.label}" for number, choice in enumerate(reply.choices, 1)]
    whole = "\n\n".join(part for part in (text, "\n".join(lines), texts.numbered_footer) if part)
    return [Text(page) for page in split_text(whole, TEXT_LIMIT)]


def plan(reply: RenderedReply, texts: MenuTexts) -> list[Outgoing]:
    """The WhatsApp messages that show `reply`, in sending order."""
    text = to_whatsapp(reply.text)
    out: list[Outgoing] = []
    for kind, attachment in (("image", reply.image), ("document", reply.document)):
        if attachment is not None:
            caption = text if len(text) <= CAPTION_LIMIT and not reply.choices and not out else ""
            out.append(Media(kind, attachment, caption))
            if caption:
                text = ""
    if reply.choices:
        pages = split_text(text, TEXT_LIMIT) if text else [""]
        head, last = pages[:-1], pages[-1]
        if len(last) > BODY_LIMIT:
            head, last = [*head, *split_text(last, BODY_LIMIT)[:-1]], split_text(last, BODY_LIMIT)[-1]
        interactive = _interactive(last, reply, texts)
        if interactive is not None:
            return [*out, *(Text(page) for page in head), interactive]
        return [*out, *numbered_menu(text, reply, texts)]
    if text:
        out.extend(Text(page) for page in split_text(text, TEXT_LIMIT))
    return out
