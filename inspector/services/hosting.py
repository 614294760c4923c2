"""Live sessions held by session-host processes (hosted mode, INSPECTOR_SESSION_HOSTS=remote).

The web processes hold no session. The services that reach a live session are the seam:
in a web process each is replaced by a forwarder that sends its name and keyword
arguments over the channel layer to the channel of the host holding the session; the
host runs the same function and sends the outcome (value or exception) back on a reply
channel. Values travel in the project's own codec (`wire`), never pickled. Answers are
cut into parts of `PART_BYTES` (a 10 MB result is some forty messages), as one
channel-layer message must stay small.

Leases (`storage.session_hosts`) tell the living from the dead: a session whose host's
lease ran out is served from its record, as ended because its host stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import socket
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import BaseChannelLayer, get_channel_layer
from django.conf import settings

from inspector.models import SessionHost
from inspector.services.policy import check_stdio_allowed
from inspector.services.runtime import event_store, registry
from inspector.services.snapshots import SessionNotFound, SessionSnapshot, from_live
from inspector.services.wire import WireError, decode, encode
from inspector.sessions.spec import ConnectionSpec
from inspector.storage import session_hosts

logger = logging.getLogger(__name__)

Service = Callable[..., Awaitable[Any]]
COMMAND = "session.command"
ANSWER = "session.answer"
PART_BYTES = 256 * 1024
# What connecting, or a call to the server, may take beyond the server's own timeout.
MARGIN_SECONDS = 10.0
# Services that wait on the server: their answer may take the session's request timeout.
WAIT_ON_SERVER = frozenset(
    {
        "tool_call",
        "prompt_get",
        "resource_read",
        "completion_complete",
        "listing_page",
        "compose_send",
        "server_ping",
        "log_level_set",
        "resource_subscription_set",
        "app_request_send",
        "session_reconnect",
        "session_disconnect",
    }
)

# Sends to Redis at once from one process: redis-py's pool refuses (rather than waits
# for) a connection beyond its 100, and 200 sessions' calls arrive together.
CONCURRENT_SENDS = 32

# The functions themselves, by name: what a host runs, and a web process falls back on.
_local: dict[str, Service] = {}


class HostDidNotAnswer(Exception):
    """A session host did not answer a command in time: the message names it."""


class NoSessionHost(Exception):
    """No session host is running to hold a new session."""


# Services that name a session but read only what the database records of it.
READ_FROM_RECORDS = frozenset({"session_owner"})


def forwarded_names(namespace: MutableMapping[str, Any]) -> list[str]:
    """The services that need the live session: they take `session_id`, or make one."""
    names = []
    for name, value in namespace.items():
        if name.startswith("_") or not inspect.iscoroutinefunction(value):
            continue
        if name in READ_FROM_RECORDS:
            continue
        if name == "session_connect" or "session_id" in inspect.signature(value).parameters:
            names.append(name)
    return sorted(names)


def forward_to_hosts(namespace: MutableMapping[str, Any]) -> None:
    """Remember every forwarded service; in a web process whose sessions live on hosts,
    put forwarders in their place in `namespace` (the services package)."""
    for name in forwarded_names(namespace):
        _local[name] = namespace[name]
        if settings.SESSION_HOSTS == "remote":
            # (A host process runs the functions themselves, from `_local`.)
            namespace[name] = _forwarder(name)


def _forwarder(name: str) -> Service:
    local = _local[name]

    async def forwarded(**kwargs: Any) -> Any:
        if name == "session_connect":
            host = await _least_busy()
            spec: ConnectionSpec = kwargs["spec"]
            wait = spec.connect_timeout + spec.request_timeout
            return await send_command(host, name, kwargs, timeout=wait + MARGIN_SECONDS)
        session_id = str(kwargs["session_id"])
        holder = await _holder(session_id)
        if holder is None:
            if name == "session_reconnect" and await _can_revive(str(kwargs["session_id"])):
                # Ended with its host: any live host takes it up again.
                host = await _least_busy()
                return await send_command(host, name, kwargs, timeout=_wait(name, None))
            # Not live anywhere: what is recorded is all there is, and is read here.
            return await local(**kwargs)
        host, spec_data = holder
        try:
            return await send_command(host, name, kwargs, timeout=_wait(name, spec_data))
        except HostDidNotAnswer:
            _holders.pop(session_id, None)
            raise

    forwarded.__name__ = name
    forwarded.__doc__ = local.__doc__
    return forwarded


# Which host holds a session, as last read, and when: one look-up in PostgreSQL (a new
# connection each) per command doubled a call's round trip and capped a web process's
# commands. A session moves only when its host stops, which takes up to the lease (10 s)
# to notice; a command sent meanwhile to the stopped host times out and forgets it.
HOLDER_KEPT_SECONDS = 5.0
_holders: dict[str, tuple[float, tuple[SessionHost, dict[str, Any]]]] = {}


async def _holder(session_id: str) -> tuple[SessionHost, dict[str, Any]] | None:
    now = time.monotonic()
    kept = _holders.get(session_id)
    if kept is not None and now - kept[0] < HOLDER_KEPT_SECONDS:
        return kept[1]
    holder = await session_hosts.live_holder(session_id, settings.SESSION_HOST_LEASE_SECONDS)
    if holder is None:
        _holders.pop(session_id, None)
    else:
        if len(_holders) > 10_000:
            _holders.clear()
        _holders[session_id] = (now, holder)
    return holder


def _wait(name: str, spec_data: dict[str, Any] | None) -> float:
    base = float(settings.SESSION_HOST_TIMEOUT_SECONDS)
    if name not in WAIT_ON_SERVER:
        return base
    spec_data = spec_data or {}
    server = float(spec_data.get("request_timeout") or 0) + float(
        spec_data.get("connect_timeout") or 0
    )
    return max(base, server + MARGIN_SECONDS)


async def _least_busy() -> SessionHost:
    host = await session_hosts.least_busy_host(settings.SESSION_HOST_LEASE_SECONDS)
    if host is None:
        raise NoSessionHost(
            "No session host is running: start one (`python manage.py sessionhost`)."
        )
    return host


async def _can_revive(session_id: str) -> bool:
    found = await event_store().load_session(session_id)
    return found is not None and found[0].host_id is not None and found[0].origin is None


async def send_command(
    host: SessionHost, name: str, kwargs: dict[str, Any], *, timeout: float
) -> Any:
    """Run service `name` on `host`; its value, or its exception raised here."""
    layer = _layer()
    # The layer's default prefix, as the websocket consumers': channels_redis reads all of
    # a process's channels of one prefix with one blocking pop, and channels of another
    # prefix in the same process would wait behind it.
    reply = await layer.new_channel()
    body = encode(kwargs)
    command = {"type": COMMAND, "name": name, "body": body, "reply": reply}
    await _send_patiently(layer, host.channel, command)
    try:
        answer = await asyncio.wait_for(_receive_answer(layer, reply), timeout)
    except TimeoutError:
        raise HostDidNotAnswer(
            f"The {session_hosts.describe_host(host)} did not answer within {timeout:g} s "
            f"({name.replace('_', ' ')})."
        ) from None
    if "error" in answer:
        raise answer["error"]
    return answer["value"]


async def _receive_answer(layer: BaseChannelLayer, reply: str) -> dict[str, Any]:
    parts: list[bytes] = []
    while True:
        message = await layer.receive(reply)
        if message.get("type") != ANSWER:
            continue
        parts.append(message["body"])
        if len(parts) == message["parts"]:
            answer = decode(b"".join(parts))
            if not isinstance(answer, dict):
                raise WireError("an answer that is not one")
            return answer


_send_slots: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}


def _sending() -> asyncio.Semaphore:
    """This event loop's bound on concurrent sends (see `CONCURRENT_SENDS`)."""
    loop = asyncio.get_running_loop()
    if loop not in _send_slots:
        _send_slots.clear()  # a loop that is gone (tests run one per test)
        _send_slots[loop] = asyncio.Semaphore(CONCURRENT_SENDS)
    return _send_slots[loop]


def _layer() -> BaseChannelLayer:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("session hosts need a channel layer (REDIS_URL)")
    return layer


# The host's side -----------------------------------------------------------------------


@dataclass
class HostProcess:
    """This process as a session host: its record, and the commands it is running."""

    record: SessionHost
    running: set[asyncio.Task[None]]


async def start_host(name: str) -> HostProcess:
    layer = _layer()
    channel = await layer.new_channel()  # (the default prefix: see `send_command`)
    record = await session_hosts.register_host(name or socket.gethostname(), channel)
    return HostProcess(record=record, running=set())


async def serve_commands(host: HostProcess) -> None:
    """Answer commands sent to this host, each in a task of its own, until cancelled."""
    layer = _layer()
    while True:
        message = await layer.receive(host.record.channel)
        if message.get("type") != COMMAND:
            continue
        task = asyncio.create_task(_answer(host, layer, message))
        host.running.add(task)
        task.add_done_callback(host.running.discard)


async def keep_lease(host: HostProcess, stopped: asyncio.Event) -> None:
    """Renew the lease, and sweep away hosts whose lease ran out; set `stopped` if this
    host was itself taken for dead (its sessions were shown ended: it must not go on)."""
    while True:
        if not await session_hosts.renew_lease(host.record.id):
            logger.error("this session host was taken for dead; stopping")
            stopped.set()
            return
        dead = await session_hosts.sweep_hosts(settings.SESSION_HOST_LEASE_SECONDS)
        for host_id in dead:
            logger.warning("session host %s stopped renewing its lease: taken for dead", host_id)
        await asyncio.sleep(settings.SESSION_HOST_HEARTBEAT_SECONDS)


async def _answer(host: HostProcess, layer: BaseChannelLayer, message: dict[str, Any]) -> None:
    reply = str(message.get("reply", ""))
    try:
        outcome: dict[str, Any] = {"value": await _run(host, message)}
    except Exception as exc:  # every failure goes back to the page that asked
        outcome = {"error": exc}
    try:
        body = encode(outcome)
    except WireError as exc:
        body = encode({"error": exc})
    parts = [body[start : start + PART_BYTES] for start in range(0, len(body), PART_BYTES)]
    for index, part in enumerate(parts or [b""]):
        await _send_patiently(
            layer, reply, {"type": ANSWER, "part": index, "parts": len(parts) or 1, "body": part}
        )


async def _send_patiently(layer: BaseChannelLayer, channel: str, message: dict[str, Any]) -> None:
    """A large answer, or a burst of commands, may fill a channel (channels_redis holds
    100 messages by default): wait a little for its reader."""
    for _ in range(200):
        with contextlib.suppress(ChannelFull):
            async with _sending():
                await layer.send(channel, message)
            return
        await asyncio.sleep(0.05)
    logger.warning("gave up sending: nobody reads %s", channel)


async def _run(host: HostProcess, message: dict[str, Any]) -> Any:
    name = str(message.get("name", ""))
    service = _local.get(name)
    if service is None:
        raise WireError(f"no such command: {name!r}")
    kwargs = decode(message["body"])
    if not isinstance(kwargs, dict):
        raise WireError("a command's arguments are keywords")
    if name == "session_reconnect" and registry().get(str(kwargs["session_id"])) is None:
        snapshot = await _revive(str(kwargs["session_id"]))
    else:
        snapshot = None
    value = await service(**kwargs) if snapshot is None else snapshot
    if name in ("session_connect", "session_reconnect") and isinstance(value, SessionSnapshot):
        await session_hosts.assign_host(value.id, host.record.id)
    return value


async def _revive(session_id: str) -> SessionSnapshot:
    """Take up a session whose host stopped: connect again with its recorded settings,
    its events numbered on from those stored."""
    found = await event_store().load_session(session_id)
    if found is None:
        raise SessionNotFound(session_id)
    record, last_seq = found
    spec = ConnectionSpec.from_dict(record.spec)
    check_stdio_allowed(spec)
    session = await registry().create(
        spec,
        owner_id=record.owner_id,
        session_id=record.id,
        first_seq=last_seq + 1,
    )
    await session.start()
    return from_live(session)
