"""Load tests from a session's page: the form, and each test's page, which follows the
run and then shows throughput, latency percentiles, errors and the second-by-second
chart. Under the session they were started from, so its owner check covers them."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from inspector import services
from inspector.forms.load_test import LoadTestForm
from inspector.middleware import request_owner_id
from inspector.presenters.load_chart import load_chart
from inspector.views.common import HtmxHttpRequest, resident_snapshot


@require_http_methods(["GET", "POST"])
async def start(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    snapshot = await resident_snapshot(session_id)
    form = LoadTestForm(request.POST or None, initial={"tool": request.GET.get("tool", "")})
    if request.method == "POST" and form.is_valid():
        try:
            stored = await services.load_test_start(
                session_id=session_id,
                owner_id=await request_owner_id(request),
                options=form.options(),
            )
        except services.LoadTestCannotRun as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(reverse("session-load", args=[session_id, stored.id]))
    tools = await services.catalog_keys(session_id=session_id, listing=services.Listing.TOOLS)
    context = {"session": snapshot, "form": form, "tools": tools}
    status = 422 if request.method == "POST" else 200
    return render(request, "inspector/load_tests/start.html", context, status=status)


@require_GET
async def page(request: HtmxHttpRequest, session_id: str, load_id: str) -> HttpResponse:
    return render(request, "inspector/load_tests/page.html", await _context(session_id, load_id))


@require_GET
async def progress(request: HtmxHttpRequest, session_id: str, load_id: str) -> HttpResponse:
    context = await _context(session_id, load_id)
    if not context["state"].stored.running:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"  # done: the whole page, with its results
        return response
    return render(request, "inspector/load_tests/page.html#progress", context)


@require_GET
async def download(request: HtmxHttpRequest, session_id: str, load_id: str) -> JsonResponse:
    state = await _state(session_id, load_id)
    if state.stored.result is None:
        raise Http404("This load test has no result.")
    response = JsonResponse(state.stored.result, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="load-{state.stored.id[:8]}.json"'
    return response


async def _state(session_id: str, load_id: str) -> services.LoadTestState:
    try:
        return await services.load_test_get(session_id=session_id, load_id=load_id)
    except services.LoadTestNotFound as exc:
        raise Http404("No such load test.") from exc


async def _context(session_id: str, load_id: str) -> dict[str, Any]:
    state = await _state(session_id, load_id)
    result = state.stored.result or {}
    return {
        "session": await services.session_get(session_id=session_id),
        "state": state,
        "result": result,
        "chart": load_chart(result.get("timeline") or []),
    }
