"""What a capability (a program the agency runs) adds to the bot, declared in one place.

Each capability is one package under handlers/ whose `__init__` defines a `CAPABILITY`;
the app factory (bot/app.py) lists them, and that list is the only wiring there is:

    CAPABILITY = Capability(
        name="update_round",
        flows=lambda: (update_flow(),),  # its conversations (a function: built per Router)
        menu=(UPDATE_ENTRY,),            # main-menu entries, in menu order
        planners=(UpdateRoundPlanner,),  # scheduled: due reminders -> outbox rows
        commands=(COMMAND,),             # `umkm-bot update-round …`
        outbox_kinds=(INVITATION, REMINDER),
        erase=erase_answers,             # what Hapus data removes of it
        erases_from=("update_answers",),  # the tables it erases from (scrubbed afterwards)
        pages=PAGES,                     # dashboard pages (handlers/pages.py)
        panels=PANELS,                   # sections of the shared Ringkasan and Unduh pages
    )

A capability may also declare `shortcuts` (buttons and typed words that work at any point,
handlers/flow.py) and `attachments` (documents or images built when an outbox row is sent,
handlers/attachments.py).

docs/adding-a-capability.md walks through it.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from handlers.agency import AgencyProfile
from handlers.attachments import AttachmentBuilder
from handlers.context import Eraser, Greeter, HandlerConfig
from handlers.flow import Flow, MenuEntry, Shortcut
from handlers.pages import Page, Panel
from storage.database import Database

if TYPE_CHECKING:
    from handlers.officer import OfficerContext


@dataclass(frozen=True, slots=True)
class OutboxKind:
    """A kind of message the bot sends on its own (a row of the outbox), declared once.

    `name` is stored in each row. `quiet_hours`: rows wait out the agency's quiet hours
    (21:00-07:00); replies never do. `whatsapp_template`: the key in the agency profile's
    `[whatsapp_templates]` whose approved template carries the message to a WhatsApp user
    outside the 24-hour window (None: such a row fails there). `messages`: the message
    templates rows of this kind carry; a name ending in "/" stands for every template under
    it. A kind that carries any reply (a direct reply queued at shutdown) has `messages=None`.
    `attachment`: the name of the `AttachmentBuilder` whose document or image rows of this kind
    may carry, built when the row is sent (handlers/attachments.py); None: text and choices only.
    `template_only`: every row goes as the approved template, never as free-form text first
    (its recipients have never written to the bot, so WhatsApp would refuse free-form text with
    131047); a channel without templates (Telegram) fails such a row.
    """

    name: str
    quiet_hours: bool
    whatsapp_template: str | None
    messages: tuple[str, ...] | None
    attachment: str | None = None
    template_only: bool = False

    def carries(self, template: str) -> bool:
        if self.messages is None:
            return True
        return any(template == m or (m.endswith("/") and template.startswith(m)) for m in self.messages)


class Planner(Protocol):
    """Turns due reminders into outbox rows; planning twice queues nothing new (dedupe keys)."""

    name: str

    async def plan(self, now: datetime) -> int: ...


#: Builds a capability's planner for the running app (`HandlerConfig`: the settings it may read).
PlannerFactory = Callable[[Database, AgencyProfile, HandlerConfig], Planner]


@dataclass(frozen=True, slots=True)
class OfficerCommand:
    """`umkm-bot NAME …`: `add_arguments` declares its flags, `run` parses and prints; a domain
    function of the capability acts and writes the audit entry."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, OfficerContext], Awaitable[None]]
    description: str | None = None


__all__ = [
    "AttachmentBuilder",
    "Capability",
    "Eraser",
    "Greeter",
    "OfficerCommand",
    "OutboxKind",
    "Page",
    "Panel",
    "Planner",
    "PlannerFactory",
    "Shortcut",
    "attachment_builders",
    "outbox_kinds",
]


def _no_flows() -> Sequence[Flow]:
    return ()


@dataclass(frozen=True, slots=True)
class Capability:
    """Everything one program adds; see the module docstring."""

    name: str
    flows: Callable[[], Sequence[Flow]] = _no_flows
    menu: Sequence[MenuEntry] = ()
    planners: Sequence[PlannerFactory] = ()
    commands: Sequence[OfficerCommand] = ()
    outbox_kinds: Sequence[OutboxKind] = ()
    erase: Eraser | None = None
    pages: Sequence[Page] = ()
    panels: Sequence[Panel] = ()
    shortcuts: Sequence[Shortcut] = ()
    attachments: Sequence[AttachmentBuilder] = ()
    # The tables `erase` (or, for registration, Hapus data itself) changes: after an erasure they
    # are scrubbed, so the erased values leave the database files too (storage/scrub.py).
    erases_from: Sequence[str] = ()
    # Said to someone who writes with no conversation going on and picks no menu entry, before
    # the main menu (registration greets an imported owner writing from the recorded number).
    greet: Greeter | None = None


def outbox_kinds(
    capabilities: Sequence[Capability], core: Sequence[OutboxKind] = ()
) -> dict[str, OutboxKind]:
    """Every declared kind by name; two different declarations of one name are a wiring error."""
    kinds: dict[str, OutboxKind] = {}
    for kind in [*core, *(k for c in capabilities for k in c.outbox_kinds)]:
        known = kinds.setdefault(kind.name, kind)
        if known != kind:
            raise ValueError(f"outbox kind {kind.name!r} is declared twice, differently")
    return kinds


def attachment_builders(capabilities: Sequence[Capability]) -> dict[str, AttachmentBuilder]:
    """Every declared attachment builder by name; a name declared twice is a wiring error."""
    builders: dict[str, AttachmentBuilder] = {}
    for builder in (b for c in capabilities for b in c.attachments):
        if builders.setdefault(builder.name, builder) is not builder:
            raise ValueError(f"attachment builder {builder.name!r} is declared twice")
    return builders


def quiet_kinds(kinds: Mapping[str, OutboxKind]) -> frozenset[str]:
    """The kinds whose rows wait out the agency's quiet hours."""
    return frozenset(name for name, kind in kinds.items() if kind.quiet_hours)


def template_only_kinds(kinds: Mapping[str, OutboxKind]) -> frozenset[str]:
    """The kinds whose rows always go as the approved template."""
    return frozenset(name for name, kind in kinds.items() if kind.template_only)


def whatsapp_templates(kinds: Mapping[str, OutboxKind], approved: Mapping[str, str]) -> dict[str, str]:
    """Kind -> the agency's approved WhatsApp template (`approved`: the profile's
    `[whatsapp_templates]`) that carries it outside the 24-hour window; kinds without one
    are left out."""
    return {
        kind.name: approved[kind.whatsapp_template]
        for kind in kinds.values()
        if kind.whatsapp_template and kind.whatsapp_template in approved
    }
