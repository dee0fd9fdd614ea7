"""The owner's side of a data-update round: a Form that reuses the registration fields."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from handlers.context import Context
from handlers.conversation import Conversation
from handlers.flow import MenuEntry
from handlers.forms.engine import FormFlow
from handlers.forms.fields import Answers, Field, Form, Option
from handlers.registration import service as registration
from handlers.registration.details import display
from handlers.registration.form import fields as registration_fields
from handlers.result import Invalid
from handlers.types import Reply
from handlers.update_round.planner import key_prefix
from storage.models.registration import BusinessStatus
from storage.models.update_round import ACTIVE, CLOSED

FLOW = "update_data"
# The registration questions asked again in a round: address, workers, omzet, capital, NIB.
REUSED = (
    "district",
    "village",
    "street",
    "workers",
    "annual_sales",
    "capital",
    "large_ack",
    "nib",
    "nib_help",
)
MAX_REASON = 300
STATUS_OPTIONS = [
    Option("active", ACTIVE, template="update_round/choice_active", words="update_round/words_active"),
    # "berhenti" (it stopped) is also the global word to stop all messages: here it answers.
    Option("closed", CLOSED, template="update_round/choice_closed", words="update_round/words_closed"),
]


def _running(answers: Answers) -> bool:
    return answers.get("still_running") == ACTIVE


def _reason(text: str, ctx: Context, answers: Answers) -> str | Invalid:
    cleaned = " ".join(text.split())
    return cleaned[:MAX_REASON] if cleaned else Invalid("empty_answer")


def _only_if_running(field: Field) -> Field:
    earlier = field.when
    return replace(field, when=lambda a: _running(a) and (earlier is None or earlier(a)))


def fields() -> list[Field]:
    reused = {f.name: f for f in registration_fields() if f.name in REUSED}
    return [
        Field(
            "still_running",
            prompt="update_round/ask_still_running",
            label="update_round/label_still_running",
            options=STATUS_OPTIONS,
            prompt_values=_round_values,
        ),
        Field(
            "close_reason",
            prompt="update_round/ask_close_reason",
            label="update_round/label_close_reason",
            parse=_reason,
            optional=True,
            when=lambda a: a.get("still_running") == CLOSED,
        ),
        *(_only_if_running(reused[name]) for name in REUSED),
    ]


async def _round_values(ctx: Context, answers: Answers) -> dict[str, Any]:
    current = await ctx.tx.update_rounds.current()
    return {"deadline": current.deadline if current else None}


def _summary_values(ctx: Context, answers: Answers) -> dict[str, Any]:
    return {**display(ctx, answers), "running": _running(answers), "reason": answers.get("close_reason")}


async def _complete(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    found = await ctx.tx.owners.of_user(ctx.user.id)
    if found is None:
        return [Reply("update_round/not_registered")]
    owner, business = found
    running = _running(answers)
    if running:
        stored = await registration.stored_answers(ctx) or {}
        await registration.update_registration(ctx, {**stored, **answers})
    business.status = BusinessStatus.ACTIVE if running else BusinessStatus.INACTIVE
    current = await ctx.tx.update_rounds.current()
    if current is not None:
        await ctx.tx.update_rounds.answer(
            current.id,
            owner,
            business,
            outcome=ACTIVE if running else CLOSED,
            reason=None if running else answers.get("close_reason"),
            now=ctx.now,
        )
        await ctx.tx.outbox.cancel(key_prefix(current.id, ctx.user.id), "answered")
    await ctx.tx.audit.record(
        actor=ctx.actor,
        action="update_round.answered",
        subject=registration.subject(owner),
        details={"round": current.id if current else None, "outcome": ACTIVE if running else CLOSED},
    )
    return [Reply("update_round/thanks_active" if running else "update_round/thanks_closed")]


def update_form() -> Form:
    return Form(
        name=FLOW,
        fields=fields(),
        summary="update_round/summary",
        summary_values=_summary_values,
        on_complete=_complete,
        shows_current=True,
    )


class UpdateDataFlow(FormFlow):
    """Starts with the owner's stored data, so each answer is confirmed or changed, not typed again."""

    async def start(
        self, ctx: Context, conv: Conversation, initial: dict[str, Any] | None = None
    ) -> list[Reply]:
        if initial is None and FLOW not in conv.drafts:
            stored = await registration.stored_answers(ctx)
            if stored is None:
                return [Reply("update_round/not_registered"), *await ctx.nav.main_menu(ctx, conv)]
            prefilled = {k: v for k, v in stored.items() if k in REUSED and v is not None}
            self._begin(conv, prefilled, None)
            return await self._advance(ctx, conv)
        return await super().start(ctx, conv, initial)


def update_flow() -> UpdateDataFlow:
    return UpdateDataFlow(update_form())


async def _registered(ctx: Context) -> bool:
    return await registration.is_registered(ctx)


async def _start(ctx: Context, conv: Conversation) -> list[Reply]:
    return await ctx.nav.start_flow(ctx, conv, FLOW)


UPDATE_ENTRY = MenuEntry("update_data", "update_round/menu", _start, _registered)
