"""A fake WhatsApp Cloud API (Graph): a real HTTP server on 127.0.0.1 that records and fails.

Our client posts to ``{api_base_url}/{api_version}/{phone_number_id}/messages`` with
``Authorization: Bearer <token>``. Webhook payload builders and :func:`sign` are re-exported
from :mod:`tests.fakes.whatsapp_payloads`.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from collections.abc import Callable
from typing import Self

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes._forms import BodyError, UploadedFile, decode_body
from tests.fakes._recording import Call, FaultQueue, Recorder
from tests.fakes._server import BackgroundServer, LoopSignals
from tests.fakes.whatsapp_payloads import (
    PHONE_NUMBER_ID,
    SIGNATURE_HEADER,
    button_reply_payload,
    contacts_payload,
    image_payload,
    list_reply_payload,
    new_wamid,
    sign,
    status_payload,
    text_message_payload,
)
from tests.fakes.whatsapp_rules import (
    GraphError,
    Params,
    error_for,
    invalid_parameter,
    validate_read,
    validate_send,
)


class FakeWhatsApp:
    """Send, mark-read and media endpoints of one business phone number, with faults.

    Recorded call methods: ``send``, ``read``, ``upload``, ``media_info``, ``media_download``.
    """

    def __init__(
        self,
        access_token: str = "TEST-TOKEN",
        phone_number_id: str = PHONE_NUMBER_ID,
        api_version: str = "v21.0",
        *,
        latency: float = 0.0,
    ) -> None:
        self.access_token = access_token
        # Seconds every send waits before it is handled (the distance to Meta; tests leave it at 0).
        self.latency = latency
        self.phone_number_id = phone_number_id
        self.api_version = api_version
        self._rec = Recorder()
        self._lock = self._rec.cond
        self._faults: FaultQueue[GraphError] = FaultQueue()
        self._hangs: FaultQueue[float] = FaultQueue()
        self._signals = LoopSignals()
        self._media: dict[str, UploadedFile] = {}
        self._wamids: list[tuple[str, str]] = []
        self._media_ids = itertools.count(1037543291543001)
        app = Starlette(
            routes=[
                Route("/{version}/{phone_number_id}/messages", self._messages, methods=["POST"]),
                Route("/{version}/{phone_number_id}/media", self._upload, methods=["POST"]),
                Route("/media-download/{media_id}", self._download, methods=["GET"]),
                Route("/{version}/{media_id}", self._media_info, methods=["GET"]),
            ]
        )
        self._server = BackgroundServer(app, name="fake-whatsapp", on_stopping=self._signals.stop)

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
    def api_base_url(self) -> str:
        """``http://127.0.0.1:PORT``: our ``WHATSAPP_API_BASE_URL``."""
        return self._server.url

    @property
    def messages_url(self) -> str:
        return f"{self._server.url}/{self.api_version}/{self.phone_number_id}/messages"

    # -- test controls -----------------------------------------------------------------------

    def fail_next(
        self,
        *,
        code: int = 130429,
        count: int = 1,
        http_status: int | None = None,
        details: str | None = None,
        to: str | None = None,
    ) -> None:
        """Answer the next ``count`` valid sends (to ``to``, if given) with Graph error ``code``.

        Statuses: 190 -> 401, 131000 (alias 500) -> 500, everything else -> 400 as Graph does
        (see :mod:`tests.fakes.whatsapp_rules`); ``http_status`` overrides.
        """
        error = error_for(code, http_status=http_status, details=details)
        self._faults.add(_send_to(to), error, count)

    def hang_next(self, seconds: float, count: int = 1, *, to: str | None = None) -> None:
        """Delay the answer to the next ``count`` sends by ``seconds``."""
        self._hangs.add(_send_to(to), seconds, count)

    def add_media(self, data: bytes, mime_type: str = "image/jpeg") -> str:
        """Store media (e.g. a photo a user sent) and return its id for GET /{version}/{id}."""
        media_id = str(next(self._media_ids))
        with self._lock:
            self._media[media_id] = UploadedFile(None, mime_type, data)
        return media_id

    @property
    def calls(self) -> list[Call]:
        """``Call(method, params, time)`` for every authorised request, failed ones too."""
        return self._rec.calls

    def sent_messages(self, to: str | None = None) -> list[Params]:
        """Bodies of sends answered with a wamid (read receipts excluded)."""
        return [call.params for call in self._rec.sent if _is_to(call, to)]

    def message_ids(self, to: str | None = None) -> list[str]:
        """wamids handed out, in order, for status webhooks."""
        with self._lock:
            return [wamid for wamid, recipient in self._wamids if to is None or _digits(to) == recipient]

    def read_receipts(self) -> list[str]:
        """message_ids marked as read."""
        return [call.params["message_id"] for call in self._rec.calls if call.method == "read"]

    @property
    def uploaded_media(self) -> dict[str, UploadedFile]:
        with self._lock:
            return dict(self._media)

    def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 5.0) -> list[Call]:
        """Block until ``predicate(calls)`` holds and return the calls; TimeoutError otherwise."""
        return self._rec.wait_calls(predicate, timeout)

    def wait_for_messages(self, n: int, to: str | None = None, timeout: float = 5.0) -> list[Params]:
        """Block until at least ``n`` sends (to ``to``) were accepted; return them all."""
        return self._rec.wait_sent(n, lambda call: _is_to(call, to), timeout)

    async def wait_for_async(
        self,
        predicate: Callable[[list[Call]], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors wait_for
    ) -> list[Call]:
        return await self._rec.wait_calls_async(predicate, timeout)

    async def wait_for_messages_async(
        self,
        n: int,
        to: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors wait_for_messages
    ) -> list[Params]:
        """:meth:`wait_for_messages` that lets an app in the same event loop keep running."""
        return await self._rec.wait_sent_async(n, lambda call: _is_to(call, to), timeout)

    def reset(self) -> None:
        """Forget calls, sends, media and pending faults."""
        self._faults.clear()
        self._hangs.clear()
        with self._lock:
            self._rec.clear()
            self._media.clear()
            self._wamids.clear()

    # -- HTTP ----------------------------------------------------------------------------------

    async def _messages(self, request: Request) -> Response:
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            self._check_access(request)
            self._check_path(request)
            body = await _json_body(request)
            is_read = body.get("status") == "read"
            call = self._rec.record("read" if is_read else "send", body)
            if is_read:
                validate_read(body)
                return JSONResponse({"success": True})
            delay = self._hangs.take("send", body)
            if delay:
                await self._signals.wait("hang", delay)
            validate_send(body)
            fault = self._faults.take("send", body)
            if fault is not None:
                raise fault
        except GraphError as exc:
            return _answer_error(exc)
        wamid = new_wamid()
        to = str(body["to"])
        with self._lock:
            self._wamids.append((wamid, _digits(to)))
            self._rec.record_sent(call)
        contacts = [{"input": to, "wa_id": _digits(to)}]
        return JSONResponse(
            {"messaging_product": "whatsapp", "contacts": contacts, "messages": [{"id": wamid}]}
        )

    async def _upload(self, request: Request) -> Response:
        try:
            self._check_access(request)
            self._check_path(request)
            try:
                decoded = decode_body(request.headers.get("content-type"), await request.body())
            except BodyError as exc:
                raise invalid_parameter(f"Invalid parameter: {exc}") from exc
            self._rec.record("upload", {**decoded.fields, **decoded.files})
            if decoded.fields.get("messaging_product") != "whatsapp":
                raise invalid_parameter("The parameter messaging_product is required.")
            file = decoded.files.get("file")
            if file is None:
                raise invalid_parameter("The parameter file is required.")
        except GraphError as exc:
            return _answer_error(exc)
        media_type = decoded.fields.get("type") or file.content_type
        media_id = str(next(self._media_ids))
        with self._lock:
            self._media[media_id] = UploadedFile(file.filename, media_type, file.data)
        return JSONResponse({"id": media_id})

    async def _media_info(self, request: Request) -> Response:
        media_id = request.path_params["media_id"]
        try:
            self._check_access(request)
            self._rec.record("media_info", {"media_id": media_id})
            media = self._find_media(media_id)
        except GraphError as exc:
            return _answer_error(exc)
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "url": f"{self._server.url}/media-download/{media_id}",
                "mime_type": media.content_type,
                "sha256": hashlib.sha256(media.data).hexdigest(),
                "file_size": len(media.data),
                "id": media_id,
            }
        )

    async def _download(self, request: Request) -> Response:
        media_id = request.path_params["media_id"]
        try:
            self._check_access(request)
            self._rec.record("media_download", {"media_id": media_id})
            media = self._find_media(media_id)
        except GraphError as exc:
            return _answer_error(exc)
        return Response(media.data, media_type=media.content_type)

    def _check_access(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        token = (
            header[7:] if header.lower().startswith("bearer ") else request.query_params.get("access_token")
        )
        if not token:
            raise GraphError(
                190,
                "An active access token must be used to query information about the current user.",
                http_status=401,
            )
        if token != self.access_token:
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token", http_status=401)

    def _check_path(self, request: Request) -> None:
        version = request.path_params["version"]
        if version != self.api_version:
            raise GraphError(2500, f"Unknown path components: /{version}", http_status=400)
        if request.path_params["phone_number_id"] != self.phone_number_id:
            raise _unknown_object(request.path_params["phone_number_id"])

    def _find_media(self, media_id: str) -> UploadedFile:
        with self._lock:
            media = self._media.get(media_id)
        if media is None:
            raise _unknown_object(media_id)
        return media


async def _json_body(request: Request) -> Params:
    try:
        return decode_body(
            request.headers.get("content-type") or "application/json", await request.body()
        ).fields
    except BodyError as exc:
        raise invalid_parameter(f"Invalid parameter: {exc}") from exc


def _unknown_object(object_id: str) -> GraphError:
    return GraphError(
        100,
        f"Unsupported post request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation.",
        http_status=400,
        subcode=33,
    )


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def _send_to(to: str | None) -> Callable[[str, Params], bool]:
    return lambda method, body: (
        method == "send" and (to is None or _digits(str(body.get("to"))) == _digits(to))
    )


def _is_to(call: Call, to: str | None) -> bool:
    return to is None or _digits(str(call.params.get("to"))) == _digits(to)


def _answer_error(error: GraphError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.http_status)


__all__ = [
    "SIGNATURE_HEADER",
    "Call",
    "FakeWhatsApp",
    "GraphError",
    "button_reply_payload",
    "contacts_payload",
    "image_payload",
    "list_reply_payload",
    "sign",
    "status_payload",
    "text_message_payload",
]
