"""The WhatsApp channel: reads stored deliveries, renders replies and sends them (a `Sender`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.channels.base import NoTemplate, PermanentFailure
from bot.channels.inbound import Unsupported
from bot.channels.whatsapp import CHANNEL
from bot.channels.whatsapp.client import GraphClient
from bot.channels.whatsapp.render import Buttons, ListMenu, Media, MenuTexts, Text, plan
from bot.channels.whatsapp.webhook import SHARE_OWN_NUMBER, WebhookBatch, to_incoming
from bot.channels.whatsapp.window import OUTSIDE_WINDOW, outside_window, template_parameter
from handlers.router import DEFAULT_LOCALE
from handlers.types import Incoming, Reply, utcnow
from messages import RenderedChoice, RenderedReply, Renderer
from storage.repositories import Transaction
from storage.repositories.channels import StoredInbound

log = logging.getLogger(__name__)


class WhatsAppChannel:
    name = CHANNEL
    # Status webhooks (delivered, read, failed) are stored against the sent message ids.
    tracks_delivery = True
    channel = CHANNEL

    def __init__(self, client: GraphClient, renderer: Renderer, *, templates: Mapping[str, str]) -> None:
        """`templates`: the approved template (its name at Meta) for each kind of outbox row."""
        self.client = client
        self.renderer = renderer
        self.templates = dict(templates)
        self._texts: dict[str, MenuTexts] = {}

    def menu_texts(self, locale: str) -> MenuTexts:
        texts = self._texts.get(locale)
        if texts is None:
            texts = self._texts[locale] = MenuTexts(
                list_button=self.renderer.render("channels/list_button", locale),
                numbered_footer=self.renderer.render("channels/numbered_menu_footer", locale),
            )
        return texts

    # -- InboundChannel --------------------------------------------------------------------

    async def parse(self, stored: StoredInbound) -> Incoming | Unsupported | None:
        return to_incoming(stored.payload)

    def render(self, reply: Reply, locale: str) -> RenderedReply:
        """Render; a request for the user's phone offers their own WhatsApp number as a choice."""
        rendered = self.renderer.render_reply(reply, locale)
        if not rendered.request_phone:
            return rendered
        own = RenderedChoice(SHARE_OWN_NUMBER, self.renderer.render("channels/share_own_number", locale))
        return RenderedReply(
            rendered.text, (own, *rendered.choices), rendered.image, rendered.document, request_phone=True
        )

    async def send_all(
        self, external_id: str, reply: RenderedReply, locale: str = DEFAULT_LOCALE
    ) -> list[str]:
        sent: list[str] = []
        for message in plan(reply, self.menu_texts(locale)):
            match message:
                case Text(body):
                    sent.append(await self.client.send_text(external_id, body))
                case Buttons(body, buttons):
                    sent.append(await self.client.send_buttons(external_id, body, buttons))
                case ListMenu(body, button, rows):
                    sent.append(await self.client.send_list(external_id, body, button, rows))
                case Media(kind, attachment, caption):
                    media_id = await self.client.upload_media(
                        attachment.content, attachment.mime_type, attachment.filename
                    )
                    sent.append(
                        await self.client.send_media(
                            external_id, kind, media_id, caption=caption, filename=attachment.filename
                        )
                    )
        return sent

    # -- Sender ----------------------------------------------------------------------------

    async def send(self, external_id: str, reply: RenderedReply, locale: str = DEFAULT_LOCALE) -> str:
        sent = await self.send_all(external_id, reply, locale)
        if not sent:
            raise PermanentFailure("nothing to send: the reply is empty")
        return sent[-1]

    async def send_template(self, external_id: str, kind: str, locale: str, text: str) -> str:
        """The approved template for `kind`, with the message text as its one body parameter."""
        name = self.templates.get(kind)
        if not name:
            raise NoTemplate(f"no approved template for {kind!r}")
        return await self.client.send_template(external_id, name, locale, [template_parameter(text)])


async def store_delivery(tx: Transaction, batch: WebhookBatch) -> list[StoredInbound]:
    """Store a webhook delivery in `tx`: new messages (a replayed wamid is dropped)
    and delivery statuses against our outbound messages. Returns the rows to process.

    A send Meta accepted but then reports failed with 131047 (outside the 24-hour window) is,
    for an outbox row, queued again at once to go as the approved template for its kind."""
    stored: list[StoredInbound] = []
    for message in batch.messages:
        row = await tx.inbound.store(
            CHANNEL, message.wamid, message.wa_id, message.payload, message.received_at
        )
        if row is not None:
            stored.append(row)
    for status in batch.statuses:
        await tx.outbound.record_status(
            CHANNEL,
            status.wamid,
            status.recipient_id,
            status.status,
            at=status.at,
            error_code=status.error_code,
        )
        if status.status == "failed" and status.error_code == OUTSIDE_WINDOW:
            requeued = await outside_window(tx, status.recipient_id, status.wamid, utcnow())
            if requeued is not None:
                log.info(
                    "outbox.outside_window",
                    extra={"channel": CHANNEL, "wamid": status.wamid, "status": requeued},
                )
    return stored
