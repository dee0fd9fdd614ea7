"""The console channel: talk to the bot in a terminal, or script it through stdin.

Choices are printed numbered; typing a number or the option's text selects it
(the router resolves both, the same as on WhatsApp's numbered menus).
"""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import TextIO

from handlers.router import Router
from handlers.types import Incoming
from messages import RenderedReply, Renderer, to_plain

CHANNEL = "console"
PROMPT = "> "


def render_console(reply: RenderedReply) -> str:
    lines = [to_plain(reply.text)]
    if reply.choices:
        lines.append("")
        lines.extend(
            f"  {number}. {to_plain(choice.label)}" for number, choice in enumerate(reply.choices, 1)
        )
    for attachment in (reply.image, reply.document):
        if attachment is not None:
            lines.append(f"  [{attachment.filename}, {len(attachment.content)} bytes]")
    return "\n".join(lines)


class ConsoleChannel:
    def __init__(self, router: Router, renderer: Renderer, user: str) -> None:
        self.router = router
        self.renderer = renderer
        self.user = user

    async def send(self, text: str) -> list[str]:
        """Handle one line as a message from the console user; return the rendered replies."""
        response = await self.router.handle(Incoming(channel=CHANNEL, external_user_id=self.user, text=text))
        return [render_console(self.renderer.render_reply(r, response.locale)) for r in response.replies]

    async def run(self, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
        """Read messages until end of input. Interactive on a terminal, one message per line otherwise."""
        source, sink = stdin or sys.stdin, stdout or sys.stdout
        interactive = source.isatty()
        while True:
            if interactive:
                sink.write(PROMPT)
                sink.flush()
            line = await _read_line(source)
            if not line:
                return
            text = line.rstrip("\r\n")
            if not text.strip():
                continue
            for block in await self.send(text):
                sink.write(block + "\n\n")
            sink.flush()


async def _read_line(source: TextIO) -> str:
    """The next line of `source`, read on a daemon thread of its own: a `run` stopped meanwhile
    (a signal, beside the dashboard) leaves it blocked there, and the process still exits,
    where the event loop's executor would wait at exit for someone to press Enter."""
    loop = asyncio.get_running_loop()
    line: asyncio.Future[str] = loop.create_future()

    def read() -> None:
        try:
            text = source.readline()
        except Exception as exc:  # handed to the reader, not lost on the thread
            loop.call_soon_threadsafe(_settle, line, None, exc)
            return
        loop.call_soon_threadsafe(_settle, line, text, None)

    threading.Thread(target=read, name="console-stdin", daemon=True).start()
    return await line


def _settle(future: asyncio.Future[str], text: str | None, error: Exception | None) -> None:
    if future.done():  # the reader was cancelled meanwhile
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(text or "")
