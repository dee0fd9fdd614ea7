"""The guard on a test run: a test that reaches beyond loopback fails, even when its code caught
the refusal, and names the address; loopback still works.

The tests that reach out run in an inner pytest session (pytester), so their failures are the
thing checked here. Under that session's guard sits a tripwire of its own: had the guard let an
attempt through, it would stop there too, and not on the network.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest
import uvloop

INNER = """
import asyncio
import socket
import subprocess
import sys

import pytest
import uvloop

FAR = ("203.0.113.1", 80)  # TEST-NET-3 (RFC 5737): for documentation, never routed


def test_caught_socket_connect():
    with pytest.raises(ConnectionRefusedError, match=r"203\\.0\\.113\\.1:80"):
        socket.create_connection(FAR, timeout=1)  # the code under test would catch this and retry


def test_caught_on_asyncio_loop():
    async def reach_out():
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection(*FAR)

    asyncio.run(reach_out())


def test_caught_on_uvloop():
    async def reach_out():
        with pytest.raises(ConnectionRefusedError):
            await asyncio.get_running_loop().create_connection(asyncio.Protocol, *FAR)

    uvloop.run(reach_out())


def test_caught_dns_lookup():
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.org", 443)


def test_in_a_child_process():
    # UDP: connect() only picks the destination; no packet would leave even without the guard.
    code = "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).connect(('203.0.113.1', 80))"
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert child.returncode != 0 and "refused 203.0.113.1:80" in child.stderr


def test_loopback_still_works():
    with socket.create_server(("127.0.0.1", 0)) as server:
        socket.create_connection(server.getsockname(), timeout=5).close()

    async def over_asyncio(port):
        _reader, writer = await asyncio.open_connection("localhost", port)
        writer.close()

    with socket.create_server(("127.0.0.1", 0)) as server:
        asyncio.run(over_asyncio(server.getsockname()[1]))
        server.accept()[0].close()
        uvloop.run(over_asyncio(server.getsockname()[1]))
"""

REFUSED = {
    "test_caught_socket_connect": "203.0.113.1:80 (socket.connect)",
    "test_caught_on_asyncio_loop": "203.0.113.1:80 (socket.connect)",
    "test_caught_on_uvloop": "203.0.113.1:80 (uvloop create_connection)",
    "test_caught_dns_lookup": "DNS lookup of example.org:443 (socket.getaddrinfo)",
    "test_in_a_child_process": "203.0.113.1:80 (socket.connect) in child process",
}


def _stays_here(host: Any) -> bool:
    """The tripwire's own test, kept apart from the guard's: these names, or an address to look up."""
    if host in (None, "", "localhost", "127.0.0.1", "::1"):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@pytest.fixture
def tripwire(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Installed before the inner session's guard, so it sees what that guard let through."""
    passed: list[str] = []
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo
    create_connection = uvloop.Loop.create_connection

    def stop(target: object) -> OSError:
        passed.append(repr(target))
        return OSError(f"tripwire: the guard let {target!r} through")

    def tripwire_connect(sock: socket.socket, address: Any) -> None:
        if sock.family != socket.AF_UNIX and address[0] not in ("127.0.0.1", "::1"):
            raise stop(address)
        connect(sock, address)

    def tripwire_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _stays_here(host):
            raise stop(host)
        return getaddrinfo(host, *args, **kwargs)

    async def tripwire_create_connection(
        loop: Any, factory: Any, host: Any = None, *args: Any, **kw: Any
    ) -> Any:
        if host not in (None, "localhost", "127.0.0.1", "::1"):
            raise stop(host)
        return await create_connection(loop, factory, host, *args, **kw)

    monkeypatch.setattr(socket.socket, "connect", tripwire_connect)
    monkeypatch.setattr(socket, "getaddrinfo", tripwire_getaddrinfo)
    monkeypatch.setattr(uvloop.Loop, "create_connection", tripwire_create_connection)
    return passed


def test_reaching_beyond_loopback_fails_the_test_and_names_the_address(
    pytester: pytest.Pytester, tripwire: list[str]
) -> None:
    pytester.makeconftest('pytest_plugins = ["tests.network.plugin"]')
    pytester.makepyfile(test_reaching_out=INNER)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:asyncio")

    reports = {
        (report.nodeid.rsplit("::", 1)[1], report.when): report
        for report in result.reprec.getreports("pytest_runtest_logreport")  # type: ignore[attr-defined]
    }
    for name, attempt in REFUSED.items():
        assert reports[name, "call"].passed, f"{name}: the connection was not refused as it was tried"
        teardown = reports[name, "teardown"]
        assert teardown.failed, f"{name}: the refused connection did not fail the test"
        assert attempt in teardown.longreprtext and "loopback" in teardown.longreprtext
    assert all(reports["test_loopback_still_works", when].passed for when in ("setup", "call", "teardown"))
    result.assert_outcomes(passed=len(REFUSED) + 1, errors=len(REFUSED))
    assert tripwire == [], "the guard let a connection through"
