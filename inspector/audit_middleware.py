"""The audit log, written for every route that does something a workspace's admins must
be able to trace: one table says which routes, and how to name what each acted on, and
one middleware applies it once the view answered with success. A new view is recorded by
a line here, not by a call it could forget. Sign-ins are recorded by Django's signals
(`inspector.storage.audit`); membership changes call `services.audit_record` themselves.

Hosted mode only; local mode has one person and records nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from inspector import services
from inspector.middleware import AsyncMiddleware
from inspector.services import AuditAction

NEW_SESSION = re.compile(r"/sessions/([0-9a-f]{32})/")


@dataclass(frozen=True, slots=True)
class Answered:
    """A request its view answered with success, as the table's functions see it."""

    request: HttpRequest
    kwargs: dict[str, Any]
    response: HttpResponse
    # What `Recorded.before` found, before the view ran.
    before: Any = None

    def form(self, name: str) -> str:
        return str(self.request.POST.get(name, ""))

    @property
    def session_id(self) -> str:
        return str(self.kwargs.get("session_id", ""))


Naming = Callable[[Answered], str]
Detailing = Callable[[Answered], dict[str, Any]]
# Asked before the view runs; what it returns reaches the others as `Answered.before`.
Before = Callable[[HttpRequest, dict[str, Any]], Awaitable[Any]]
# Whether what the route does did happen (a view may answer 200 and do nothing, such as a
# tool call its form blocked), and what else to record: None when nothing happened.
Confirming = Callable[[Answered], Awaitable[dict[str, Any] | None]]


def _session(answered: Answered) -> str:
    return answered.session_id


def _in_session(answered: Answered) -> dict[str, Any]:
    return {"session": answered.session_id} if answered.session_id else {}


def _nothing(answered: Answered) -> dict[str, Any]:
    return {}


async def _done(answered: Answered) -> dict[str, Any] | None:
    return {}


@dataclass(frozen=True, slots=True)
class Recorded:
    # Or, for a route that sends what the person chose, the action it turned out to be.
    action: AuditAction | Callable[[Answered], AuditAction]
    target: Naming = _session
    detail: Detailing = _in_session
    before: Before | None = None
    confirm: Confirming = _done


def _opened_session(answered: Answered) -> str:
    """The session a connect opened: the page it sends the browser to."""
    location = answered.response.get("Location") or answered.response.get("HX-Redirect") or ""
    match = NEW_SESSION.fullmatch(location)
    return match.group(1) if match else ""


async def _opened(answered: Answered) -> dict[str, Any] | None:
    return {} if _opened_session(answered) else None


def _connected_to(answered: Answered) -> dict[str, Any]:
    transport = answered.form("transport")
    server = answered.form("url") if transport != "stdio" else answered.form("command")
    return {"transport": transport, "server": server}


def _saved_server(answered: Answered) -> dict[str, Any]:
    return {"saved_server": answered.kwargs.get("server_id")}


async def _tool_sent(answered: Answered) -> dict[str, Any] | None:
    # A call the arguments' check blocked sent nothing, and swaps nothing in the page.
    return None if answered.response.get("HX-Reswap") == "none" else {}


async def _approval(
    request: HttpRequest, kwargs: dict[str, Any]
) -> services.ApprovalSnapshot | None:
    try:
        return await services.approval_get(
            session_id=kwargs["session_id"], approval_id=kwargs["approval_id"]
        )
    except (services.SessionNotFound, services.UnknownApproval):
        return None


async def _answer_given(answered: Answered) -> dict[str, Any] | None:
    """Recorded when this request settled the approval: it was pending before the view
    ran, and has a person's decision now."""
    if answered.before is None or not answered.before.pending:
        return None
    try:
        approval = await services.approval_get(
            session_id=answered.session_id, approval_id=answered.kwargs["approval_id"]
        )
    except (services.SessionNotFound, services.UnknownApproval):
        return None
    if approval.pending or not approval.outcome:
        return None
    return {"decision": approval.outcome, "kind": str(approval.kind.value)}


def _approval_method(answered: Answered) -> str:
    """What the server asked for (sampling/createMessage, a tool's consent...)."""
    return str(answered.before.method) if answered.before is not None else ""


async def _playground_decision(answered: Answered) -> dict[str, Any] | None:
    decision = "confirmed" if answered.form("decision") == "confirm" else "declined"
    return {"decision": decision, "kind": "playground tool call"}


def _switch(answered: Answered) -> dict[str, Any]:
    return {**_in_session(answered), "on": answered.form("on") == "true"}


def _report(answered: Answered) -> str:
    return str(answered.kwargs.get("report_id", ""))


def _servers_exported(answered: Answered) -> dict[str, Any]:
    return {
        "server": answered.form("server") or "all",
        "with_secrets": answered.form("include_secrets") in ("on", "true", "1"),
    }


async def _member(request: HttpRequest, kwargs: dict[str, Any]) -> str:
    """The member a route names (by account id), looked up before the view may remove it."""
    return await services.audit_account_name(user_id=int(kwargs["user_id"]))


def _member_name(answered: Answered) -> str:
    return str(answered.before or f"account {answered.kwargs.get('user_id')}")


def _role(answered: Answered) -> dict[str, Any]:
    return {"role": answered.form("role")}


def _invitation(answered: Answered) -> dict[str, Any]:
    return {"role": answered.form("role"), "expires_in": answered.form("expires_in")}


def _composed(answered: Answered) -> tuple[str, dict[str, Any]]:
    """The method and params of a message written in Compose (its JSON text)."""
    try:
        params = json.loads(answered.form("params") or "{}")
    except ValueError:
        params = {}
    return answered.form("method"), params if isinstance(params, dict) else {}


def _composed_action(answered: Answered) -> AuditAction:
    method, _ = _composed(answered)
    return AuditAction.TOOL_CALL if method == "tools/call" else AuditAction.REQUEST_SEND


def _composed_target(answered: Answered) -> str:
    method, params = _composed(answered)
    return str(params.get("name", "")) if method == "tools/call" else method


def _composed_detail(answered: Answered) -> dict[str, Any]:
    return {**_in_session(answered), "from": "compose"}


def _app_call(answered: Answered) -> dict[str, Any]:
    """A View's message (a JSON body): only its tool calls are recorded."""
    try:
        body = json.loads(answered.request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


async def _app_tool_call(answered: Answered) -> dict[str, Any] | None:
    return {"from": "app"} if _app_call(answered).get("method") == "tools/call" else None


def _app_tool(answered: Answered) -> str:
    params = _app_call(answered).get("params")
    return str(params.get("name", "")) if isinstance(params, dict) else ""


def _audit_filter(answered: Answered) -> dict[str, Any]:
    return {key: value for key, value in answered.request.GET.items() if value}


# (route name, method) -> what is recorded when its view answers with success.
RECORDED: dict[tuple[str, str], Recorded] = {
    ("connect", "POST"): Recorded(
        AuditAction.CONNECT, target=_opened_session, detail=_connected_to, confirm=_opened
    ),
    ("server-connect", "POST"): Recorded(
        AuditAction.CONNECT, target=_opened_session, detail=_saved_server, confirm=_opened
    ),
    ("session-reconnect", "POST"): Recorded(AuditAction.RECONNECT),
    ("session-disconnect", "POST"): Recorded(AuditAction.DISCONNECT),
    ("session-tool-call", "POST"): Recorded(
        AuditAction.TOOL_CALL, target=lambda answered: answered.form("tool"), confirm=_tool_sent
    ),
    ("session-compose-send", "POST"): Recorded(
        _composed_action, target=_composed_target, detail=_composed_detail
    ),
    ("session-app-request", "POST"): Recorded(
        AuditAction.TOOL_CALL, target=_app_tool, confirm=_app_tool_call
    ),
    ("session-approval-answer", "POST"): Recorded(
        AuditAction.CONSENT_ANSWER,
        target=_approval_method,
        before=_approval,
        confirm=_answer_given,
    ),
    ("session-playground-decide", "POST"): Recorded(
        AuditAction.CONSENT_ANSWER, confirm=_playground_decision
    ),
    ("session-client-switch", "POST"): Recorded(
        AuditAction.CONSENT_SWITCH, target=lambda answered: answered.form("switch"), detail=_switch
    ),
    ("session-export", "GET"): Recorded(
        AuditAction.EXPORT_SESSION,
        detail=lambda answered: {"with_secrets": answered.request.GET.get("secrets") == "1"},
    ),
    ("session-har", "GET"): Recorded(AuditAction.EXPORT_HAR, detail=_nothing),
    ("report-download", "GET"): Recorded(
        AuditAction.EXPORT_REPORT,
        target=_report,
        detail=lambda answered: {"output": answered.kwargs.get("output")},
    ),
    ("session-load-download", "GET"): Recorded(
        AuditAction.EXPORT_LOAD_TEST,
        target=lambda answered: str(answered.kwargs.get("load_id", "")),
    ),
    ("servers-export", "POST"): Recorded(
        AuditAction.EXPORT_SERVERS, target=lambda answered: "", detail=_servers_exported
    ),
    # Membership changes (the members page); a refused change answers 4xx or 5xx.
    # Joining through an invitation records itself: it acts in the workspace it joins,
    # which is not yet the request's.
    ("workspace-member-role", "POST"): Recorded(
        AuditAction.MEMBER_ROLE_CHANGED, target=_member_name, detail=_role, before=_member
    ),
    ("workspace-member-remove", "POST"): Recorded(
        AuditAction.MEMBER_REMOVED, target=_member_name, detail=_nothing, before=_member
    ),
    ("workspace-invite-link", "POST"): Recorded(
        AuditAction.MEMBER_INVITED, target=lambda answered: "a link", detail=_invitation
    ),
    ("workspace-invite-email", "POST"): Recorded(
        AuditAction.MEMBER_INVITED,
        target=lambda answered: answered.form("email"),
        detail=_invitation,
    ),
    ("workspace-invitation-revoke", "POST"): Recorded(
        AuditAction.MEMBER_INVITATION_REVOKED,
        target=lambda answered: f"invitation {answered.kwargs.get('invitation_id')}",
        detail=_nothing,
    ),
    ("workspace-audit-export", "GET"): Recorded(
        AuditAction.EXPORT_AUDIT, target=lambda answered: "", detail=_audit_filter
    ),
}

# Where `process_view` leaves what a route's `before` found, for after its view.
BEFORE_ATTRIBUTE = "_audit_before"


class AuditMiddleware(AsyncMiddleware):
    async def __call__(self, request: HttpRequest) -> HttpResponse:
        response = await self.get_response(request)
        if settings.LOCAL_MODE or response.status_code >= 400:
            return response
        match = request.resolver_match
        recorded = RECORDED.get((match.url_name or "", request.method or "")) if match else None
        access: services.Access | None = getattr(request, "access", None)
        if recorded is None or match is None or access is None or access.user_id is None:
            return response
        answered = Answered(
            request=request,
            kwargs=dict(match.kwargs),
            response=response,
            before=getattr(request, BEFORE_ATTRIBUTE, None),
        )
        confirmed = await recorded.confirm(answered)
        if confirmed is not None:
            action = recorded.action
            await services.audit_record(
                access=access,
                action=action if isinstance(action, AuditAction) else action(answered),
                target=recorded.target(answered),
                detail={**recorded.detail(answered), **confirmed},
            )
        return response

    async def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        if settings.LOCAL_MODE or request.resolver_match is None:
            return
        recorded = RECORDED.get((request.resolver_match.url_name or "", request.method or ""))
        if recorded is not None and recorded.before is not None:
            setattr(request, BEFORE_ATTRIBUTE, await recorded.before(request, kwargs))
