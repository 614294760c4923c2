"""What a session asks its server to notify it of: resource updates, log messages, and
in the modern era the notification stream (`subscriptions/listen`) that carries them,
with what the server granted and when a dropped stream is opened again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from inspector.mcp.client.client import McpClient
from inspector.mcp.client.types import RequestOptions
from inspector.mcp.eras.base import ServerInfo
from inspector.mcp.eras.modern import SUBSCRIPTION_ID_KEY
from inspector.mcp.errors import (
    AuthorizationRequired,
    HttpStatusError,
    JsonRpcError,
    McpError,
    RequestCancelled,
    RequestRefused,
    RequestTimeout,
)
from inspector.mcp.jsonrpc import INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND
from inspector.mcp.trace import EventKind, MessageType, RequestId, TraceEvent, local_event
from inspector.mcp.versions import Era
from inspector.sessions.calls import Caller, CallOutcome
from inspector.sessions.detached import spawn_detached

ACKNOWLEDGED = "notifications/subscriptions/acknowledged"
# A notification stream lasts as long as the connection; this only bounds the wait.
LISTEN_SECONDS = 366 * 24 * 3600.0
# subscriptions.mdx: a stream that ends without its response may be reopened; after these
# waits (seconds) one more drop leaves it down, shown as such.
LISTEN_REOPEN_DELAYS = (1.0, 2.0, 4.0, 8.0, 16.0)
LIST_CHANGE_FILTERS = (
    ("tools", "toolsListChanged"),
    ("prompts", "promptsListChanged"),
    ("resources", "resourcesListChanged"),
)
# JSON-RPC errors that say the listen request itself is wrong: sent again, it would be
# refused again.
REQUEST_REFUSED_CODES = frozenset({METHOD_NOT_FOUND, INVALID_PARAMS, INVALID_REQUEST})


@dataclass(slots=True)
class NotificationStream:
    """The modern era's notification stream: what was asked, what the server granted."""

    requested: dict[str, Any]
    acknowledged: dict[str, Any] | None = None
    request_id: RequestId | None = None
    request_event: TraceEvent | None = field(default=None, repr=False)
    error: McpError | None = None
    ended: str = ""
    settled: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    # How many times the stream was reopened after dropping, since it was last opened
    # on purpose (connecting, or a change of subscriptions).
    reopens: int = 0

    @property
    def request_seq(self) -> int | None:
        return self.request_event.seq if self.request_event is not None else None

    @property
    def active(self) -> bool:
        return self.acknowledged is not None and not self.ended


class Notifications:
    """What one session asks its server to notify it of. The log level lasts across
    connections; the subscriptions and the stream start afresh with each."""

    def __init__(
        self,
        session_id: str,
        caller: Caller,
        *,
        log_level: str | None,
        connected_client: Callable[[], McpClient],
        server: Callable[[], ServerInfo | None],
        request_timeout: Callable[[], float],
        record: Callable[[TraceEvent], None],
        note_refusal: Callable[[AuthorizationRequired], None],
    ) -> None:
        """`connected_client` raises `TransportClosed` when the session is not connected."""
        self._session_id = session_id
        self._caller = caller
        self._connected_client = connected_client
        self._server = server
        self._request_timeout = request_timeout
        self._record = record
        self._note_refusal = note_refusal
        # Modern era: asked for on every request's `_meta` (None: no log messages).
        self.log_level = log_level
        self.stream: NotificationStream | None = None
        # Resource URIs this connection subscribed to.
        self.subscriptions: set[str] = set()
        self._listen_task: asyncio.Task[None] | None = None
        self._reopen_task: asyncio.Task[None] | None = None

    def reset(self) -> None:
        """Forget the previous connection's stream and subscriptions."""
        self.subscriptions = set()
        self.stream = None

    def open_in_background(self) -> None:
        """Open the stream if there is anything to ask for: list changes reach a modern
        client only on the stream it asks for."""
        if self.listen_filter():
            self._reopen_task = spawn_detached(
                self._listen_quietly(), f"session-listen-open-{self._session_id}"
            )

    def listen_filter(self) -> dict[str, Any]:
        """What the notification stream asks for: every list change the server declares,
        and updates of the subscribed resources."""
        server = self._server()
        capabilities = server.capabilities if server is not None else {}
        wanted: dict[str, Any] = {}
        for capability, key in LIST_CHANGE_FILTERS:
            declared = capabilities.get(capability)
            if isinstance(declared, dict) and declared.get("listChanged"):
                wanted[key] = True
        if self.subscriptions:
            wanted["resourceSubscriptions"] = sorted(self.subscriptions)
        return wanted

    def _era(self) -> Era | None:
        server = self._server()
        return server.era if server is not None else None

    async def set_log_level(self, level: str | None, *, call_key: str) -> CallOutcome:
        """Ask for log messages at `level`: with `logging/setLevel` in the legacy era, on
        every later request's `_meta` in the modern one (None: no more log messages)."""
        if self._era() is not Era.MODERN:
            return await self._caller.call("logging/setLevel", {"level": level}, call_key=call_key)
        self.log_level = level
        client = self._caller.client
        if client is not None:
            client.config.log_level = level
        asked = f"at level {level}" if level else "no longer"
        self._record(
            local_event(
                EventKind.LIFECYCLE,
                f"Log messages are asked for {asked} on every request from now on.",
                log_level=level,
            )
        )
        return CallOutcome("logging/setLevel", result={})

    async def set_resource_subscription(
        self, uri: str, *, subscribe: bool, call_key: str
    ) -> CallOutcome:
        """Follow (or stop following) a resource's updates. Legacy: `resources/subscribe`;
        modern: the notification stream is reopened with the new set of URIs. The set of
        subscribed URIs changes only when the server agreed."""
        if self._era() is not Era.MODERN:
            method = "resources/subscribe" if subscribe else "resources/unsubscribe"
            outcome = await self._caller.call(method, {"uri": uri}, call_key=call_key)
            if outcome.error is None:
                _change(self.subscriptions, uri, subscribe=subscribe)
            return outcome
        before = set(self.subscriptions)
        _change(self.subscriptions, uri, subscribe=subscribe)
        stream = await self.listen()
        outcome = CallOutcome("subscriptions/listen", request_seq=stream.request_seq)
        if stream.error is not None:
            self.subscriptions = before
            outcome.error = stream.error
        else:
            outcome.result = {"notifications": stream.acknowledged or {}}
        return outcome

    async def listen(self) -> NotificationStream:
        """(Re)open `subscriptions/listen` with the current subscriptions, replacing any
        stream already open; returns once the server acknowledged (or the stream failed).
        Notifications on it are recorded and handled like any other."""
        client = self._connected_client()
        if client.era is not Era.MODERN:
            raise RequestRefused(
                "subscriptions/listen belongs to the modern era; this connection speaks the "
                "legacy one (its notifications need no stream to be asked for)."
            )
        previous = self.stream
        await self.stop("Reopened with the current subscriptions.")
        stream = NotificationStream(self.listen_filter())
        if previous is not None and asyncio.current_task() is self._reopen_task:
            stream.reopens = previous.reopens + 1
        self.stream = stream
        self._listen_task = spawn_detached(
            self._run(client, stream), f"session-listen-{self._session_id}"
        )
        timeout = self._request_timeout()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await stream.settled.wait()
        if not stream.settled.is_set():
            stream.error = RequestTimeout(
                f"The server did not acknowledge subscriptions/listen within {timeout:g} s."
            )
            # Not left open on the server behind a filter the session no longer claims.
            await self.stop("Not acknowledged in time.")
        return stream

    async def _listen_quietly(self) -> None:
        """Open the stream in the background; a failure is recorded by `_run`."""
        with contextlib.suppress(McpError):
            await self.listen()

    def _dropped(self, client: McpClient, stream: NotificationStream) -> None:
        """Reopen a stream that ended without its response, after a growing wait."""
        if self.stream is not stream:
            return
        if isinstance(stream.error, AuthorizationRequired):
            self._note_refusal(stream.error)
            return
        if not worth_reopening(stream.error):
            return
        if stream.reopens >= len(LISTEN_REOPEN_DELAYS):
            self._record(
                local_event(
                    EventKind.ERROR,
                    f"The subscription stream dropped again after {stream.reopens} reopenings; "
                    "it stays down until the subscriptions change or the session reconnects.",
                    listening=False,
                )
            )
            return
        delay = LISTEN_REOPEN_DELAYS[stream.reopens]

        async def reopen() -> None:
            await asyncio.sleep(delay)
            with contextlib.suppress(McpError):
                if self._connected_client() is client and self.stream is stream:
                    await self.listen()

        self._reopen_task = spawn_detached(reopen(), f"session-listen-reopen-{self._session_id}")

    async def stop(self, reason: str = "Stopped by the user.") -> None:
        task, self._listen_task = self._listen_task, None
        stream = self.stream
        client = self._caller.client
        if stream is not None and stream.request_id is not None and client is not None:
            await client.cancel(stream.request_id, reason)
        if task is not None:
            task.cancel(reason)
            await asyncio.wait([task])

    async def close(self) -> None:
        """The connection closed: stop reopening, and let the stream's task record its end."""
        reopen, self._reopen_task = self._reopen_task, None
        if reopen is not None and reopen is not asyncio.current_task():
            reopen.cancel()
            await asyncio.wait([reopen])
        listener, self._listen_task = self._listen_task, None
        if listener is not None:
            # Closing the client ended its stream; the task only records that.
            await asyncio.wait([listener])

    async def _run(self, client: McpClient, stream: NotificationStream) -> None:
        def started(request_id: RequestId) -> None:
            stream.request_id = request_id
            stream.request_event = client.request_event(request_id)

        try:
            await client.request(
                "subscriptions/listen",
                {"notifications": stream.requested},
                RequestOptions(
                    timeout=LISTEN_SECONDS,
                    max_total=LISTEN_SECONDS,
                    track_progress=False,
                    on_started=started,
                ),
            )
            stream.ended = "The server ended the subscription stream."
        except McpError as exc:
            # Kept if already set: `listen` names its own timeout, then cancels.
            stream.error = stream.error or exc
            stream.ended = f"The subscription stream ended: {stream.error}"
        finally:
            stream.settled.set()
        self._record(local_event(EventKind.LIFECYCLE, stream.ended, listening=False))
        if stream.error is not None:
            self._dropped(client, stream)

    def note_inbound(self, event: TraceEvent) -> None:
        """A frame from the server, seen before the log takes it: from then on an event
        does not change."""
        if event.message_type is MessageType.NOTIFICATION:
            self._note_stale_subscription(event)
        if event.method == ACKNOWLEDGED:
            self._note_acknowledgement(event)

    def _note_stale_subscription(self, event: TraceEvent) -> None:
        """Mark a notification sent for a stream that was since replaced or stopped
        (subscriptions.mdx: clients MUST correlate by subscription id), so that it is
        kept in the log but not acted on."""
        params = event.params
        meta = params.get("_meta") if params is not None else None
        if not isinstance(meta, dict) or SUBSCRIPTION_ID_KEY not in meta:
            return
        stream = self.stream
        current = stream.request_id if stream is not None and not stream.ended else None
        if current is None or str(meta[SUBSCRIPTION_ID_KEY]) != str(current):
            event.detail["stale_subscription"] = meta[SUBSCRIPTION_ID_KEY]

    def _note_acknowledgement(self, event: TraceEvent) -> None:
        stream = self.stream
        params = event.params
        if stream is None or params is None:
            return
        meta = params.get("_meta")
        subscription = meta.get(SUBSCRIPTION_ID_KEY) if isinstance(meta, dict) else None
        # Before its request is sent a stream can have no acknowledgement: one arriving
        # then is the replaced stream's, late.
        if stream.request_id is None or str(subscription) != str(stream.request_id):
            return
        granted = params.get("notifications")
        stream.acknowledged = granted if isinstance(granted, dict) else {}
        # A stream that came back counts as healthy again: proxies cut idle streams now
        # and then for the whole life of a session, and each cut deserves its reopening.
        stream.reopens = 0
        stream.settled.set()


def _change(subscriptions: set[str], uri: str, *, subscribe: bool) -> None:
    if subscribe:
        subscriptions.add(uri)
    else:
        subscriptions.discard(uri)


def worth_reopening(error: McpError | None) -> bool:
    """Whether a subscription stream that ended with `error` is reopened: one the
    connection lost, or the server failed for now, is; a refusal of the request (an
    error saying it is wrong, an HTTP 4xx, no authorization) or a cancel is not."""
    if error is None or isinstance(error, RequestCancelled | RequestRefused):
        return False
    if isinstance(error, JsonRpcError):
        return error.code not in REQUEST_REFUSED_CODES
    if isinstance(error, HttpStatusError):
        return error.status >= 500
    return True
