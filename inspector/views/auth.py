"""The Auth tab of an HTTP session: its stored tokens (masked), its OAuth client
settings, and the flow in quick mode ("Authorize") or guided mode (one step per
"Continue"). The browser is sent to an authorization server only with an http(s) URL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.forms.oauth import OAuthClientForm
from inspector.views.common import HtmxHttpRequest, resident_snapshot
from inspector.views.oauth import bind_pending, client_identity

TEMPLATE = "inspector/tabs/auth.html"


async def http_snapshot(session_id: str) -> services.SessionSnapshot:
    """The live session, if it is one OAuth applies to; every Auth view starts here, so
    that nothing is done for a stdio session before it is refused."""
    snapshot = await resident_snapshot(session_id)
    if not snapshot.is_http:
        raise Http404("Only HTTP connections are authorized with OAuth.")
    return snapshot


async def _context(
    request: HtmxHttpRequest, session_id: str, panel: services.AuthPanel | None = None, **extra: Any
) -> dict[str, Any]:
    snapshot = await http_snapshot(session_id)
    return {
        "session": snapshot,
        "auth": panel or await services.auth_panel_get(session_id=session_id),
        "form": extra.pop("form", None)
        or OAuthClientForm(initial=await services.auth_settings_get(session_id=session_id)),
        **extra,
    }


def _session_auth_url(session_id: str) -> str:
    return reverse("session", args=[session_id]) + "#auth"


@require_GET
async def panel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    return render(request, f"{TEMPLATE}#panel", await _context(request, session_id))


@require_POST
async def client_settings(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await http_snapshot(session_id)
    form = OAuthClientForm(request.POST)
    if not form.is_valid():
        context = await _context(request, session_id, form=form)
        return render(request, f"{TEMPLATE}#panel", context, status=422)
    await services.auth_settings_set(session_id=session_id, **form.settings())
    return render(request, f"{TEMPLATE}#panel", await _context(request, session_id, saved=True))


@require_POST
async def quick(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    """Authorize: every step at once; the browser leaves for the authorization server
    only when a person must approve there (a plain form POST, answered by a page that
    opens it), else comes back to the session's Auth tab."""
    await http_snapshot(session_id)
    panel = await _start(request, session_id, guided=False)
    if panel.awaiting_redirect and panel.authorization_url is not None:
        context = {"authorization_url": panel.authorization_url}
        return render(request, "inspector/oauth_redirect.html", context)
    if panel.state is None and panel.error is not None:
        # Refused before a flow began: there is no flow for the Auth tab to show.
        problem = f"The step “{panel.failed_step}” failed: {panel.error}"
        context = {"problem": problem, "back": _session_auth_url(session_id)}
        return render(request, "inspector/oauth_callback.html", context, status=409)
    return redirect(_session_auth_url(session_id))


@require_POST
async def guided(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await http_snapshot(session_id)
    panel = await _start(request, session_id, guided=True)
    return render(request, f"{TEMPLATE}#panel", await _context(request, session_id, panel))


@require_POST
async def step(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await http_snapshot(session_id)
    try:
        panel = await services.auth_continue(session_id=session_id)
    except services.AuthFlowMissing as exc:
        context = await _context(request, session_id, problem=str(exc))
        return render(request, f"{TEMPLATE}#panel", context, status=409)
    await _bind(request, session_id)
    return render(request, f"{TEMPLATE}#panel", await _context(request, session_id, panel))


@require_POST
async def forget(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await http_snapshot(session_id)
    await services.auth_forget(session_id=session_id)
    context = await _context(request, session_id, forgotten=True)
    return render(request, f"{TEMPLATE}#panel", context)


async def _start(request: HtmxHttpRequest, session_id: str, *, guided: bool) -> services.AuthPanel:
    identity = client_identity(request)
    try:
        panel = await services.auth_start(
            session_id=session_id,
            redirect_uri=identity.redirect_uri,
            client_metadata_url=identity.client_metadata_url,
            guided=guided,
        )
    except services.AuthError as exc:
        # Refused before any step ran (step-ups exhausted): shown like a failed step.
        panel = await services.auth_panel_get(session_id=session_id)
        return replace(panel, error=exc.message, failed_step=str(exc.step))
    await _bind(request, session_id)
    return panel


async def _bind(request: HtmxHttpRequest, session_id: str) -> None:
    pending = await services.auth_pending_get(session_id=session_id)
    if pending is not None:
        await bind_pending(request, session_id, pending)
