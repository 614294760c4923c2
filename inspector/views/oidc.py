"""Sign-in with the team's identity provider (OpenID Connect), from the login page.

`start` sends the browser to the provider through a page that opens it: a redirect from
the login form to another origin would break the `form-action 'self'` policy. The provider
sends it back to `callback`. That request comes from another site, so the browser leaves
out the session cookie (SameSite=Strict): the callback acts on nothing and forwards the
browser, from this origin, to `complete`, which has the cookie and finds the flow this
browser began by its `state`.
A flow is used once. Every refusal shows the login page with the reason.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import auth
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from inspector import services

SESSION_KEY = "oidc_sign_ins"
# Sign-ins a browser may have begun and not finished (several tabs); older ones are dropped.
MAX_PENDING = 4


@login_not_required
@require_POST
async def start(request: HttpRequest) -> HttpResponse:
    provider = _configured()
    after = _safe_next(request, request.POST.get("next", ""))
    redirect_uri = request.build_absolute_uri(reverse("oidc-callback"))
    try:
        begun = await services.oidc_sign_in_start(provider=provider, redirect_uri=redirect_uri)
    except services.SignInRefused as refusal:
        return login_page_with_error(request, str(refusal), after)
    pending: dict[str, Any] = dict(await request.session.aget(SESSION_KEY, {}))
    pending[begun.pending.state] = {**begun.pending.as_dict(), "next": after}
    while len(pending) > MAX_PENDING:
        pending.pop(next(iter(pending)))
    await request.session.aset(SESSION_KEY, pending)
    context = {"target": begun.url, "provider_name": provider.name}
    return render(request, "registration/oidc_forward.html", context)


@login_not_required
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    _configured()
    target = reverse("oidc-complete") + "?" + urlencode(list(request.GET.items()))
    return render(request, "registration/oidc_forward.html", {"target": target})


@login_not_required
@require_GET
async def complete(request: HttpRequest) -> HttpResponse:
    provider = _configured()
    pending: dict[str, Any] = dict(await request.session.aget(SESSION_KEY, {}))
    kept = pending.pop(request.GET.get("state", ""), None)
    await request.session.aset(SESSION_KEY, pending)
    if kept is None:
        return login_page_with_error(
            request,
            "This sign-in was not started from this browser, or it was already used. "
            "Nothing was signed in; sign in again.",
        )
    after = str(kept.get("next", ""))
    try:
        user = await services.oidc_sign_in_finish(
            provider=provider,
            pending=services.PendingSignIn.from_dict(kept),
            answer={key: request.GET[key] for key in request.GET},
        )
    except services.SignInRefused as refusal:
        return login_page_with_error(request, str(refusal), after)
    # Under a new session key: one planted in this browser before signing in is worthless.
    await auth.alogin(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(after or "home")


def login_page_with_error(request: HttpRequest, problem: str, after: str = "") -> HttpResponse:
    return render(
        request,
        "registration/login.html",
        {"form": AuthenticationForm(request), "next": after, "sign_in_problem": problem},
        status=400,
    )


def _configured() -> services.IdentityProvider:
    provider = services.identity_provider_get()
    if provider is None:
        raise Http404("Sign-in with an identity provider is not configured.")
    return provider


def _safe_next(request: HttpRequest, wanted: str) -> str:
    """Where to land after signing in: a path on this site, never elsewhere."""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return ""
