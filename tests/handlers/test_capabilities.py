"""The capability list is the wiring: every outbox kind in use is declared by it, and
declared fully (its messages in both locales, its WhatsApp template in the profile)."""

from __future__ import annotations

import ast
import importlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import CAPABILITIES, declared_kinds, flows, menu
from handlers.agency import AgencyProfile
from handlers.broadcasts import ANNOUNCEMENT
from handlers.capability import OutboxKind, outbox_kinds, quiet_kinds
from handlers.outbox import REPLY, queue_audience
from handlers.types import Reply
from messages import LOCALES, Renderer
from storage.database import Database
from storage.repositories.audience import AudienceFilter, audience

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "storage", "messages")


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found.append((name, ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _kinds_constructed() -> list[tuple[str, str]]:
    """(module, name) of every module-level `NAME = OutboxKind(...)` in the product code; any
    other construction of an OutboxKind is reported as ("module", "<not a declaration>")."""
    constructed = []
    for module, tree in _modules():
        declared = set()
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                func = node.value.func
                if isinstance(func, ast.Name) and func.id == "OutboxKind":
                    declared.add(id(node.value))
                    constructed.extend((module, t.id) for t in node.targets if isinstance(t, ast.Name))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "OutboxKind"
                and id(node) not in declared
                and module != "handlers.capability"
            ):
                constructed.append((module, "<not a declaration>"))
    return constructed


def test_every_outbox_kind_in_the_code_is_declared_by_the_app() -> None:
    kinds = declared_kinds()
    constructed = _kinds_constructed()
    assert constructed, "no OutboxKind declarations found"
    for module, name in constructed:
        assert name != "<not a declaration>", f"{module} builds an OutboxKind outside a declaration"
        kind = getattr(importlib.import_module(module), name)
        assert kinds.get(kind.name) is kind, f"{module}.{name} ({kind.name}) is not in the app's capabilities"


def test_every_declared_kind_has_its_messages_in_both_locales_and_its_whatsapp_template(
    agency: AgencyProfile,
) -> None:
    renderer = Renderer(agency.time_zone, agency.template_values())
    names = {locale: set(renderer.template_names(locale)) for locale in LOCALES}
    for kind in declared_kinds().values():
        for message in kind.messages or ():
            for locale in LOCALES:
                if message.endswith("/"):
                    assert any(n.startswith(message) for n in names[locale]), (
                        f"{kind.name}: no {locale}/{message}*"
                    )
                else:
                    assert message in names[locale], f"{kind.name}: no template {locale}/{message}"
        if kind.whatsapp_template is not None:
            assert kind.whatsapp_template in agency.whatsapp_templates, (
                f"{kind.name}: the agency profile names no WhatsApp template {kind.whatsapp_template!r}"
            )


def test_announcements_and_reminders_wait_out_quiet_hours_and_replies_do_not() -> None:
    quiet = quiet_kinds(declared_kinds())
    assert {"announcement", "update_round.invitation", "update_round.reminder"} <= quiet
    assert REPLY.name not in quiet


def test_two_different_declarations_of_one_kind_are_refused() -> None:
    twin = OutboxKind(ANNOUNCEMENT.name, quiet_hours=False, whatsapp_template=None, messages=None)
    with pytest.raises(ValueError, match="declared twice"):
        outbox_kinds(CAPABILITIES, (twin,))


def test_only_the_app_factory_names_the_capabilities() -> None:
    packages = {f"handlers.{c.name}" for c in CAPABILITIES}
    for module, tree in _modules():
        if not module.startswith("bot.") or module == "bot.app":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                named = {node.module} | {f"{node.module}.{a.name}" for a in node.names}
                assert not named & packages, f"{module} imports a capability: wire it in bot/app.py"


def test_menu_and_flows_come_from_the_capabilities_in_list_order() -> None:
    entries = [e.id for e in menu()]
    registration = ["confirm", "register", "claim", "my_data", "edit", "erase"]
    assert entries[:7] == [*registration, "update_data"]
    assert entries[-3:] == ["link", "language", "help"]
    assert len({f.name for f in flows()}) == len(flows())


async def test_a_kind_refuses_a_message_it_does_not_carry(db: Database) -> None:
    async with db.transaction() as tx:
        with pytest.raises(ValueError, match="does not carry"):
            await queue_audience(
                tx,
                ANNOUNCEMENT,
                Reply("update_round/reminder", {"deadline": datetime.now(UTC).date()}),
                audience(AudienceFilter()),
                key_prefix="test:",
                due_at=datetime.now(UTC),
                now=datetime.now(UTC),
            )
