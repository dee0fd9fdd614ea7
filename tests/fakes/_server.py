"""Run an ASGI app with uvicorn on 127.0.0.1 in a background thread with its own event loop.

The thread owns the loop, so the server keeps answering whichever loop (or none) the test
runs in: sync tests, async tests, and bots in another process can all talk to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable

import uvicorn
from starlette.types import ASGIApp

LOOPBACK = "127.0.0.1"
#: How long stop() lets in-flight answers finish before cancelling them.
_DRAIN_SECONDS = 1.0


class BackgroundServer:
    """One uvicorn server on an ephemeral loopback port, started and stopped from any thread."""

    def __init__(self, app: ASGIApp, *, name: str, on_stopping: Callable[[], None] | None = None) -> None:
        self._app = app
        self._name = name
        self._on_stopping = on_stopping
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None
        self._stop_event: asyncio.Event | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` once started."""
        if not self.port:
            raise RuntimeError(f"{self._name} is not running")
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 5.0) -> None:
        """Bind 127.0.0.1:0, start serving, and return once the server accepts connections."""
        if self.running:
            raise RuntimeError(f"{self._name} is already running")
        # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose
        # proto says TCP; without it every keep-alive answer waits ~40 ms on Nagle + delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((LOOPBACK, 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._app,
            host=LOOPBACK,
            port=self.port,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            http="h11",
            ws="none",
        )
        self._server = uvicorn.Server(config)
        self._error = None
        self._thread = threading.Thread(target=self._run, args=(sock,), name=self._name, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"{self._name} failed to start") from self._error
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"{self._name} did not start within {timeout} s")
            time.sleep(0.002)

    def stop(self, timeout: float = 5.0) -> None:
        """Wake pending long requests, shut the server down and join its thread (~10 ms)."""
        thread, stop_event = self._thread, self._stop_event
        if thread is None:
            return
        if self._on_stopping is not None:
            self.call_soon(self._on_stopping)
        if stop_event is not None:
            self.call_soon(stop_event.set)
        thread.join(timeout)
        if thread.is_alive():
            raise RuntimeError(f"{self._name} did not stop within {timeout} s")
        self._server = None
        self._thread = None
        self._loop = None
        self._stop_event = None

    def call_soon(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` in the server's loop (thread-safe); a no-op when not running."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed between check and call
                loop.call_soon_threadsafe(callback)

    def _run(self, sock: socket.socket) -> None:
        try:
            asyncio.run(self._serve(sock))
        except BaseException as exc:  # reported by start()
            self._error = exc
            sock.close()

    async def _serve(self, sock: socket.socket) -> None:
        """uvicorn's startup, then our own quick shutdown instead of its 0.1 s polling loop."""
        server = self._server
        assert server is not None
        self._stop_event = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        server.config.load()
        server.lifespan = server.config.lifespan_class(server.config)
        await server.startup(sockets=[sock])
        await self._stop_event.wait()
        # Stop accepting first and let in-flight accepts finish: closing the listener while an
        # accept is pending leaks that socket on Python 3.11 (asyncio's Server._attach assert).
        for listener in server.servers:
            for listening in listener.sockets:
                self._loop.remove_reader(listening.fileno())
        await asyncio.sleep(0.01)
        for listener in server.servers:
            listener.close()
        state = server.server_state
        for connection in list(state.connections):
            connection.shutdown()  # idle keep-alive connections close now, busy ones after answering
        deadline = self._loop.time() + _DRAIN_SECONDS
        while state.connections and self._loop.time() < deadline:  # noqa: ASYNC110 - uvicorn has no event
            await asyncio.sleep(0.005)
        for connection in list(state.connections):
            connection.transport.close()
        for task in list(state.tasks):
            task.cancel()
        await asyncio.sleep(0)  # run the close callbacks before the loop ends


class LoopSignals:
    """Named wake-ups for requests waiting inside the server loop (long polls, injected hangs).

    Only touch it from the server loop; other threads go through ``BackgroundServer.call_soon``.
    """

    def __init__(self) -> None:
        self.stopping = False
        self._waiters: dict[str, set[asyncio.Future[None]]] = {}

    async def wait(self, name: str, seconds: float) -> None:
        """Sleep up to ``seconds``, or until ``wake(name)`` or shutdown."""
        if self.stopping or seconds <= 0:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters = self._waiters.setdefault(name, set())
        waiters.add(future)
        try:
            await asyncio.wait({future}, timeout=seconds)
        finally:
            waiters.discard(future)

    def wake(self, name: str) -> None:
        for future in self._waiters.get(name, set()):
            if not future.done():
                future.set_result(None)

    def stop(self) -> None:
        self.stopping = True
        for name in list(self._waiters):
            self.wake(name)
