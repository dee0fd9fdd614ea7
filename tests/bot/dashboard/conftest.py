"""The dashboard in process: the app's routes behind an httpx client, and signed-in officers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from bot.app import App
from handlers.dashboard.accounts import add_account
from storage.database import Database

PASSWORD = "kata-sandi-rahasia"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Clock:
    """The dashboard's clock, moved by the test (idle expiry, lockout)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def make_account(db: Database, username: str, role: str, courier: str | None = None) -> None:
    """An account; a courier's partner is added first if new (an account names an existing one)."""
    async with db.transaction() as tx:
        if courier is not None and await tx.couriers.by_name(courier) is None:
            await tx.couriers.add(courier, datetime.now(UTC))
        await add_account(
            tx,
            username,
            role=role,
            password=PASSWORD,
            courier_name=courier,
            officer="test",
            now=datetime.now(UTC),
        )


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


class Browser:
    """An httpx client that keeps cookies, like a browser, and knows the page's CSRF token."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        form = await self.client.get("/dashboard/login")
        return await self.client.post(
            "/dashboard/login", data={"csrf": csrf_of(form.text), "username": username, "password": password}
        )

    async def get(self, path: str) -> httpx.Response:
        return await self.client.get(path)

    async def post(
        self, path: str, data: dict[str, str], *, token_from: str = "/dashboard"
    ) -> httpx.Response:
        page = await self.client.get(token_from)
        return await self.client.post(path, data={"csrf": csrf_of(page.text), **data})


@pytest.fixture
async def browser(app: App, clock: Clock) -> AsyncIterator[Callable[[], Awaitable[Browser]]]:
    web = Starlette(routes=app.dashboard(clock).routes())
    clients: list[httpx.AsyncClient] = []

    async def open_browser() -> Browser:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://127.0.0.1")
        clients.append(client)
        return Browser(client)

    yield open_browser
    for client in clients:
        await client.aclose()
