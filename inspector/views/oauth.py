"""The inspector's OAuth endpoints: its Client ID Metadata Document, and the redirect
URI an authorization server sends the browser back to.

Both are reachable without the local-mode access token: an authorization server fetches
the document, and the browser comes back from another site, so neither the token cookie
nor the session cookie (both SameSite=Strict) come with that request. The callback
therefore acts on nothing: it forwards the browser, from this origin, to `complete`,
which has the cookies, and where `state` must match a flow this browser's session began.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from inspector import services
from inspector.mcp.auth.flow import PendingAuthorization
from inspector.oauth_client import metadata_document
from inspector.storage.encryption import UnreadableSecret, decrypt_json, encrypt_json
from inspector.views.common import owner_id

SESSION_KEY = "oauth_flows"
# Flows a browser may have begun and not finished; older ones are dropped.
MAX_PENDING_FLOWS = 8


@login_not_required
@require_GET
def client_metadata(request: HttpRequest) -> JsonResponse:
    return JsonResponse(metadata_document(request))


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
    try:
        pending = PendingAuthorization.from_dict(decrypt_json(bound["pending"]))
    except (UnreadableSecret, KeyError, TypeError, ValueError):
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
    params = {key: request.GET[key] for key in request.GET}
    try:
        # The browser's session began this flow from a page of this session, but the owner
        # is checked again: a browser session can outlive a change of who is signed in.
        await services.session_owned(session_id, owner_id=await owner_id(request))
        await services.session_auth_complete(session_id, pending, params)
    except services.SessionNotFound as exc:
        raise Http404("The session this authorization was for is gone.") from exc
    except services.AuthFlowMissing as exc:
        problem = f"{exc} Nothing more was done; the session's Auth tab shows where it stands."
        return render(request, "inspector/oauth_callback.html", {"problem": problem}, status=400)
    return redirect(reverse("session", args=[session_id]) + "#auth")


async def bind_pending(
    request: HttpRequest, session_id: str, pending: PendingAuthorization
) -> None:
    """Keep what the callback needs in this browser's (server-side) session, under its
    `state`: only this browser can finish the flow, and nothing of it is in the page."""
    flows: dict[str, Any] = dict(await request.session.aget(SESSION_KEY, {}))
    # Encrypted: the record holds the PKCE verifier and, for a confidential client, its
    # secret, and the session table is only signed.
    flows[pending.state] = {"session_id": session_id, "pending": encrypt_json(pending.to_dict())}
    while len(flows) > MAX_PENDING_FLOWS:
        flows.pop(next(iter(flows)))
    await request.session.aset(SESSION_KEY, flows)
