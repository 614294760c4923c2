"""Who may reach what: local-mode access control, session ownership, and the
Content-Security-Policy, for HTTP requests and the websocket.

Local mode answers only someone who holds the token printed at start-up: the token URL
sets a cookie, and every HTTP request and websocket without it is refused. Requests from
another origin are refused too (DNS rebinding, cross-site requests); `ALLOWED_HOSTS`
refuses foreign Host headers. This closes the class of hole behind CVE-2025-49596.

In hosted mode sessions, reports and saved servers belong to a workspace, and an account
reaches only what its workspaces hold. Every URL that names a session (`session_id`), a
report card (`report_id`) or a saved server (`server_id`) is checked here, before its view
runs, so that no view can forget the check; what belongs to a workspace the account is not
a member of is answered exactly as something that does not exist, so that ids cannot be
probed. A viewer's requests that would change something are refused here too. The
websocket makes the same membership check (`inspector.consumers`).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
)
from django.http.request import split_domain_port, validate_host
from django.template.response import TemplateResponse

from inspector import services

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Server icons may come from https: or data: sources; never inline SVG.
        "img-src 'self' https: data:",
        "media-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]


# Reached without the access token: an authorization server fetches the client metadata
# document, and a browser coming back from one brings no SameSite=Strict cookie. Neither
# view acts on anything (see `inspector.views.oauth`).
PUBLIC_PATHS = frozenset({"/oauth/client-metadata.json", "/oauth/callback"})


def token_matches(candidate: str | None) -> bool:
    if not candidate:
        return False
    return secrets.compare_digest(candidate.encode(), settings.INSPECTOR_TOKEN.encode())


def origin_allowed(origin: str | None, host: str | None) -> bool:
    """A request without Origin is same-origin navigation; one with it must match Host."""
    if not origin:
        return True
    parts = urlsplit(origin)
    return bool(host) and parts.scheme in {"http", "https"} and parts.netloc == host


def host_allowed(host: str) -> bool:
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


def refusal(reason: str) -> HttpResponseForbidden:
    return HttpResponseForbidden(
        f"Refused: {reason}\n\nOpen the inspector through the URL it printed when it started "
        "(it carries the access token).\n",
        content_type="text/plain; charset=utf-8",
    )


class AsyncMiddleware:
    """A middleware that runs on the event loop; Django adapts the few sync views."""

    async_capable = True
    sync_capable = False

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        if iscoroutinefunction(self.get_response):
            markcoroutinefunction(self)

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError


class LocalAccessMiddleware(AsyncMiddleware):
    """Token cookie and Origin checks for every HTTP request in local mode."""

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.LOCAL_MODE or request.path in PUBLIC_PATHS:
            return await self.get_response(request)
        if not origin_allowed(request.headers.get("Origin"), request.get_host()):
            return refusal("the request came from another origin.")
        offered = request.GET.get("token")
        if offered is not None:
            if not token_matches(offered):
                return refusal("the access token is wrong.")
            return self._exchange_token(request, offered)
        if not token_matches(request.COOKIES.get(settings.INSPECTOR_TOKEN_COOKIE)):
            return refusal("no access token.")
        return await self.get_response(request)

    def _exchange_token(self, request: HttpRequest, token: str) -> HttpResponse:
        """Trade the token in the URL for a cookie, and drop it from the address bar."""
        query = {key: values for key, values in request.GET.lists() if key != "token"}
        target = request.path + (f"?{urlencode(query, doseq=True)}" if query else "")
        response = HttpResponseRedirect(target)
        response.set_cookie(
            settings.INSPECTOR_TOKEN_COOKIE,
            token,
            httponly=True,
            samesite="Strict",
            secure=request.is_secure(),
        )
        return response


class ContentSecurityPolicyMiddleware(AsyncMiddleware):
    async def __call__(self, request: HttpRequest) -> HttpResponse:
        response = await self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", _policy())
        return response


def _policy() -> str:
    """The pages' policy; MCP Apps' Views may be framed from the sandbox origin only."""
    origin = settings.INSPECTOR_APPS_ORIGIN
    return f"{CSP}; frame-src {origin}" if origin else CSP


SESSION_KWARG = "session_id"
REPORT_KWARG = "report_id"
SERVER_KWARG = "server_id"


# The workspace a signed-in person chose to act in, kept in their Django session.
CHOSEN_WORKSPACE_KEY = "inspector_workspace_id"

# Django's own account pages that a viewer may post to: signing in or out changes nothing
# a workspace holds. The inspector's own such views say so with `open_to_viewers`.
OPEN_TO_VIEWERS = frozenset({"login", "logout"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OPEN_TO_VIEWERS_MARK = "open_to_viewers"
SENDS_TO_SERVER_MARK = "sends_to_server"

View = TypeVar("View", bound=Callable[..., Any])


def sends_to_server(view: View) -> View:
    """Marks a GET view that sends a request to the session's server (reading a
    resource): asking the server for something is acting, which viewers may not."""
    setattr(view, SENDS_TO_SERVER_MARK, True)
    return view


def open_to_viewers(view: View) -> View:
    """Marks a view whose POSTs change nothing a workspace holds (choosing the workspace to
    act in, accepting an invitation): viewers may make them too."""
    setattr(view, OPEN_TO_VIEWERS_MARK, True)
    return view


class SessionOwnerMiddleware(AsyncMiddleware):
    """What each request acts as (`request.access`), and the checks that follow from it.

    A URL naming a session, report or saved server acts in the workspace that owns it,
    with the account's role there: a teammate's link opens for every member. Anyone else
    is answered exactly as for a thing that does not exist. Then the role: a viewer's
    requests that would change something are refused here, for every route at once.
    """

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        access = await request_access(request)
        request.access = access  # type: ignore[attr-defined]
        request.workspaces = (  # type: ignore[attr-defined]
            await services.workspace_choices(user_id=access.user_id)
            if access.user_id is not None
            else []
        )
        return await self.get_response(request)

    async def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        try:
            owners = await named_owners(kwargs)
        except services.HostDidNotAnswer as exc:
            return host_unavailable(exc)
        for owner_id in owners:
            access = await services.access_reaching(
                access=request.access,  # type: ignore[attr-defined]
                owner_id=owner_id,
            )
            if access is None:
                raise Http404(not_found_message(kwargs))
            request.access = access  # type: ignore[attr-defined]
        if refused_to_viewer(request, view):
            return viewer_refusal(request)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, services.HostDidNotAnswer | services.NoSessionHost):
            return host_unavailable(exception)
        return None


async def named_owners(kwargs: dict[str, Any]) -> list[int | None]:
    """The owners of what the URL names, each found or a 404 as for a missing one."""
    owners: list[int | None] = []
    try:
        if (session_id := kwargs.get(SESSION_KWARG)) is not None:
            owners.append(await services.session_owner(session_id=session_id))
        if (report_id := kwargs.get(REPORT_KWARG)) is not None:
            owners.append(await services.report_owner(report_id=report_id))
        if (server_id := kwargs.get(SERVER_KWARG)) is not None:
            owners.append(await services.saved_server_owner(server_id=server_id))
    except (
        services.SessionNotFound,
        services.ReportNotFound,
        services.SavedServerNotFound,
    ) as exc:
        raise Http404(not_found_message(kwargs)) from exc
    return owners


def not_found_message(kwargs: dict[str, Any]) -> str:
    if SESSION_KWARG in kwargs:
        return "No such session."
    if REPORT_KWARG in kwargs:
        return "No such report."
    return "No such saved server."


def refused_to_viewer(request: HttpRequest, view: Callable[..., Any]) -> bool:
    access: services.Access = request.access  # type: ignore[attr-defined]
    if access.may_act:
        return False
    if request.method in SAFE_METHODS:
        return getattr(view, SENDS_TO_SERVER_MARK, False)
    if getattr(view, OPEN_TO_VIEWERS_MARK, False):
        return False
    match = request.resolver_match
    return match is None or match.url_name not in OPEN_TO_VIEWERS


def viewer_refusal(request: HttpRequest) -> HttpResponse:
    """403 with the reason where the page shows failures: in the flash message for an
    HTMX request (`.failure-reason`), as a page of its own otherwise."""
    access: services.Access = request.access  # type: ignore[attr-defined]
    return TemplateResponse(
        request,
        "inspector/viewer_refused.html",
        {"reason": access.viewer_refusal},
        status=403,
    )


def host_unavailable(error: Exception) -> HttpResponse:
    """A session host that did not answer, said plainly: which one, and what was asked."""
    return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")


async def request_access(request: HttpRequest) -> services.Access:
    user = await request.auser()
    if not user.is_authenticated:
        return services.LOCAL_ACCESS
    chosen = request.session.get(CHOSEN_WORKSPACE_KEY)
    return await services.access_get(
        user_id=user.pk, chosen_workspace_id=chosen if isinstance(chosen, int) else None
    )


async def request_owner_id(request: HttpRequest) -> int | None:
    """The workspace the request acts in, which owns what it reaches and makes (None:
    local mode's one person)."""
    access: services.Access = request.access  # type: ignore[attr-defined]
    return access.workspace_id


ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


class WebsocketAccessGuard:
    """The websocket twin of the HTTP checks: Host, Origin and (local mode) the token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        host = headers.get("host", "")
        allowed = (
            host_allowed(host)
            and origin_allowed(headers.get("origin"), host)
            and (
                not settings.LOCAL_MODE
                or token_matches(_cookie(headers, settings.INSPECTOR_TOKEN_COOKIE))
            )
        )
        if not allowed:
            await _deny_websocket(receive, send)
            return
        await self.app(scope, receive, send)


def _cookie(headers: dict[str, str], name: str) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    jar.load(headers.get("cookie", ""))
    morsel = jar.get(name)
    return morsel.value if morsel else None


async def _deny_websocket(receive: Any, send: Any) -> None:
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 4403})


def query_param(scope: dict[str, Any], name: str) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode()).get(name)
    return values[0] if values else None


def seq_param(value: str | None) -> int:
    """A seq from a query string: a non-negative integer, 0 when absent or malformed."""
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0
