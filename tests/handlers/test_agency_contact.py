"""The agency's office hours in the owner's language: one per language in the profile, or one
string for every language (the older form, still valid)."""

from __future__ import annotations

import tomllib

import pytest

from bot.settings import DEFAULT_PROFILE
from handlers.agency import AgencyProfile, ProfileError, parse_profile
from handlers.menu import HELP_ENTRY, LANGUAGE_ENTRY, LanguageFlow
from messages import Renderer
from storage.database import Database
from tests.handlers.harness import Harness


def _shipped() -> dict:  # type: ignore[type-arg]
    return tomllib.loads(DEFAULT_PROFILE.read_text(encoding="utf-8"))


def test_the_shipped_profile_gives_the_office_hours_in_each_language() -> None:
    contact = parse_profile(_shipped()).contact
    assert contact.office_hours_in("id") == "Senin-Jumat 08.00-15.00 WITA"
    assert contact.office_hours_in("en") == "Monday-Friday 08:00-15:00 WITA"


def test_one_string_of_office_hours_still_serves_every_language() -> None:
    data = _shipped()
    data["contact"]["office_hours"] = "Senin-Kamis 08.00-14.00 WITA"
    contact = parse_profile(data).contact
    assert contact.office_hours_in("id") == contact.office_hours_in("en") == "Senin-Kamis 08.00-14.00 WITA"


@pytest.mark.parametrize(
    ("hours", "key"),
    [
        ({"id": "Senin-Jumat"}, r"contact\.office_hours\.en"),
        ("", r"contact\.office_hours"),
        (8, r"contact\.office_hours"),
    ],
)
def test_office_hours_missing_a_language_or_empty_name_the_key(hours: object, key: str) -> None:
    data = _shipped()
    data["contact"]["office_hours"] = hours
    with pytest.raises(ProfileError, match=key):
        parse_profile(data)


async def test_english_help_and_registration_done_give_the_english_office_hours(
    db: Database, agency: AgencyProfile
) -> None:
    h = Harness(db, agency, [LanguageFlow()], [LANGUAGE_ENTRY, HELP_ENTRY])
    await h.say("halo")
    assert "Senin-Jumat 08.00-15.00 WITA" in await h.say("bantuan")
    await h.say("1")
    await h.say("English")
    help_text = await h.say("help")
    assert "Monday-Friday 08:00-15:00 WITA" in help_text and "Senin" not in help_text
    # The end of a registration that asked for NIB help names the office's hours too.
    renderer = Renderer(agency.time_zone, agency.template_values())
    for locale, hours, other in (("en", "Monday-Friday", "Senin"), ("id", "Senin-Jumat", "Monday")):
        done = renderer.render("registration/done", locale, DONE_VALUES)
        assert hours in done and other not in done, locale


DONE_VALUES = {"reg_no": "BJB-2026-000001", "size_class": "micro", "nib_help": True}
