"""The agency profile's training topics and yearly target: optional, and a bad target names its key."""

from __future__ import annotations

import tomllib

import pytest

from bot.settings import DEFAULT_PROFILE
from handlers.agency import ProfileError, parse_profile


def _shipped() -> dict:  # type: ignore[type-arg]
    return tomllib.loads(DEFAULT_PROFILE.read_text(encoding="utf-8"))


def test_the_shipped_profile_names_the_topics_from_the_seeds_and_an_example_target() -> None:
    profile = parse_profile(_shipped())
    topics = {t.id: t.name("id") for t in profile.training_topics}
    assert {"sablon", "kue", "es_krim", "pemasaran_digital", "kemasan", "perkoperasian"} <= set(topics)
    assert (
        profile.training_topic("kemasan") is not None
        and profile.training_topic("kemasan").name("en") == "Product packaging"
    )  # type: ignore[union-attr]
    assert profile.training_target == 500


def test_a_profile_without_trainings_has_no_topics_and_no_target() -> None:
    data = _shipped()
    del data["training_topics"], data["trainings"]
    profile = parse_profile(data)
    assert (profile.training_topics, profile.training_target) == ((), None)


@pytest.mark.parametrize("target", [0, -5, "enam ratus", True])
def test_a_bad_yearly_target_names_its_key(target: object) -> None:
    data = _shipped()
    data["trainings"] = {"yearly_target": target}
    with pytest.raises(ProfileError, match=r"trainings\.yearly_target"):
        parse_profile(data)


def test_a_topic_without_its_english_name_names_the_key() -> None:
    data = _shipped()
    del data["training_topics"][0]["name_en"]
    with pytest.raises(ProfileError, match=r"training_topics\.name_en"):
        parse_profile(data)
