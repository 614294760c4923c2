"""Requests a page makes of a session's server: listings, tool calls, reads, prompts,
completions, ping, log level and subscriptions; and cancelling what is in flight.

Every protocol `params` is built here, from what the page chose: views name a tool, a
URI or a prompt, never a method.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from inspector.headless.commandline import NotExpressible, cli_command
from inspector.mcp.client.types import InFlight
from inspector.mcp.eras.param_headers import InvalidToolHeaders, ParamHeader, tool_param_headers
from inspector.mcp.errors import McpError, RequestRefused
from inspector.mcp.versions import is_known
from inspector.services.events import stored_event
from inspector.services.runtime import registry
from inspector.services.snapshots import from_live, resident_session
from inspector.sessions.apps import refuse_page_call
from inspector.sessions.calls import CallOutcome
from inspector.sessions.catalog import Listing, Page, page_of
from inspector.sessions.spec import TransportKind
from inspector.sessions.stream import NotificationStream

# `completion/complete` carries `context.arguments` from this revision on.
COMPLETION_CONTEXT_SINCE = "2025-06-18"


class CatalogItemNotFound(Exception):
    """The server's last listing has no such item (it changed, or the page is stale)."""


@dataclass(frozen=True, slots=True)
class Pong:
    """A ping's outcome: the error, or how long the round trip took (None: unknown)."""

    error: McpError | None
    duration_ms: float | None


@dataclass(frozen=True, slots=True)
class StreamState:
    """The modern era's notification stream (`subscriptions/listen`) as it stands."""

    acknowledged: dict[str, Any] | None
    request_seq: int | None
    error: str
    ended: str
    active: bool

    @classmethod
    def of(cls, listening: NotificationStream) -> StreamState:
        return cls(
            acknowledged=dict(listening.acknowledged) if listening.acknowledged else None,
            request_seq=listening.request_seq,
            error=str(listening.error) if listening.error is not None else "",
            ended=listening.ended,
            active=listening.active,
        )


# Listings ---------------------------------------------------------------------------------


async def listing_page(
    *, session_id: str, listing: Listing, cursor: str | None, call_key: str
) -> tuple[CallOutcome, Page | None]:
    """One page of a listing; the first page replaces what the catalog held."""
    session = resident_session(session_id)
    first_pages = session.catalog.first_pages(listing)
    call = await session.call(
        listing.method, {"cursor": cursor} if cursor else None, call_key=call_key
    )
    if call.result is None:
        return call, None
    page = page_of(listing, call.result)
    session.catalog.remember(listing, page, first=cursor is None, first_pages_seen=first_pages)
    return call, page


async def catalog_item_get(*, session_id: str, listing: Listing, key: str) -> dict[str, Any]:
    """An item of the server's last listing: a tool or prompt by name, a resource by URI,
    a template by its URI template."""
    item = resident_session(session_id).catalog.find(listing, key)
    if item is None:
        raise CatalogItemNotFound(f"{listing.value}: {key}")
    return copy.deepcopy(item)  # the catalog's own stays as the server listed it


async def catalog_items(*, session_id: str, listing: Listing) -> list[dict[str, Any]] | None:
    """What the server's last listing held (copies), as listed: what a viewer of the
    session sees, without a request to the server. None: not listed yet."""
    catalog = resident_session(session_id).catalog
    if not catalog.listed(listing):
        return None
    items = (catalog.find(listing, key) for key in catalog.keys(listing))
    return [copy.deepcopy(item) for item in items if item is not None]


async def catalog_keys(*, session_id: str, listing: Listing) -> list[str]:
    """The names (URIs for resources) of what the server's last listing held."""
    return resident_session(session_id).catalog.keys(listing)


# Tools ------------------------------------------------------------------------------------


def _tool_params(name: str, arguments: Any) -> dict[str, Any]:
    return {"name": name, "arguments": arguments}


async def tool_call(*, session_id: str, name: str, arguments: Any, call_key: str) -> CallOutcome:
    """Call a tool and wait; failures come back in the `CallOutcome`. A tool visible
    only to apps is refused: only its View may call it."""
    session = resident_session(session_id)
    refusal = refuse_page_call(session, name)
    if refusal:
        return CallOutcome("tools/call", error=RequestRefused(f"Not sent: {refusal}"))
    return await session.call("tools/call", _tool_params(name, arguments), call_key=call_key)


async def tool_call_command(*, session_id: str, name: str, arguments: Any) -> str:
    return _command_line(session_id, "tools/call", _tool_params(name, arguments))


async def tool_list_excluded(*, session_id: str) -> dict[str, str]:
    """Tools the server listed that the client left out (invalid `x-mcp-header`), with
    the reason for each; empty outside the modern era."""
    return resident_session(session_id).excluded_tools()


async def tool_param_headers_get(*, session_id: str, name: str) -> list[ParamHeader]:
    """The arguments a modern call over HTTP mirrors into `Mcp-Param-*` headers."""
    session = resident_session(session_id)
    tool = session.catalog.find(Listing.TOOLS, name)
    modern = from_live(session).modern
    if tool is None or not modern or session.spec.transport is not TransportKind.HTTP:
        return []
    try:
        return tool_param_headers(tool)
    except InvalidToolHeaders:
        # Such a tool is excluded from the listing; a stale page may still show it.
        return []


# Prompts, resources, completions ----------------------------------------------------------


def _prompt_params(name: str, arguments: Mapping[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {"name": name}
    if arguments:
        params["arguments"] = dict(arguments)
    return params


async def prompt_get(
    *, session_id: str, name: str, arguments: Mapping[str, str], call_key: str
) -> CallOutcome:
    session = resident_session(session_id)
    return await session.call("prompts/get", _prompt_params(name, arguments), call_key=call_key)


async def prompt_get_command(*, session_id: str, name: str, arguments: Mapping[str, str]) -> str:
    return _command_line(session_id, "prompts/get", _prompt_params(name, arguments))


async def resource_read(*, session_id: str, uri: str, call_key: str) -> CallOutcome:
    return await resident_session(session_id).call(
        "resources/read", {"uri": uri}, call_key=call_key
    )


async def resource_read_command(*, session_id: str, uri: str) -> str:
    return _command_line(session_id, "resources/read", {"uri": uri})


async def resource_subscription_set(
    *, session_id: str, uri: str, subscribe: bool, call_key: str
) -> CallOutcome:
    """Subscribe to, or unsubscribe from, a resource's updates; the session's set of
    subscribed URIs changes only when the server agreed."""
    # Legacy: resources/(un)subscribe; modern: subscriptions/listen reopened.
    return await resident_session(session_id).set_resource_subscription(
        uri, subscribe=subscribe, call_key=call_key
    )


async def resource_subscription_list(*, session_id: str) -> list[str]:
    """The URIs the session's pages subscribed to; empty again on every connection, as
    the server's own subscriptions are."""
    return sorted(resident_session(session_id).subscriptions)


async def notification_stream_get(*, session_id: str) -> StreamState | None:
    """The modern era's notification stream: what it asked for, what was acknowledged."""
    listening = resident_session(session_id).listening
    return StreamState.of(listening) if listening is not None else None


async def completion_complete(
    *,
    session_id: str,
    ref: Mapping[str, str],
    argument: str,
    value: str,
    others: Mapping[str, str],
    call_key: str,
) -> CallOutcome:
    """Suggestions for `argument` of a prompt or template (`ref`); the other filled values
    go along as `context.arguments` where the negotiated version has it."""
    session = resident_session(session_id)
    params: dict[str, Any] = {"ref": dict(ref), "argument": {"name": argument, "value": value}}
    if others and _sends_completion_context(from_live(session).protocol_version):
        params["context"] = {"arguments": dict(others)}
    return await session.call("completion/complete", params, call_key=call_key)


def _sends_completion_context(protocol_version: Any) -> bool:
    return (
        isinstance(protocol_version, str)
        and is_known(protocol_version)
        and protocol_version >= COMPLETION_CONTEXT_SINCE
    )


# Utilities --------------------------------------------------------------------------------


async def server_ping(*, session_id: str, call_key: str) -> Pong:
    call = await resident_session(session_id).call("ping", None, call_key=call_key)
    if call.error is not None:
        return Pong(error=call.error, duration_ms=None)
    event = await stored_event(session_id, call.response_seq) if call.response_seq else None
    return Pong(error=None, duration_ms=event.duration_ms if event is not None else None)


async def log_level_get(*, session_id: str) -> str | None:
    """The log level every modern request asks for in its `_meta` (None: no logs)."""
    return resident_session(session_id).log_level


async def log_level_set(*, session_id: str, level: str | None, call_key: str) -> CallOutcome:
    """`logging/setLevel` in the legacy era; in the modern one, the level asked for on
    every later request (None: none)."""
    return await resident_session(session_id).set_log_level(level, call_key=call_key)


# Cancelling -------------------------------------------------------------------------------


async def call_cancel(*, session_id: str, call_key: str) -> bool:
    """Cancel a page's call by its key; False when it is no longer running."""
    session = resident_session(session_id)
    if session.awaiting_confirmation(call_key):
        # Not sent yet: withdrawing it from the inbox is the whole cancellation.
        return await session.cancel_call(call_key)
    # A call that is creating a task is cancelled with tasks/cancel once the task exists.
    return session.task_tracker.cancel_creation(call_key) or await session.cancel_call(call_key)


async def request_list(*, session_id: str) -> list[InFlight]:
    """What the session awaits, oldest first; nothing when it is not resident here."""
    session = registry().get(session_id)
    return session.in_flight() if session is not None else []


async def request_cancel(*, session_id: str, request_id: str) -> InFlight | None:
    """Cancel the request whose id reads `request_id` (a page holds ids as text); the
    request cancelled, or None when none was (it ended, or it is `initialize`)."""
    session = resident_session(session_id)
    for request in session.in_flight():
        if str(request.id) == request_id:
            return request if await session.cancel_request(request.id) else None
    return None


def _command_line(session_id: str, method: str, params: Mapping[str, Any]) -> str:
    """ "Copy as CLI command" for a call: secrets left out, or why there is no command."""
    try:
        return cli_command(resident_session(session_id).spec, method, params)
    except NotExpressible as exc:
        return f"# This call cannot be written as a command line: {exc}."
