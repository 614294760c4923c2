"""A page's running call, cancelled by its key (the Cancel button beside a call)."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_POST

from inspector import services
from inspector.views.common import HtmxHttpRequest, resident_snapshot


@require_POST
async def cancel(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    await resident_snapshot(session_id)
    await services.call_cancel(session_id=session_id, call_key=request.POST.get("call_key", ""))
    return HttpResponse(status=204)
