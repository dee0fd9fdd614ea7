"""Outbox rows carry files by name: the builder a capability declares makes the file when the row
is sent, for its recipient and in their language. A kind refuses a builder it does not declare; a
row whose builder is unknown, or whose subject is gone, fails instead of going without its file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.outbox.dispatcher import ChannelDispatcher, DispatchConfig
from bot.outbox.ratelimit import ChannelLimits
from handlers.agency import AgencyProfile
from handlers.attachments import (
    Attachment,
    AttachmentBuilder,
    AttachmentRequest,
    AttachmentSources,
    AttachmentUnavailable,
    Deferred,
)
from handlers.capability import OutboxKind
from handlers.outbox import Recipient, queue_messages
from handlers.payload import attachment_from_payload, reply_to_payload
from handlers.types import Reply
from messages import RenderedReply, Renderer
from storage.database import Database
from storage.models import OutboxMessage
from storage.models.outbox import FAILED, SENT
from tests.bot.outbox.seed import seed_owners, user_id_of

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 11:00 WITA
KIND = OutboxKind(
    "test.card", quiet_hours=False, whatsapp_template=None, messages=("help/general",), attachment="test.card"
)


async def build_card(sources: AttachmentSources, request: AttachmentRequest) -> Attachment:
    if request.args.get("gone"):
        raise AttachmentUnavailable("erased")
    text = sources.renderer.render("language/changed", request.locale)
    return Attachment(
        f"card-{request.user_id}.txt", f"{request.args['n']}:{request.locale}:{text}".encode(), "text/plain"
    )


CARD = AttachmentBuilder("test.card", "image", build_card)


@dataclass
class Recorder:
    channel: str = "telegram"
    sent: list[RenderedReply] = field(default_factory=list)

    async def send(self, external_id: str, reply: RenderedReply) -> str:
        self.sent.append(reply)
        return f"{external_id}:{len(self.sent)}"

    async def send_template(self, external_id: str, kind: str, locale: str, text: str) -> str:
        raise AssertionError("inside the window")


async def _queue(db: Database, deferred: Deferred) -> None:
    [chat] = await seed_owners(db, 1)
    to = Recipient("telegram", chat, await user_id_of(db, "telegram", chat))
    async with db.transaction() as tx:
        await queue_messages(
            tx, KIND, [(to, Reply("help/general"), f"card:{deferred.args}")], due_at=NOW, attachment=deferred
        )


async def _sweep(db: Database, agency: AgencyProfile, builders: dict[str, AttachmentBuilder]) -> Recorder:
    sender = Recorder()
    renderer = Renderer(agency.time_zone, agency.template_values())
    dispatcher = ChannelDispatcher(
        db, sender, renderer, agency, limits=ChannelLimits(100.0, 0.0), config=DispatchConfig(), clock=lambda: NOW,
        attachments=builders,
    )  # fmt: skip
    await dispatcher.sweep()
    return sender


async def _row(db: Database) -> OutboxMessage:
    async with db.transaction() as tx:
        return (await tx.session.execute(select(OutboxMessage))).scalar_one()


def test_the_payload_names_the_builder_and_its_args_never_bytes() -> None:
    payload = reply_to_payload(Reply("help/general"), Deferred("test.card", {"n": 3, "on": NOW.date()}))
    assert payload["attachment"] == {"builder": "test.card", "args": {"n": 3, "on": {"$date": "2026-03-02"}}}
    assert attachment_from_payload(payload) == Deferred("test.card", {"n": 3, "on": NOW.date()})
    with pytest.raises(TypeError, match="Deferred"):
        reply_to_payload(Reply("help/general", document=Attachment("a.pdf", b"%PDF", "application/pdf")))


async def test_a_kind_refuses_an_attachment_it_does_not_declare(db: Database) -> None:
    plain = OutboxKind("test.plain", quiet_hours=False, whatsapp_template=None, messages=("help/general",))
    async with db.transaction() as tx:
        with pytest.raises(ValueError, match="does not carry the attachment"):
            await queue_messages(
                tx, plain, [(Recipient("telegram", "1", None), Reply("help/general"), "k")], due_at=NOW,
                attachment=Deferred("test.card", {}),
            )  # fmt: skip


async def test_the_file_is_built_at_send_time_for_the_recipient(db: Database, agency: AgencyProfile) -> None:
    await _queue(db, Deferred("test.card", {"n": 7}))
    sender = await _sweep(db, agency, {"test.card": CARD})
    [reply] = sender.sent
    assert reply.image is not None and reply.document is None
    assert reply.image.content.startswith(b"7:id:") and reply.image.filename.startswith("card-")
    assert (await _row(db)).status == SENT


@pytest.mark.parametrize(
    ("args", "builders", "reason"),
    [
        ({"n": 1, "gone": True}, {"test.card": CARD}, "unavailable: erased"),
        ({"n": 1}, {}, "no attachment builder 'test.card'"),
    ],
)
async def test_a_row_whose_file_cannot_be_built_fails_unsent(
    db: Database,
    agency: AgencyProfile,
    args: dict[str, object],
    builders: dict[str, AttachmentBuilder],
    reason: str,
) -> None:
    await _queue(db, Deferred("test.card", args))
    sender = await _sweep(db, agency, builders)
    assert sender.sent == []
    row = await _row(db)
    assert row.status == FAILED and reason in (row.last_error or "")
