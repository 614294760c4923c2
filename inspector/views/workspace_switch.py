"""The workspace an account acts in: chosen in the top bar, kept in its Django session."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from inspector.forms.workspace_switch import WorkspaceSwitchForm
from inspector.middleware import CHOSEN_WORKSPACE_KEY, open_to_viewers
from inspector.views.common import HtmxHttpRequest


@open_to_viewers
@require_POST
async def switch(request: HtmxHttpRequest) -> HttpResponse:
    form = WorkspaceSwitchForm(
        request.POST,
        choices=request.workspaces,  # type: ignore[attr-defined]
    )
    if not form.is_valid():
        return HttpResponseBadRequest(
            "That is not a workspace you belong to.", content_type="text/plain; charset=utf-8"
        )
    await request.session.aset(CHOSEN_WORKSPACE_KEY, form.chosen())
    # The home page lists the chosen workspace's sessions and saved servers.
    return redirect("home")
