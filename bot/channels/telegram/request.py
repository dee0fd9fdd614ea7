"""python-telegram-bot's HTTP calls over aiohttp (a `telegram.request.BaseRequest`).

Why not PTB's own HTTPXRequest: against one trivial loopback server, one process made about
920 `send_message` calls a second through it, about 1,180 plain requests a second with httpx
itself and about 8,500 with aiohttp (bench/outbox.py and bench/channels.py measure the
whole bot). The Bot API call
is the one thing a broadcast does per recipient, so the client's own cost is the ceiling of
the outbox's rate. PTB documents `BaseRequest` as the place to plug another client in, and
everything above it (`Bot`, its errors, its objects) stays PTB's own.

Timeouts map onto aiohttp's: `connect_timeout` is the socket connect, `pool_timeout` the wait
for a free connection (plus the connect), `read_timeout` the wait for each read of the answer,
and `write_timeout` bounds an upload with files (aiohttp has no separate write timeout: the
whole request gets `write_timeout + read_timeout`). aiohttp's exceptions become PTB's
(`TimedOut`, `NetworkError`), so the rest of the bot sees what it would see from httpx.
"""

from __future__ import annotations

from urllib.parse import urlencode

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_CONNECT = 5.0
DEFAULT_READ = 5.0
DEFAULT_WRITE = 5.0
DEFAULT_POOL = 1.0
#: An upload with files may take longer to write than an ordinary call.
MEDIA_WRITE = 20.0


def _or_default(value: object, default: float | None) -> float | None:
    """PTB passes DEFAULT_NONE for "use your own default"; None means "no limit"."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    if value is None or isinstance(value, int | float):
        return value
    raise TypeError(f"a timeout is a number of seconds or None, not {value!r}")


class FormFields(RequestData):  # type: ignore[misc]  # PTB marks it final; see below
    """Form fields already in the Bot API's own encoding (no files), for `BaseRequest.post`.

    `RequestData` holds PTB's per-parameter objects (a private class), built by `Bot`'s methods;
    a caller that builds the few fields of a call itself (the text send of every reply and
    broadcast) passes them as they go on the wire. PTB marks `RequestData` final, so a new PTB
    may add to it: what this relies on is what a `BaseRequest` reads (`json_parameters`,
    `multipart_data`, `contains_files`), and tests/bot/channels/telegram/test_request.py sends
    text, keyboards and error answers through it against the fake Bot API.
    """

    __slots__ = ("_fields",)

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__()
        self._fields = fields

    @property
    def parameters(self) -> dict[str, str | int | list[object] | dict[object, object]]:
        return dict(self._fields)

    @property
    def json_parameters(self) -> dict[str, str]:
        return self._fields


class AiohttpRequest(BaseRequest):
    """One aiohttp session (and its connection pool) for a `telegram.Bot`'s calls."""

    __slots__ = ("_connect", "_pool", "_pool_size", "_read", "_session", "_write")

    def __init__(
        self,
        *,
        connection_pool_size: int = 1,
        connect_timeout: float | None = DEFAULT_CONNECT,
        read_timeout: float | None = DEFAULT_READ,
        write_timeout: float | None = DEFAULT_WRITE,
        pool_timeout: float | None = DEFAULT_POOL,
    ) -> None:
        self._pool_size = connection_pool_size
        self._connect = connect_timeout
        self._read = read_timeout
        self._write = write_timeout
        self._pool = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, force_close=False)
            # trust_env off: the Bot API server is the one configured, never a proxy from the environment.
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=None), trust_env=False
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(  # noqa: PLR0917 - BaseRequest's own signature
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,  # seconds, None, or DEFAULT_NONE
        write_timeout: object = BaseRequest.DEFAULT_NONE,  # seconds, None, or DEFAULT_NONE
        connect_timeout: object = BaseRequest.DEFAULT_NONE,  # seconds, None, or DEFAULT_NONE
        pool_timeout: object = BaseRequest.DEFAULT_NONE,  # seconds, None, or DEFAULT_NONE
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized: call initialize() first")
        files = request_data.multipart_data if request_data is not None else None
        fields = request_data.json_parameters if request_data is not None else {}
        read = _or_default(read_timeout, self._read)
        connect = _or_default(connect_timeout, self._connect)
        pool = _or_default(pool_timeout, self._pool)
        write = _or_default(write_timeout, MEDIA_WRITE if files else self._write)
        body: aiohttp.FormData | bytes
        headers = {"User-Agent": self.USER_AGENT}
        if files:
            # quote_fields off: a file name stays as written ("data usaha.xlsx", not "data%20usaha.xlsx").
            body = aiohttp.FormData(fields, quote_fields=False)
            for name, (filename, content, mime_type) in files.items():
                body.add_field(name, content, filename=filename, content_type=mime_type)
        else:
            # Encoded here: aiohttp's FormData builds a multipart writer even for a plain form.
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        timeout = aiohttp.ClientTimeout(
            total=write + read if files and write is not None and read is not None else None,
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with session.request(method, url, data=body, timeout=timeout, headers=headers) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as exc:
            raise TimedOut(f"Could not connect to the Bot API in time ({exc})") from exc
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
