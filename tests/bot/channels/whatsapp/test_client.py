"""The Graph client against the fake Graph API: what it sends, and network trouble as channel errors."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from bot.channels.base import PermanentFailure, RateLimited, TemporaryFailure
from bot.channels.whatsapp.client import Button, GraphClient
from tests.fakes import FakeWhatsApp

SITI = "6281234567890"


def _client(wa: FakeWhatsApp, *, base_url: str | None = None, read: float = 10.0) -> GraphClient:
    return GraphClient(
        base_url=base_url or wa.api_base_url,
        api_version=wa.api_version,
        phone_number_id=wa.phone_number_id,
        access_token=wa.access_token,
        timeout=httpx.Timeout(read, connect=2.0),
    )


@pytest.fixture
def wa() -> Iterator[FakeWhatsApp]:
    with FakeWhatsApp() as fake:
        yield fake


async def test_a_send_posts_json_and_returns_the_wamid(wa: FakeWhatsApp) -> None:
    client = _client(wa)
    try:
        wamid = await client.send_buttons(
            SITI, "Pilih ✓ satu", [Button("ya", "Ya"), Button("tidak", "Tidak")]
        )
        again = await client.send_text(SITI, "Terima kasih")
    finally:
        await client.aclose()
    first, second = wa.sent_messages(SITI)
    assert first["interactive"]["body"]["text"] == "Pilih ✓ satu"
    assert [b["reply"]["id"] for b in first["interactive"]["action"]["buttons"]] == ["ya", "tidak"]
    assert second["text"]["body"] == "Terima kasih"
    assert wa.message_ids(SITI) == [wamid, again] and wamid != again


async def test_graph_errors_become_channel_errors(wa: FakeWhatsApp) -> None:
    client = _client(wa)
    wa.fail_next(code=130429)
    wa.fail_next(code=100, to=SITI)
    try:
        with pytest.raises(RateLimited):
            await client.send_text(SITI, "satu")
        with pytest.raises(PermanentFailure):
            await client.send_text(SITI, "dua")
        assert await client.send_text(SITI, "tiga")  # the connection is still usable
    finally:
        await client.aclose()


async def test_a_send_that_hangs_past_the_read_timeout_is_a_temporary_failure(wa: FakeWhatsApp) -> None:
    client = _client(wa, read=0.3)
    wa.hang_next(3.0)
    try:
        with pytest.raises(TemporaryFailure, match="timed out"):
            await client.send_text(SITI, "halo")
        assert await client.send_text(SITI, "halo lagi")
    finally:
        await client.aclose()


async def test_an_unreachable_graph_is_a_temporary_failure(wa: FakeWhatsApp) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = _client(wa, base_url=f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(TemporaryFailure):
            await client.send_text(SITI, "halo")
    finally:
        await client.aclose()
