"""The app's own HTTP server (Starlette): health, and the platforms' webhooks.

    GET  /healthz             database and channel state (503 when the database is down)
    GET  /webhooks/whatsapp   Meta's verification handshake (hub.verify_token, echo hub.challenge)
    POST /webhooks/whatsapp   X-Hub-Signature-256 checked first (401), stored, then 200 at once
    POST /webhooks/telegram   X-Telegram-Bot-Api-Secret-Token checked first (403), stored, then 200
    /dashboard/…, /v/{code}   the officer dashboard (bot/dashboard.py), given as `extra_routes`

A delivery is stored before it is acknowledged and processed from the store afterwards
(`bot.channels.inbound`). A payload we cannot read is acknowledged and logged, never a 500.

The two webhook POSTs are answered by `Webhooks`, plain ASGI in front of Starlette: every
message a platform sends is one such request, and Starlette's middleware, routing and request
objects cost about a tenth of a WhatsApp message's CPU. Everything else goes to Starlette.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

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


Answer = tuple[int, str]
OK: Answer = (200, "ok")


class Webhooks:
    """ASGI: POSTs to the webhook paths answered here, everything else by `fallback`."""

    def __init__(
        self, posts: Mapping[str, Callable[[Headers, bytes, str], Awaitable[Answer]]], fallback: ASGIApp
    ):
        self.posts = dict(posts)
        self.fallback = fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self.posts.get(scope["path"]) if scope["type"] == "http" else None
        if handler is None or scope["method"] != "POST":
            await self.fallback(scope, receive, send)
            return
        body = await _body(receive)
        if body is None:
            return  # the platform hung up before it finished sending: nothing to answer
        client = scope.get("client")
        status, text = await handler(Headers(raw=scope["headers"]), body, client[0] if client else "unknown")
        content = text.encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(content)).encode("ascii")),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})


async def _body(receive: Receive) -> bytes | None:
    """The whole request body; None if the client disconnected first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def create_web_app(
    *,
    db: Database,
    processor: InboundProcessor,
    whatsapp: WhatsAppHook | None = None,
    telegram: TelegramHook | None = None,
    channel_state: Callable[[], Awaitable[dict[str, Any]]] | None = None,
    extra_routes: Sequence[BaseRoute] = (),
) -> ASGIApp:
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

    async def whatsapp_post(headers: Headers, body: bytes, client: str) -> Answer:
        assert whatsapp is not None
        if not signature_is_valid(body, headers.get(WHATSAPP_SIGNATURE_HEADER), whatsapp.app_secret):
            log.warning("whatsapp.signature_refused", extra={"client": client})
            return 401, "invalid signature"
        try:
            data = json.loads(body)
        except ValueError:
            log.warning("whatsapp.webhook_not_json", extra={"bytes": len(body)})
            return OK
        # Storage errors propagate: Meta then retries the delivery, so nothing is lost.
        batch = parse_webhook(data)
        senders = [(WHATSAPP, message.wa_id) for message in batch.messages]
        rows = await processor.write(lambda tx: store_delivery(tx, batch), senders=senders)
        processor.submit(rows)
        return OK

    async def telegram_post(headers: Headers, body: bytes, client: str) -> Answer:
        assert telegram is not None
        if not _same(headers.get(TELEGRAM_SECRET_HEADER), telegram.secret):
            log.warning("telegram.secret_refused", extra={"client": client})
            return 403, "forbidden"
        try:
            data = json.loads(body)
        except ValueError:
            log.warning("telegram.webhook_not_json")
            return OK
        sender = update_sender(data)
        senders = [(TELEGRAM, sender[1])] if sender is not None else []
        processor.submit(await processor.write(lambda tx: store_updates(tx, [data]), senders=senders))
        return OK

    posts: dict[str, Callable[[Headers, bytes, str], Awaitable[Answer]]] = {}
    routes: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    if whatsapp is not None:
        routes.append(Route("/webhooks/whatsapp", whatsapp_verify, methods=["GET"]))
        posts["/webhooks/whatsapp"] = whatsapp_post
    if telegram is not None:
        posts["/webhooks/telegram"] = telegram_post
    routes.extend(extra_routes)
    return Webhooks(posts, Starlette(routes=routes))
