"""The officer dashboard's HTTP side: sign-in, sessions, CSRF, roles, and the capabilities' pages
turned into Starlette routes (served by the same server as the webhooks, bot/web.py).

    GET  /dashboard/login        the sign-in form (its CSRF token: a cookie and a hidden field)
    POST /dashboard/login        sign in; 5 failures lock the username for 15 minutes
    POST /dashboard/logout       sign out
    GET  /dashboard/static/…     the stylesheet and the icon (no CDN, no web fonts)
    GET  /favicon.ico            the icon, for browsers that ask for it there (not a 404 per tab)
    every `Page` of every capability (handlers/pages.py), e.g. /dashboard, /dashboard/owners, /v/{code}
    any other /dashboard/… path: the dashboard's own not-found page, in the officers' language

Signed out: a GET goes to the sign-in form (and back after it), a POST is refused. A POST
without the session's CSRF token is refused (403), and so is a page the role may not open.
The cookie is HttpOnly, SameSite=Lax, and Secure when PUBLIC_URL is https. This module wires:
what a page does is its handler's, in handlers/.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from typing import Any
from urllib.parse import quote

from markupsafe import Markup
from starlette.background import BackgroundTask
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from handlers.agency import AgencyProfile
from handlers.capability import Capability
from handlers.context import HandlerConfig
from handlers.dashboard.auth import (
    Locked,
    LoggedIn,
    Session,
    actor,
    find_session,
    login,
    logout,
    save_session_data,
)
from handlers.pages import (
    Download,
    Html,
    NotFound,
    Page,
    PageContext,
    PageResult,
    Redirect,
    Refused,
    ids_in_path,
)
from messages import Renderer
from storage.database import Database

log = logging.getLogger(__name__)

SESSION_COOKIE = "umkm_session"
LOGIN_CSRF_COOKIE = "umkm_login_csrf"
LOGIN_PATH = "/dashboard/login"
HOME = "/dashboard"
CSRF_FIELD = "csrf"
STYLESHEET = "dashboard.css"
#: The dashboard's icon: SVG text in the repository (readable in review, no binary to trust),
#: linked from the layout and answered at /favicon.ico too, cached for a day.
ICON = "favicon.svg"

#: Every dashboard answer: no caching of personal data, no framing, nothing loaded from elsewhere.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


@dataclass
class Dashboard:
    db: Database
    agency: AgencyProfile
    renderer: Renderer
    locale: str
    capabilities: Sequence[Capability]
    clock: Callable[[], datetime]
    secure_cookies: bool
    # The behaviour settings domain functions read (TRAINING_OFFER_HOURS), as officer commands get them.
    config: HandlerConfig = field(default_factory=HandlerConfig)

    # Rendering ---------------------------------------------------------------

    def nav(self, session: Session, path: str) -> list[dict[str, Any]]:
        role = session.officer.role
        pages = sorted(
            (p for c in self.capabilities for p in c.pages if p.nav and role in (p.nav.roles or p.roles)),
            key=lambda p: p.nav.order if p.nav else 0,
        )
        return [
            {
                "label": self.renderer.render(p.nav.label, self.locale),
                "href": p.path,
                "active": path == p.path or (p.path != HOME and path.startswith(p.path + "/")),
            }
            for p in pages
            if p.nav is not None
        ]

    def html(
        self,
        template: str,
        values: dict[str, Any],
        *,
        session: Session | None,
        path: str,
        notices: list[dict[str, Any]] | None = None,
        status: int = 200,
    ) -> Response:
        layout = {
            "nav": self.nav(session, path) if session else [],
            "officer": session.officer if session else None,
            "csrf": session.csrf_token if session else "",
            "notices": notices or [],
        }
        body = self.renderer.render(f"dashboard/{template}", self.locale, {**layout, **values})
        return HTMLResponse(body, status_code=status, headers=SECURITY_HEADERS)

    def set_session_cookie(self, response: Response, token: str) -> None:
        response.set_cookie(
            SESSION_COOKIE, token, httponly=True, samesite="lax", secure=self.secure_cookies, path="/"
        )

    # Sign-in -------------------------------------------------------------------

    async def login_form(self, request: Request) -> Response:
        if await self.session_of(request) is not None:
            return RedirectResponse(HOME, status_code=303)
        return self.login_page(request, error=None)

    def login_page(
        self, request: Request, *, error: str | None, until: datetime | None = None, username: str = ""
    ) -> Response:
        """The sign-in form; after a refusal, with the username as typed (never the password)."""
        token = secrets.token_urlsafe(32)
        status = {None: 200, "wrong": 401, "locked": 429}[error]
        response = self.html(
            "login",
            {
                "login_csrf": token,
                "error": error,
                "locked_until": until,
                "next": safe_next(request),
                "username": username,
            },
            session=None,
            path=LOGIN_PATH,
            status=status,
        )
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=self.secure_cookies,
            path=LOGIN_PATH,
            max_age=3600,
        )
        return response

    async def login_post(self, request: Request) -> Response:
        form = await request.form()
        if not _same(_field(form, CSRF_FIELD), request.cookies.get(LOGIN_CSRF_COOKIE)):
            return self.refused(None, request.url.path, csrf=True)
        username = _field(form, "username")
        result = await login(self.db, username, _field(form, "password"), now=self.clock())
        if isinstance(result, Locked):
            return self.login_page(request, error="locked", until=result.until, username=username)
        if not isinstance(result, LoggedIn):
            return self.login_page(request, error="wrong", username=username)
        log.info("dashboard.login", extra={"role": result.officer.role})
        response = RedirectResponse(safe_next(request) or HOME, status_code=303)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path=LOGIN_PATH)
        self.set_session_cookie(response, result.token)
        return response

    async def logout_post(self, request: Request) -> Response:
        session = await self.session_of(request)
        if session is not None:
            form = await request.form()
            if not _same(_field(form, CSRF_FIELD), session.csrf_token):
                return self.refused(session, request.url.path, csrf=True)
            await logout(self.db, session)
        response = RedirectResponse(LOGIN_PATH, status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def session_of(self, request: Request) -> Session | None:
        return await find_session(self.db, request.cookies.get(SESSION_COOKIE), now=self.clock())

    # Pages ---------------------------------------------------------------------

    def refused(self, session: Session | None, path: str, *, csrf: bool = False) -> Response:
        return self.html("refused", {"csrf_missing": csrf}, session=session, path=path, status=403)

    def route(self, page: Page) -> Route:
        async def endpoint(request: Request) -> Response:
            return await self.serve(page, request)

        return Route(page.path, endpoint, methods=list(page.methods))

    async def serve(self, page: Page, request: Request) -> Response:
        path = request.url.path
        session = await self.session_of(request)
        if session is None:
            if request.method != "GET":
                return self.refused(None, path)
            wanted = path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"{LOGIN_PATH}?next={quote(wanted, safe='')}", status_code=303)
        form: dict[str, str] = {}
        if request.method == "POST":
            posted = await request.form()
            if not _same(_field(posted, CSRF_FIELD), session.csrf_token):
                log.warning("dashboard.csrf_refused", extra={"path": page.path})
                return self.refused(session, path, csrf=True)
            form = {k: v for k, v in posted.items() if isinstance(v, str) and k != CSRF_FIELD}
        if session.officer.role not in page.roles:
            log.warning("dashboard.role_refused", extra={"path": page.path, "role": session.officer.role})
            return self.refused(session, path)
        if not ids_in_path(request.path_params):
            return self.html("not_found", {}, session=session, path=path, status=404)
        ctx = PageContext(
            db=self.db,
            agency=self.agency,
            renderer=self.renderer,
            actor=actor(session.officer.username),
            locale=self.locale,
            clock=self.clock,
            config=self.config,
            officer=session.officer,
            params=dict(request.path_params),
            query=dict(request.query_params),
            form=form,
            session=dict(session.data),
            csrf=session.csrf_token,
            panels=[panel for capability in self.capabilities for panel in capability.panels],
        )
        try:
            result = await page.handler(ctx)
        except Refused:
            return self.refused(session, path)
        except NotFound:
            return self.html("not_found", {}, session=session, path=path, status=404)
        return await self.respond(result, ctx, session, path)

    async def respond(self, result: PageResult, ctx: PageContext, session: Session, path: str) -> Response:
        notices: list[dict[str, Any]] = []
        if isinstance(result, Html):
            # Rendered by `ctx.notice` from autoescaped templates: HTML already, not to escape twice.
            notices = [{**n, "text": Markup(n["text"])} for n in ctx.session.pop("notices", [])]
        if ctx.session != session.data:
            await save_session_data(self.db, session, dict(ctx.session))
        if isinstance(result, Redirect):
            return RedirectResponse(result.to, status_code=303, headers=SECURITY_HEADERS)
        if isinstance(result, Download):
            return FileResponse(
                result.path,
                media_type=result.media_type,
                filename=result.filename,
                headers=SECURITY_HEADERS,
                background=BackgroundTask(result.path.unlink, missing_ok=True),
            )
        return self.html(
            result.template,
            dict(result.values),
            session=session,
            path=path,
            notices=notices,
            status=result.status,
        )

    async def not_found(self, request: Request) -> Response:
        """A /dashboard/… path no page has: the not-found page (with the navigation when signed in),
        not Starlette's bare English one. A path with a trailing slash (`/dashboard/owners/`) goes
        to the one without, as Starlette did before this route caught it."""
        path = request.url.path
        if path.endswith("/"):
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse(path.rstrip("/") + query, status_code=307)
        session = await self.session_of(request)
        return self.html("not_found", {"missing_page": True}, session=session, path=path, status=404)

    async def icon(self, request: Request) -> Response:
        svg = resources.files("messages").joinpath("static", ICON).read_bytes()
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})

    async def stylesheet(self, request: Request) -> Response:
        css = resources.files("messages").joinpath("static", STYLESHEET).read_text(encoding="utf-8")
        return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = [
            Route(LOGIN_PATH, self.login_form, methods=["GET"]),
            Route(LOGIN_PATH, self.login_post, methods=["POST"]),
            Route("/dashboard/logout", self.logout_post, methods=["POST"]),
            Route(f"/dashboard/static/{STYLESHEET}", self.stylesheet, methods=["GET"]),
            Route(f"/dashboard/static/{ICON}", self.icon, methods=["GET"]),
            Route("/favicon.ico", self.icon, methods=["GET"]),
        ]
        routes += [self.route(page) for capability in self.capabilities for page in capability.pages]
        # Last: what no route above answers (every method, so a POST there is not a bare 405).
        routes.append(
            Route("/dashboard/{rest:path}", self.not_found, methods=["GET", "POST", "PUT", "DELETE"])
        )
        return routes


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _same(given: str | None, expected: str | None) -> bool:
    return bool(given) and bool(expected) and hmac.compare_digest(str(given), str(expected))


def safe_next(request: Request) -> str | None:
    """Where to go after signing in: a path of this server only (never another site)."""
    wanted = request.query_params.get("next", "")
    if wanted.startswith("/") and not wanted.startswith("//") and "\\" not in wanted:
        return wanted
    return None


def is_https(public_url: str | None) -> bool:
    return bool(public_url) and str(public_url).lower().startswith("https://")
