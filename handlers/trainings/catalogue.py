"""The owner's "Pelatihan": upcoming trainings open to this person, one's details, "Daftar".

A Form (README.md beside it has the diagram): pick a training from the list (paged, ten at a
time), read its details, tap "Daftar". A registered owner is signed up by that tap; a person
who is not registered gives a name, a mobile number and a kecamatan for a training open to the
public, confirms, and is signed up. Someone a seat is held for accepts or declines it here too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from handlers.context import Context
from handlers.conversation import Conversation
from handlers.flow import MenuEntry
from handlers.forms import Field, Form, FormFlow, Option
from handlers.forms.fields import Answers
from handlers.registration.form import fields as registration_fields
from handlers.rules import display_phone, region_name
from handlers.trainings.kinds import training_values
from handlers.trainings.replies import answer_offer, forget_mine, signup_reply, status_values
from handlers.trainings.rules import open_to, signups_open
from handlers.trainings.seats import applicant_of, sign_up, waiting_position
from handlers.types import Reply
from storage.models.trainings import ACTIVE, OFFERED, SCHEDULED, Training
from storage.repositories.trainings import Person

CATALOGUE = "trainings"
JOIN, JOIN_PUBLIC, ACCEPT, DECLINE, OTHER = "join", "join_public", "accept", "decline", "other"
PUBLIC_FIELDS = ("full_name", "phone", "district")


async def open_trainings(ctx: Context) -> list[Training]:
    """Upcoming trainings this person may sign up for, soonest first."""
    applicant, _person = await applicant_of(ctx.tx, ctx.user.id)
    upcoming = await ctx.tx.trainings.upcoming(ctx.now)
    return [t for t in upcoming if signups_open(t, ctx.now) and open_to(t, applicant)]


async def _training_options(ctx: Context, answers: Answers) -> list[Option]:
    return [
        Option(
            str(t.id),
            t.id,
            template="trainings/choice_training",
            values={"title": t.title, "starts_at": t.starts_at},
        )
        for t in await open_trainings(ctx)
    ]


async def _list_values(ctx: Context, answers: Answers) -> dict[str, Any]:
    return {"count": len(await open_trainings(ctx))}


async def _chosen(ctx: Context, answers: Answers) -> Training | None:
    training_id = answers.get("training")
    return await ctx.tx.trainings.get(int(training_id)) if training_id is not None else None


async def _action_options(ctx: Context, answers: Answers) -> list[Option]:
    options = [Option("other", OTHER, template="trainings/choice_other", clears=("training",))]
    training = await _chosen(ctx, answers)
    if training is None:
        return options
    mine = await ctx.tx.trainings.enrolment_of(training.id, ctx.user.id)
    if mine is not None and mine.status == OFFERED and training.status == SCHEDULED:
        # The seat held for them is answered here as in "Pelatihan saya".
        return [
            Option("accept", ACCEPT, template="trainings/choice_accept"),
            Option("decline", DECLINE, template="trainings/choice_decline"),
            *options,
        ]
    if not signups_open(training, ctx.now) or (mine is not None and mine.status in ACTIVE):
        return options
    applicant, person = await applicant_of(ctx.tx, ctx.user.id)
    if not open_to(training, applicant):
        return options
    join = Option("join", JOIN if person is not None else JOIN_PUBLIC, template="trainings/choice_join")
    return [join, *options]


async def _details(ctx: Context, answers: Answers) -> dict[str, Any]:
    training = await _chosen(ctx, answers)
    if training is None:
        return {"training": None, "mine": None}
    mine = await ctx.tx.trainings.enrolment_of(training.id, ctx.user.id)
    values = training_values(training, ctx.agency)
    values["open"] = signups_open(training, ctx.now)
    values["waiting"] = (await ctx.tx.trainings.status_counts(training.id)).get("waiting", 0)
    position = await waiting_position(ctx.tx, mine) if mine is not None else None
    return {"training": values, "mine": status_values(mine, position) if mine is not None else None}


def _public(answers: Answers) -> bool:
    return answers.get("action") == JOIN_PUBLIC


def _only_for_the_public(field: Field) -> Field:
    earlier = field.when
    return replace(field, when=lambda a: _public(a) and (earlier is None or earlier(a)))


def fields() -> list[Field]:
    reused = {f.name: f for f in registration_fields() if f.name in PUBLIC_FIELDS}
    # The kecamatan where the person lives or works, not a business's (they may have none yet).
    reused["district"] = replace(
        reused["district"], prompt="trainings/ask_district", label="trainings/label_district", clears=()
    )
    return [
        Field(
            "training",
            prompt="trainings/ask_training",
            label="trainings/label_training",
            options=_training_options,
            prompt_values=_list_values,
            clears=("action",),
        ),
        Field(
            "action",
            prompt="trainings/details",
            label="trainings/label_training",
            options=_action_options,
            prompt_values=_details,
            editable=False,
        ),
        *(_only_for_the_public(reused[name]) for name in PUBLIC_FIELDS),
    ]


async def _summary_values(ctx: Context, answers: Answers) -> dict[str, Any]:
    training = await _chosen(ctx, answers)
    district = answers.get("district")
    return {
        "title": training.title if training else "",
        "full_name": answers.get("full_name"),
        "phone": display_phone(str(answers["phone"])) if answers.get("phone") else None,
        "district_name": (region_name(str(district)) or district) if district else None,
    }


async def _act(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    """Daftar (signed up, or on the waiting list), or the answer to a seat held for the person."""
    action = answers.get("action")
    if action in (ACCEPT, DECLINE):
        return [await answer_offer(ctx, int(answers["training"]), accept=action == ACCEPT)]
    if action not in (JOIN, JOIN_PUBLIC):
        return []
    applicant, person = await applicant_of(ctx.tx, ctx.user.id)
    if person is None:
        person = Person(ctx.user.id, answers.get("full_name"), answers.get("phone"), answers.get("district"))
    result = await sign_up(ctx.tx, int(answers["training"]), person, applicant, actor=ctx.actor, now=ctx.now)
    forget_mine(ctx)
    return [signup_reply(result, ctx.agency)]


def catalogue_form() -> Form:
    return Form(
        name=CATALOGUE,
        fields=fields(),
        summary="trainings/public_summary",
        summary_values=_summary_values,
        on_complete=_act,
        confirm_when=_public,
        shows_current=True,  # the public sign-up asks the registration's name and number
    )


class BrowsingFlow(FormFlow):
    """A form to browse with ("Pelatihan", "Pelatihan saya"): leaving it keeps nothing, so coming
    back starts at the list as it is then, not at a stale draft."""

    def suspend(self, conv: Conversation) -> None:
        self.cancel(conv)


def catalogue_flow() -> BrowsingFlow:
    return BrowsingFlow(catalogue_form())


async def _start(ctx: Context, conv: Conversation) -> list[Reply]:
    if not await open_trainings(ctx):
        return [Reply("trainings/none_open"), *await ctx.nav.main_menu(ctx, conv)]
    return await ctx.nav.start_flow(ctx, conv, CATALOGUE)


TRAININGS_ENTRY = MenuEntry("trainings", "trainings/menu", _start)
