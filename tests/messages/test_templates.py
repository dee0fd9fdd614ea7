"""Every template renders in every locale, and both locales say the same things."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from jinja2 import Environment, PackageLoader, nodes

from handlers.agency import AgencyProfile
from messages import LOCALES, Renderer
from tests.messages.samples import COMMON, SAMPLES

TEMPLATES = Path(__file__).parents[2] / "messages" / "templates"


@pytest.fixture
def renderer(agency: AgencyProfile) -> Renderer:
    return Renderer(agency.time_zone, agency.template_values())


def _names(renderer: Renderer) -> list[str]:
    return renderer.template_names("id")


def test_every_template_exists_in_every_locale(renderer: Renderer) -> None:
    indonesian = set(renderer.template_names("id"))
    assert indonesian, "no templates found"
    for locale in LOCALES:
        assert set(renderer.template_names(locale)) == indonesian, f"{locale} differs from id"


def test_every_template_renders_in_every_locale(renderer: Renderer) -> None:
    failures = []
    for name in _names(renderer):
        for locale in LOCALES:
            try:
                text = renderer.render(name, locale, {**COMMON, **SAMPLES.get(name, {})})
            except Exception as exc:
                failures.append(f"{locale}/{name}: {type(exc).__name__}: {exc}")
                continue
            if not text.strip() and not _only_macros(f"{locale}/{name}.j2"):
                failures.append(f"{locale}/{name}: renders empty")
    assert not failures, "\n".join(failures)


def _only_macros(path: str) -> bool:
    """A library of macros (`registration/answer.j2`) that other templates import: it says
    nothing itself."""
    env = Environment(loader=PackageLoader("messages", "templates"))
    assert env.loader is not None
    body = env.parse(env.loader.get_source(env, path)[0]).body
    return (
        bool(body)
        and all(isinstance(node, nodes.Macro | nodes.Output) for node in body)
        and any(isinstance(node, nodes.Macro) for node in body)
    )


def _variables(env: Environment, source: str) -> set[str]:
    """The values a template reads and does not set itself (`set`, `for`), as it is written."""
    names = list(env.parse(source).find_all(nodes.Name))
    loaded = {n.name for n in names if n.ctx == "load"}
    return loaded - {n.name for n in names if n.ctx in ("store", "param")} - {"agency", "locale"}


def test_both_locales_use_the_same_variables(renderer: Renderer) -> None:
    # The sources from where the Renderer reads them: messages/templates/<locale>/<name>.j2.
    loader = PackageLoader("messages", "templates")
    env = Environment(loader=loader)
    for name in _names(renderer):
        used = [_variables(env, loader.get_source(env, f"{locale}/{name}.j2")[0]) for locale in LOCALES]
        assert used[0] == used[1], f"{name}: id uses {sorted(used[0])}, en uses {sorted(used[1])}"


def test_a_missing_value_is_an_error_not_an_empty_string(renderer: Renderer) -> None:
    with pytest.raises(Exception, match="greet"):
        renderer.render("menu/main", "id", {})


# A line whose text ends in a block tag, followed by a line of text. trim_blocks (render.py)
# eats the newline after every block tag, so such a line runs into the next one, or, with a
# blank line between them, the blank line is what makes the break and is never seen: a
# template that reads differently from what it renders. `+%}` keeps the newline.
_TEXT_THEN_TAG = re.compile(r"\S.*\{%[^%]*[^+]%\}$")
_ONLY_TAGS = re.compile(r"^\s*(\{%.*?%\}\s*)+$")
# A branch or a macro that ends there: nothing of the template follows that line's text.
_BRANCH_ENDS = re.compile(r"^\s*\{%-?\s*(elif|else|endmacro)\b")


def test_no_newline_is_eaten_after_a_tag_that_ends_a_line_of_text() -> None:
    eaten = []
    for path in sorted(TEMPLATES.rglob("*.j2")):
        lines = path.read_text(encoding="utf-8").split("\n")
        for number, (line, after) in enumerate(itertools.pairwise(lines), 1):
            if _TEXT_THEN_TAG.search(line) and not _ONLY_TAGS.match(line):
                at_the_end = number == len(lines) - 1 and not after
                if not at_the_end and not _BRANCH_ENDS.match(after):
                    eaten.append(f"{path.relative_to(TEMPLATES)}:{number}: end the tag with +%}}")
    assert not eaten, "\n".join(eaten)
