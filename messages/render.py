"""Render `Reply` values into text, per locale (Bahasa Indonesia first, English second)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound, nodes, pass_context
from jinja2.runtime import Context

from messages import filters
from messages.reply import Attachment, Choice, Reply

LOCALES = ("id", "en")
# Filters whose answer depends on when they run, not only on their value.
CLOCK_FILTERS = frozenset({"sisa_hari"})
DEFAULT_LOCALE = "id"


@dataclass(frozen=True, slots=True)
class RenderedChoice:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class RenderedReply:
    """A reply as words in one locale, still in template markup (`*bold*`)."""

    text: str
    choices: tuple[RenderedChoice, ...] = ()
    image: Attachment | None = None
    document: Attachment | None = None
    request_phone: bool = False


def _is_html(name: str | None) -> bool:
    """Dashboard pages (`<locale>/dashboard/…`) and their shared markup (`dashboard/…`)."""
    return name is not None and (name.startswith("dashboard/") or "/dashboard/" in name)


class Renderer:
    """Renders templates `messages/templates/<locale>/<name>.j2` with StrictUndefined.

    `agency` values are available to every template as `agency`.
    """

    def __init__(
        self,
        zone: ZoneInfo,
        agency: Mapping[str, Any] | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._zone = zone
        self._clock = clock or (lambda: datetime.now(UTC))
        self._env = Environment(
            loader=PackageLoader("messages", "templates"),
            undefined=StrictUndefined,
            # Chat text is not HTML; the dashboard's pages are, and escape every value.
            autoescape=_is_html,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            # Templates ship with the package: no stat() of the file on every render.
            auto_reload=False,
        )
        self._env.globals["agency"] = dict(agency or {})
        self._install_filters()
        # Renders of templates that cannot change without values (`_is_constant`), by path.
        self._constant: dict[str, str] = {}
        self._decided: dict[str, bool] = {}

    def template_names(self, locale: str) -> list[str]:
        prefix = f"{locale}/"
        return sorted(
            name[len(prefix) : -len(".j2")]
            for name in self._env.list_templates(extensions=["j2"])
            if name.startswith(prefix)
        )

    def render(self, name: str, locale: str, values: Mapping[str, Any] | None = None) -> str:
        if locale not in LOCALES:
            locale = DEFAULT_LOCALE
        path = f"{locale}/{name}.j2"
        if not values and (text := self._constant.get(path)) is not None:
            return text
        try:
            template = self._env.get_template(path)
        except TemplateNotFound:
            raise LookupError(f"no message template {name!r} for locale {locale!r}") from None
        text = template.render({**values, "locale": locale} if values else {"locale": locale}).strip()
        if not values and self._is_constant(path):
            self._constant[path] = text
        return text

    def _is_constant(self, path: str) -> bool:
        """Whether the template says the same every time it has no values: it reads only the
        locale and the agency's fixed values, unless a filter reads the clock. Menu labels and
        buttons are such templates, rendered on every answer: those are rendered once. Decided
        once per template (parsing it again on every render would cost more than the render)."""
        decided = self._decided.get(path)
        if decided is None:
            assert self._env.loader is not None
            source, _, _ = self._env.loader.get_source(self._env, path)
            used = {node.name for node in self._env.parse(source).find_all(nodes.Filter)}
            decided = self._decided[path] = not used & CLOCK_FILTERS
        return decided

    def render_choice(self, choice: Choice, locale: str) -> RenderedChoice:
        if choice.label is not None:
            return RenderedChoice(choice.id, choice.label)
        assert choice.template is not None
        return RenderedChoice(choice.id, self.render(choice.template, locale, choice.values))

    def render_reply(self, reply: Reply, locale: str) -> RenderedReply:
        return RenderedReply(
            text=self.render(reply.template, locale, reply.values),
            choices=tuple(self.render_choice(c, locale) for c in reply.choices),
            image=reply.image,
            document=reply.document,
            request_phone=reply.request_phone,
        )

    def _install_filters(self) -> None:
        """Filters read the locale of the render they are used in: `{{ day | tanggal }}`."""
        zone = self._zone

        @pass_context
        def tanggal(ctx: Context, value: date | datetime) -> str:
            return filters.format_long_date(value, ctx["locale"], zone)

        @pass_context
        def tanggal_pendek(ctx: Context, value: date | datetime) -> str:
            return filters.format_short_date(value, ctx["locale"], zone)

        @pass_context
        def jam(ctx: Context, value: datetime, zona: bool = True, iso: bool = False) -> str:
            return filters.format_time(value, ctx["locale"], zone, with_zone=zona, iso=iso)

        @pass_context
        def angka(ctx: Context, value: int) -> str:
            return filters.format_number(value, ctx["locale"])

        @pass_context
        def desimal(ctx: Context, value: float, digits: int = 1) -> str:
            return filters.format_decimal(value, ctx["locale"], digits)

        @pass_context
        def persen(ctx: Context, share: float, digits: int = 0) -> str:
            return filters.format_percent(share, ctx["locale"], digits)

        def sisa_hari(value: date) -> int:
            # At the moment of rendering: a reminder sent late (the bot was down, quiet hours)
            # says how many days are left then, not when it was planned.
            return filters.days_until(value, self._clock(), zone)

        self._env.filters.update(
            tanggal=tanggal,
            tanggal_pendek=tanggal_pendek,
            jam=jam,
            angka=angka,
            desimal=desimal,
            persen=persen,
            rupiah=filters.format_rupiah,
            iso=lambda value, zona=True: filters.format_iso(value, zone, with_zone=zona),
            sisa_hari=sisa_hari,
        )
