"""Live sessions held by session-host processes (hosted mode, INSPECTOR_SESSION_HOSTS=remote).

The web processes hold no session. The services that reach a live session are the seam:
in a web process each is replaced by a forwarder that sends its name and keyword
arguments over the channel layer to the channel of the host holding the session; the
host runs the same function and sends the outcome (value or exception) back on a reply
channel. Values travel in the project's own codec (`wire`), never pickled. Answers are
cut into parts of `PART_BYTES` (a 10 MB result is some forty messages), as one
channel-layer message must stay small.

Commands travel on a layer of their own (`HOSTS_LAYER`, Redis publish and subscribe):
a host and a web process are subscribed to their channels from the start, so a message
is one PUBLISH pushed to its reader, where the websockets' layer costs several Redis
round trips to read each one. Each web process reads every answer on one channel, and
hands each to the command waiting for it by its id.

Leases (`storage.session_hosts`) tell the living from the dead: a session whose host's
lease ran out is served from its record, as ended because its host stopped.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from channels.layers import BaseChannelLayer, get_channel_layer
from django.conf import settings

from inspector.models import SessionHost
from inspector.services.policy import check_stdio_allowed
from inspector.services.runtime import event_store, registry
from inspector.services.snapshots import SessionNotFound, SessionSnapshot, from_live
from inspector.services.wire import WireError, decode, encode
from inspector.sessions.spec import ConnectionSpec
from inspector.storage import reports, session_hosts
from inspector.storage.encryption import decrypt_json, encrypt_json
from inspector.storage.reports import StoredReport

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
# Services that name no session, yet start one on a host or ask after one a host runs:
# report cards, each run in a session of its own (see `_report_host`).
REPORT_CARDS = frozenset({"report_check_server", "report_again", "report_get"})
# Services whose live session is named by another keyword than `session_id`: a replay
# runs through its target session, on the host holding that one.
ROUTED_BY = {"replay_start": "target_id", "replay_get": "target_id"}


def forwarded_names(namespace: MutableMapping[str, Any]) -> list[str]:
    """The services that need a live session: they take `session_id`, make a session, or
    are report cards."""
    names = []
    for name, value in namespace.items():
        if name.startswith("_") or not inspect.iscoroutinefunction(value):
            continue
        if name in READ_FROM_RECORDS:
            continue
        if (
            name == "session_connect"
            or name in REPORT_CARDS
            or "session_id" in inspect.signature(value).parameters
        ):
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
        if name in REPORT_CARDS:
            runner = await _report_host(name, kwargs)
            if runner is None:
                return await local(**kwargs)
            return await send_command(runner, name, kwargs, timeout=_wait(name, None))
        session_id = str(kwargs.get(ROUTED_BY.get(name, "")) or kwargs["session_id"])
        holder = await _holder(session_id)
        if holder is None:
            if name == "session_reconnect" and await _can_revive(session_id):
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


async def _report_host(name: str, kwargs: dict[str, Any]) -> SessionHost | None:
    """Where a report-card service runs: a new check on the least busy host; one run again
    on the host holding the session it was started from, if one does; the progress of a
    check on the host running it. None: here, from what the database records."""
    if name == "report_check_server":
        return await _least_busy()
    report_id = str(kwargs["report_id"])
    if name == "report_get":
        return await session_hosts.live_report_host(report_id, settings.SESSION_HOST_LEASE_SECONDS)
    earlier = await reports.get(report_id)
    if earlier is None:
        return None  # not found: said here
    for session_id in (earlier.source_session_id, earlier.session_id):
        holder = await _holder(session_id) if session_id else None
        if holder is not None:
            return holder[0]
    return await _least_busy()


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
    return (
        found is not None
        and found[0].host_id is not None
        and found[0].origin is None
        and bool(found[0].sealed_spec)
    )


async def send_command(
    host: SessionHost, name: str, kwargs: dict[str, Any], *, timeout: float
) -> Any:
    """Run service `name` on `host`; its value, or its exception raised here."""
    layer = _layer()
    answers = await _answers(layer)
    command_id = uuid.uuid4().hex
    waiting = _Waiting(asyncio.get_running_loop().create_future(), [])
    answers.waiting[command_id] = waiting
    command = {
        "type": COMMAND,
        "name": name,
        "body": encode(kwargs),
        "reply": answers.channel,
        "id": command_id,
    }
    try:
        await _send(layer, host.channel, command)
        answer = await asyncio.wait_for(waiting.answer, timeout)
    except TimeoutError:
        raise HostDidNotAnswer(
            f"The {session_hosts.describe_host(host)} did not answer within {timeout:g} s "
            f"({name.replace('_', ' ')})."
        ) from None
    finally:
        answers.waiting.pop(command_id, None)
    if "error" in answer:
        raise answer["error"]
    return answer["value"]


@dataclass
class _Waiting:
    """A command sent: the parts of its answer come in, then the answer."""

    answer: asyncio.Future[dict[str, Any]]
    parts: list[bytes]


@dataclass
class _Answers:
    """This web process's (event loop's) answer channel, and the commands waiting on it."""

    channel: str
    waiting: dict[str, _Waiting]
    reader: asyncio.Task[None]


_answers_by_loop: dict[asyncio.AbstractEventLoop, _Answers] = {}
_answers_opening: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}


async def _answers(layer: BaseChannelLayer) -> _Answers:
    """The answer channel, subscribed (and read) before any command names it."""
    loop = asyncio.get_running_loop()
    if loop not in _answers_opening:
        # A loop that is gone (tests run one per test) leaves nothing behind.
        _answers_by_loop.clear()
        _answers_opening.clear()
        _answers_opening[loop] = asyncio.Lock()
    async with _answers_opening[loop]:
        answers = _answers_by_loop.get(loop)
        if answers is None or answers.reader.done():
            channel = await layer.new_channel()
            waiting: dict[str, _Waiting] = {}
            reader = asyncio.create_task(_read_answers(layer, channel, waiting))
            answers = _answers_by_loop[loop] = _Answers(channel, waiting, reader)
    return answers


async def _read_answers(
    layer: BaseChannelLayer, channel: str, waiting: dict[str, _Waiting]
) -> None:
    while True:
        message = await layer.receive(channel)
        if message.get("type") != ANSWER:
            continue
        command = waiting.get(str(message.get("id")))
        if command is None or command.answer.done():
            continue  # the answer to a command that gave up waiting
        command.parts.append(message["body"])
        if len(command.parts) < message["parts"]:
            continue
        try:
            answer = decode(b"".join(command.parts))
            if not isinstance(answer, dict):
                raise WireError("an answer that is not one")
        except Exception as exc:  # whatever came, this reader goes on for the others
            command.answer.set_exception(exc)
        else:
            command.answer.set_result(answer)


_send_slots: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}


def _sending() -> asyncio.Semaphore:
    """This event loop's bound on concurrent sends (see `CONCURRENT_SENDS`)."""
    loop = asyncio.get_running_loop()
    if loop not in _send_slots:
        _send_slots.clear()  # a loop that is gone (tests run one per test)
        _send_slots[loop] = asyncio.Semaphore(CONCURRENT_SENDS)
    return _send_slots[loop]


HOSTS_LAYER = "hosts"


def _layer() -> BaseChannelLayer:
    layer = get_channel_layer(HOSTS_LAYER)
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
    channel = await layer.new_channel()
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
    command_id = str(message.get("id", ""))
    try:
        outcome: dict[str, Any] = {"value": await _run(host, message)}
    except Exception as exc:  # every failure goes back to the page that asked
        outcome = {"error": exc}
    try:
        body = encode(outcome)
    except Exception as exc:  # a value the codec cannot carry: the page is told why
        body = encode({"error": WireError(f"the answer could not be sent back: {exc}")})
    parts = [body[start : start + PART_BYTES] for start in range(0, len(body), PART_BYTES)]
    for part in parts or [b""]:
        await _send(
            layer,
            reply,
            {"type": ANSWER, "id": command_id, "parts": len(parts) or 1, "body": part},
        )


async def _send(layer: BaseChannelLayer, channel: str, message: dict[str, Any]) -> None:
    async with _sending():
        await layer.send(channel, message)


async def _run(host: HostProcess, message: dict[str, Any]) -> Any:
    name = str(message.get("name", ""))
    service = _local.get(name)
    if service is None:
        raise WireError(f"no such command: {name!r}")
    kwargs = decode(message["body"])
    if not isinstance(kwargs, dict):
        raise WireError("a command's arguments are keywords")
    if name == "session_reconnect" and registry().get(str(kwargs["session_id"])) is None:
        value = await _revive(host, str(kwargs["session_id"]))
        if value is None:
            # Another host took it up first: what it records is the answer.
            return await _local["session_get"](session_id=str(kwargs["session_id"]))
    else:
        value = await service(**kwargs)
    if isinstance(value, StoredReport):
        await session_hosts.assign_report(value.id, host.record.id)
    if name in ("session_connect", "session_reconnect") and isinstance(value, SessionSnapshot):
        live = registry().get(value.id)
        sealed = encrypt_json(live.spec.to_dict()) if live is not None else ""
        await session_hosts.assign_host(value.id, host.record.id, sealed)
    return value


async def _revive(host: HostProcess, session_id: str) -> SessionSnapshot | None:
    """Take up a session whose host stopped: connect again with the settings it was
    started with, its events numbered on from those stored; None when another host took
    it up first."""
    found = await event_store().load_session(session_id)
    if found is None:
        raise SessionNotFound(session_id)
    record, last_seq = found
    if not record.sealed_spec:
        # Only its masked settings were kept (a report card's or a load test's session):
        # secrets replaced by the mask must never be sent to a server.
        raise SessionNotFound(session_id)
    spec = ConnectionSpec.from_dict(decrypt_json(record.sealed_spec))
    check_stdio_allowed(spec)
    if record.host_id is None or not await session_hosts.claim_session(
        session_id, record.host_id, host.record.id
    ):
        return None
    session = await registry().create(
        spec,
        owner_id=record.owner_id,
        session_id=record.id,
        first_seq=last_seq + 1,
    )
    await session.start()
    return from_live(session)
