"""Replay: a session's recorded requests sent again through a live session of the same
owner, in the background; the results page polls for each request's verdict."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from inspector import services
from inspector.forms.replay import ReplayForm
from inspector.middleware import request_owner_id
from inspector.presenters.replay import outcome_rows, verdict_counts
from inspector.views.common import HtmxHttpRequest

OFFERED_TARGETS = 100


@require_http_methods(["GET", "POST"])
async def start(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    owner_id = await request_owner_id(request)
    session = await services.session_get(session_id=session_id)
    steps = await services.replay_plan(session_id=session_id)
    targets = [
        (each.id, f"{each.display_name} · {each.created_at:%Y-%m-%d %H:%M:%S} · {each.target}")
        for each in await services.session_list(owner_id=owner_id, limit=OFFERED_TARGETS)
        if each.connected and each.id != session_id
    ]
    tool_calls = [
        (step.seq, f"#{step.seq} {step.label}") for step in steps if step.may_change_things
    ]
    form = ReplayForm(
        request.POST if request.method == "POST" else None,
        targets=targets,
        tool_calls=tool_calls,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                run = await services.replay_start(
                    session_id=session_id,
                    target_id=form.cleaned_data["target"],
                    owner_id=owner_id,
                    tool_call_seqs=form.cleaned_data["tool_calls"],
                    ignored=form.ignored_paths(),
                )
            except services.BadPattern as exc:
                form.add_error("ignored", str(exc))
            except (services.SessionNotFound, services.ReplayTargetNotLive):
                form.add_error("target", "That session is no longer live: pick another.")
            else:
                results = reverse("session-replay-run", args=[session_id, run.id])
                return redirect(f"{results}?{urlencode({'through': run.target_id})}")
        status = 400
    context: dict[str, Any] = {
        "session": session,
        "steps": steps,
        "form": form,
        "default_ignored": services.DEFAULT_IGNORED,
    }
    return render(request, "inspector/replay.html", context, status=status)


@require_GET
async def results(request: HtmxHttpRequest, session_id: str, run_id: str) -> HttpResponse:
    try:
        run = await services.replay_get(
            session_id=session_id, run_id=run_id, target_id=request.GET.get("through", "")
        )
    except services.ReplayNotFound as exc:
        raise Http404("No such replay: it may have been forgotten since.") from exc
    context = {
        "session": await services.session_get(session_id=session_id),
        "target": await _target(run.target_id),
        "run": run,
        "rows": outcome_rows(run.outcomes),
        "counts": verdict_counts(run.outcomes),
    }
    template = "inspector/replay_results.html"
    if request.htmx:
        template += "#replay-results"
    return render(request, template, context)


async def _target(target_id: str) -> services.SessionSnapshot | None:
    try:
        return await services.session_get(session_id=target_id)
    except services.SessionNotFound:
        return None
