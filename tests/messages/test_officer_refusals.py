"""The officer commands' refusals: every line renders in both languages as one line, in each
language's own words, and every problem the dashboard words for a form, the command words too."""

from __future__ import annotations

import pytest
from jinja2 import Environment, PackageLoader, nodes

from handlers.agency import AgencyProfile
from messages import LOCALES, Renderer
from tests.messages.refusal_samples import OFFICER_REFUSALS

#: The dashboard's words for a refusal, and the command's for the same codes. The dashboard's
#: own problems (a box left unticked, disabling one's own account) have no command.
SHARED = [
    ("dashboard/notices/training_error", "officer/trainings/refused", {"confirm"}),
    ("dashboard/notices/voucher_error", "officer/vouchers/refused", {"confirm"}),
    ("dashboard/notices/account_error", "officer/accounts/refused", {"self"}),
    ("dashboard/notices/broadcast_error", "officer/broadcast/refused", set()),
]


@pytest.fixture
def renderer(agency: AgencyProfile) -> Renderer:
    return Renderer(agency.time_zone, agency.template_values())


def _compared(name: str, variable: str) -> set[str]:
    """The values a template compares `variable` with (`code == "x"`, `code in ("x", "y")`): the
    lines of its `if` chain."""
    env = Environment(loader=PackageLoader("messages", "templates"))
    assert env.loader is not None
    tree = env.parse(env.loader.get_source(env, f"id/{name}.j2")[0])
    found: set[str] = set()
    for compare in tree.find_all(nodes.Compare):
        if not (isinstance(compare.expr, nodes.Name) and compare.expr.name == variable):
            continue
        for operand in compare.ops:
            if isinstance(operand.expr, nodes.Const):
                found.add(operand.expr.value)
            elif isinstance(operand.expr, nodes.Tuple):
                found.update(item.value for item in operand.expr.items if isinstance(item, nodes.Const))
    return found


@pytest.mark.parametrize("name", sorted(OFFICER_REFUSALS))
def test_every_refusal_is_one_line_in_each_language(renderer: Renderer, name: str) -> None:
    for values in OFFICER_REFUSALS[name]:
        indonesian, english = (renderer.render(name, locale, values) for locale in LOCALES)
        for text in (indonesian, english):
            assert text and "\n" not in text, f"{name} {values}: {text!r}"
        assert indonesian != english, f"{name} {values}: the same words in both languages"


@pytest.mark.parametrize("name", sorted(OFFICER_REFUSALS))
def test_every_line_of_a_refusal_has_a_sample(name: str) -> None:
    """So that the test above renders each line of a template's chain, not only its first."""
    variable = "reason" if name == "officer/import/unreadable" else "code"
    sampled = {values.get(variable) for values in OFFICER_REFUSALS[name]}
    assert _compared(name, variable) <= sampled


@pytest.mark.parametrize(("dashboard", "command", "only_dashboard"), SHARED)
def test_what_the_dashboard_words_a_command_words_too(
    dashboard: str, command: str, only_dashboard: set[str]
) -> None:
    """Both show the same domain refusal (`TrainingError`, `ProgramError`, `AccountError`,
    `BroadcastError`) by its code: a code worded for the dashboard only would reach the command
    as an empty line."""
    missing = _compared(dashboard, "code") - only_dashboard - _compared(command, "code")
    assert not missing, f"{command} has no words for {sorted(missing)}"


@pytest.mark.parametrize(
    ("status", "indonesian", "english"),
    [
        ("offered", "kursinya ditawarkan, belum diterima", "offered one, not accepted yet"),
        ("waiting", "masih antre", "waiting"),
        ("withdrawn_by_person", "sudah batal", "withdrawn"),
    ],
)
@pytest.mark.parametrize("template", ["officer/trainings/refused", "dashboard/notices/training_error"])
def test_a_check_in_without_a_seat_says_where_the_person_stands(
    renderer: Renderer, template: str, status: str, indonesian: str, english: str
) -> None:
    values = {"code": "not_confirmed", "who": "BJB-2026-000001", "status": status, "flag": None}
    assert f"({indonesian})" in renderer.render(template, "id", values)
    assert f"({english})" in renderer.render(template, "en", values)
