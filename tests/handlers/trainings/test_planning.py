"""A training as typed, read one field at a time: every problem kept with the field it is about (the
dashboard's form shows each beside its field; the command prints the first)."""

from __future__ import annotations

import pytest

from handlers.agency import AgencyProfile
from handlers.trainings.planning import TypedPlan, read_plan
from handlers.trainings.schedule import PlanInvalid, TrainingPlan
from tests.handlers.trainings.helpers import NOW, STARTS, wita

FORM = TypedPlan(
    title="  Sablon   kaos ",
    topic="sablon",
    starts="2026-03-14T09:00",
    ends="2026-03-14 16:00",
    deadline="",
    capacity="20",
    venue="Aula Diskopumnaker",
    kecamatan="Landasan Ulin",
    online="",
    sectors=["kuliner"],
    size_classes=["micro"],
    target_kecamatan=["63.72.03"],
    open_to_public=False,
    description="",
)


def test_a_whole_form_reads_into_a_plan(agency: AgencyProfile) -> None:
    changes = read_plan(agency, FORM, whole=True)
    plan = TrainingPlan(**changes)
    assert (plan.title, plan.starts_at, plan.signup_deadline, plan.capacity) == (
        "Sablon kaos",
        STARTS,
        None,
        20,
    )
    assert (plan.venue, plan.district_code, plan.online_url) == ("Aula Diskopumnaker", "63.72.02", None)
    assert (plan.target_sectors, plan.target_size_classes, plan.target_districts) == (
        ("kuliner",),
        ("micro",),
        ("63.72.03",),
    )
    plan.check(NOW, past_start="past")


def test_every_problem_is_kept_with_its_field(agency: AgencyProfile) -> None:
    typed = TypedPlan(
        title="x",
        topic="menjahit",
        starts="14/03/2026",
        ends="2026-03-14 16:00",
        capacity="nol",
        venue="Aula",
        online="meet.example",
        kecamatan="Gambut",
        sectors=["kuliner", "tambang"],
        size_classes=["raksasa"],
        target_kecamatan=["Gambut"],
    )
    with pytest.raises(PlanInvalid) as caught:
        read_plan(agency, typed, whole=True)
    found = [(p.field, p.code) for p in caught.value.problems]
    assert found == [
        ("topic", "topic"),
        ("starts", "time"),
        ("capacity", "capacity"),
        ("online", "online"),
        ("sectors", "sector"),
        ("size_classes", "size_class"),
        ("target_kecamatan", "kecamatan"),
        ("online", "place_both"),
    ]
    assert str(caught.value).startswith("--topic: unknown topic 'menjahit'")


def test_a_plan_that_cannot_happen_says_every_reason(agency: AgencyProfile) -> None:
    changes = read_plan(
        agency,
        TypedPlan(
            title=" ",
            topic="sablon",
            starts="2026-03-01 09:00",
            ends="2026-03-01 08:00",
            deadline="2026-03-02 09:00",
            capacity=3,
            venue="Aula",
        ),
        whole=True,
    )
    with pytest.raises(PlanInvalid) as caught:
        TrainingPlan(**changes).check(wita(2026, 3, 2, 10), past_start="the start is in the past")
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("starts", "start_past"),
        ("title", "title_empty"),
        ("ends", "ends_before"),
        ("kecamatan", "venue_kecamatan"),
        ("deadline", "deadline_after"),
    ]


def test_an_edit_changes_only_what_is_given(agency: AgencyProfile) -> None:
    assert read_plan(agency, TypedPlan(capacity=5), whole=False) == {"capacity": 5}
    assert read_plan(agency, TypedPlan(online="https://meet.example/x", kecamatan="Gambut"), whole=False) == {
        "online_url": "https://meet.example/x",
        "venue": None,
        "district_code": None,
    }
