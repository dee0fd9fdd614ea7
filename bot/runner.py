"""`umkm-bot run`: channels, the inbound processor and the HTTP server (webhooks, the dashboard,
/healthz) in one event loop, started and stopped in this order (with no platform configured, the
same with no channel, beside the console chat):

    start: the App's channels (one HTTP client per platform) -> inbound processor -> leftovers
           from the store (and, on PostgreSQL, every 30 s those another process left behind)
           -> HTTP server -> Telegram webhook registration or long polling
    stop:  outbox -> polling -> HTTP server (in-flight webhooks finish) -> processor (in-flight
           replies finish; the rest stays stored); then `App.close()` closes the HTTP clients

SIGTERM and SIGINT stop it cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import socket
from collections.abc import Callable, Coroutine, Generator
from datetime import timedelta
from typing import Any

import uvicorn

from bot.app import App
from bot.channels.base import PermanentFailure
from bot.channels.inbound import InboundChannel, InboundProcessor
from bot.channels.telegram import CHANNEL as TELEGRAM
from bot.channels.telegram.channel import TelegramChannel, translated_errors
from bot.channels.telegram.ingest import ALLOWED_UPDATES
from bot.channels.telegram.polling import POLL_TIMEOUT, Poller
from bot.channels.whatsapp import CHANNEL as WHATSAPP
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.outbox.scheduler import OutboxService
from bot.settings import ConfigError
from bot.web import TelegramHook, WhatsAppHook, create_web_app
from handlers.rules.lokal_adapter import preload as preload_lokal
from handlers.types import utcnow

log = logging.getLogger(__name__)

# PostgreSQL: how often, and after how long, a running process takes the deliveries another one
# stored and never attempted (it died; a restarted one takes them at its start).
LEFT_BEHIND_EVERY = 30.0
LEFT_BEHIND_AFTER = timedelta(minutes=2)


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handling: the runner owns SIGTERM and SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class Service:
    """The running bot for one `App`: start() and stop(), or run() until a signal."""

    def __init__(
        self, app: App, *, poll_timeout: int = POLL_TIMEOUT, sock: socket.socket | None = None
    ) -> None:
        self.app = app
        self.settings = app.settings
        self.poll_timeout = poll_timeout
        self._sock = sock
        self.whatsapp: WhatsAppChannel | None = None
        self.telegram: TelegramChannel | None = None
        self.poller: Poller | None = None
        self.processor: InboundProcessor | None = None
        self._server: _EmbeddedServer | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self.port: int | None = None
        self.outbox: OutboxService | None = None

    @property
    def url(self) -> str:
        return f"http://{self.settings.http_host}:{self.port}"

    async def start(self) -> None:
        app = self.app
        preload_lokal()
        opened = await app.channels()
        self.whatsapp, self.telegram = opened.whatsapp, opened.telegram
        channels: dict[str, InboundChannel] = {}
        if self.whatsapp is not None:
            channels[WHATSAPP] = self.whatsapp
        if self.telegram is not None:
            channels[TELEGRAM] = self.telegram
        self.processor = InboundProcessor(app.db, app.router, channels)
        await self.processor.recover()
        if not app.db.is_sqlite:
            self._tasks.append(asyncio.create_task(self._adopt_left_behind(), name="inbound-left-behind"))
        await self._start_http()
        if self.telegram is not None:
            await self._start_telegram(self.telegram)
        self.outbox = OutboxService.for_app(app, opened.senders)
        self.outbox.start()
        log.info("service.started", extra={"channels": sorted(channels), "port": self.port})

    async def _start_http(self) -> None:
        settings = self.settings
        assert self.processor is not None
        whatsapp = (
            WhatsAppHook(settings.whatsapp_app_secret or "", settings.whatsapp_verify_token or "")
            if self.whatsapp is not None
            else None
        )
        telegram = (
            TelegramHook(settings.telegram_webhook_secret or "")
            if self.telegram is not None and settings.telegram_webhook_url
            else None
        )
        web = create_web_app(
            db=self.app.db,
            processor=self.processor,
            whatsapp=whatsapp,
            telegram=telegram,
            channel_state=self.channel_state,
            extra_routes=self.app.dashboard().routes(),
        )
        config = uvicorn.Config(
            web, log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=5
        )
        self._server = _EmbeddedServer(config)
        try:
            sock = self._sock or socket.create_server(
                (settings.http_host, settings.http_port), reuse_port=False
            )
        except OSError as exc:
            # A name that does not resolve (getaddrinfo's codes are negative), or an address that is
            # not this machine's, is the host's fault.
            host = (exc.errno or 0) < 0 or exc.errno == errno.EADDRNOTAVAIL
            raise ConfigError(
                f"{'HTTP_HOST' if host else 'HTTP_PORT'}: cannot listen on "
                f"{settings.http_host}:{settings.http_port} ({exc.strerror})"
            ) from exc
        self.port = sock.getsockname()[1]
        task = asyncio.create_task(self._server.serve(sockets=[sock]), name="http")
        self._tasks.append(task)
        while not self._server.started:
            if task.done():
                task.result()  # raises the server's start-up error
            await asyncio.sleep(0.005)

    async def _start_telegram(self, telegram: TelegramChannel) -> None:
        settings = self.settings
        assert self.processor is not None
        if settings.telegram_webhook_url:
            try:
                async with translated_errors():
                    await telegram.bot.set_webhook(
                        settings.telegram_webhook_url,
                        secret_token=settings.telegram_webhook_secret,
                        allowed_updates=list(ALLOWED_UPDATES),
                    )
            except PermanentFailure as exc:  # "Bad webhook: an https url must be provided…"
                reason = str(exc).removeprefix("Telegram: ")
                raise ConfigError(f"TELEGRAM_WEBHOOK_URL: Telegram refused the webhook ({reason})") from exc
            return
        async with translated_errors():
            await telegram.bot.delete_webhook()
        self.poller = Poller(telegram.bot, self.processor, timeout=self.poll_timeout)
        self._tasks.append(asyncio.create_task(self.poller.run(), name="telegram-polling"))

    async def _adopt_left_behind(self) -> None:
        """Several processes: what one stored and never got to (it died) is processed by another
        that is still running, not only when one starts. Taking a row twice is harmless: the
        first claim wins (bot/channels/inbound.py)."""
        assert self.processor is not None
        while True:
            await asyncio.sleep(LEFT_BEHIND_EVERY)
            try:
                await self.processor.recover(stored_before=utcnow() - LEFT_BEHIND_AFTER)
            except Exception:
                log.exception("inbound.recover_failed")

    async def channel_state(self) -> dict[str, Any]:
        state: dict[str, Any] = {}
        if self.whatsapp is not None:
            state[WHATSAPP] = {"mode": "webhook", "state": "ok"}
        if self.telegram is not None:
            if self.poller is None:
                state[TELEGRAM] = {"mode": "webhook", "state": "ok"}
            else:
                error = self.poller.last_error
                polling = any(t.get_name() == "telegram-polling" and not t.done() for t in self._tasks)
                state[TELEGRAM] = {
                    "mode": "polling",
                    "state": "ok" if polling and error is None else "error",
                    **({"last_error": error} if error else {}),
                }
        return state

    async def stop(self) -> None:
        if self.outbox is not None:
            await self.outbox.stop()
        for task in self._tasks:
            if task.get_name() in ("telegram-polling", "inbound-left-behind"):
                task.cancel()
        if self._server is not None:
            self._server.should_exit = True
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self.processor is not None:
            await self.processor.close()
        # The channels' HTTP clients are the App's: `App.close()` releases them.
        log.info("service.stopped")

    async def run(self, *, beside: Callable[[], Coroutine[Any, Any, None]] | None = None) -> None:
        """Serve until SIGTERM or SIGINT, or until `beside` returns (the console chat, when no
        platform is configured: its end of input stops the bot)."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        waiting: list[asyncio.Task[object]] = []
        try:
            await self.start()
            print(f"umkm-bot: serving on {self.url}", flush=True)
            waiting.append(asyncio.create_task(stop.wait(), name="signal"))
            if beside is not None:
                waiting.append(asyncio.create_task(beside(), name="beside"))
            done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # what `beside` raised
        finally:
            for task in waiting:
                task.cancel()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
            await self.stop()
