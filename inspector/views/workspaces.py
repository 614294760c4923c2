"""The members page of the workspace a request acts in (hosted mode only): every member
sees who belongs and with which role; an admin changes roles, removes members, invites
by email or by a one-time link, and revokes invitations still open. Any account may
make a team workspace, of which it is the first admin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inspector import services
from inspector.forms.workspaces import InviteEmailForm, InviteLinkForm, RoleForm, WorkspaceForm
from inspector.middleware import CHOSEN_WORKSPACE_KEY, open_to_viewers

PAGE = "inspector/workspaces/members.html"
NEW = "inspector/workspaces/new.html"


@dataclass(frozen=True, slots=True)
class Acting:
    """A signed-in account and the workspace it acts in."""

    user_id: int
    workspace_id: int
    access: services.Access


def acting(request: HttpRequest) -> Acting:
    """Local mode has no accounts, so none of this exists there."""
    access: services.Access = request.access  # type: ignore[attr-defined]
    if access.user_id is None or access.workspace_id is None:
        raise Http404("Workspaces exist in hosted mode only.")
    return Acting(user_id=access.user_id, workspace_id=access.workspace_id, access=access)


def administering(request: HttpRequest) -> Acting:
    me = acting(request)
    if not me.access.may_administer:
        raise PermissionDenied("Only an admin of this workspace may change its members.")
    return me


def invitation_link(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("invitation", args=[token]))


async def _render(
    request: HttpRequest, me: Acting, *, status: int = 200, **extra: Any
) -> HttpResponse:
    page = await services.workspace_members_get(
        workspace_id=me.workspace_id, with_invitations=me.access.may_administer
    )
    context = {
        "page": page,
        "access": me.access,
        "roles": services.Role.choices,
        "link_form": extra.pop("link_form", None) or InviteLinkForm(),
        "email_form": extra.pop("email_form", None) or InviteEmailForm(),
        **extra,
    }
    return render(request, PAGE, context, status=status)


def _members_page() -> HttpResponse:
    return redirect("workspace-members")


@require_GET
async def members(request: HttpRequest) -> HttpResponse:
    return await _render(request, acting(request))


@require_POST
async def change_role(request: HttpRequest, user_id: int) -> HttpResponse:
    me = administering(request)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return await _render(request, me, status=422, problem="Choose a role.")
    try:
        await services.workspace_member_role_set(
            workspace_id=me.workspace_id, user_id=user_id, role=form.chosen_role()
        )
    except services.MemberNotFound as exc:
        raise Http404("No such member.") from exc
    except services.LastAdmin as exc:
        return await _render(request, me, status=409, problem=str(exc))
    return _members_page()


@require_POST
async def remove(request: HttpRequest, user_id: int) -> HttpResponse:
    me = administering(request)
    try:
        await services.workspace_member_remove(workspace_id=me.workspace_id, user_id=user_id)
    except services.MemberNotFound as exc:
        raise Http404("No such member.") from exc
    except (services.LastAdmin, services.PersonalWorkspace) as exc:
        return await _render(request, me, status=409, problem=str(exc))
    if user_id == me.user_id:
        # An admin who left acts in their personal workspace from now on.
        return redirect("home")
    return _members_page()


@require_POST
async def invite_link(request: HttpRequest) -> HttpResponse:
    me = administering(request)
    form = InviteLinkForm(request.POST)
    if not form.is_valid():
        return await _render(request, me, status=422, link_form=form)
    try:
        issued = await services.invitation_link_create(
            workspace_id=me.workspace_id,
            invited_by_id=me.user_id,
            role=form.chosen_role(),
            lifetime=form.lifetime(),
        )
    except services.PersonalWorkspace as exc:
        return await _render(request, me, status=409, problem=str(exc))
    # Shown this once: only a digest of its secret is kept.
    link = invitation_link(request, issued.token)
    return await _render(request, me, new_link=link, issued=issued.invitation)


@require_POST
async def invite_email(request: HttpRequest) -> HttpResponse:
    me = administering(request)
    form = InviteEmailForm(request.POST)
    if not form.is_valid():
        return await _render(request, me, status=422, email_form=form)
    try:
        invitation = await services.invitation_email_send(
            workspace_id=me.workspace_id,
            invited_by_id=me.user_id,
            email=form.cleaned_data["email"],
            role=form.chosen_role(),
            lifetime=form.lifetime(),
            link_for=lambda token: invitation_link(request, token),
        )
    except services.PersonalWorkspace as exc:
        return await _render(request, me, status=409, problem=str(exc))
    except services.InvitationNotSent as exc:
        return await _render(request, me, status=502, problem=str(exc), email_form=form)
    return await _render(request, me, sent_to=invitation.email)


@require_POST
async def revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    me = administering(request)
    try:
        await services.invitation_revoke(workspace_id=me.workspace_id, invitation_id=invitation_id)
    except services.InvitationNotFound as exc:
        raise Http404("No such invitation.") from exc
    return _members_page()


@open_to_viewers  # a new workspace takes nothing from the one acted in
@require_http_methods(["GET", "POST"])
async def create(request: HttpRequest) -> HttpResponse:
    """A new team workspace: whoever makes it is its admin, and acts in it at once."""
    me = acting(request)
    form = WorkspaceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        workspace = await services.workspace_create(
            name=form.cleaned_data["name"], admin_id=me.user_id
        )
        await switch_to(request, workspace.id)
        return _members_page()
    status = 422 if form.is_bound else 200
    return render(request, NEW, {"form": form}, status=status)


async def switch_to(request: HttpRequest, workspace_id: int) -> None:
    """Act in this workspace from the next request on (it must be one of the account's)."""
    await request.session.aset(CHOSEN_WORKSPACE_KEY, workspace_id)
