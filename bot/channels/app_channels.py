"""The configured platforms' channels and their HTTP clients, built once for an `App`.

One `Bot` (one aiohttp pool) for Telegram and one `httpx.AsyncClient` for the WhatsApp
Cloud API, whatever uses them (the webhook server, long polling, the outbox); `close()`
releases them on shutdown.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from telegram import Bot

from bot.channels.base import AuthenticationFailed, Sender, TemporaryFailure
from bot.channels.telegram.channel import TelegramChannel, translated_errors
from bot.channels.telegram.request import AiohttpRequest
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.channels.whatsapp.client import GraphClient, graph_transport
from bot.settings import ConfigError, Settings
from messages import Renderer


def telegram_bot(settings: Settings) -> Bot:
    """One Bot with one HTTP client (connection pool) for every call, the long poll included:
    the poller asks for its own read timeout, and one held connection of 128 is no shortage."""
    assert settings.telegram_bot_token
    base = settings.telegram_api_base_url
    file_base = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base
    request = AiohttpRequest(connection_pool_size=128, pool_timeout=5.0)
    return Bot(
        settings.telegram_bot_token,
        base_url=base,
        base_file_url=file_base,
        request=request,
        get_updates_request=request,
    )


def whatsapp_client(settings: Settings) -> GraphClient:
    assert settings.whatsapp_access_token and settings.whatsapp_phone_number_id
    return GraphClient(
        base_url=settings.whatsapp_api_base_url,
        api_version=settings.whatsapp_api_version,
        phone_number_id=settings.whatsapp_phone_number_id,
        access_token=settings.whatsapp_access_token,
        transport=graph_transport(max_connections=128),
    )


@dataclass
class Channels:
    telegram: TelegramChannel | None = None
    whatsapp: WhatsAppChannel | None = None

    @property
    def senders(self) -> list[Sender]:
        return [s for s in (self.telegram, self.whatsapp) if s is not None]

    async def close(self) -> None:
        if self.telegram is not None:
            with contextlib.suppress(Exception):
                await self.telegram.bot.shutdown()
        if self.whatsapp is not None:
            await self.whatsapp.client.aclose()


async def open_channels(settings: Settings, renderer: Renderer, templates: Mapping[str, str]) -> Channels:
    """A channel per configured platform; Telegram's bot is initialised (getMe): a token Telegram
    rejects is a ConfigError naming TELEGRAM_BOT_TOKEN."""
    channels = Channels()
    try:
        if settings.whatsapp_enabled:
            channels.whatsapp = WhatsAppChannel(whatsapp_client(settings), renderer, templates=templates)
        if settings.telegram_enabled:
            # Kept before it is initialised, so that a failed getMe still closes its HTTP client.
            channels.telegram = TelegramChannel(telegram_bot(settings), renderer)
            try:
                async with translated_errors():
                    await channels.telegram.bot.initialize()
            except AuthenticationFailed as exc:
                # Not the driver's words: python-telegram-bot's repeat the token.
                raise ConfigError("TELEGRAM_BOT_TOKEN: Telegram rejected the token (Unauthorized)") from exc
            except TemporaryFailure as exc:
                # The network's reason names the host, never the path (where the token is).
                where = urlsplit(settings.telegram_api_base_url)
                raise ConfigError(
                    f"TELEGRAM_API_BASE_URL: cannot reach the Bot API at {where.scheme}://{where.netloc}"
                    f" ({str(exc).removeprefix('Telegram: ')}); is the network up?"
                ) from exc
    except BaseException:
        await channels.close()
        raise
    return channels
