"""The outcome of parsing one answer: a value, or `Invalid` naming the hint to show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Invalid:
    """A refused answer.

    `key` names a message template (``errors/<key>``) that tells the user what was
    wrong and how to write it; `values` are passed to that template.
    """

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


Parsed: TypeAlias = T | Invalid
"""A parser's result: the parsed value or the reason it was refused."""
