"""How a form is declared: `Form` is an ordered list of `Field`s."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from handlers.context import Context
from handlers.result import Invalid
from handlers.types import Choice, Reply

T = TypeVar("T")
Answers = Mapping[str, Any]
ParseResult = Any  # a JSON-serialisable value, or Invalid
Parser = Callable[[str, Context, Answers], ParseResult | Awaitable[ParseResult]]
Options = (
    Sequence["Option"] | Callable[[Context, Answers], Sequence["Option"] | Awaitable[Sequence["Option"]]]
)
Values = Callable[[Context, Answers], Mapping[str, Any] | Awaitable[Mapping[str, Any]]]


@dataclass(frozen=True, slots=True)
class Option:
    """A choice a field offers, and the (JSON-serialisable) value choosing it stores."""

    id: str
    value: Any
    template: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    label: str | None = None
    # Choosing this also clears these answers, so they are asked again ("No, re-enter my NIK").
    clears: tuple[str, ...] = ()
    # A template of other typed answers that choose this (`Choice.words`).
    words: str | None = None

    def choice(self, prefix: str) -> Choice:
        return Choice(
            id=f"{prefix}{self.id}",
            template=self.template,
            values=self.values,
            label=self.label,
            words=self.words,
        )


@dataclass(frozen=True, slots=True)
class Field:
    """One question.

    A field takes free text through `parse`, a pick from `options`, or both
    (NIB: 13 digits, or "belum punya"). `when` makes it conditional on earlier
    answers. Values must be JSON-serialisable: they are stored in the database
    between messages.
    """

    name: str
    prompt: str
    label: str
    parse: Parser | None = None
    options: Options | None = None
    when: Callable[[Answers], bool] | None = None
    optional: bool = False
    prompt_values: Values | None = None
    # Answers that depend on this one and must be asked again when it changes (village after district).
    clears: tuple[str, ...] = ()
    request_phone: bool = False
    # Shown in the summary's "change which answer?" list.
    editable: bool = True

    def applies(self, answers: Answers) -> bool:
        return self.when is None or self.when(answers)


Completer = Callable[[Context, dict[str, Any]], Awaitable[list[Reply]]]


@dataclass(frozen=True, slots=True)
class Form:
    """A whole form: fields in order, a summary template, and what confirming does.

    `summary` renders with `answers` plus `summary_values`; `on_complete` runs in
    the same transaction as the last answer and returns the closing replies
    (the registration number, say). The engine then shows the main menu itself:
    `on_complete` must not add it. `confirm_when` decides, from the answers, whether the
    summary is shown for confirmation at all (None: always); without it the last answer
    completes the form (a one-tap action, a choice followed by its own yes/no question).
    `shows_current`: a question asked again (kembali, a correction) shows its current answer as the
    summary does (`shown`: the `summary_values`, computed only for such a form).
    """

    name: str
    fields: Sequence[Field]
    summary: str
    on_complete: Completer
    summary_values: Values | None = None
    intro: Callable[[Context, dict[str, Any]], Awaitable[list[Reply]]] | None = None
    confirm_when: Callable[[Answers], bool] | None = None
    shows_current: bool = False

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def has_field(self, name: str) -> bool:
        return any(f.name == name for f in self.fields)


def answered(answers: Answers, name: str) -> bool:
    return name in answers


async def resolve(value: T | Awaitable[T]) -> T:
    """Await a callback's result when it is awaitable: callbacks may be sync or async."""
    if inspect.isawaitable(value):
        return await value
    return value


def is_invalid(value: object) -> bool:
    return isinstance(value, Invalid)
