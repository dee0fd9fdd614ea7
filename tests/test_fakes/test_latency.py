"""The fakes can model the distance to the real platforms (used by the benchmarks)."""

from __future__ import annotations

import time

import httpx

from tests.fakes import FakeTelegram, FakeWhatsApp


def test_telegram_calls_take_at_least_the_latency() -> None:
    # Half a second: a loaded machine took 0.16 s for the first call without latency, and the
    # second half of this test is that the default adds none.
    with FakeTelegram(latency=0.5) as tg:
        started = time.perf_counter()
        response = httpx.post(f"{tg.api_base_url}{tg.token}/getMe", trust_env=False)
        assert response.json()["ok"] is True
        assert time.perf_counter() - started >= 0.5
    with FakeTelegram() as tg:
        started = time.perf_counter()
        httpx.post(f"{tg.api_base_url}{tg.token}/getMe", trust_env=False)
        assert time.perf_counter() - started < 0.5


def test_whatsapp_sends_take_at_least_the_latency() -> None:
    with FakeWhatsApp(latency=0.05) as wa:
        started = time.perf_counter()
        response = httpx.post(
            f"{wa.api_base_url}/{wa.api_version}/{wa.phone_number_id}/messages",
            headers={"Authorization": f"Bearer {wa.access_token}"},
            json={
                "messaging_product": "whatsapp",
                "to": "6281234567890",
                "type": "text",
                "text": {"body": "x"},
            },
            trust_env=False,
        )
        assert response.status_code == 200
        assert time.perf_counter() - started >= 0.05
