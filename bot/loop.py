"""The event loop every command runs on: uvloop where installed, else asyncio's own.

uvloop runs the same asyncio code on libuv; on the outbox benchmark (bench/outbox.py) it sent
about a tenth more messages a second from the same process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

try:
    import uvloop
except ImportError:  # not built for this platform: asyncio's loop does the same work
    uvloop = None  # type: ignore[assignment]

T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    return uvloop.new_event_loop if uvloop is not None else None


def run_async(main: Awaitable[T]) -> T:
    """`asyncio.run` on the loop above."""

    async def wait() -> T:
        return await main

    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(wait())
