"""The send pipeline: claimed rows become sends, a few in flight at once, flowing across batches.

Starting a batch walks its rows in order: a recipient who opted out is recorded at once; a row
that must wait (its recipient's spacing, the channel's pause, quiet hours at the moment of
sending) is put back; every other row waits for a free slot and the channel's next token, then
goes. One attempt renders the row in the recipient's locale, builds the file it names if any
(`attachments`), and sends it through the channel's `Sender`; its error becomes an outcome
(`outcomes`). WhatsApp 131047 (outside the 24-hour
window) falls back to the approved template for the row's kind.

A send slot is only freed after its result is committed, so a process killed at any moment
leaves at most `max_in_flight` messages sent but not recorded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from typing import Any

from bot.channels.base import NoTemplate, OutsideWindow, PermanentFailure, Sender
from bot.outbox.attachments import Attachments
from bot.outbox.flags import sends_as_template
from bot.outbox.lease import SenderLease
from bot.outbox.outcomes import Action, Outcome, RetryPolicy, describe, outcome_of
from bot.outbox.pacing import Pacing
from bot.outbox.results import OPTED_OUT, Done, ResultWriter
from handlers.payload import reply_from_payload
from messages import RenderedReply, Renderer
from storage.models.outbox import FAILED, SENT, UNREACHABLE
from storage.repositories.outbox import ClaimedMessage, Recipient

log = logging.getLogger(__name__)


class Pipeline:
    """The sends of one sweep: at most `in_flight` at once, across batches; one writer records
    their results as they come (results that finish together share a commit)."""

    def __init__(
        self, writer: Callable[[asyncio.Queue[Done]], Coroutine[Any, Any, None]], in_flight: int
    ) -> None:
        self.slots = asyncio.Semaphore(in_flight)
        self.errors: list[BaseException] = []
        self._queue: asyncio.Queue[Done] = asyncio.Queue()
        self._running: set[asyncio.Task[None]] = set()
        self._writer = asyncio.create_task(writer(self._queue))

    async def record(self, done: Done) -> None:
        await self._queue.put(done)

    def start(self, send: Coroutine[Any, Any, None]) -> None:
        # Finished tasks are dropped at once: a long broadcast keeps only the ones in flight.
        task = asyncio.create_task(send)
        self._running.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            self.errors.append(error)

    async def drain(self) -> None:
        """Wait for every send started and for its result to be recorded; then stop the writer."""
        try:
            while self._running:
                await asyncio.wait(set(self._running))
            await self._queue.join()
        finally:
            self._writer.cancel()


class BatchSender:
    """Starts the sends of claimed rows of one channel and turns each into a `Done`."""

    def __init__(
        self,
        sender: Sender,
        renderer: Renderer,
        *,
        lease: SenderLease,
        pacing: Pacing,
        results: ResultWriter,
        retry: RetryPolicy,
        clock: Callable[[], datetime],
        attachments: Attachments | None = None,
        template_kinds: frozenset[str] = frozenset(),
    ) -> None:
        self.sender = sender
        self._attachments = attachments
        self.renderer = renderer
        self.channel = sender.channel
        self._lease = lease
        self._pacing = pacing
        self._results = results
        self._retry = retry
        self._clock = clock
        self._template_kinds = template_kinds
        self._rendered: dict[tuple[int, str], RenderedReply] = {}

    def forget_rendered(self) -> None:
        """Drop the rendered broadcasts at the end of a sweep."""
        self._rendered.clear()

    async def start_batch(
        self, claimed: list[ClaimedMessage], recipients: Mapping[int, Recipient], pipeline: Pipeline
    ) -> None:
        """Start a send for every row that may go now; put the others back."""
        later: list[tuple[ClaimedMessage, datetime]] = []
        try:
            for index, message in enumerate(claimed):
                if self._lease.paused():
                    assert self._lease.paused_until is not None
                    later.extend((m, self._lease.paused_until) for m in claimed[index:])
                    break
                recipient = recipients.get(message.user_id) if message.user_id is not None else None
                if recipient is not None and recipient.opted_out:
                    await pipeline.record(Done(message, OPTED_OUT, "opted out (berhenti)"))
                    continue
                ready = self._pacing.recipient_ready(message.external_id)
                if ready is not None:
                    later.append((message, ready))
                    continue
                await pipeline.slots.acquire()
                await self._pacing.wait_turn()
                if self._lease.paused():
                    pipeline.slots.release()
                    assert self._lease.paused_until is not None
                    later.extend((m, self._lease.paused_until) for m in claimed[index:])
                    break
                # Checked at the moment of sending: the sends before it may have run past 21:00.
                quiet_until = self._pacing.quiet_until(message.kind)
                if quiet_until is not None:
                    pipeline.slots.release()
                    later.append((message, quiet_until))
                    continue
                self._pacing.sent_to(message.external_id)
                locale = recipient.locale if recipient is not None else "id"
                pipeline.start(self._send_one(message, locale, pipeline))
        finally:
            await self._results.put_back(later)

    async def _send_one(self, message: ClaimedMessage, locale: str, pipeline: Pipeline) -> None:
        try:
            # A reminder's subject may end while its row waits its turn (the owner answered):
            # `cancel` ends the row even while leased, and it is looked at once more right before
            # the send. A broadcast's rows are not cancelled one by one, so they skip the query.
            if message.broadcast_id is None and not await self._results.still_ours(
                message, self._lease.owner
            ):
                log.info("outbox.cancelled_before_send", extra={"outbox_id": message.id})
                return
            done = await self._attempt(message, locale)
            done.committed = asyncio.get_running_loop().create_future()
            await pipeline.record(done)
            await done.committed
        finally:
            pipeline.slots.release()

    async def _attempt(self, message: ClaimedMessage, locale: str) -> Done:
        if sends_as_template(message.payload) or message.kind in self._template_kinds:
            # Meta reported 131047 for the free-form send after accepting it (a status webhook),
            # or the kind always goes as the template (its recipients never wrote to the bot).
            return await self._attempt_template(message, locale, None)
        try:
            rendered = self._render(message, locale)
            if self._attachments is not None:
                rendered = await self._attachments.add_to(rendered, message, locale)
            provider_id = await self.sender.send(message.external_id, rendered)
            return Done(message, SENT, provider_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            outcome = outcome_of(exc, attempts=message.attempts, now=self._clock(), policy=self._retry)
            if outcome.action is Action.TEMPLATE:
                return await self._attempt_template(message, locale, exc)
            return self._done_for(message, outcome)

    def _render(self, message: ClaimedMessage, locale: str) -> RenderedReply:
        """A broadcast's rows share one payload: each locale is rendered once per sweep."""
        if message.broadcast_id is None:
            return self.renderer.render_reply(reply_from_payload(message.payload), locale)
        key = (message.broadcast_id, locale)
        rendered = self._rendered.get(key)
        if rendered is None:
            rendered = self.renderer.render_reply(reply_from_payload(message.payload), locale)
            self._rendered[key] = rendered
        return rendered

    async def _attempt_template(
        self, message: ClaimedMessage, locale: str, cause: BaseException | None
    ) -> Done:
        """WhatsApp 131047: outside the 24-hour window, only an approved template may go.

        The channel picks the approved template for the row's kind; its one body parameter is
        the row's own message, rendered in the recipient's locale."""
        try:
            rendered = self.renderer.render_reply(reply_from_payload(message.payload), locale)
            provider_id = await self.sender.send_template(
                message.external_id, message.kind, locale, rendered.text
            )
            return Done(message, SENT, provider_id, as_template=True)
        except asyncio.CancelledError:
            raise
        except NoTemplate as exc:
            why = describe(cause) if cause is not None else "outside the 24-hour window (code 131047)"
            return Done(message, FAILED, f"{why}; {exc}")
        except Exception as exc:
            if isinstance(exc, OutsideWindow):
                exc = PermanentFailure(str(exc), code=exc.code)
            outcome = outcome_of(exc, attempts=message.attempts, now=self._clock(), policy=self._retry)
            return self._done_for(message, outcome)

    def _done_for(self, message: ClaimedMessage, outcome: Outcome) -> Done:
        if outcome.action is Action.PAUSE:
            assert outcome.at is not None
            self._lease.pause(outcome.at)
            log.warning(
                "outbox.channel_paused",
                extra={"channel": self.channel, "until": outcome.at.isoformat(), "reason": outcome.reason},
            )
            return Done(message, "pause", outcome.reason, outcome.at)
        if outcome.action is Action.UNREACHABLE:
            return Done(message, UNREACHABLE, outcome.reason)
        if outcome.action is Action.RETRY:
            return Done(message, "retry", outcome.reason, outcome.at)
        return Done(message, FAILED, outcome.reason)
