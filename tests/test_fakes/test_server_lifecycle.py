"""Both fakes: loopback only, reachable from another process, quick to start, stop and restart."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import textwrap
import time
from urllib.parse import urlsplit

import httpx
import pytest

from tests.fakes import FakeTelegram, FakeWhatsApp


@pytest.mark.parametrize("fake_type", [FakeTelegram, FakeWhatsApp])
def test_binds_loopback_only_and_stops_quickly(fake_type: type[FakeTelegram] | type[FakeWhatsApp]) -> None:
    started = time.monotonic()
    fake = fake_type().start()
    assert time.monotonic() - started < 1.0
    url = urlsplit(fake.api_base_url)
    assert url.hostname == "127.0.0.1" and url.port

    with socket.create_connection(("127.0.0.1", url.port), timeout=1):
        pass  # accepting as soon as start() returned

    started = time.monotonic()
    fake.stop()
    fake.stop()  # idempotent
    assert time.monotonic() - started < 1.0
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", url.port), timeout=1):
        pass


def test_restart_serves_again_with_the_same_state() -> None:
    fake = FakeTelegram()
    with fake:
        fake.push_update(fake.text_update(1, "sebelum"))
    with fake:
        answer = httpx.post(f"{fake.api_base_url}{fake.token}/getUpdates", timeout=5)
        assert answer.json()["result"][0]["message"]["text"] == "sebelum"  # state survives a restart


async def test_usable_from_inside_a_running_event_loop() -> None:
    with FakeWhatsApp() as wa:
        headers = {"Authorization": f"Bearer {wa.access_token}"}
        body = {"messaging_product": "whatsapp", "to": "628111", "type": "text", "text": {"body": "hai"}}
        async with httpx.AsyncClient(trust_env=False) as client:
            answers = await asyncio.gather(
                *(client.post(wa.messages_url, json=body, headers=headers) for _ in range(20))
            )
        assert {a.status_code for a in answers} == {200}
        assert len({a.json()["messages"][0]["id"] for a in answers}) == 20
        assert len(await wa.wait_for_messages_async(20)) == 20


def test_a_bot_in_another_process_reaches_the_fake() -> None:
    script = textwrap.dedent(
        """
        import json, sys, urllib.request
        data = json.dumps({"chat_id": 4242, "text": "dari proses lain"}).encode()
        request = urllib.request.Request(sys.argv[1] + "/sendMessage", data=data,
                                         headers={"Content-Type": "application/json"})
        print(json.load(urllib.request.urlopen(request, timeout=5))["result"]["message_id"])
        """
    )
    with FakeTelegram() as tg:
        done = subprocess.run(
            [sys.executable, "-c", script, f"{tg.api_base_url}{tg.token}"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
            env={**os.environ, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"},
        )
        assert done.stdout.strip() == "1"
        assert tg.wait_for_messages(1, chat_id=4242)[0]["text"] == "dari proses lain"
