"""The app's own HTTP server (Starlette): health, and the platforms' webhooks.

    GET  /healthz             database and channel state (503 when the database is down)
    GET  /webhooks/whatsapp   Meta's verification handshake (hub.verify_token, echo hub.challenge)
    POST /webhooks/whatsapp   X-Hub-Signature-256 checked first (401), stored, then 200 at once
    POST /webhooks/telegram   X-Telegram-Bot-Api-Secret-Token checked first (403), stored, then 200
    /dashboard/…, /v/{code}   the officer dashboard (bot/dashboard.py), given as `extra_routes`

A delivery is stored before it is acknowledged and processed from the store afterwards
(`bot.channels.inbound`). A payload we cannot read is acknowledged and logged, never a 500.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.channels.inbound import InboundProcessor
from bot.channels.telegram import CHANNEL as TELEGRAM
from bot.channels.telegram.ingest import TELEGRAM_SECRET_HEADER, store_updates, update_sender
from bot.channels.whatsapp import CHANNEL as WHATSAPP
from bot.channels.whatsapp.channel import store_delivery
from bot.channels.whatsapp.webhook import parse_webhook, signature_is_valid
from storage.database import Database

log = logging.getLogger(__name__)

WHATSAPP_SIGNATURE_HEADER = "X-Hub-Signature-256"


@dataclass(frozen=True, slots=True)
class WhatsAppHook:
    app_secret: str
    verify_token: str


@dataclass(frozen=True, slots=True)
class TelegramHook:
    secret: str


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def create_web_app(
    *,
    db: Database,
    processor: InboundProcessor,
    whatsapp: WhatsAppHook | None = None,
    telegram: TelegramHook | None = None,
    channel_state: Callable[[], Awaitable[dict[str, Any]]] | None = None,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    async def healthz(request: Request) -> Response:
        try:
            await db.ping()
            database = "ok"
        except Exception as exc:
            log.warning("health.database_down", extra={"error": type(exc).__name__})
            database = "down"
        channels = await channel_state() if channel_state else {}
        body = {
            "status": "ok" if database == "ok" else "degraded",
            "database": database,
            "channels": channels,
            "inbound_queued": processor.queued,
        }
        return JSONResponse(body, status_code=200 if database == "ok" else 503)

    async def whatsapp_verify(request: Request) -> Response:
        assert whatsapp is not None
        params = request.query_params
        if params.get("hub.mode") == "subscribe" and _same(
            params.get("hub.verify_token"), whatsapp.verify_token
        ):
            return PlainTextResponse(params.get("hub.challenge", ""))
        log.warning("whatsapp.verify_refused")
        return PlainTextResponse("forbidden", status_code=403)

    async def whatsapp_post(request: Request) -> Response:
        assert whatsapp is not None
        body = await request.body()
        if not signature_is_valid(body, request.headers.get(WHATSAPP_SIGNATURE_HEADER), whatsapp.app_secret):
            log.warning("whatsapp.signature_refused", extra={"client": _client(request)})
            return PlainTextResponse("invalid signature", status_code=401)
        try:
            data = json.loads(body)
        except ValueError:
            log.warning("whatsapp.webhook_not_json", extra={"bytes": len(body)})
            return PlainTextResponse("ok")
        # Storage errors propagate: Meta then retries the delivery, so nothing is lost.
        batch = parse_webhook(data)
        senders = [(WHATSAPP, message.wa_id) for message in batch.messages]
        rows = await processor.write(lambda tx: store_delivery(tx, batch), senders=senders)
        processor.submit(rows)
        return PlainTextResponse("ok")

    async def telegram_post(request: Request) -> Response:
        assert telegram is not None
        if not _same(request.headers.get(TELEGRAM_SECRET_HEADER), telegram.secret):
            log.warning("telegram.secret_refused", extra={"client": _client(request)})
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = json.loads(await request.body())
        except ValueError:
            log.warning("telegram.webhook_not_json")
            return PlainTextResponse("ok")
        sender = update_sender(data)
        senders = [(TELEGRAM, sender[1])] if sender is not None else []
        processor.submit(await processor.write(lambda tx: store_updates(tx, [data]), senders=senders))
        return PlainTextResponse("ok")

    routes: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    if whatsapp is not None:
        routes.append(Route("/webhooks/whatsapp", whatsapp_verify, methods=["GET"]))
        routes.append(Route("/webhooks/whatsapp", whatsapp_post, methods=["POST"]))
    if telegram is not None:
        routes.append(Route("/webhooks/telegram", telegram_post, methods=["POST"]))
    routes.extend(extra_routes)
    return Starlette(routes=routes)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"
