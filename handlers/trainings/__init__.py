"""Trainings (pelatihan): a catalogue owners browse and sign up to by chat, announcements to the
owners a training targets, capacity with a waiting list and seat offers, reminders, check-in with
a code of the day, feedback and PDF certificates. The owner's conversations are drawn in
README.md beside this file; the officer's dashboard pages (Pelatihan) are pages.py;
docs/adding-a-capability.md is the recipe it follows.
"""

from datetime import datetime

from handlers.capability import Capability
from handlers.trainings.catalogue import TRAININGS_ENTRY, catalogue_flow
from handlers.trainings.certificate import CERTIFICATE_ATTACHMENT
from handlers.trainings.commands import COMMAND
from handlers.trainings.kinds import KINDS, key, reminder_prefix
from handlers.trainings.mine import CHECKIN_ENTRY, MINE_ENTRY, mine_flow
from handlers.trainings.pages import PAGES, PANELS
from handlers.trainings.planner import TrainingPlanner
from handlers.trainings.shortcuts import SHORTCUTS
from storage.models.trainings import ACTIVE, BY_PERSON, HOLDS_SEAT
from storage.repositories import Transaction


async def erase_person(tx: Transaction, *, owner_id: int, user_id: int, now: datetime) -> None:
    """Hapus data: the person leaves every training still ahead (a freed seat is offered to the next
    person waiting by the planner, within minutes), nothing more is sent to them about any, and
    their name, number, links and comments leave every list. Each enrolment stays as an anonymous
    count: its status, attendance, rating, kecamatan and size class."""
    for enrolment, training in await tx.trainings.of_user(user_id):
        if enrolment.status in ACTIVE:
            await tx.trainings.lock(training.id)
            left = await tx.trainings.withdraw(enrolment.id, leaving=enrolment.status, why=BY_PERSON, now=now)
            if left and enrolment.status in HOLDS_SEAT:
                await tx.trainings.release_seat(training.id)
        for prefix in (
            reminder_prefix(training, user_id),
            key(training.id, f"offer:e{enrolment.id}:"),
            *(key(training.id, f"{part}:user:{user_id}") for part in ("announce", "feedback", "certificate")),
        ):
            await tx.outbox.cancel(prefix, "erased (Hapus data)")
    await tx.trainings.erase_person(user_id)


CAPABILITY = Capability(
    name="trainings",
    flows=lambda: (catalogue_flow(), mine_flow()),
    menu=(TRAININGS_ENTRY, MINE_ENTRY, CHECKIN_ENTRY),
    planners=(TrainingPlanner,),
    commands=(COMMAND,),
    outbox_kinds=KINDS,
    erase=erase_person,
    # Hapus data nulls a person's name, number and comments in the trainings' lists: on
    # PostgreSQL the old row versions keep them until the scrub rewrites the table.
    erases_from=("training_enrolments",),
    shortcuts=SHORTCUTS,
    attachments=(CERTIFICATE_ATTACHMENT,),
    pages=PAGES,
    panels=PANELS,
)

__all__ = ["CAPABILITY", "TrainingPlanner", "erase_person"]
