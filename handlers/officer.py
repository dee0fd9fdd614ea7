"""What an officer command gets to work with: the app's database, profile and words.

A command (`OfficerCommand.run`) parses its arguments, calls one domain function of its
capability (which acts and writes the audit entry) and prints the outcome through
`say`, from templates under messages/templates/<locale>/officer/ like every other text.
Dates and times are the agency's (its time zone), never the host's clock.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from handlers.agency import AgencyProfile
from handlers.context import HandlerConfig
from handlers.rules import SizeClass, UnknownSizeClass, read_size_class
from messages import Renderer
from storage.database import Database
from storage.models.base import is_record_id


class OfficerError(Exception):
    """Bad input to an officer command; the message is the one line printed before exiting non-zero,
    in the officer's words: always a template's (`ctx.text`), never a literal in the code."""


def record_id(text: str) -> int:
    """argparse `type` of an id (`training show 12`): a whole number a record can have. One beyond
    any record (99999999999999999999) is refused as a malformed id is, before the database is
    asked (which would fail on it, not find nothing)."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an id: {text!r}") from None
    if not is_record_id(number):
        raise argparse.ArgumentTypeError(f"no record has the id {text}")
    return number


#: How a command's help shows a size-class argument: the Indonesian words (the English codes
#: are read too).
SIZE_CLASS_METAVAR = "mikro|kecil|menengah|besar"


def size_class_arg(text: str) -> SizeClass:
    """argparse `type` of one size class (`--size-class mikro`, `--size small`): read as every
    command and form reads one (`handlers.rules.read_size_class`), a stranger word refused
    (exit 2) naming the words it takes."""
    try:
        return read_size_class(text)
    except UnknownSizeClass as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def check_writable(ctx: StaffContext, output: Path, flag: str = "-o") -> None:
    """An export's file (given by `flag`) may be written: its folder exists and it is not a
    folder itself."""
    if not output.parent.is_dir():
        raise OfficerError(ctx.text("files/no_directory", {"flag": flag, "path": str(output.parent)}))
    if output.is_dir():
        raise OfficerError(ctx.text("files/is_directory", {"flag": flag, "path": str(output)}))


def cannot_write(ctx: StaffContext, output: Path, exc: OSError) -> OfficerError:
    """A file that could not be written, with the operating system's reason as it gives it."""
    return OfficerError(
        ctx.text("files/cannot_write", {"path": str(output), "reason": exc.strerror or str(exc)})
    )


def cannot_read(ctx: StaffContext, flag: str, path: Path, exc: OSError | UnicodeDecodeError) -> OfficerError:
    """A text file (`--text-file`, `--description-file`) that could not be read: the operating
    system's reason, or (no reason) not UTF-8 text."""
    reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else None
    return OfficerError(ctx.text("files/cannot_read", {"flag": flag, "path": str(path), "reason": reason}))


#: The extensions that name a file format an export may write: a name ending in one of them
#: is that format, never another one under that name.
EXPORT_EXTENSIONS = frozenset({"xlsx", "csv", "pdf"})


def export_format(ctx: StaffContext, output: Path, asked: str | None, formats: Sequence[str]) -> str:
    """The format an export writes to `output`. A name ending in a format's extension is that
    format (`data.csv`: csv, not Excel under a .csv name): --format (`asked`) may only agree, and
    an extension of a format this export cannot write is refused. Any other name (`rekap`,
    `rekap.txt`) is written as --format says, or as the first of `formats` (as before names
    decided anything)."""
    extension = output.suffix.casefold().lstrip(".")
    if extension not in EXPORT_EXTENSIONS:
        return asked or formats[0]
    if extension not in formats:
        raise OfficerError(
            ctx.text("export/extension", {"flag": "-o", "name": output.name, "formats": formats})
        )
    if asked is not None and asked != extension:
        raise OfficerError(ctx.text("export/format_differs", {"name": output.name, "format": asked}))
    return extension


@dataclass
class StaffContext:
    """What an officer command and a dashboard page share: the app's database, profile and
    words, who acts (for the audit log), and the agency's clock."""

    db: Database
    agency: AgencyProfile
    renderer: Renderer
    actor: str  # how the audit log names the officer: "officer:<login>", "dashboard:<username>"
    locale: str
    clock: Callable[[], datetime]
    # The behaviour settings domain functions read (TRAINING_OFFER_HOURS, ...).
    config: HandlerConfig = field(default_factory=HandlerConfig)

    def text(self, template: str, values: Mapping[str, Any] | None = None) -> str:
        """An officer-facing text: `officer/<template>` in the officer's language."""
        return self.renderer.render(f"officer/{template}", self.locale, values)

    def refusal(self, template: str, values: Mapping[str, Any]) -> OfficerError:
        """A command's refusal from `officer/<template>`, a chain of `code` branches. A code the
        chain has no words for is a mistake in the code: raised, never an empty line."""
        text = self.text(template, values)
        if not text.strip():
            raise LookupError(f"officer/{template} has no words for {values.get('code')!r}")
        return OfficerError(text)

    def lines(self, template: str) -> list[str]:
        """A template that lists one label per line (column headers)."""
        return [line.strip() for line in self.text(template).splitlines() if line.strip()]

    def labels(self, template: str) -> dict[str, str]:
        """A template that lists `code: label` per line (size classes, statuses), as a mapping."""
        pairs = (line.split(":", 1) for line in self.lines(template) if ":" in line)
        return {code.strip(): label.strip() for code, label in pairs}

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        """The agency's date now (WITA for Banjarbaru), whatever the host's time zone."""
        return self.clock().astimezone(self.agency.time_zone).date()

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.agency.time_zone)


@dataclass
class OfficerContext(StaffContext):
    """An officer command's context: the shared one, and where it prints."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    def say(self, template: str, values: Mapping[str, Any] | None = None, *, err: bool = False) -> None:
        print(self.text(template, values), file=self.err if err else self.out, flush=True)
