"""What a capability adds to the officer dashboard: its pages, and its panels on the shared pages.

A page is a path, the roles that may open it, an optional entry in the navigation, and a
handler. The handler gets a `PageContext` (the database, the agency, the words, who is signed
in, the path's parameters, the query and the posted form) and returns what to show:

    async def owner_detail(ctx: PageContext) -> PageResult:
        async with ctx.db.transaction() as tx:
            details = await view_owner(tx, ctx.params["owner_id"], officer=ctx.actor)  # audited
        return Html("owners/detail", {"owner": details})

    PAGES = (
        Page("/dashboard/owners", owners_list, nav=NavEntry("dashboard/nav/owners", 20)),
        Page("/dashboard/owners/{owner_id:int}", owner_detail),
        Page("/dashboard/owners/{owner_id:int}/status", set_status, methods=("POST",)),
    )

The web layer (bot/dashboard.py) signs people in, refuses a page to a role it does not list
(403), refuses a POST without the session's CSRF token (403), and turns the result into an HTTP
response: `Html` renders `messages/templates/<locale>/dashboard/<template>.j2` (autoescaped),
`Redirect` answers 303, `Download` streams a file and removes it. Handlers never see HTTP: a
page is domain wiring like an officer command, and calls the same domain functions.

A `Panel` is a section a capability adds to a shared page: "overview" (Ringkasan) or
"downloads" (Unduh). Its `render` returns an `Html` fragment, or None to show nothing.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from markupsafe import Markup

from handlers.officer import StaffContext
from storage.models.base import MAX_ID, is_record_id
from storage.models.dashboard import ADMIN, COURIER, OFFICER

#: Who may open a page by default: agency staff, not couriers.
STAFF: frozenset[str] = frozenset({ADMIN, OFFICER})
ADMINS: frozenset[str] = frozenset({ADMIN})
#: A courier's pages (the voucher scan page); admins may open them too.
COURIERS: frozenset[str] = frozenset({COURIER, ADMIN})

#: The shared pages panels go on.
PanelPlace = Literal["overview", "downloads"]


class Refused(Exception):
    """The signed-in person may not do this (answered 403)."""


class NotFound(LookupError):
    """No such thing to show (answered 404)."""


@dataclass(frozen=True, slots=True)
class Html:
    """Render `dashboard/<template>` with `values` (the layout adds nav, officer, csrf, notice)."""

    template: str
    values: Mapping[str, Any] = field(default_factory=dict)
    status: int = 200


@dataclass(frozen=True, slots=True)
class Redirect:
    """303 to a path of this server (after a POST: the page to show next)."""

    to: str


@dataclass(frozen=True, slots=True)
class Download:
    """Send the file at `path` as `filename`, then remove it."""

    path: Path
    filename: str
    media_type: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


PageResult = Html | Redirect | Download


def id_of(text: str | None) -> int | None:
    """A database id from a query or a form (`?before=120`, a select's value); None if it is not
    one, nor one a record can have (99999999999999999999)."""
    if not text or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if is_record_id(number) else None


def ids_in_path(params: Mapping[str, Any]) -> bool:
    """Every id of a page's path (`/dashboard/owners/{owner_id:int}`) may be a record's: a page
    whose path names one beyond any record is not found, without asking the database."""
    return all(is_record_id(value) for value in params.values() if isinstance(value, int))


def checked(form: Mapping[str, str], prefix: str) -> list[str]:
    """The ticked boxes named `<prefix><value>` (one name each: the form keeps one value a name)."""
    return [name[len(prefix) :] for name, value in form.items() if name.startswith(prefix) and value == "1"]


def download_file(name: str, suffix: str = ".xlsx") -> Path:
    """A fresh private temporary file for an export (`Download` removes it once sent)."""
    handle, path = tempfile.mkstemp(prefix=f"umkm-{name}-", suffix=suffix)
    os.close(handle)
    return Path(path)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who is signed in."""

    account_id: int
    username: str
    role: str
    courier_name: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


@dataclass
class PageContext(StaffContext):
    """A page's context: the shared officer one, who is signed in, and the request's values.

    `session` is this browser's server-side store: what a page must keep between requests
    without putting it in a URL (a search's words: `remember` gives an opaque key for them).
    `notices` are shown once, on the next page rendered (after a redirect).
    """

    officer: SignedIn = field(default_factory=lambda: SignedIn(0, "", ""))
    params: Mapping[str, Any] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] = field(default_factory=dict)
    session: MutableMapping[str, Any] = field(default_factory=dict)
    csrf: str = ""
    panels: Sequence[Panel] = ()

    def require(self, roles: frozenset[str]) -> None:
        if self.officer.role not in roles:
            raise Refused(self.officer.role)

    def remember(self, kind: str, value: Any, *, keep: int = 20) -> str:
        """Keep `value` in the session under a fresh opaque key (at most `keep` of a kind)."""
        store: dict[str, Any] = dict(self.session.get(kind, {}))
        key = secrets.token_urlsafe(9)
        store[key] = value
        while len(store) > keep:
            store.pop(next(iter(store)))
        self.session[kind] = store
        return key

    def recall(self, kind: str, key: str | None) -> Any:
        return self.session.get(kind, {}).get(key) if key else None

    async def render_panels(self, place: PanelPlace) -> list[Markup]:
        """The capabilities' panels of a shared page that this role may see, rendered, in order."""
        shown = []
        for panel in sorted((p for p in self.panels if p.place == place), key=lambda p: p.order):
            if self.officer.role not in panel.roles:
                continue
            html = await panel.render(self)
            if html is not None:
                values = {**html.values, "csrf": self.csrf, "officer": self.officer}
                shown.append(Markup(self.renderer.render(f"dashboard/{html.template}", self.locale, values)))
        return shown

    def notice(self, template: str, values: Mapping[str, Any] | None = None, *, error: bool = False) -> None:
        """A line shown on the next page: `dashboard/notices/<template>`."""
        text = self.renderer.render(f"dashboard/notices/{template}", self.locale, values)
        self.session["notices"] = [*self.session.get("notices", []), {"text": text, "error": error}]


PageHandler = Callable[[PageContext], Awaitable[PageResult]]


@dataclass(frozen=True, slots=True)
class NavEntry:
    """A line of the navigation: its label template (`dashboard/nav/<name>`), its position, and
    who sees it (None: whoever may open the page)."""

    label: str
    order: int
    roles: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One path of the dashboard (or the courier's `/v/{code}`): see the module docstring."""

    path: str
    handler: PageHandler
    methods: tuple[str, ...] = ("GET",)
    roles: frozenset[str] = STAFF
    nav: NavEntry | None = None


@dataclass(frozen=True, slots=True)
class Panel:
    """A capability's section of a shared page ("overview" or "downloads"), in `order`."""

    place: PanelPlace
    render: Callable[[PageContext], Awaitable[Html | None]]
    order: int = 100
    roles: frozenset[str] = STAFF


__all__ = [
    "ADMINS",
    "COURIERS",
    "STAFF",
    "Download",
    "Html",
    "NavEntry",
    "NotFound",
    "Page",
    "PageContext",
    "PageHandler",
    "PageResult",
    "Panel",
    "Redirect",
    "Refused",
    "SignedIn",
    "checked",
    "download_file",
    "id_of",
    "ids_in_path",
]
