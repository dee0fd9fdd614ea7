"""The Telegram channel: reads stored updates, renders replies and sends them (a `Sender`).

PTB's errors become the channel error tree where they enter (`raise … from exc`):
RetryAfter -> RateLimited, Forbidden -> RecipientBlocked, InvalidToken -> AuthenticationFailed,
TimedOut / NetworkError -> TemporaryFailure, BadRequest and the rest -> PermanentFailure.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from telegram import Bot, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.channels.base import (
    AuthenticationFailed,
    PermanentFailure,
    RateLimited,
    RecipientBlocked,
    TemporaryFailure,
)
from bot.channels.inbound import Unsupported
from bot.channels.telegram import CHANNEL
from bot.channels.telegram.adapter import to_incoming
from bot.channels.telegram.render import FileMessage, TextMessage, plan, ptb_markup
from bot.channels.telegram.request import FormFields
from handlers.router import DEFAULT_LOCALE
from handlers.types import Incoming, Reply
from messages import RenderedReply, Renderer
from storage.repositories.channels import StoredInbound

log = logging.getLogger(__name__)


def retry_seconds(exc: RetryAfter) -> float:
    """How long Telegram asks us to wait, as seconds (PTB gives an int or, opted in, a timedelta)."""
    retry = exc.retry_after
    return retry.total_seconds() if isinstance(retry, timedelta) else float(retry)


@asynccontextmanager
async def translated_errors() -> AsyncIterator[None]:
    """Turn python-telegram-bot's exceptions into the channel error tree."""
    try:
        yield
    except RetryAfter as exc:
        raise RateLimited(f"Telegram: {exc.message}", retry_after=retry_seconds(exc), code=429) from exc
    except Forbidden as exc:
        raise RecipientBlocked(f"Telegram: {exc.message}", code=403) from exc
    except InvalidToken as exc:
        raise AuthenticationFailed(f"Telegram: {exc.message}", code=401) from exc
    except BadRequest as exc:
        raise PermanentFailure(f"Telegram: {exc.message}", code=400) from exc
    except NetworkError as exc:  # includes TimedOut
        raise TemporaryFailure(f"Telegram: {exc.message}") from exc
    except TelegramError as exc:
        raise PermanentFailure(f"Telegram: {exc.message}") from exc


def message_key(message: Message) -> str:
    """Telegram numbers messages per chat, so our provider id is `chat:message`."""
    return f"{message.chat_id}:{message.message_id}"


class TelegramChannel:
    name = CHANNEL
    # Telegram sends no delivery statuses: nothing to keep per sent message.
    tracks_delivery = False
    channel = CHANNEL

    def __init__(self, bot: Bot, renderer: Renderer) -> None:
        self.bot = bot
        self.renderer = renderer

    # -- InboundChannel --------------------------------------------------------------------

    async def parse(self, stored: StoredInbound) -> Incoming | Unsupported | None:
        update = stored.payload
        query = update.get("callback_query")
        if isinstance(query, dict) and query.get("id"):
            # Always answered, so the user's button stops spinning; a failure here is not fatal.
            try:
                async with translated_errors():
                    await self.bot.answer_callback_query(str(query["id"]))
            except Exception as exc:
                log.warning("telegram.callback_answer_failed", extra={"error": str(exc)})
        return to_incoming(update)

    def render(self, reply: Reply, locale: str) -> RenderedReply:
        return self.renderer.render_reply(reply, locale)

    async def send_all(
        self, external_id: str, reply: RenderedReply, locale: str = DEFAULT_LOCALE
    ) -> list[str]:
        # Rendered only when shown: a broadcast sends thousands of replies without it.
        share_label = (
            self.renderer.render("channels/share_contact_button", locale) if reply.request_phone else ""
        )
        sent: list[str] = []
        async with translated_errors():
            for message in plan(reply, share_label):
                if isinstance(message, TextMessage):
                    sent.append(await self._send_text(external_id, message))
                else:
                    sent.append(message_key(await self._send_file(external_id, message)))
        return sent

    async def _send_text(self, chat_id: str, message: TextMessage) -> str:
        """sendMessage with the fields built here, through the bot's own `BaseRequest`.

        The one call of every reply and of every broadcast recipient. `Bot.send_message` would
        also build a `Message` from the answer (about a fifth of the sender's event-loop CPU in
        bench/outbox.py under py-spy), of which we keep two numbers. `BaseRequest.post` still turns the
        answer's errors into PTB's exceptions, so `translated_errors` sees the same tree.
        """
        fields = {"chat_id": chat_id, "text": message.html, "parse_mode": ParseMode.HTML.value}
        if message.markup is not None:
            fields["reply_markup"] = json.dumps(message.markup, ensure_ascii=False)
        result = await self.bot.request.post(
            f"{self.bot.base_url}/sendMessage", request_data=FormFields(fields)
        )
        chat = result.get("chat") if isinstance(result, dict) else None
        if not isinstance(result, dict) or not isinstance(chat, dict) or "message_id" not in result:
            raise PermanentFailure(f"Telegram: sendMessage answered without a message: {result!r:.200}")
        return f"{chat.get('id')}:{result['message_id']}"

    async def _send_file(self, chat_id: str, message: FileMessage) -> Message:
        upload = InputFile(message.attachment.content, filename=message.attachment.filename)
        caption = message.caption_html or None
        markup = ptb_markup(message.markup)
        if message.kind == "photo":
            return await self.bot.send_photo(
                chat_id, upload, caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        return await self.bot.send_document(
            chat_id, upload, caption=caption, parse_mode=ParseMode.HTML, reply_markup=markup
        )

    # -- Sender ----------------------------------------------------------------------------

    async def send(self, external_id: str, reply: RenderedReply, locale: str = DEFAULT_LOCALE) -> str:
        sent = await self.send_all(external_id, reply, locale)
        if not sent:
            raise PermanentFailure("nothing to send: the reply is empty")
        return sent[-1]

    async def send_template(self, external_id: str, kind: str, locale: str, text: str) -> str:
        raise PermanentFailure("Telegram has no template messages; send an ordinary message")
