"""What the owner reads about their own sign-ups, shared by the flows and the shortcuts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from handlers.agency import AgencyProfile
from handlers.context import Context, forget_fact, known_not
from handlers.trainings.kinds import training_values
from handlers.trainings.rules import can_check_in
from handlers.trainings.seats import Seating, SignUp, accept_offer, decline_offer
from handlers.types import Reply
from storage.models.trainings import ACTIVE, OFFERED, Enrolment, Training

#: `Context.memo` key: the person's sign-ups, looked up once per message (the menu asks twice).
MINE = "trainings:mine"
# The `USER_FACTS` entry that says whether a look-up can find anything.
ENROLLED = "enrolled"


def status_values(enrolment: Enrolment, position: int | None) -> dict[str, Any]:
    """A sign-up's state as the templates show it."""
    return {
        "status": enrolment.status,
        "ended": enrolment.ended,
        "position": position,
        "until": enrolment.offer_expires_at,
        "attended": enrolment.attended_at is not None,
        "rating": enrolment.rating,
    }


def signup_reply(result: SignUp, agency: AgencyProfile) -> Reply:
    """confirmed, waiting (with the position), already signed up, closed, not open, number taken."""
    values: dict[str, Any] = {
        "outcome": result.outcome,
        "training": training_values(result.training, agency) if result.training else None,
        "mine": status_values(result.enrolment, result.position) if result.enrolment else None,
    }
    return Reply(f"trainings/signup_{result.outcome}", values)


async def answer_offer(ctx: Context, training_id: int, *, accept: bool) -> Reply:
    """The person's answer to the seat held for them at the training (Terima kursi / Tolak),
    wherever they gave it (the offer's buttons or words, the catalogue, "Pelatihan saya"): the
    seat becomes theirs, or goes to the next person waiting."""
    training = await ctx.tx.trainings.get(training_id)
    enrolment = await ctx.tx.trainings.enrolment_of(training_id, ctx.user.id) if training else None
    values = {"training": training_values(training, ctx.agency) if training else None}
    if training is None or enrolment is None or enrolment.status != OFFERED:
        return Reply("trainings/offer_none", values)
    seating = Seating(ctx.agency, ctx.config.training_offer)
    forget_mine(ctx)
    if accept:
        accepted = await accept_offer(ctx.tx, seating, enrolment, actor=ctx.actor, now=ctx.now)
        return Reply("trainings/offer_accepted" if accepted else "trainings/offer_gone", values)
    declined = await decline_offer(ctx.tx, seating, enrolment, actor=ctx.actor, now=ctx.now)
    return Reply("trainings/offer_declined" if declined else "trainings/offer_gone", values)


async def mine(ctx: Context) -> list[tuple[Enrolment, Training]]:
    """The person's sign-ups worth showing: those still on (signed up, waiting, offered a seat) for
    trainings that have not ended, and attendances of the last 60 days (rating, certificate)."""

    async def look_up() -> list[tuple[Enrolment, Training]]:
        if known_not(ctx, ENROLLED):
            return []
        found = await ctx.tx.trainings.of_user(ctx.user.id)
        return [(e, t) for e, t in found if shown(e, t, ctx)]

    listed: list[tuple[Enrolment, Training]] = await ctx.remember(MINE, look_up)
    return listed


def shown(enrolment: Enrolment, training: Training, ctx: Context) -> bool:
    if enrolment.attended_at is not None:
        return ctx.now - training.ends_at < timedelta(days=60)
    return enrolment.status in ACTIVE and ctx.now < training.ends_at


def forget_mine(ctx: Context) -> None:
    """After a change to the person's sign-ups, the menu looks again."""
    ctx.memo.pop(MINE, None)
    forget_fact(ctx, ENROLLED)


async def checkin_now(ctx: Context) -> list[tuple[Enrolment, Training]]:
    """The person's sign-ups they can check in to now."""
    return [(e, t) for e, t in await mine(ctx) if can_check_in(e, t, ctx.now)]
