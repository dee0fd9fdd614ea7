"""A user's place in a conversation, and the answer they just gave."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from handlers.payload import decode_values, encode_values
from handlers.types import Choice


@dataclass(frozen=True, slots=True)
class Answer:
    """What the user said, with any offered choice it selects resolved to its id."""

    text: str
    choice_id: str | None = None
    shared_phone: str | None = None


@dataclass(slots=True)
class Conversation:
    """The mutable conversation state a flow works on; the router loads and saves it.

    `data` belongs to the active flow and is cleared when the flow changes;
    `drafts` keeps unfinished forms across flows; `offered` is what the last
    reply offered, so a typed number or label can select it on any channel
    (its labels' values may hold dates: they are stored tagged, as in the outbox);
    `after` is the main-menu entry to come back to when the active flow completes
    (the voucher request that sent the owner to update their data first).
    """

    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    drafts: dict[str, Any] = field(default_factory=dict)
    offered: list[dict[str, Any]] = field(default_factory=list)
    after: str | None = None

    @classmethod
    def from_stored(cls, flow: str | None, step: str | None, stored: dict[str, Any]) -> Conversation:
        return cls(
            flow=flow,
            step=step,
            data=dict(stored.get("data", {})),
            drafts=dict(stored.get("drafts", {})),
            offered=list(stored.get("offered", [])),
            after=stored.get("after"),
        )

    def to_stored(self) -> dict[str, Any]:
        stored: dict[str, Any] = {"data": self.data, "drafts": self.drafts, "offered": self.offered}
        if self.after is not None:
            stored["after"] = self.after
        return stored

    def enter(self, flow: str, step: str | None = None, data: dict[str, Any] | None = None) -> None:
        self.flow, self.step, self.data = flow, step, dict(data or {})

    def finish(self) -> None:
        self.flow, self.step, self.data = None, None, {}

    def remember_offered(self, choices: list[Choice]) -> None:
        self.offered = [
            {"id": c.id, "template": c.template, "values": encode_values(c.values), "label": c.label}
            | ({"words": c.words} if c.words else {})
            for c in choices
        ]

    def offered_choices(self) -> list[Choice]:
        return [
            Choice(
                id=o["id"],
                template=o.get("template"),
                values=decode_values(o.get("values") or {}),
                label=o.get("label"),
                words=o.get("words"),
            )
            for o in self.offered
        ]
