"""Hosted mode's limits, applied to every request before its view runs: requests per
minute for everything an account sends, live sessions for the routes that open one.
A refusal is a 429 whose message the page shows (`flash.js` reads `.failure-reason`),
with Retry-After when waiting helps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from inspector import services
from inspector.middleware import AsyncMiddleware, request_owner_id

# Routes (POST) that open a live session, or bring one back (`session_id` in the path).
OPENS_A_SESSION = frozenset(
    {"connect", "server-connect", "server-check", "session-check", "report-again"}
)
REOPENS_A_SESSION = frozenset({"session-reconnect"})


class LimitMiddleware(AsyncMiddleware):
    async def __call__(self, request: HttpRequest) -> HttpResponse:
        return await self.get_response(request)

    async def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        access: services.Access | None = getattr(request, "access", None)
        if settings.LOCAL_MODE or access is None or access.user_id is None:
            return None
        route = request.resolver_match.url_name if request.resolver_match else None
        try:
            await services.limits_count_request(access=access)
            if request.method == "POST" and route in OPENS_A_SESSION | REOPENS_A_SESSION:
                await services.limits_check_live_sessions(
                    access=access,
                    owner_id=await request_owner_id(request),
                    reconnecting=kwargs.get("session_id", "") if route in REOPENS_A_SESSION else "",
                )
        except services.LimitReached as reached:
            return refusal(request, reached)
        return None


def refusal(request: HttpRequest, reached: services.LimitReached) -> HttpResponse:
    htmx = getattr(request, "htmx", False)
    template = "inspector/limits/refused.html" + ("#reason" if htmx else "")
    response = render(request, template, {"reason": reached.message}, status=429)
    if reached.retry_after is not None:
        response["Retry-After"] = str(reached.retry_after)
    return response
