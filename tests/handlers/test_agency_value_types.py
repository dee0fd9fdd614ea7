"""A profile value of the wrong type names its key (ProfileError: one line at start), where it
crashed before with a traceback or, for region codes, was taken and failed mid-conversation."""

from __future__ import annotations

import tomllib

import pytest

from bot.settings import DEFAULT_PROFILE
from handlers.agency import ProfileError, parse_profile


def _shipped() -> dict:  # type: ignore[type-arg]
    return tomllib.loads(DEFAULT_PROFILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("quiet_hours", [21, 7], r"quiet_hours has a bad time 21 \(start\)"),
        ("sectors", ["kuliner", "jasa"], r"sectors must be tables"),
        ("training_topics", ["sablon"], r"training_topics must be tables"),
        ("regency_codes", [6372], r"regency_codes must be Kemendagri codes as strings"),
    ],
    ids=["quiet-hours-numbers", "sectors-strings", "topics-strings", "regency-numbers"],
)
def test_a_value_of_the_wrong_type_names_its_key(key: str, value: object, named: str) -> None:
    data = _shipped()
    data[key] = value
    with pytest.raises(ProfileError, match=named):
        parse_profile(data)
