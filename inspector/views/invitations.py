"""Accepting an invitation at /invite/<secret>/ (hosted mode only). Signed in, a person
sees the workspace and role and joins with one button; signed out, they sign in or make
an account (how teammates get one), and join with it. An invitation that expired, was
used or was revoked is refused with 410 Gone, saying which.

These views are reached signed out: the secret in the path is what lets one in.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import aauthenticate, alogin
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.forms.workspaces import NewAccountForm
from inspector.middleware import open_to_viewers
from inspector.views.workspaces import acting, switch_to

PAGE = "inspector/workspaces/invitation.html"
CLOSED = "inspector/workspaces/invitation_closed.html"

CLOSED_REASONS = {
    services.InvitationState.EXPIRED: "This invitation has expired.",
    services.InvitationState.USED: "This invitation has been used already: each works once.",
    services.InvitationState.REVOKED: "This invitation was revoked by an admin of the workspace.",
}


async def _invitation(token: str) -> services.InvitationSummary:
    if settings.LOCAL_MODE:
        raise Http404("Invitations exist in hosted mode only.")
    try:
        return await services.invitation_get(token=token)
    except services.InvitationNotFound as exc:
        raise Http404("No such invitation: check the link you were given.") from exc


def _closed(
    request: HttpRequest,
    invitation: services.InvitationSummary,
    state: services.InvitationState,
) -> HttpResponse:
    context = {"invitation": invitation, "reason": CLOSED_REASONS[state], "state": state}
    return render(request, CLOSED, context, status=410)


async def _page(
    request: HttpRequest,
    token: str,
    invitation: services.InvitationSummary,
    *,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    user = await request.auser()
    context: dict[str, Any] = {
        "invitation": invitation,
        "token": token,
        "signed_in": user.is_authenticated,
        "username": user.get_username() if user.is_authenticated else "",
        "sign_in_url": f"{reverse('login')}?{urlencode({'next': request.path})}",
        **extra,
    }
    if user.is_authenticated:
        context["wrong_account"] = bool(invitation.email) and (
            invitation.email.casefold() != (getattr(user, "email", "") or "").casefold()
        )
        context["already_member"] = await services.workspace_has_member(
            workspace_id=invitation.workspace_id, user_id=user.pk
        )
    else:
        context.setdefault("form", NewAccountForm(invited_email=invitation.email))
    return render(request, PAGE, context, status=status)


@login_not_required
@require_GET
async def show(request: HttpRequest, token: str) -> HttpResponse:
    invitation = await _invitation(token)
    if invitation.state is not services.InvitationState.OPEN:
        return _closed(request, invitation, invitation.state)
    return await _page(request, token, invitation)


@open_to_viewers  # joining another workspace takes nothing from the one acted in
@require_POST
async def accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = await _invitation(token)
    me = acting(request)
    try:
        workspace_id = await services.invitation_accept(token=token, user_id=me.user_id)
    except services.InvitationNotFound as exc:
        raise Http404("No such invitation.") from exc
    except services.InvitationClosed as exc:
        return _closed(request, invitation, exc.state)
    except services.WrongAccount:
        return await _page(request, token, invitation, status=403)
    except services.AlreadyMember as exc:
        workspace_id = exc.workspace_id
    await switch_to(request, workspace_id)
    return redirect("workspace-members")


@open_to_viewers
@login_not_required
@require_POST
async def join(request: HttpRequest, token: str) -> HttpResponse:
    """Make an account and accept with it, then sign it in."""
    invitation = await _invitation(token)
    if invitation.state is not services.InvitationState.OPEN:
        return _closed(request, invitation, invitation.state)
    form = NewAccountForm(request.POST, invited_email=invitation.email)
    if not await sync_to_async(form.is_valid)():
        return await _page(request, token, invitation, status=422, form=form)
    try:
        user_id, workspace_id = await services.invitation_accept_new_account(
            token=token,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            email=form.account_email(),
        )
    except services.InvitationClosed as exc:
        return _closed(request, invitation, exc.state)
    except services.UsernameTaken as exc:
        form.add_error("username", str(exc))
        return await _page(request, token, invitation, status=422, form=form)
    # Signed in as any sign-in is: through the authentication backends.
    account = await aauthenticate(
        request, username=form.cleaned_data["username"], password=form.cleaned_data["password1"]
    )
    assert account is not None, user_id
    await alogin(request, account)
    await switch_to(request, workspace_id)
    return redirect("workspace-members")
