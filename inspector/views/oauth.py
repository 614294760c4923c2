"""The inspector as an OAuth client: its Client ID Metadata Document, and the redirect
URI an authorization server sends the browser back to.

The client_id URL is the operator's `INSPECTOR_OAUTH_CLIENT_ID_URL` when set, else the
document's URL as the browser reached this inspector. The redirect URI is the callback
on the same origin as that URL, so the document always lists the URI the flow sends.
Flows present the URL as their client_id (to servers that support metadata documents)
only when it is configured or served over HTTPS: an authorization server elsewhere cannot
fetch a document from a plain-HTTP inspector on someone's loopback address, and the flow
then falls back to dynamic registration.

Both are reachable without the local-mode access token: an authorization server fetches
the document, and the browser comes back from another site, so neither the token cookie
nor the session cookie (both SameSite=Strict) come with that request. The callback
therefore acts on nothing: it forwards the browser, from this origin, to `complete`,
which has the cookies, and where `state` must match a flow this browser's session began.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from inspector import services

SESSION_KEY = "oauth_flows"
# Flows a browser may have begun and not finished; older ones are dropped.
MAX_PENDING_FLOWS = 8


@dataclass(frozen=True, slots=True)
class ClientIdentity:
    """What a flow started from a request presents: where to come back, and the
    client_id URL (empty: none that an authorization server could fetch)."""

    redirect_uri: str
    client_metadata_url: str


def client_id_url(request: HttpRequest) -> str:
    configured: str = settings.INSPECTOR_OAUTH_CLIENT_ID_URL
    return configured or request.build_absolute_uri(reverse("oauth-client-metadata"))


def redirect_uri(request: HttpRequest) -> str:
    parts = urlsplit(client_id_url(request))
    return f"{parts.scheme}://{parts.netloc}{reverse('oauth-callback')}"


def client_identity(request: HttpRequest) -> ClientIdentity:
    presentable = bool(settings.INSPECTOR_OAUTH_CLIENT_ID_URL) or request.is_secure()
    return ClientIdentity(
        redirect_uri=redirect_uri(request),
        client_metadata_url=client_id_url(request) if presentable else "",
    )


@login_not_required
@require_GET
async def client_metadata(request: HttpRequest) -> JsonResponse:
    document = await services.auth_client_metadata(
        client_id=client_id_url(request),
        client_uri=request.build_absolute_uri("/"),
        redirect_uri=redirect_uri(request),
    )
    return JsonResponse(document)


@login_not_required
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    target = reverse("oauth-complete") + "?" + urlencode(list(request.GET.items()))
    return render(request, "inspector/oauth_callback.html", {"target": target})


@require_GET
async def complete(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    flows: dict[str, Any] = dict(await request.session.aget(SESSION_KEY, {}))
    bound = flows.pop(state, None)
    if bound is None:
        return render(
            request,
            "inspector/oauth_callback.html",
            {
                "problem": "This authorization response does not belong to a flow this "
                "browser started (or it was already used). Nothing was done; start the "
                "authorization again from the session's Auth tab."
            },
            status=400,
        )
    await request.session.aset(SESSION_KEY, flows)
    session_id = str(bound["session_id"])
    params = {key: request.GET[key] for key in request.GET}
    try:
        # The browser's session began this flow from a page of this session, but the
        # membership is checked again: a browser session can outlive a change of who is
        # signed in, and a member can be removed meanwhile.
        snapshot = await services.session_get(session_id=session_id)
        access = await services.access_reaching(
            access=request.access,  # type: ignore[attr-defined]
            owner_id=snapshot.owner_id,
        )
        if access is None or not access.may_act:
            raise services.SessionNotFound(session_id)
        await services.auth_complete(
            session_id=session_id, sealed=str(bound.get("pending", "")), params=params
        )
    except services.PendingUnreadable:
        return render(
            request,
            "inspector/oauth_callback.html",
            {
                "problem": "What this browser kept of the flow can no longer be read (the "
                "inspector's key changed?). Nothing was done; start the authorization again "
                "from the session's Auth tab."
            },
            status=400,
        )
    except services.SessionNotFound as exc:
        raise Http404("The session this authorization was for is gone.") from exc
    except services.AuthFlowMissing as exc:
        problem = f"{exc} Nothing more was done; the session's Auth tab shows where it stands."
        return render(request, "inspector/oauth_callback.html", {"problem": problem}, status=400)
    return redirect(reverse("session", args=[session_id]) + "#auth")


async def bind_pending(
    request: HttpRequest, session_id: str, pending: services.SealedPending
) -> None:
    """Keep what the callback needs in this browser's (server-side) session, under its
    `state`: only this browser can finish the flow, and nothing of it is in the page."""
    flows: dict[str, Any] = dict(await request.session.aget(SESSION_KEY, {}))
    flows[pending.state] = {"session_id": session_id, "pending": pending.sealed}
    while len(flows) > MAX_PENDING_FLOWS:
        flows.pop(next(iter(flows)))
    await request.session.aset(SESSION_KEY, flows)
