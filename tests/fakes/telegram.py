"""A fake Telegram Bot API: a real HTTP server on 127.0.0.1 that records calls and injects faults.

Give python-telegram-bot ``base_url=tg.api_base_url`` and ``base_file_url=tg.file_base_url``;
PTB appends the token, so requests arrive as ``POST /bot<token>/<method>``.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable
from typing import Self
from urllib.parse import urlsplit

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes import telegram_objects as tgo
from tests.fakes._forms import BodyError, UploadedFile, decode_body
from tests.fakes._recording import Call, FaultQueue, Recorder
from tests.fakes._server import BackgroundServer, LoopSignals
from tests.fakes.telegram_objects import ApiError, Params
from tests.fakes.telegram_state import BotApiState

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class FakeTelegram:
    """Bot API methods the bot uses, long polling, webhook delivery, recording and faults.

    ``with FakeTelegram() as tg:`` starts it on a free port of 127.0.0.1 and stops it after.
    """

    def __init__(
        self, token: str = "123:TEST", *, bot_username: str = "umkm_test_bot", latency: float = 0.0
    ) -> None:
        self.token = token
        # Seconds every API call waits before it is handled, as a request crossing the internet
        # does (benchmarks model the real distance to Telegram with it; tests leave it at 0).
        self.latency = latency
        self.bot_id = int(token.split(":", 1)[0])
        self._rec = Recorder()
        self._lock = self._rec.cond
        self._state = BotApiState(
            tgo.user(self.bot_id, "UMKM Test Bot", is_bot=True, username=bot_username), self._lock
        )
        self._faults: FaultQueue[ApiError] = FaultQueue()
        self._hangs: FaultQueue[float] = FaultQueue()
        self._signals = LoopSignals()
        app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/file/bot{token}/{file_path:path}", self._download, methods=["GET"]),
            ]
        )
        self._server = BackgroundServer(app, name="fake-telegram", on_stopping=self._signals.stop)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Self:
        self._signals.stopping = False
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return self._server.url

    @property
    def api_base_url(self) -> str:
        """PTB's ``base_url``: ``http://127.0.0.1:PORT/bot`` (PTB appends the token)."""
        return f"{self._server.url}/bot"

    @property
    def file_base_url(self) -> str:
        """PTB's ``base_file_url``: ``http://127.0.0.1:PORT/file/bot``."""
        return f"{self._server.url}/file/bot"

    @property
    def bot_user(self) -> Params:
        return dict(self._state.bot_user)

    # -- test controls: updates --------------------------------------------------------------

    def push_update(self, update: Params) -> int:
        """Queue an update for getUpdates; assigns ``update_id`` if absent and returns it."""
        update = dict(update)
        with self._lock:
            update_id = self._state.claim_update_id(update)
            self._state.updates.append(update)
        self._server.call_soon(lambda: self._signals.wake("updates"))
        return update_id

    def text_update(
        self, user_id: int, text: str, *, first_name: str = "Budi", chat_id: int | None = None
    ) -> Params:
        """A private (or, with a negative ``chat_id``, group) text message; ``/cmd`` gets its entity."""
        return self._state.text_update(user_id, text, first_name, user_id if chat_id is None else chat_id)

    def callback_update(
        self, user_id: int, data: str, *, message_id: int, chat_id: int | None = None
    ) -> Params:
        """A press on an inline button of bot message ``message_id`` (known to the fake or not)."""
        return self._state.callback_update(user_id, data, message_id, user_id if chat_id is None else chat_id)

    def contact_update(self, user_id: int, phone: str, *, contact_user_id: int | None = None) -> Params:
        """The user shares a contact; by default their own (``contact.user_id == user_id``)."""
        owner = user_id if contact_user_id is None else contact_user_id
        return self._state.contact_update(user_id, phone, owner)

    def add_file(
        self, data: bytes, filename: str = "file.bin", content_type: str = "application/octet-stream"
    ) -> str:
        """Store a file (e.g. one a user sent) and return its file_id for getFile / download."""
        return str(self._state.store_file(UploadedFile(filename, content_type, data), filename)["file_id"])

    def deliver_webhook(self, update: Params, *, secret: str | None = None, url: str | None = None) -> int:
        """POST ``update`` to the webhook set by setWebhook (or ``url``); returns the HTTP status.

        ``secret=None`` sends the registered secret token, ``secret=""`` sends no header.
        Only loopback URLs are accepted. From an async test whose receiver runs in the same
        loop, use :meth:`deliver_webhook_async`.
        """
        target, headers, body, update_id = self._prepare_delivery(update, secret, url)
        with httpx.Client(timeout=10.0, trust_env=False) as client:
            status = client.post(target, content=body, headers=headers).status_code
        return self._delivered(update_id, status)

    async def deliver_webhook_async(
        self, update: Params, *, secret: str | None = None, url: str | None = None
    ) -> int:
        target, headers, body, update_id = self._prepare_delivery(update, secret, url)
        async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:
            status = (await client.post(target, content=body, headers=headers)).status_code
        return self._delivered(update_id, status)

    # -- test controls: faults ---------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 3,
        count: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` (``"*"``: any) with Telegram's error.

        429 carries ``parameters.retry_after``; 403 is "Forbidden: bot was blocked by the user";
        400 "Bad Request: chat not found"; 5xx the gateway/server error text.
        """
        self._faults.add(_matcher(method), tgo.injected_error(status, retry_after, description), count)

    def hang_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Delay the answer to the next ``count`` calls of ``method`` by ``seconds``."""
        self._hangs.add(_matcher(method), seconds, count)

    # -- test controls: recording ------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """``Call(method, params, time)`` for every request with the right token, failed ones too."""
        return self._rec.calls

    def calls_to(self, method: str) -> list[Params]:
        return [call.params for call in self._rec.calls if call.method == method]

    def sent_messages(self, chat_id: int | str | None = None) -> list[Params]:
        """Params of sendMessage/sendPhoto/sendDocument calls that were answered ``ok``."""
        return [call.params for call in self._rec.sent if _to_chat(call, chat_id)]

    def bot_messages(self, chat_id: int | str) -> list[Params]:
        """The bot's messages in a chat as the user now sees them (after edits), oldest first."""
        return self._state.bot_messages(chat_id)

    @property
    def webhook(self) -> Params | None:
        """What setWebhook registered (url, secret_token, allowed_updates, ...), or None."""
        with self._lock:
            return dict(self._state.webhook) or None

    @property
    def webhook_deliveries(self) -> list[tuple[int, int]]:
        """``(update_id, http_status)`` per webhook delivery."""
        with self._lock:
            return list(self._state.deliveries)

    @property
    def pending_updates(self) -> list[Params]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        with self._lock:
            return copy.deepcopy(self._state.updates)

    def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 5.0) -> list[Call]:
        """Block until ``predicate(calls)`` holds and return the calls; TimeoutError otherwise."""
        return self._rec.wait_calls(predicate, timeout)

    def wait_for_messages(
        self, n: int, chat_id: int | str | None = None, timeout: float = 5.0
    ) -> list[Params]:
        """Block until at least ``n`` sends (to ``chat_id``) were answered ok; return them all."""
        return self._rec.wait_sent(n, lambda call: _to_chat(call, chat_id), timeout)

    async def wait_for_async(
        self,
        predicate: Callable[[list[Call]], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors wait_for
    ) -> list[Call]:
        """:meth:`wait_for` that lets a bot in the same event loop keep running."""
        return await self._rec.wait_calls_async(predicate, timeout)

    async def wait_for_messages_async(
        self,
        n: int,
        chat_id: int | str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors wait_for_messages
    ) -> list[Params]:
        """:meth:`wait_for_messages` that lets a bot in the same event loop keep running."""
        return await self._rec.wait_sent_async(n, lambda call: _to_chat(call, chat_id), timeout)

    def reset(self) -> None:
        """Forget calls, updates, messages, webhook, commands, files and pending faults."""
        self._faults.clear()
        self._hangs.clear()
        with self._lock:
            self._rec.clear()
            self._state.clear()

    # -- HTTP ----------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _answer_error(ApiError(401, "Unauthorized"))
        if self.latency:
            await asyncio.sleep(self.latency)
        raw_method = request.path_params["method"]
        method = tgo.CANONICAL_METHODS.get(raw_method.lower())
        try:
            decoded = decode_body(request.headers.get("content-type"), await request.body())
            params = tgo.coerce_params(decoded, dict(request.query_params))
        except BodyError as exc:
            return _answer_error(ApiError(400, f"Bad Request: {exc}"))
        except ApiError as exc:
            return _answer_error(exc)
        call = self._rec.record(method or raw_method, params)
        if method is None:
            return _answer_error(ApiError(404, "Not Found: method not found"))
        delay = self._hangs.take(method, params)
        if delay:
            await self._signals.wait("hang", delay)
        try:
            fault = self._faults.take(method, params)
            if fault is not None:
                raise fault
            if method == "getUpdates":
                result = await self._get_updates(params)
            else:
                result = self._state.handlers[method](params)
        except ApiError as exc:
            return _answer_error(exc)
        if method in tgo.SEND_METHODS:
            self._rec.record_sent(call)
        return JSONResponse({"ok": True, "result": result})

    async def _get_updates(self, params: Params) -> list[Params]:
        """Long polling: answer at once if updates are queued, else wait up to ``timeout``."""
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(float(params.get("timeout") or 0), 0.0)
        while True:
            batch = self._state.take_updates(offset, limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._signals.stopping:
                return batch
            await self._signals.wait("updates", remaining)

    async def _download(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _answer_error(ApiError(401, "Unauthorized"))
        with self._lock:
            found = self._state.file_data.get(request.path_params["file_path"])
        if found is None:
            return _answer_error(ApiError(404, "Not Found"))
        return Response(found.data, media_type=found.content_type)

    def _prepare_delivery(
        self, update: Params, secret: str | None, url: str | None
    ) -> tuple[str, dict[str, str], bytes, int]:
        update = dict(update)
        with self._lock:
            target = url or self._state.webhook.get("url")
            token = self._state.webhook.get("secret_token") if secret is None else secret
            update_id = self._state.claim_update_id(update)
        if not target:
            raise RuntimeError("no webhook is set: call setWebhook first or pass url=")
        if urlsplit(target).hostname not in _LOOPBACK_HOSTS:
            raise ValueError(f"refusing to deliver a webhook outside 127.0.0.1: {target}")
        headers = {"Content-Type": "application/json"}
        if token:
            headers[SECRET_HEADER] = token
        return target, headers, json.dumps(update).encode(), update_id

    def _delivered(self, update_id: int, status: int) -> int:
        with self._lock:
            self._state.deliveries.append((update_id, status))
        return status


def _matcher(method: str) -> Callable[[str, Params], bool]:
    wanted = method.lower()
    return lambda name, _params: wanted in ("*", name.lower())


def _to_chat(call: Call, chat_id: int | str | None) -> bool:
    return chat_id is None or call.params.get("chat_id") == chat_id


def _answer_error(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.code)


__all__ = ["SECRET_HEADER", "Call", "FakeTelegram"]
