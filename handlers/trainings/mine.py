"""The owner's "Pelatihan saya": their sign-ups, and what each one allows now.

A Form (README.md beside it has the diagram): pick a sign-up, read where it stands (a seat,
the place on the waiting list, a seat held until a time, attended), then one of: cancel (with a
yes/no), accept or decline a held seat, check in with the code of the day, rate it (1-5 and a
comment if they like), have the certificate sent again. Menu "Hadir" and the shortcuts start
it part-way, with the sign-up and the action already chosen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handlers.context import Context
from handlers.conversation import Conversation
from handlers.flow import MenuEntry
from handlers.forms import Field, Form, Option
from handlers.forms.fields import Answers
from handlers.outbox import queue_audience
from handlers.result import Invalid
from handlers.trainings.attendance import WRONG_CODE, certificate_message, check_in, rate
from handlers.trainings.catalogue import BrowsingFlow
from handlers.trainings.kinds import CERTIFICATE, key, training_values
from handlers.trainings.replies import answer_offer, checkin_now, forget_mine, mine, status_values
from handlers.trainings.rules import RATINGS, can_check_in, signups_open
from handlers.trainings.seats import Seating, waiting_position, withdraw
from handlers.types import Reply
from storage.models.trainings import ACTIVE, OFFERED, Enrolment, Training

MINE = "my_trainings"
WITHDRAW, ACCEPT, DECLINE, CHECKIN, RATE, SEND_CERTIFICATE, OTHER = (
    "withdraw",
    "accept",
    "decline",
    "checkin",
    "rate",
    "certificate",
    "other",
)
MAX_COMMENT = 500
YES_NO = [Option("yes", True, template="choices/yes"), Option("no", False, template="choices/no")]


async def _chosen(ctx: Context, answers: Answers) -> tuple[Enrolment, Training] | None:
    """The chosen sign-up, if it is still this person's."""
    enrolment_id = answers.get("enrolment")
    if enrolment_id is None:
        return None
    enrolment = await ctx.tx.trainings.enrolment(int(enrolment_id))
    if enrolment is None or enrolment.user_id != ctx.user.id:
        return None
    training = await ctx.tx.trainings.get(enrolment.training_id)
    assert training is not None
    return enrolment, training


async def _enrolment_options(ctx: Context, answers: Answers) -> list[Option]:
    return [
        Option(
            str(e.id),
            e.id,
            template="trainings/choice_mine",
            values={
                "title": t.title,
                "starts_at": t.starts_at,
                "status": e.status,
                "attended": e.attended_at is not None,
            },
        )
        for e, t in await mine(ctx)
    ]


def actions(enrolment: Enrolment, training: Training, now: datetime) -> list[str]:
    """What a sign-up allows now."""
    allowed: list[str] = []
    if training.status == "scheduled":
        if enrolment.status == OFFERED:
            allowed += [ACCEPT, DECLINE]
        if can_check_in(enrolment, training, now):
            allowed.append(CHECKIN)
        if enrolment.status in ACTIVE and now < training.starts_at:
            allowed.append(WITHDRAW)
    if enrolment.attended_at is not None and now >= training.ends_at:
        if enrolment.rating is None:
            allowed.append(RATE)
        allowed.append(SEND_CERTIFICATE)
    return allowed


async def _action_options(ctx: Context, answers: Answers) -> list[Option]:
    chosen = await _chosen(ctx, answers)
    back = Option("other", OTHER, template="trainings/choice_back_to_mine", clears=("enrolment",))
    if chosen is None:
        return [back]
    enrolment, training = chosen
    allowed = actions(enrolment, training, ctx.now)
    return [
        *(
            Option(a, a, template=f"trainings/choice_{a}", values={"status": enrolment.status})
            for a in allowed
        ),
        back,
    ]


async def _details(ctx: Context, answers: Answers) -> dict[str, Any]:
    chosen = await _chosen(ctx, answers)
    if chosen is None:
        return {"training": None, "mine": None}
    enrolment, training = chosen
    values = training_values(training, ctx.agency)
    values["open"] = signups_open(training, ctx.now)
    position = await waiting_position(ctx.tx, enrolment)
    return {
        "training": values,
        "mine": {**status_values(enrolment, position), "cancel_reason": training.cancel_reason},
    }


async def _training(ctx: Context, answers: Answers) -> dict[str, Any]:
    """The chosen sign-up's training (the code's question says where the code is shown)."""
    chosen = await _chosen(ctx, answers)
    return {"training": training_values(chosen[1], ctx.agency) if chosen else None}


async def _code(text: str, ctx: Context, answers: Answers) -> str | Invalid:
    """The code of the day, checked at once: a wrong one is asked again (a few times)."""
    code = "".join(ch for ch in text if not ch.isspace())
    if not (code.isdecimal() and code.isascii() and len(code) == 4):
        return Invalid("checkin_code_format")
    chosen = await _chosen(ctx, answers)
    if chosen is None:
        return "gone"
    outcome = await check_in(ctx.tx, ctx.agency, chosen[0], code, actor=ctx.actor, now=ctx.now)
    if outcome.outcome == WRONG_CODE:
        return Invalid("checkin_wrong_code", {"left": outcome.tries_left})
    return outcome.outcome


def _comment(text: str, ctx: Context, answers: Answers) -> str | Invalid:
    cleaned = " ".join(text.split())
    return cleaned[:MAX_COMMENT] if cleaned else Invalid("empty_answer")


def _action_is(action: str) -> Any:
    return lambda answers: answers.get("action") == action


def fields() -> list[Field]:
    return [
        Field(
            "enrolment",
            prompt="trainings/ask_mine",
            label="trainings/label_training",
            options=_enrolment_options,
            clears=("action", "confirm", "code", "rating", "comment"),
        ),
        Field(
            "action",
            prompt="trainings/my_details",
            label="trainings/label_training",
            options=_action_options,
            prompt_values=_details,
        ),
        Field(
            "confirm",
            prompt="trainings/ask_confirm_withdraw",
            label="trainings/label_training",
            options=YES_NO,
            when=_action_is(WITHDRAW),
        ),
        Field(
            "code",
            prompt="trainings/ask_code",
            label="trainings/label_code",
            parse=_code,
            prompt_values=_training,
            when=_action_is(CHECKIN),
        ),
        Field(
            "rating",
            prompt="trainings/ask_rating",
            label="trainings/label_rating",
            options=[
                Option(str(n), n, template="trainings/choice_rating", values={"rating": n}) for n in RATINGS
            ],
            when=_action_is(RATE),
        ),
        Field(
            "comment",
            prompt="trainings/ask_comment",
            label="trainings/label_comment",
            parse=_comment,
            optional=True,
            when=_action_is(RATE),
        ),
    ]


async def send_certificate(ctx: Context, training: Training) -> Reply:
    """The certificate again, as a document through the outbox (at most once a day on request)."""
    person = ctx.tx.trainings.people_audience([ctx.user.id])
    if not await ctx.tx.trainings.audience_counts(person):
        return Reply("trainings/certificate_elsewhere")
    reply, pdf = certificate_message(training, ctx.agency)
    today = ctx.now.astimezone(ctx.agency.time_zone).date()
    await queue_audience(
        ctx.tx,
        CERTIFICATE,
        reply,
        person,
        key_prefix=key(training.id, "certificate:user:"),
        key_suffix=f":asked-{today.isoformat()}",
        due_at=ctx.now,
        now=ctx.now,
        attachment=pdf,
    )
    return Reply("trainings/certificate_coming")


async def _act(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    chosen = await _chosen(ctx, answers)
    if chosen is None:
        return [Reply("trainings/gone")]
    enrolment, training = chosen
    action = answers.get("action")
    # Check-in and rating are checked by their own domain functions (a rating from the feedback
    # request is kept before its comment is asked).
    if action not in (CHECKIN, RATE) and action not in actions(enrolment, training, ctx.now):
        return [Reply("trainings/gone")]
    forget_mine(ctx)
    seating = Seating(ctx.agency, ctx.config.training_offer)
    values = {"training": training_values(training, ctx.agency)}
    if action == WITHDRAW:
        if not answers.get("confirm"):
            return [Reply("trainings/kept", values)]
        done = await withdraw(ctx.tx, seating, enrolment.id, actor=ctx.actor, now=ctx.now)
        return [Reply("trainings/withdrawn" if done else "trainings/gone", values)]
    if action in (ACCEPT, DECLINE):
        return [await answer_offer(ctx, training.id, accept=action == ACCEPT)]
    if action == CHECKIN:
        outcome = answers.get("code")
        return [
            Reply(
                "trainings/gone" if outcome == "gone" else f"trainings/checkin_{outcome}",
                {**values, "left": 0},
            )
        ]
    if action == RATE:
        rated = await rate(
            ctx.tx, enrolment, int(answers["rating"]), answers.get("comment"), actor=ctx.actor, now=ctx.now
        )
        return [Reply("trainings/feedback_thanks" if rated else "trainings/gone", values)]
    return [await send_certificate(ctx, training)]


def mine_form() -> Form:
    return Form(
        name=MINE,
        fields=fields(),
        summary="trainings/ask_mine",
        on_complete=_act,
        confirm_when=lambda answers: False,
    )


def mine_flow() -> BrowsingFlow:
    return BrowsingFlow(mine_form())


async def _has_any(ctx: Context) -> bool:
    return bool(await mine(ctx))


async def _start(ctx: Context, conv: Conversation) -> list[Reply]:
    if not await mine(ctx):
        return [Reply("trainings/none_mine"), *await ctx.nav.main_menu(ctx, conv)]
    return await ctx.nav.start_flow(ctx, conv, MINE)


async def _can_check_in(ctx: Context) -> bool:
    return bool(await checkin_now(ctx))


async def start_checkin(ctx: Context, conv: Conversation) -> list[Reply]:
    """Menu "Hadir": straight to the code for the (first) training open for check-in now."""
    open_now = await checkin_now(ctx)
    if not open_now:
        return [Reply("trainings/checkin_none_open"), *await ctx.nav.main_menu(ctx, conv)]
    enrolment, _training = open_now[0]
    return await ctx.nav.start_flow(ctx, conv, MINE, {"enrolment": enrolment.id, "action": CHECKIN})


MINE_ENTRY = MenuEntry("my_trainings", "trainings/menu_mine", _start, _has_any)
CHECKIN_ENTRY = MenuEntry("checkin", "trainings/menu_checkin", start_checkin, _can_check_in)
