"""A small form declared the way real ones are, to exercise every engine feature.

It reuses real templates (no test-only text): prompts are the language/help
templates, errors come from handlers.rules parsers.
"""

from __future__ import annotations

from typing import Any

from handlers.context import Context
from handlers.forms import Field, Form, FormFlow, Option
from handlers.result import Invalid
from handlers.rules import parse_full_name, parse_workers
from handlers.types import Reply

COMPLETED: list[dict[str, Any]] = []
REGIONS = [Option(f"r{i:02}", f"63.72.{i:02}", label=f"Kecamatan {i:02}") for i in range(1, 26)]


def _name(text: str, ctx: Context, answers: Any) -> str | Invalid:
    return parse_full_name(text)


def _workers(text: str, ctx: Context, answers: Any) -> int | Invalid:
    return parse_workers(text)


async def _complete(ctx: Context, answers: dict[str, Any]) -> list[Reply]:
    COMPLETED.append(answers)
    return [Reply("language/changed")]


SAMPLE_FORM = Form(
    name="sample",
    fields=[
        Field("name", prompt="help/general", label="menu/help", parse=_name),
        Field(
            "has_workers",
            prompt="language/ask",
            label="menu/language",
            options=[Option("y", True, template="choices/yes"), Option("n", False, template="choices/no")],
        ),
        Field(
            "workers",
            prompt="errors/workers_format",
            label="choices/change",
            parse=_workers,
            when=lambda a: bool(a.get("has_workers")),
        ),
        Field("region", prompt="form/pick_field", label="choices/next", options=REGIONS, clears=("note",)),
        Field("note", prompt="errors/empty_answer", label="choices/skip", parse=_name, optional=True),
    ],
    summary="form/resume",
    summary_values=lambda ctx, answers: {"form": "sample"},
    on_complete=_complete,
)


def sample_flow() -> FormFlow:
    return FormFlow(SAMPLE_FORM)
