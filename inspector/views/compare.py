"""The compare page: a session's surface against another session's of the same owner
(or its saved server's baseline), as `inspector diff` compares them."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from inspector import services
from inspector.middleware import request_owner_id
from inspector.presenters.surface_diff import diff_view
from inspector.views.common import HtmxHttpRequest

PICKED_SESSIONS = 100


@require_GET
async def page(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    owner_id = await request_owner_id(request)
    session = await services.session_get(session_id=session_id)
    others = [
        each
        for each in await services.session_list(owner_id=owner_id, limit=PICKED_SESSIONS)
        if each.id != session_id
    ]
    context: dict[str, Any] = {
        "session": session,
        "others": others,
        "picked": "",
        "baseline_available": bool(session.spec.get("saved_server")),
    }
    if request.GET.get("baseline"):
        context.update(await _with_baseline(session_id, owner_id))
        return render(request, "inspector/compare.html", context)
    other_id = request.GET.get("with", "").strip()
    if other_id:
        try:
            comparison = await services.surface_compare(
                session_id=session_id, other_id=other_id, owner_id=owner_id
            )
        except services.SessionNotFound as exc:
            raise Http404("No such session to compare with.") from exc
        context.update(
            picked=other_id,
            before_label=_label(comparison.before),
            before_url=reverse("session", args=[comparison.before.id]),
            diff=diff_view(comparison.diff),
        )
    return render(request, "inspector/compare.html", context)


def _label(snapshot: services.SessionSnapshot) -> str:
    return f"{snapshot.display_name} ({snapshot.created_at:%Y-%m-%d %H:%M:%S})"


async def _with_baseline(session_id: str, owner_id: int | None) -> dict[str, Any]:
    try:
        drift = await services.session_drift(session_id=session_id, owner_id=owner_id)
    except services.NoSavedServer:
        return {"baseline_missing": "This session was not opened from a saved server of yours."}
    if drift.diff is None or drift.pinned_at is None:
        return {
            "baseline_missing": f"No baseline is pinned for “{drift.server_name}” yet: "
            "pin one from a session of it."
        }
    return {
        "before_label": f"The baseline of “{drift.server_name}” pinned "
        f"{drift.pinned_at:%Y-%m-%d %H:%M} UTC",
        "before_url": "",
        "diff": diff_view(drift.diff),
    }
