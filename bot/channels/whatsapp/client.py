"""One typed client for the WhatsApp Cloud API (Graph). Raw JSON never leaves this module.

Graph answers errors as `{"error": {"code", "message", "error_data": {"details"}}}`, and gives
the throttling codes as HTTP 400, so errors are told apart by `error.code`, not the status:

    130429, 131056, 4, 80007   RateLimited
    131047                     OutsideWindow (more than 24 h since the user wrote)
    131026                     Undeliverable
    190, HTTP 401              AuthenticationFailed
    131000, HTTP 5xx, network  TemporaryFailure
    anything else              PermanentFailure
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from httpx_aiohttp import AiohttpTransport

from bot.channels.base import (
    AuthenticationFailed,
    ChannelError,
    OutsideWindow,
    PermanentFailure,
    RateLimited,
    TemporaryFailure,
    Undeliverable,
)

RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131056})
RATE_LIMIT_RETRY_AFTER = 6.0  # Graph gives no Retry-After; one message per 6 s per user is the pair limit
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


@dataclass(frozen=True, slots=True)
class Button:
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class ListRow:
    id: str
    title: str
    description: str | None = None


def error_from_response(status: int, body: Any) -> ChannelError:
    """Translate a Graph error answer into the channel error tree."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    details = (
        error.get("error_data", {}).get("details") if isinstance(error.get("error_data"), dict) else None
    )
    message = f"Graph API {status}: {error.get('message') or 'no error message'}"
    if details:
        message += f" ({details})"
    if code in RATE_LIMIT_CODES or status == 429:
        return RateLimited(message, retry_after=RATE_LIMIT_RETRY_AFTER, code=code)
    if code == 131047:
        return OutsideWindow(message, code=code)
    if code == 131026:
        return Undeliverable(message, code=code)
    if code == 190 or status == 401:
        return AuthenticationFailed(message, code=code)
    if code == 131000 or status >= 500:
        return TemporaryFailure(message, code=code)
    return PermanentFailure(message, code=code)


def graph_transport(*, max_connections: int = 100) -> httpx.AsyncBaseTransport:
    """httpx's transport interface over aiohttp's connection pool (httpx-aiohttp): httpx's own
    (httpcore over anyio) cost 485 us of CPU a request on loopback where this costs 158 us, and
    a WhatsApp reply is one request."""
    return AiohttpTransport(limits=httpx.Limits(max_connections=max_connections), trust_env=False)


class GraphClient:
    """Sends messages from one business phone number. Every send returns the new message's wamid.

    A message is one JSON POST, built as an `httpx.Request` and handed to the transport: the
    client's layers (URL merging, cookies, auth, redirects, event hooks), none of which Graph
    needs, took 136 of the 446 us of CPU a send cost. Uploads (multipart) go through the client.
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_version: str,
        phone_number_id: str,
        access_token: str,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = TIMEOUT,
    ) -> None:
        self._root = f"{base_url.rstrip('/')}/{api_version}"
        self._phone_number_id = phone_number_id
        self._messages_url = httpx.URL(f"{self._root}/{phone_number_id}/messages")
        self._transport = transport or graph_transport()
        self._http = httpx.AsyncClient(timeout=timeout, transport=self._transport)
        self._timeout = timeout.as_dict()  # how a request carries its timeouts to the transport
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._json_headers = {**self._headers, "Content-Type": "application/json"}

    async def aclose(self) -> None:
        await self._http.aclose()  # closes the transport too

    # -- messages --------------------------------------------------------------------------

    async def send_text(self, to: str, body: str) -> str:
        return await self._send(to, {"type": "text", "text": {"body": body, "preview_url": False}})

    async def send_buttons(self, to: str, body: str, buttons: Sequence[Button]) -> str:
        action = {"buttons": [{"type": "reply", "reply": {"id": b.id, "title": b.title}} for b in buttons]}
        interactive = {"type": "button", "body": {"text": body}, "action": action}
        return await self._send(to, {"type": "interactive", "interactive": interactive})

    async def send_list(self, to: str, body: str, button: str, rows: Sequence[ListRow]) -> str:
        section_rows = []
        for row in rows:
            entry = {"id": row.id, "title": row.title}
            if row.description:
                entry["description"] = row.description
            section_rows.append(entry)
        interactive = {
            "type": "list",
            "body": {"text": body},
            "action": {"button": button, "sections": [{"rows": section_rows}]},
        }
        return await self._send(to, {"type": "interactive", "interactive": interactive})

    async def send_media(
        self, to: str, kind: str, media_id: str, *, caption: str = "", filename: str = ""
    ) -> str:
        """Send an uploaded image or document (`kind` is "image" or "document")."""
        media: dict[str, str] = {"id": media_id}
        if caption:
            media["caption"] = caption
        if filename and kind == "document":
            media["filename"] = filename
        return await self._send(to, {"type": kind, kind: media})

    async def send_template(self, to: str, name: str, language: str, parameters: Sequence[str]) -> str:
        template: dict[str, Any] = {"name": name, "language": {"code": language}}
        if parameters:
            template["components"] = [
                {"type": "body", "parameters": [{"type": "text", "text": p} for p in parameters]}
            ]
        return await self._send(to, {"type": "template", "template": template})

    async def upload_media(self, data: bytes, mime_type: str, filename: str) -> str:
        """Upload a file for sending; return its media id."""
        body = await self._post(
            f"{self._root}/{self._phone_number_id}/media",
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename, data, mime_type)},
        )
        media_id = body.get("id")
        if not isinstance(media_id, str):
            raise PermanentFailure("Graph API: upload answer without a media id")
        return media_id

    async def mark_read(self, wamid: str) -> None:
        await self._post_json({"messaging_product": "whatsapp", "status": "read", "message_id": wamid})

    async def ping(self) -> None:
        """Nothing to call cheaply on Graph without side effects; the client is alive if open."""
        if self._http.is_closed:
            raise TemporaryFailure("the WhatsApp HTTP client is closed")

    # -- transport -------------------------------------------------------------------------

    async def _send(self, to: str, message: dict[str, Any]) -> str:
        body = await self._post_json(
            {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **message}
        )
        messages = body.get("messages")
        if not (isinstance(messages, list) and messages and isinstance(messages[0], dict)):
            raise PermanentFailure("Graph API: send answer without a message id")
        wamid = messages[0].get("id")
        if not isinstance(wamid, str):
            raise PermanentFailure("Graph API: send answer without a message id")
        return wamid

    async def _post_json(self, message: dict[str, Any]) -> dict[str, Any]:
        """POST `message` to the phone number's /messages, straight to the transport."""
        request = httpx.Request(
            "POST",
            self._messages_url,
            headers=self._json_headers,
            content=json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
            extensions={"timeout": self._timeout},
        )
        with _translated():
            response = await self._transport.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()  # the connection goes back to the pool
        return _answer(response)

    async def _post(self, url: str, **kwargs: Any) -> dict[str, Any]:
        with _translated():
            response = await self._http.post(url, headers=self._headers, **kwargs)
        return _answer(response)


@contextmanager
def _translated() -> Iterator[None]:
    """httpx's network errors as the channel's."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise TemporaryFailure(f"Graph API timed out: {type(exc).__name__}") from exc
    except httpx.HTTPError as exc:
        raise TemporaryFailure(f"Graph API unreachable: {type(exc).__name__}") from exc


def _answer(response: httpx.Response) -> dict[str, Any]:
    """Graph's JSON answer, or the channel error it stands for."""
    try:
        body = response.json()
    except ValueError as exc:
        if response.is_success:
            raise PermanentFailure(f"Graph API {response.status_code}: not JSON") from exc
        raise error_from_response(response.status_code, None) from exc
    if not response.is_success or (isinstance(body, dict) and "error" in body):
        raise error_from_response(response.status_code, body)
    if not isinstance(body, dict):
        raise PermanentFailure(f"Graph API {response.status_code}: unexpected answer")
    return body
