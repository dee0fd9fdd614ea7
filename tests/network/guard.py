"""The network guard: loopback and Unix sockets only; anything else is refused and recorded.

It sits where every client the bot uses ends up:

- `socket.socket.connect` and `connect_ex`: asyncio's own loop connects through them (aiohttp,
  httpx over anyio, asyncpg), and so do `socket.create_connection` (httpx's sync client) and
  anything else that opens a socket;
- `socket.getaddrinfo`, `gethostbyname(_ex)` and `gethostbyaddr`: looking up a name other than
  localhost would send a DNS query before any connect;
- uvloop's `create_connection`, `create_datagram_endpoint` and `getaddrinfo`: libuv connects and
  resolves without Python's socket module (`umkm-bot` runs on uvloop, see bot/loop.py).

A refused attempt raises (`NetworkRefused` or `LookupRefused`, both `OSError`s, so the code under
test takes its usual error path) and is recorded, because that code may catch the error, retry
or queue the message for later: the record is what fails the test (plugin.py).
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
from collections.abc import Callable
from typing import Any

Patch = Callable[[object, str, object], None]


class NetworkRefused(ConnectionRefusedError):
    """A test tried to connect beyond this machine."""


class LookupRefused(socket.gaierror):
    """A test tried to look a name up (a DNS query) that is not localhost."""


def _host_text(host: object) -> str | None:
    if isinstance(host, bytes | bytearray):
        return bytes(host).decode("ascii", "replace")
    return host if isinstance(host, str) else None


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """`host` as an IP address ("[::1]" and "fe80::1%eth0" included), or None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def is_loopback(host: object) -> bool:
    """Whether `host` (an IP address or a name) means this machine's loopback interface."""
    text = _host_text(host)
    if text is None:
        return False
    if text.rstrip(".").lower() == "localhost":
        return True
    ip = _ip(text)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip is not None and ip.is_loopback


def needs_dns(host: object) -> bool:
    """Whether resolving `host` would ask a name server: an address or localhost does not."""
    text = _host_text(host)
    if not text:  # None or "": a local wildcard for binding
        return False
    return not is_loopback(text) and _ip(text) is None


def where(host: object, port: object = None) -> str:
    """`host:port` as people write it (`[::1]:80`), or the host alone without a port."""
    text = _host_text(host) or repr(host)
    if port is None or port == "":
        return text
    return f"[{text}]:{port}" if ":" in text else f"{text}:{port}"


def connect_refusal(family: int, address: object) -> str | None:
    """Where a connect to `address` would go when that is off this machine; None when it stays here."""
    if family == getattr(socket, "AF_UNIX", None):
        return None
    if family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        return None if is_loopback(host) else where(host, port)
    return f"{address!r} (address family {family})"


class NetworkGuard:
    """Refuses and records; `report` also hears each refusal (a child process writes it to a file)."""

    def __init__(self, report: Callable[[str], None] | None = None) -> None:
        self._report = report
        self._lock = threading.Lock()
        self.refused: list[str] = []

    def _refuse(self, target: str, how: str) -> str:
        attempt = f"{target} ({how})"
        with self._lock:
            self.refused.append(attempt)
        if self._report is not None:
            self._report(attempt)
        return f"refused {attempt}: tests may only connect to loopback (127.0.0.0/8, ::1) or Unix sockets"

    def check_connect(self, family: int, address: object, how: str) -> None:
        target = connect_refusal(family, address)
        if target is not None:
            raise NetworkRefused(errno.ECONNREFUSED, self._refuse(target, how))

    def check_host(self, host: object, port: object, how: str) -> None:
        """A connect by name or address (uvloop): the name must be localhost, the address loopback."""
        if not is_loopback(host):
            raise NetworkRefused(errno.ECONNREFUSED, self._refuse(where(host, port), how))

    def check_lookup(self, host: object, port: object, how: str) -> None:
        if needs_dns(host):
            raise LookupRefused(socket.EAI_NONAME, self._refuse(f"DNS lookup of {where(host, port)}", how))


def install(guard: NetworkGuard, patch: Patch) -> None:
    """Put `guard` in front of every way out. `patch` is a MonkeyPatch's `setattr` (undone after
    the run) or the builtin `setattr` (a child process, which ends with it)."""
    _guard_sockets(guard, patch)
    _guard_lookups(guard, patch)
    _guard_uvloop(guard, patch)


def _guard_sockets(guard: NetworkGuard, patch: Patch) -> None:
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guarded_connect(sock: socket.socket, address: Any) -> None:
        guard.check_connect(sock.family, address, "socket.connect")
        connect(sock, address)

    def guarded_connect_ex(sock: socket.socket, address: Any) -> int:
        guard.check_connect(sock.family, address, "socket.connect_ex")
        return connect_ex(sock, address)

    patch(socket.socket, "connect", guarded_connect)
    patch(socket.socket, "connect_ex", guarded_connect_ex)


def _guard_lookups(guard: NetworkGuard, patch: Patch) -> None:
    getaddrinfo, gethostbyname = socket.getaddrinfo, socket.gethostbyname
    gethostbyname_ex, gethostbyaddr = socket.gethostbyname_ex, socket.gethostbyaddr

    def guarded_getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        guard.check_lookup(host, port, "socket.getaddrinfo")
        return getaddrinfo(host, port, *args, **kwargs)

    def guarded_gethostbyname(host: str) -> str:
        guard.check_lookup(host, None, "socket.gethostbyname")
        return gethostbyname(host)

    def guarded_gethostbyname_ex(host: str) -> Any:
        guard.check_lookup(host, None, "socket.gethostbyname_ex")
        return gethostbyname_ex(host)

    def guarded_gethostbyaddr(host: str) -> Any:
        # Even for an address: its name is a reverse (PTR) query to a name server.
        guard.check_host(host, None, "socket.gethostbyaddr")
        return gethostbyaddr(host)

    patch(socket, "getaddrinfo", guarded_getaddrinfo)
    patch(socket, "gethostbyname", guarded_gethostbyname)
    patch(socket, "gethostbyname_ex", guarded_gethostbyname_ex)
    patch(socket, "gethostbyaddr", guarded_gethostbyaddr)


def _guard_uvloop(guard: NetworkGuard, patch: Patch) -> None:
    try:
        import uvloop  # noqa: PLC0415 - optional, as in bot/loop.py
    except ImportError:
        return
    loop_class = uvloop.Loop
    create_connection = loop_class.create_connection
    create_datagram_endpoint = loop_class.create_datagram_endpoint
    getaddrinfo = loop_class.getaddrinfo

    async def guarded_create_connection(
        loop: Any, protocol_factory: Any, host: Any = None, port: Any = None, **kwargs: Any
    ) -> Any:
        if host is not None:  # else `sock=` was connected by its owner, through socket.connect
            guard.check_host(host, port, "uvloop create_connection")
        return await create_connection(loop, protocol_factory, host, port, **kwargs)

    async def guarded_create_datagram_endpoint(
        loop: Any, protocol_factory: Any, local_addr: Any = None, remote_addr: Any = None, **kwargs: Any
    ) -> Any:
        if remote_addr is not None:
            guard.check_host(remote_addr[0], remote_addr[1], "uvloop create_datagram_endpoint")
        return await create_datagram_endpoint(loop, protocol_factory, local_addr, remote_addr, **kwargs)

    async def guarded_getaddrinfo(loop: Any, host: Any, port: Any, **kwargs: Any) -> Any:
        guard.check_lookup(host, port, "uvloop getaddrinfo")
        return await getaddrinfo(loop, host, port, **kwargs)

    patch(loop_class, "create_connection", guarded_create_connection)
    patch(loop_class, "create_datagram_endpoint", guarded_create_datagram_endpoint)
    patch(loop_class, "getaddrinfo", guarded_getaddrinfo)
