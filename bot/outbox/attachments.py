"""The files outbox rows name (a `Deferred` attachment, handlers/attachments.py), built at the
moment of sending by the builder a capability declared, and added to the rendered reply.

A row naming a builder nobody declared, or whose subject is gone (`AttachmentUnavailable`:
erased, cancelled), fails with that reason instead of going out without its file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from bot.channels.base import PermanentFailure
from handlers.attachments import (
    AttachmentBuilder,
    AttachmentRequest,
    AttachmentSources,
    AttachmentUnavailable,
)
from handlers.payload import attachment_from_payload
from messages import RenderedReply
from storage.repositories.outbox import ClaimedMessage


class Attachments:
    """The app's attachment builders by name, and what they read."""

    def __init__(self, builders: Mapping[str, AttachmentBuilder], sources: AttachmentSources) -> None:
        self.builders = dict(builders)
        self.sources = sources

    async def add_to(self, rendered: RenderedReply, message: ClaimedMessage, locale: str) -> RenderedReply:
        """`rendered` with the file the row names (unchanged when it names none)."""
        deferred = attachment_from_payload(message.payload)
        if deferred is None:
            return rendered
        builder = self.builders.get(deferred.builder)
        if builder is None:
            raise PermanentFailure(f"no attachment builder {deferred.builder!r} is declared")
        request = AttachmentRequest(deferred.args, message.user_id, locale)
        try:
            built = await builder.build(self.sources, request)
        except AttachmentUnavailable as exc:
            raise PermanentFailure(f"attachment {deferred.builder!r} unavailable: {exc}") from exc
        if builder.kind == "image":
            return replace(rendered, image=built)
        return replace(rendered, document=built)
