"""Buttons of the messages trainings send on their own, and the words that do the same typed.

    Daftar (announcement)     tr:join:12       DAFTAR 12 / JOIN 12
    Terima / Tolak (offer)    tr:accept:12     TERIMA 12 / ACCEPT 12     tr:decline:12
    1..5 (feedback request)   tr:rate:12:5
    (at the venue)                             HADIR 4821 / ATTEND 4821

Typed words also work where buttons cannot reach: a WhatsApp template outside the 24-hour
window, a numbered menu, the console.
"""

from __future__ import annotations

from handlers.context import Context
from handlers.conversation import Conversation
from handlers.flow import Shortcut
from handlers.trainings.attendance import check_in_by_code, rate
from handlers.trainings.catalogue import CATALOGUE, JOIN_PUBLIC
from handlers.trainings.kinds import training_values
from handlers.trainings.mine import MINE, RATE
from handlers.trainings.replies import answer_offer, forget_mine, signup_reply
from handlers.trainings.rules import Applicant, open_to, signups_open
from handlers.trainings.seats import (
    ACCEPT,
    CLOSED,
    DECLINE,
    JOIN,
    NOT_OPEN,
    SignUp,
    applicant_of,
    sign_up,
)
from handlers.trainings.seats import (
    RATE as RATE_PREFIX,
)
from handlers.types import Reply


async def _with_menu(ctx: Context, conv: Conversation, replies: list[Reply]) -> list[Reply]:
    forget_mine(ctx)
    return [*replies, *await ctx.nav.main_menu(ctx, conv)]


async def join(ctx: Context, conv: Conversation, argument: str) -> list[Reply]:
    """One tap for a registered owner; the public form's three questions for anyone else."""
    training_id = int(argument)
    applicant, person = await applicant_of(ctx.tx, ctx.user.id)
    if person is not None:
        result = await sign_up(ctx.tx, training_id, person, applicant, actor=ctx.actor, now=ctx.now)
        return await _with_menu(ctx, conv, [signup_reply(result, ctx.agency)])
    training = await ctx.tx.trainings.get(training_id)
    if training is None or not signups_open(training, ctx.now):
        return await _with_menu(ctx, conv, [signup_reply(SignUp(CLOSED, training), ctx.agency)])
    if not open_to(training, Applicant(registered=False)):
        return await _with_menu(ctx, conv, [signup_reply(SignUp(NOT_OPEN, training), ctx.agency)])
    return await ctx.nav.start_flow(ctx, conv, CATALOGUE, {"training": training_id, "action": JOIN_PUBLIC})


async def accept(ctx: Context, conv: Conversation, argument: str) -> list[Reply]:
    return await _with_menu(ctx, conv, [await answer_offer(ctx, int(argument), accept=True)])


async def decline(ctx: Context, conv: Conversation, argument: str) -> list[Reply]:
    return await _with_menu(ctx, conv, [await answer_offer(ctx, int(argument), accept=False)])


async def rating(ctx: Context, conv: Conversation, argument: str) -> list[Reply]:
    """A rating from the feedback request is kept at once; then an optional comment is asked."""
    training_id, stars = (int(part) for part in argument.split(":"))
    enrolment = await ctx.tx.trainings.enrolment_of(training_id, ctx.user.id)
    if enrolment is None or not await rate(ctx.tx, enrolment, stars, None, actor=ctx.actor, now=ctx.now):
        return await _with_menu(ctx, conv, [Reply("trainings/feedback_not_yours")])
    initial = {"enrolment": enrolment.id, "action": RATE, "rating": stars}
    return await ctx.nav.start_flow(ctx, conv, MINE, initial)


async def attend(ctx: Context, conv: Conversation, argument: str) -> list[Reply]:
    """`HADIR 4821`: check in with the code of the day."""
    code = "".join(ch for ch in argument if ch.isdigit())
    if len(code) != 4:
        return await _with_menu(ctx, conv, [Reply("errors/checkin_code_format")])
    result = await check_in_by_code(ctx.tx, ctx.agency, ctx.user.id, code, actor=ctx.actor, now=ctx.now)
    values = {
        "training": training_values(result.training, ctx.agency) if result.training else None,
        "left": result.tries_left,
    }
    return await _with_menu(ctx, conv, [Reply(f"trainings/checkin_{result.outcome}", values)])


SHORTCUTS = (
    Shortcut("training.join", join, choice_prefix=JOIN, words=("daftar", "join")),
    Shortcut("training.accept", accept, choice_prefix=ACCEPT, words=("terima", "accept")),
    Shortcut("training.decline", decline, choice_prefix=DECLINE),
    Shortcut("training.rate", rating, choice_prefix=RATE_PREFIX, argument=r"\d+:[1-5]"),
    Shortcut("training.attend", attend, words=("hadir", "attend"), argument=r"\d[\d\s.-]*"),
)
