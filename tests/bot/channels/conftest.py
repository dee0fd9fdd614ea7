"""Run the real app (build_app + Service) against the fake platforms over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import build_app
from bot.outbox.dispatcher import SweepResult
from bot.runner import Service
from bot.settings import load_settings
from storage.database import Database
from storage.models import InboundMessage, OutboundMessage
from tests.conftest import TEST_SECRET_KEY
from tests.fakes import FakeTelegram, FakeWhatsApp, sign

APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
TELEGRAM_SECRET = "test-webhook-secret_0123"

StartService = Callable[..., Awaitable[Service]]


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    """A fresh fake per test: a long poll left over from the previous test's bot would confirm
    (drop) the restarted update ids after `reset()`. Starting one takes about 15 ms."""
    with FakeTelegram() as server:
        yield server


def whatsapp_settings(wa: FakeWhatsApp) -> dict[str, Any]:
    return {
        "whatsapp_access_token": wa.access_token,
        "whatsapp_phone_number_id": wa.phone_number_id,
        "whatsapp_app_secret": APP_SECRET,
        "whatsapp_verify_token": VERIFY_TOKEN,
        "whatsapp_api_base_url": wa.api_base_url,
        "whatsapp_api_version": wa.api_version,
    }


def telegram_settings(tg: FakeTelegram) -> dict[str, Any]:
    return {"telegram_bot_token": tg.token, "telegram_api_base_url": tg.api_base_url}


@pytest.fixture
async def start_service(database_url: str, tmp_path: Path) -> AsyncIterator[StartService]:
    """`await start_service(**settings)`: the app built and serving; stopped after the test."""
    running: list[Service] = []

    async def start(*, webhook: bool = False, **overrides: Any) -> Service:
        sock = socket.create_server(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        if webhook:
            overrides |= {
                "telegram_webhook_url": f"http://127.0.0.1:{port}/webhooks/telegram",
                "telegram_webhook_secret": TELEGRAM_SECRET,
            }
        settings = load_settings(
            database_url=database_url,
            data_dir=tmp_path / "data",
            secret_key=TEST_SECRET_KEY,
            http_host="127.0.0.1",
            http_port=port,
            _env_file=None,
            **overrides,
        )
        app = await build_app(settings)
        service = Service(app, poll_timeout=1, sock=sock)
        running.append(service)
        await service.start()
        return service

    yield start
    for service in running:
        await service.stop()
        await service.app.close()


async def post_whatsapp(
    service: Service,
    payload: dict[str, Any],
    *,
    secret: str | None = APP_SECRET,
    signature: str | None = None,
) -> httpx.Response:
    """POST a webhook delivery the way Meta does: the raw body signed with the app secret."""
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    elif secret is not None:
        headers["X-Hub-Signature-256"] = sign(body, secret)
    async with httpx.AsyncClient(trust_env=False) as client:
        return await client.post(f"{service.url}/webhooks/whatsapp", content=body, headers=headers)


async def inbound_rows(db: Database, channel: str) -> list[InboundMessage]:
    async with db.transaction() as tx:
        return list(await tx.inbound.all(channel))


async def outbound_row(db: Database, channel: str, provider_id: str) -> OutboundMessage | None:
    async with db.transaction() as tx:
        return await tx.outbound.find(channel, provider_id)


async def settle(service: Service) -> None:
    assert service.processor is not None
    await asyncio.wait_for(service.processor.drain(), 10)


async def sweep(service: Service, channel: str) -> SweepResult:
    """One outbox sweep of `channel` now, as the scheduler runs them (whose sweeps go on as well)."""
    assert service.outbox is not None
    [dispatcher] = [d for d in service.outbox.dispatchers if d.channel == channel]
    return await dispatcher.sweep()
