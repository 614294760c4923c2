"""One headless call: resolve the server, connect, send the request, report, close.

Every wait is bounded: the handshake by the connect timeout, each request by the request
timeout (the client's own, restarted by progress and capped in total), closing by the
transport's escalation from closing stdin to SIGKILL. The result is printed as soon as it
is in, before the server is shut down; a failure only once it is, so that the error
envelope is the last line on stderr, after whatever the server's stderr said while it
stopped (its lines pass through as they arrive, as with the official CLI).

A stdio server named on the command line is started before the client (and pydantic,
which it needs) is imported: the server boots while the rest of the inspector loads.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from inspector.headless.args import LIST_METHODS, Invocation
from inspector.headless.findings import CallFinding, findings_of, strict_rules
from inspector.headless.lists import (
    empty_list,
    every_page,
    tool_is_listed,
    undeclared_capability,
    undeclared_note,
)
from inspector.headless.output import (
    ExitCode,
    Failure,
    Reporter,
    connect_failure,
    connect_timeout_failure,
    encode,
    request_failure,
    strict_failure,
    tool_is_error_failure,
    tool_not_found,
    usage_failure,
)
from inspector.headless.target import ServerChoice, cli_era
from inspector.headless.words import UsageError
from inspector.mcp import jsonschema_loader
from inspector.mcp.errors import ConnectError, JsonRpcError, McpError, TransportClosed
from inspector.mcp.trace import Direction, EventKind, MessageType, TraceEvent
from inspector.mcp.transports.base import TransportListener
from inspector.mcp.transports.stdio import StdioParameters, StdioTransport

if TYPE_CHECKING:
    from inspector.mcp.client.client import McpClient
    from inspector.mcp.client.types import ServerRequest
    from inspector.mcp.eras.base import ServerInfo
    from inspector.sessions.spec import ConnectionSpec

# Beyond the connect timeout, for whatever the handshake's own timeout does not cover.
CONNECT_GRACE_SECONDS = 5.0
# The stdio transport escalates from closing stdin to SIGKILL in about six seconds.
CLOSE_SECONDS = 10.0
# Once the call is answered, a server started for it gets this long to exit on its closed
# input before SIGTERM asks it to (the web UI's sessions give 2 s). Servers that keep
# timers running after initialization (the official everything server) never exit on
# it, and the command would wait the whole grace for them every time.
CLI_STDIN_GRACE_SECONDS = 0.25
DEFAULT_CONFIG_SERVER = "default-server"


class TraceSink:
    """Numbers every event of the call, remembers the initialize result and the findings,
    and writes the events (with their findings) to the trace file as JSON lines."""

    def __init__(self, path: str | None) -> None:
        self._file: IO[bytes] | None = None
        self._seq = 0
        self.initialize_result: dict[str, Any] | None = None
        self.findings: list[CallFinding] = []
        self.write_error: OSError | None = None
        if path is not None:
            try:
                self._file = Path(path).open("wb")  # noqa: SIM115 - closed by close()
            except OSError as exc:
                raise UsageError(f"cannot write the trace file {path}: {exc.strerror}") from exc

    def record(self, event: TraceEvent) -> None:
        self._seq += 1
        event.seq = self._seq
        self.findings.extend(findings_of(event))
        if (
            event.kind is EventKind.MESSAGE
            and event.direction is Direction.IN
            and event.message_type is MessageType.RESULT
            and event.method == "initialize"
            and isinstance(event.payload, dict)
            and isinstance(event.payload.get("result"), dict)
        ):
            self.initialize_result = event.payload["result"]
        if self._file is not None and self.write_error is None:
            from inspector.sessions.archive import event_line

            line = event_line(event.to_dict())  # a session file's line, without its header
            try:
                # Line by line, so that `tail -f` follows the call and a killed run
                # leaves everything up to its end.
                self._file.write(encode(line))
                self._file.flush()
            except OSError as exc:
                self.write_error = exc

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError as exc:
                self.write_error = self.write_error or exc


def connection_spec(server: ServerChoice) -> ConnectionSpec:
    """The connection the command line describes; raise `UsageError` if it cannot be."""
    from inspector.sessions.spec import ConnectionSpec, TransportKind

    if server.config_path is not None:
        spec = _from_config(server)
    elif server.transport == "stdio":
        spec = ConnectionSpec(
            TransportKind.STDIO,
            command=server.words[0],
            args=server.words[1:],
            env=dict(server.env),
            cwd=server.cwd,
        )
    else:
        kind = TransportKind(server.transport or "http")
        spec = ConnectionSpec(kind, url=server.words[0], headers=dict(server.headers))
    changes: dict[str, Any] = {}
    if server.protocol_version is not None:
        changes["protocol_version"] = server.protocol_version
    changes["era"] = cli_era(server.era, server.protocol_version or spec.protocol_version)
    if server.connect_timeout is not None:
        changes["connect_timeout"] = server.connect_timeout
    if server.request_timeout is not None:
        changes["request_timeout"] = server.request_timeout
        changes["max_total_timeout"] = max(spec.max_total_timeout, server.request_timeout)
    return replace(spec, **changes)


def _from_config(server: ServerChoice) -> ConnectionSpec:
    from inspector.sessions.config_files import ConfigError, parse_config, read_config_text
    from inspector.sessions.spec import TransportKind

    path = server.config_path
    assert path is not None
    try:
        text = read_config_text(path)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc  # it names the file already
    try:
        servers = parse_config(text)
    except ConfigError as exc:
        raise UsageError(f"{path}: {exc}") from exc
    by_name = {entry.name: entry.spec for entry in servers}
    names = ", ".join(by_name) or "none"
    if server.server_name is not None:
        if server.server_name not in by_name:
            raise UsageError(f"{path} has no server {server.server_name!r} (it has: {names})")
        spec = by_name[server.server_name]
    elif len(by_name) == 1:
        spec = next(iter(by_name.values()))
    elif DEFAULT_CONFIG_SERVER in by_name:
        spec = by_name[DEFAULT_CONFIG_SERVER]
    else:
        raise UsageError(f"{path} has several servers; pick one with --server ({names})")

    if server.transport is not None and server.transport != spec.transport.value:
        raise UsageError(
            f"--transport {server.transport} contradicts the config file ({spec.transport.value})"
        )
    changes: dict[str, Any] = {}
    if spec.transport is TransportKind.STDIO:
        if server.headers:
            raise UsageError("--header applies to a URL server; this one is a command")
        changes["env"] = {**spec.env, **server.env}
        if server.cwd is not None:
            changes["cwd"] = server.cwd
    else:
        if server.env or server.cwd is not None:
            raise UsageError("-e and --cwd apply to a command; this server is a URL")
        changes["headers"] = {**spec.headers, **server.headers}
    return replace(spec, **changes)


async def run(invocation: Invocation, reporter: Reporter) -> int:
    """Make the call and report it; return the exit status. Never raises."""
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    terminated = False

    def on_sigterm() -> None:
        nonlocal terminated
        terminated = True
        if task is not None:
            task.cancel()

    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    try:
        failure = await _call(invocation, reporter)
    except asyncio.CancelledError:
        # Interrupted (Ctrl-C or SIGTERM): the server has been shut down on the way out.
        failure = Failure(ExitCode.INTERRUPTED, "interrupted", "Interrupted.")
        reporter.failure(failure)
        return 128 + signal.SIGTERM if terminated else int(ExitCode.INTERRUPTED)
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGTERM)
    if failure is not None:
        reporter.failure(failure)
        return int(failure.exit_code)
    return int(ExitCode.OK)


class _EarlyStdio(StdioTransport):
    """A stdio transport started ahead of its client. What it sees before the client binds
    is kept, and handed over in order when it does; the client's `open()` then only
    reports how the start went."""

    def __init__(self, parameters: StdioParameters) -> None:
        super().__init__(parameters, stdin_grace=CLI_STDIN_GRACE_SECONDS)
        self._early = _Held()
        self._start_error: ConnectError | None = None

    async def start(self) -> None:
        super().bind(self._early)
        try:
            await super().open()
        except ConnectError as exc:
            self._start_error = exc

    def bind(self, listener: TransportListener) -> None:
        super().bind(listener)
        for event in self._early.events:
            listener.transport_event(event)
        for closed in self._early.closed:
            listener.transport_closed(closed)
        self._early = _Held()

    async def open(self) -> None:
        if self._start_error is not None:
            raise self._start_error


class _Held:
    def __init__(self) -> None:
        self.events: list[TraceEvent] = []
        self.closed: list[TransportClosed] = []

    def transport_event(self, event: TraceEvent) -> None:
        self.events.append(event)

    def transport_closed(self, error: TransportClosed) -> None:
        self.closed.append(error)


async def _call(invocation: Invocation, reporter: Reporter) -> Failure | None:
    server = invocation.server
    try:
        sink = TraceSink(invocation.trace_path)
    except UsageError as exc:
        return usage_failure(str(exc))
    early: _EarlyStdio | None = None
    if server.config_path is None and server.transport == "stdio":
        parameters = StdioParameters(server.words[0], server.words[1:], server.env, server.cwd)
        early = _EarlyStdio(parameters)
        await early.start()
    # The client, and pydantic with it, load while an early server boots; so do the
    # schema checks a tool list's findings will need.
    from inspector.mcp.client.client import McpClient
    from inspector.mcp.eras.auto import lifecycle_for

    if early is not None and invocation.method.startswith("tools/"):
        jsonschema_loader.load()

    try:
        spec = connection_spec(server)
    except UsageError as exc:
        if early is not None:
            await early.close()
        sink.close()
        return usage_failure(str(exc))
    transport = early or spec.build_transport()
    config = spec.client_config()
    # What the official CLI declares: roots only (it answers no sampling or elicitation).
    # A server may offer more to a client with roots (the everything server's
    # get-roots-list tool).
    config.capabilities = {"roots": {"listChanged": True}}

    def on_event(event: TraceEvent) -> None:
        sink.record(event)
        if event.kind is EventKind.STDERR:
            reporter.server_stderr(event.text)

    client = McpClient(
        transport,
        config,
        on_event=on_event,
        lifecycle=lifecycle_for(config.era, transport.kind),
    )
    shared = {"roots": [root.to_wire() for root in invocation.roots]}

    async def answer_roots(request: ServerRequest) -> dict[str, Any]:
        return shared

    client.handlers["roots/list"] = answer_roots
    answered = False
    try:
        failure = await _converse(client, spec, invocation, sink, reporter)
        answered = failure is None
    finally:
        # Answered, with no trace to finish: the command ends now and the watcher ends the
        # server, rather than the command waiting out the server's exit (a server that
        # keeps timers running, as the official everything server does, never exits on
        # its closed input, and every command waited the whole grace for it).
        left = (
            answered
            and invocation.trace_path is None
            and early is not None
            and early.leave_to_watcher()
        )
        if not left:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(CLOSE_SECONDS):
                    await client.close()
        sink.close()
    if failure is None and sink.write_error is not None:
        failure = Failure(
            ExitCode.USAGE, "trace_error", f"Writing the trace file failed: {sink.write_error}"
        )
    if failure is not None:
        # Shown with the failure unless the result has shown them already.
        failure = replace(failure, findings=tuple(sink.findings))
    return failure


async def _converse(
    client: McpClient,
    spec: ConnectionSpec,
    invocation: Invocation,
    sink: TraceSink,
    reporter: Reporter,
) -> Failure | None:
    url = _shown_url(spec)
    try:
        async with asyncio.timeout(spec.connect_timeout + CONNECT_GRACE_SECONDS):
            server = await client.connect()
    except ConnectError as exc:
        return connect_failure(exc, url)
    except TimeoutError:
        return connect_timeout_failure(spec.connect_timeout)
    try:
        if invocation.method == "initialize":
            result = sink.initialize_result or _initialize_result(server.to_dict())
        else:
            result = await _request(client, invocation, server, reporter)
    except McpError as exc:
        failure = request_failure(invocation.method, exc, url)
        if invocation.method == "tools/call" and isinstance(exc, JsonRpcError):
            failure = await _unless_unknown_tool(client, invocation, server, failure)
        return failure
    # The call's findings are those raised up to its result: what the server says while
    # it is shut down is in the trace, but does not hold up the result.
    findings = list(sink.findings)
    reporter.result(invocation.method, result, findings)
    if invocation.method == "tools/call" and result.get("isError") is True:
        name = (invocation.params or {}).get("name")
        return await _unless_unknown_tool(client, invocation, server, tool_is_error_failure(name))
    broken = strict_rules(findings)
    if invocation.strict and broken:
        return strict_failure(broken)
    return None


async def _unless_unknown_tool(
    client: McpClient, invocation: Invocation, server: ServerInfo, failure: Failure
) -> Failure:
    """The failure of a tools/call, or `tool_not_found` when the server does not list
    the tool. The official CLI looks the tool up before calling it; this CLI sends the call
    as given, and asks the list only once the call has failed."""
    name = str((invocation.params or {}).get("name"))
    if await tool_is_listed(client, name, server.capabilities) is not False:
        return failure
    declares_tools = undeclared_capability("tools/list", server.capabilities) is None
    return tool_not_found(failure, name, declares_tools=declares_tools)


async def _request(
    client: McpClient, invocation: Invocation, server: ServerInfo, reporter: Reporter
) -> dict[str, Any]:
    method = invocation.method
    if method not in LIST_METHODS:
        return await client.request(method, invocation.params)
    missing = undeclared_capability(method, server.capabilities)
    if missing is not None:
        reporter.note(undeclared_note(method, missing))
        return empty_list(method)
    return await every_page(client, method, invocation.params)


def _initialize_result(info: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "protocolVersion": info["protocol_version"],
        "capabilities": info["capabilities"],
        "serverInfo": info["server_info"],
    }
    if info.get("instructions") is not None:
        result["instructions"] = info["instructions"]
    return result


def _shown_url(spec: ConnectionSpec) -> str | None:
    if not spec.url:
        return None
    from inspector.mcp.transports.http_wire import display_url

    return display_url(spec.url)
