"""Templates that cannot change without values are rendered once; the clock's are not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from messages.render import CLOCK_FILTERS, Renderer

ZONE = ZoneInfo("Asia/Makassar")


def test_a_menu_label_is_rendered_once_per_locale() -> None:
    renderer = Renderer(ZONE)
    first = renderer.render("menu/help", "id")
    assert renderer._constant == {"id/menu/help.j2": first}
    assert renderer.render("menu/help", "id") is first
    assert renderer.render("menu/help", "en") != first  # each locale its own


def test_a_template_with_a_clock_filter_is_not_taken_for_constant() -> None:
    now = datetime(2026, 3, 1, 2, tzinfo=UTC)
    renderer = Renderer(ZONE, clock=lambda: now)
    assert not renderer._is_constant("id/update_round/reminder.j2")  # says how many days are left
    assert renderer._is_constant("id/menu/help.j2")


def test_every_filter_that_reads_the_clock_is_known() -> None:
    now = datetime(2026, 3, 1, 2, tzinfo=UTC)
    renderer = Renderer(ZONE, clock=lambda: now)
    reading = {
        name
        for name, function in renderer._env.filters.items()
        if "_clock" in getattr(getattr(function, "__code__", None), "co_names", ())
    }
    assert reading == CLOCK_FILTERS
    later = now + timedelta(days=3)
    assert renderer._env.filters["sisa_hari"](later.date()) == 3
