"""Drive a real Router (real database, real templates) with flows declared by a test."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from handlers.agency import AgencyProfile
from handlers.context import HandlerConfig
from handlers.flow import Flow, MenuEntry, Shortcut
from handlers.router import Response, Router
from handlers.types import Incoming, utcnow
from messages import Renderer, to_plain
from storage.database import Database


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


class Harness:
    """`await h.say("halo")` -> the rendered texts; `h.choices` -> labels offered last."""

    def __init__(
        self,
        db: Database,
        agency: AgencyProfile,
        flows: Sequence[Flow],
        menu: Sequence[MenuEntry],
        *,
        clock: Callable[[], datetime] | None = None,
        user: str = "u1",
        shortcuts: Sequence[Shortcut] = (),
    ) -> None:
        self.renderer = Renderer(agency.time_zone, agency.template_values())
        self.router = Router(
            db,
            agency,
            flows=flows,
            menu=menu,
            label_of=lambda c, locale: self.renderer.render_choice(c, locale).label,
            config=HandlerConfig(),
            clock=clock or utcnow,
            shortcuts=shortcuts,
        )
        self.user = user
        self.last: Response | None = None

    async def send(self, incoming: Incoming) -> list[str]:
        self.last = await self.router.handle(incoming)
        return [to_plain(self.renderer.render_reply(r, self.last.locale).text) for r in self.last.replies]

    async def say(self, text: str = "", *, choice: str | None = None) -> str:
        replies = await self.send(Incoming("console", self.user, text=text, choice_id=choice))
        return "\n---\n".join(replies)

    @property
    def templates(self) -> list[str]:
        assert self.last is not None
        return [r.template for r in self.last.replies]

    @property
    def choices(self) -> list[str]:
        assert self.last is not None
        offered = next((r.choices for r in reversed(self.last.replies) if r.choices), ())
        return [self.renderer.render_choice(c, self.last.locale).label for c in offered]

    @property
    def choice_ids(self) -> list[str]:
        assert self.last is not None
        offered = next((r.choices for r in reversed(self.last.replies) if r.choices), ())
        return [c.id for c in offered]
