"""Sessions belong to whoever opened them: in hosted mode a user reaches only their own.

Every URL that names a session (its `session_id`) is checked here, before its view runs,
so that no view can forget the check. Another owner's session is answered exactly as one
that does not exist, so that ids cannot be probed. The websocket makes the same check
(`inspector.consumers`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from inspector import services
from inspector.security import AsyncMiddleware
from inspector.views.common import owner_id

SESSION_KWARG = "session_id"


class SessionOwnerMiddleware(AsyncMiddleware):
    async def __call__(self, request: HttpRequest) -> HttpResponse:
        return await self.get_response(request)

    async def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        session_id = kwargs.get(SESSION_KWARG)
        if session_id is None:
            return
        try:
            await services.session_owned(session_id, owner_id=await owner_id(request))
        except services.SessionNotFound as exc:
            raise Http404("No such session.") from exc
