"""Which addresses stay on this machine, and what the guard does with the others."""

from __future__ import annotations

import socket

import pytest

from tests.network.guard import NetworkGuard, connect_refusal, is_loopback, needs_dns

FAR = ("203.0.113.1", 80)  # TEST-NET-3 (RFC 5737): for documentation, never routed


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "::ffff:127.0.0.1", "localhost", "LOCALHOST.", b"::1"]
)
def test_loopback_stays_on_this_machine(host: object) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize(
    "host",
    [
        "203.0.113.1",
        "10.0.0.1",
        "0.0.0.0",
        "::",
        "2001:db8::1",
        "::ffff:203.0.113.1",
        "example.org",
        "",
        None,
    ],
)
def test_any_other_address_or_name_does_not(host: object) -> None:
    assert not is_loopback(host)


def test_unix_sockets_and_loopback_may_be_connected_to_nothing_else() -> None:
    assert connect_refusal(socket.AF_UNIX, "/tmp/.s.PGSQL.5432") is None
    assert connect_refusal(socket.AF_INET, ("127.0.0.1", 55432)) is None
    assert connect_refusal(socket.AF_INET6, ("::1", 80, 0, 0)) is None
    assert connect_refusal(socket.AF_INET, FAR) == "203.0.113.1:80"
    assert connect_refusal(socket.AF_INET6, ("2001:db8::1", 443, 0, 0)) == "[2001:db8::1]:443"


def test_only_names_other_than_localhost_are_looked_up() -> None:
    assert needs_dns("api.telegram.org") and needs_dns("graph.facebook.com")
    assert not needs_dns("localhost") and not needs_dns("203.0.113.1") and not needs_dns(None)


def test_a_refusal_raises_and_is_recorded_and_loopback_passes() -> None:
    guard = NetworkGuard()  # not installed: its checks are called directly
    with pytest.raises(ConnectionRefusedError, match=r"203\.0\.113\.1:80"):
        guard.check_connect(socket.AF_INET, FAR, "socket.connect")
    with pytest.raises(socket.gaierror, match=r"example\.org"):
        guard.check_lookup("example.org", 443, "socket.getaddrinfo")
    guard.check_connect(socket.AF_INET, ("127.0.0.1", 80), "socket.connect")
    guard.check_host("localhost", 5432, "uvloop create_connection")
    assert guard.refused == [
        "203.0.113.1:80 (socket.connect)",
        "DNS lookup of example.org:443 (socket.getaddrinfo)",
    ]
