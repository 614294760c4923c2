"""The Skills tab (the `io.modelcontextprotocol/skills` extension, marked draft): the
skills a server lists, one got by URI, a skill's directories, and its files read with
their digests checked."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from inspector import services
from inspector.presenters.skills import skill_view, skills_settings
from inspector.presenters.wire import indented_json
from inspector.views.common import HtmxHttpRequest, call_key, resident_snapshot

TEMPLATE = "inspector/tabs/skills.html"


@require_GET
async def panel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    context = await _context(session_id)
    cursor = request.GET.get("cursor")
    call = await services.skill_request(
        session_id=session_id,
        method="skills/list",
        params={"cursor": cursor} if cursor else {},
        call_key=call_key(request),
    )
    if call.result is None:
        context["error"] = str(call.error)
    else:
        skills = call.result.get("skills")
        context["skills"] = [skill_view(e) for e in skills] if isinstance(skills, list) else []
        context["next_cursor"] = call.result.get("nextCursor")
    return render(request, f"{TEMPLATE}#panel", context)


@require_POST
async def get(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    context = await _context(session_id)
    call = await services.skill_request(
        session_id=session_id,
        method="skills/get",
        params={"uri": request.POST.get("uri", "").strip()},
        call_key=call_key(request),
    )
    if call.result is None:
        context["error"] = str(call.error)
    else:
        context["skill"] = skill_view(call.result.get("skill"))
    return render(request, f"{TEMPLATE}#got", context)


@require_POST
async def directory(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    context = await _context(session_id)
    uri = request.POST.get("uri", "")
    call = await services.skill_request(
        session_id=session_id,
        method="resources/directory/read",
        params={"uri": uri},
        call_key=call_key(request),
    )
    context["uri"] = uri
    if call.result is None:
        context["error"] = str(call.error)
    else:
        children = call.result.get("resources")
        context["children"] = (
            [c for c in children if isinstance(c, dict)] if isinstance(children, list) else []
        )
    return render(request, f"{TEMPLATE}#directory", context)


@require_POST
async def read(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    context = await _context(session_id)
    size = request.POST.get("size", "")
    call, verification = await services.skill_file_read(
        session_id=session_id,
        uri=request.POST.get("uri", ""),
        digest=request.POST.get("digest", ""),
        size=int(size) if size.isdigit() else None,
        call_key=call_key(request),
    )
    context["uri"] = request.POST.get("uri", "")
    if call.result is None:
        context["error"] = str(call.error)
    else:
        context["verification"] = verification
        context["raw"] = indented_json(call.result)
    return render(request, f"{TEMPLATE}#file", context)


async def _context(session_id: str) -> dict[str, Any]:
    snapshot = await resident_snapshot(session_id)
    settings = skills_settings(snapshot.capabilities) or {}
    return {"session": snapshot, "directory_read": settings.get("directoryRead") is True}
