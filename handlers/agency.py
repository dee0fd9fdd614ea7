"""The agency profile: who runs the bot, where it serves, what it offers.

Loaded from the TOML file named by the AGENCY_PROFILE setting.
"""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from messages.render import DEFAULT_LOCALE, LOCALES


class ProfileError(ValueError):
    """The agency profile file is unreadable or incomplete; the message names the key."""


@dataclass(frozen=True, slots=True)
class Sector:
    id: str
    name_id: str
    name_en: str

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_id


@dataclass(frozen=True, slots=True)
class TrainingTopic(Sector):
    """A topic the agency trains in (sablon, kue, pemasaran digital, ...): same shape as a sector."""


@dataclass(frozen=True, slots=True)
class Contact:
    address: str
    phone: str
    whatsapp: str
    email: str
    #: Per language the bot speaks: "Senin-Jumat 08.00-15.00 WITA" (id), "Monday-Friday ..." (en).
    office_hours: Mapping[str, str]

    def office_hours_in(self, locale: str) -> str:
        """The office hours in `locale`'s words (Indonesian for a language the profile lacks)."""
        return self.office_hours.get(locale) or self.office_hours[DEFAULT_LOCALE]


@dataclass(frozen=True, slots=True)
class AgencyProfile:
    """An agency (Dinas) and its service area, by Kemendagri codes."""

    name: str
    short_name: str
    code: str
    province_code: str
    regency_codes: tuple[str, ...]
    time_zone: ZoneInfo
    quiet_start: time
    quiet_end: time
    contact: Contact
    sectors: tuple[Sector, ...]
    # Approved WhatsApp template per outbox message kind, for users outside the 24-hour window.
    whatsapp_templates: dict[str, str] = field(default_factory=dict)
    # Trainings (pelatihan): the topics officers pick from, and how many people the agency means to
    # train in a year (None: no target set).
    training_topics: tuple[TrainingTopic, ...] = ()
    training_target: int | None = None

    def sector(self, sector_id: str) -> Sector | None:
        return next((s for s in self.sectors if s.id == sector_id), None)

    def training_topic(self, topic_id: str) -> TrainingTopic | None:
        return next((t for t in self.training_topics if t.id == topic_id), None)

    def template_values(self) -> dict[str, Any]:
        """What message templates may say about the agency."""
        return {"name": self.name, "short_name": self.short_name, "contact": self.contact}


def _require(data: dict[str, Any], key: str, kind: type, where: str = "") -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, str | list) and not value):
        raise ProfileError(f"agency profile: {where}{key} is missing or not a {kind.__name__}")
    return value


def _named(data: dict[str, Any], key: str, kind: type[Sector], *, required: bool) -> tuple[Any, ...]:
    """A list of `[[key]]` tables with id, name_id and name_en (sectors, training topics)."""
    if not required and key not in data:
        return ()
    entries = _require(data, key, list)
    if not all(isinstance(e, dict) for e in entries):
        raise ProfileError(f"agency profile: {key} must be tables ([[{key}]] with id, name_id, name_en)")
    return tuple(
        kind(**{k: _require(e, k, str, f"{key}.") for k in ("id", "name_id", "name_en")}) for e in entries
    )


def _training_target(data: dict[str, Any]) -> int | None:
    trainings = data.get("trainings", {})
    if not isinstance(trainings, dict):
        raise ProfileError("agency profile: trainings must be a table")
    target = trainings.get("yearly_target")
    if target is not None and (not isinstance(target, int) or isinstance(target, bool) or target < 1):
        raise ProfileError("agency profile: trainings.yearly_target must be a positive whole number")
    return target


def _contact(data: dict[str, Any]) -> Contact:
    """`[contact]`: office_hours is one string (for every language) or a table with one per
    language the bot speaks (`office_hours = { id = "Senin-Jumat ...", en = "Monday-Friday ..." }`)."""
    contact = _require(data, "contact", dict)
    hours = contact.get("office_hours")
    if isinstance(hours, dict):
        by_locale = {locale: _require(hours, locale, str, "contact.office_hours.") for locale in LOCALES}
    else:
        by_locale = dict.fromkeys(LOCALES, _require(contact, "office_hours", str, "contact."))
    fields = ("address", "phone", "whatsapp", "email")
    return Contact(**{k: _require(contact, k, str, "contact.") for k in fields}, office_hours=by_locale)


def _codes(data: dict[str, Any], key: str) -> tuple[str, ...]:
    codes = _require(data, key, list)
    if not all(isinstance(c, str) and c for c in codes):
        raise ProfileError(f'agency profile: {key} must be Kemendagri codes as strings, like ["63.72"]')
    return tuple(codes)


def _time(value: object, key: str) -> time:
    with contextlib.suppress(ValueError):
        if isinstance(value, str):
            return time.fromisoformat(value)
    raise ProfileError(f"agency profile: quiet_hours has a bad time {value!r} ({key})")


def parse_profile(data: dict[str, Any]) -> AgencyProfile:
    """Build a profile from parsed TOML, naming the first missing or bad key."""
    zone_name = _require(data, "time_zone", str)
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ProfileError(f"agency profile: unknown time_zone {zone_name!r}") from None
    quiet = data.get("quiet_hours", ["21:00", "07:00"])
    if not isinstance(quiet, list) or len(quiet) != 2:
        raise ProfileError('agency profile: quiet_hours must be two times, like ["21:00", "07:00"]')
    templates = data.get("whatsapp_templates", {})
    if not isinstance(templates, dict) or not all(isinstance(v, str) and v for v in templates.values()):
        raise ProfileError("agency profile: whatsapp_templates must map message kinds to template names")
    return AgencyProfile(
        name=_require(data, "name", str),
        short_name=_require(data, "short_name", str),
        code=_require(data, "code", str).upper(),
        province_code=_require(data, "province_code", str),
        regency_codes=_codes(data, "regency_codes"),
        time_zone=zone,
        quiet_start=_time(quiet[0], "start"),
        quiet_end=_time(quiet[1], "end"),
        contact=_contact(data),
        sectors=_named(data, "sectors", Sector, required=True),
        whatsapp_templates={str(k): str(v) for k, v in templates.items()},
        training_topics=_named(data, "training_topics", TrainingTopic, required=False),
        training_target=_training_target(data),
    )


def load_profile(path: Path) -> AgencyProfile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"agency profile {path}: {exc}") from exc
    return parse_profile(data)
