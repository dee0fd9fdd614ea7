"""Broadcasts (pengumuman): an officer's announcement queued for an audience of owners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from handlers.agency import AgencyProfile
from handlers.broadcasts.progress import Figures
from handlers.capability import OutboxKind
from handlers.outbox import queue_audience
from handlers.registration.admin import UnknownDistrict, district_code
from handlers.rules import UnknownSizeClass, read_size_class
from handlers.types import Reply
from messages import LOCALES, Renderer
from storage.models.outbox import Broadcast
from storage.models.registration import BusinessStatus
from storage.repositories import Transaction
from storage.repositories.audience import AudienceFilter, audience

#: The send rate is measured over this last stretch of time.
RATE_WINDOW = timedelta(seconds=30)

TEXT_TEMPLATE = "broadcast/text"
TEMPLATE_DIR = "announcements/"
# Telegram allows 4096 characters a message; leave room for the header and footer.
MAX_TEXT = 3500

#: An officer's announcement (pengumuman): a text, or a template under announcements/.
ANNOUNCEMENT = OutboxKind(
    "announcement",
    quiet_hours=True,
    whatsapp_template="announcement",
    messages=(TEXT_TEMPLATE, TEMPLATE_DIR),
)


class BroadcastError(ValueError):
    """The announcement cannot be sent as asked. `code`, `field` (the compose form's field, and the
    command's option, it is about) and `values` name the officer's words, in the officer's
    language: the dashboard's (`dashboard/notices/broadcast_error`) and the command's
    (`officer/broadcast/refused`); the message is for logs and tests."""

    def __init__(self, message: str, code: str, *, field: str | None = None, **values: Any) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.values = values


def template_name(name: str) -> str:
    """`pembaruan_data` and `announcements/pembaruan_data` name the same template."""
    return name if "/" in name else TEMPLATE_DIR + name


def announcement_templates(renderer: Renderer) -> list[str]:
    """The announcement templates every locale has (`pembaruan_data`, …), by name."""
    names = [
        {n[len(TEMPLATE_DIR) :] for n in renderer.template_names(locale) if n.startswith(TEMPLATE_DIR)}
        for locale in LOCALES
    ]
    return sorted(set.intersection(*names))


def compose(renderer: Renderer, *, template: str | None = None, text: str | None = None) -> Reply:
    """`announcement`, with the template checked to exist in every locale."""
    if template is not None:
        name = template_name(template)
        for locale in LOCALES:
            if name not in renderer.template_names(locale):
                raise BroadcastError(
                    f"no message template {name!r} in locale {locale!r}",
                    "unknown_template",
                    field="template",
                    name=name,
                    locale=locale,
                )
    return announcement(template=template, text=text)


def audience_filter(
    agency: AgencyProfile,
    *,
    kecamatan: str | None = None,
    sector: str | None = None,
    size: str | None = None,
    status: str | None = None,
) -> AudienceFilter:
    """Who an announcement goes to; a kecamatan outside the agency's area, or an unknown sector,
    size or status, raises `BroadcastError`."""
    district = None
    if kecamatan:
        try:  # a code or a name, as every other --kecamatan and the dashboard's list give it
            district = district_code(agency, kecamatan)
        except UnknownDistrict:
            raise BroadcastError(
                f"unknown kecamatan {kecamatan!r}", "unknown_kecamatan", field="kecamatan", value=kecamatan
            ) from None
    if sector and agency.sector(sector) is None:
        known = [s.id for s in agency.sectors]
        raise BroadcastError(
            f"unknown sector {sector!r} (known: {', '.join(known)})",
            "unknown_sector",
            field="sector",
            value=sector,
            known=known,
        )
    try:
        size_class = read_size_class(size) if size else None
    except UnknownSizeClass:
        raise BroadcastError(f"unknown size {size!r}", "unknown_size", field="size", value=size) from None
    try:
        business_status = BusinessStatus(status) if status else None
    except ValueError:
        raise BroadcastError(
            f"unknown status {status!r}", "unknown_status", field="status", value=status
        ) from None
    return AudienceFilter(
        district_code=district,
        sector=sector or None,
        size_class=size_class,
        status=business_status,
    )


@dataclass(frozen=True, slots=True)
class BroadcastStatus:
    """Where a broadcast is: its counts, the send rate over the last `RATE_WINDOW`, and the
    most common reasons rows failed."""

    broadcast: Broadcast
    figures: Figures
    rate: float
    errors: list[tuple[str, int]]


async def broadcast_status(
    tx: Transaction, broadcast_id: int | None, *, now: datetime
) -> BroadcastStatus | None:
    """The broadcast's progress (the latest broadcast's when `broadcast_id` is None)."""
    broadcast = await tx.broadcasts.get(broadcast_id) if broadcast_id else await tx.broadcasts.latest()
    if broadcast is None:
        return None
    counts = await tx.outbox.status_counts(broadcast_id=broadcast.id)
    recent = await tx.outbox.sent_since(now - RATE_WINDOW, broadcast_id=broadcast.id)
    errors = await tx.outbox.errors(broadcast_id=broadcast.id)
    return BroadcastStatus(broadcast, Figures.of(counts), recent / RATE_WINDOW.total_seconds(), errors)


def announcement(*, template: str | None = None, text: str | None = None) -> Reply:
    """The reply every recipient gets, rendered later in their own language."""
    if (template is None) == (text is None):
        raise BroadcastError("give either a template or a text", "no_source", field="source")
    if text is not None:
        text = text.strip()
        if not text:
            raise BroadcastError("the announcement text is empty", "text_empty", field="text")
        if len(text) > MAX_TEXT:
            raise BroadcastError(
                f"the announcement text is {len(text)} characters; at most {MAX_TEXT}",
                "text_long",
                field="text",
                length=len(text),
                most=MAX_TEXT,
            )
        return Reply(TEXT_TEMPLATE, {"text": text})
    assert template is not None
    return Reply(template_name(template))


async def queue_broadcast(
    tx: Transaction, *, officer: str, reply: Reply, filters: AudienceFilter, now: datetime
) -> Broadcast:
    """Record the broadcast and queue one row per recipient (in the same transaction)."""
    text = reply.values.get("text") if reply.template == TEXT_TEMPLATE else None
    broadcast = await tx.broadcasts.create(
        created_by=officer,
        template=None if text is not None else reply.template,
        text=text,
        filters=filters,
        now=now,
    )
    queued = await queue_audience(
        tx,
        ANNOUNCEMENT,
        reply,
        audience(filters),
        key_prefix=f"broadcast:{broadcast.id}:user:",
        due_at=now,
        now=now,
        broadcast_id=broadcast.id,
    )
    await tx.broadcasts.record_queued(broadcast, queued)
    await tx.audit.record(
        actor=officer,
        action="broadcast.queued",
        subject=f"broadcast:{broadcast.id}",
        details={"filters": filters.as_dict(), "total": broadcast.total},
    )
    return broadcast
