"""What the headless CLI prints, and the exit status it ends with.

stdout carries the result and nothing else. With `--format json`, the findings of the
message checks travel with it (`{"result": ..., "findings": [...]}`); otherwise they go to
stderr, one line each, after the result. A stdio server's own stderr passes through to
stderr line by line as it arrives. The last line of stderr, if any, is the error
envelope `{"error": {"code": ..., "message": ...}}`, so that a script can branch on the
exit status and read the reason with `jq`. Server-provided text shown to people has its
control characters escaped: a server must not be able to drive the terminal.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any, BinaryIO

from inspector.headless.args import OutputFormat
from inspector.headless.findings import CallFinding
from inspector.headless.text import clean, escape, render_result
from inspector.mcp.errors import (
    ConnectError,
    FailureLayer,
    HttpStatusError,
    JsonRpcError,
    McpError,
    RequestCancelled,
    RequestTimeout,
    SessionExpired,
    TransportClosed,
)

AUTH_STATUSES = frozenset({401, 403})
# Where a connection fails because the server cannot be reached: the official CLI's
# `unreachable` (exit 4), which a script may retry, perhaps through a proxy.
UNREACHABLE_LAYERS = frozenset(
    {FailureLayer.DNS, FailureLayer.TCP, FailureLayer.TLS, FailureLayer.TIMEOUT}
)


class ExitCode(IntEnum):
    """The official inspector CLI's exit statuses, where it has one for the case."""

    OK = 0
    USAGE = 1
    AUTH_REQUIRED = 3  # the server answered HTTP 401 or 403
    CONNECT_FAILED = 4  # unreachable, failed to start, or initialize failed
    REQUEST_FAILED = 5  # isError, a JSON-RPC error, a timeout, the connection ended
    # --strict: the server's messages broke a rule of error severity. The official
    # inspector's CLI ends its schema-portability failures with the same status.
    FINDINGS = 6
    INTERRUPTED = 130


@dataclass(frozen=True, slots=True)
class Failure:
    exit_code: ExitCode
    code: str  # a stable name for scripts: "auth_required", "timeout", ...
    message: str
    details: dict[str, Any] = field(default_factory=dict)
    # The findings of the call when it failed before its result was shown.
    findings: tuple[CallFinding, ...] = ()

    def envelope(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.details}}


def usage_failure(message: str) -> Failure:
    return Failure(ExitCode.USAGE, "usage", message)


def strict_failure(rules: Sequence[str]) -> Failure:
    return Failure(
        ExitCode.FINDINGS,
        "findings",
        f"--strict: the server's messages broke {', '.join(rules)} (error severity).",
        {"rules": list(rules)},
    )


class Reporter:
    """Writes results to stdout and failures to stderr, each as soon as it is known; the
    findings go with the result, or with the failure when there is no result."""

    def __init__(self, output: OutputFormat, stdout: BinaryIO, stderr: BinaryIO) -> None:
        self.output = output
        self._stdout = stdout
        self._stderr = stderr
        self._findings_shown = False

    def result(
        self, method: str, result: dict[str, Any], findings: Sequence[CallFinding] = ()
    ) -> None:
        self._findings_shown = True
        if self.output is OutputFormat.JSON:
            _write(self._stdout, _json_line(_with_findings({"result": result}, findings)))
            return
        _write(self._stdout, render_result(method, result, self.output))
        self._finding_lines(findings)

    def server_stderr(self, line: str) -> None:
        """A line the server wrote on its stderr, passed through as it arrives (as the
        official CLI does), with its control characters escaped like any server text."""
        _write(self._stderr, clean(line) + "\n")

    def note(self, text: str) -> None:
        """A line for the person on stderr, in every format: what the result alone does
        not say (a list left empty because the server does not offer it)."""
        _write(self._stderr, clean(text) + "\n")

    def failure(self, failure: Failure) -> None:
        findings = () if self._findings_shown else failure.findings
        if self.output is OutputFormat.JSON:
            _write(self._stderr, _json_line(_with_findings(failure.envelope(), findings)))
            return
        self._finding_lines(findings)
        _write(self._stderr, error_line(failure))

    def _finding_lines(self, findings: Sequence[CallFinding]) -> None:
        if findings:
            _write(self._stderr, "".join(finding_line(item) + "\n" for item in findings))


def _with_findings(document: dict[str, Any], findings: Sequence[CallFinding]) -> dict[str, Any]:
    if findings:
        document["findings"] = [item.to_dict() for item in findings]
    return document


def finding_line(item: CallFinding) -> str:
    """`error tools.schema-type tools/list #7 $.result.tools[0]: An input ...`"""
    finding = item.finding
    where = f"{clean(item.method or item.direction.value)} #{item.seq}"
    return (
        f"{finding.severity.value} {clean(finding.rule)} {where} {clean(finding.path)}: "
        f"{clean(finding.message)}"
    )


def _write(stream: BinaryIO, text: str) -> None:
    try:
        stream.write(encode(text))
        stream.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop writing there, and let the interpreter's
        # final flush find a sink instead of printing a complaint about the pipe.
        with contextlib.suppress(OSError, ValueError), open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), stream.fileno())
    except (OSError, ValueError):
        pass  # nowhere left to say it


def connect_failure(exc: ConnectError, url: str | None) -> Failure:
    details: dict[str, Any] = {"layer": exc.layer.value}
    if exc.status is not None:
        details["status"] = exc.status
    if url:
        details["url"] = url
    if exc.status in AUTH_STATUSES:
        return Failure(ExitCode.AUTH_REQUIRED, "auth_required", str(exc), details)
    code = "unreachable" if exc.layer in UNREACHABLE_LAYERS else "connect_failed"
    return Failure(ExitCode.CONNECT_FAILED, code, str(exc), details)


def connect_timeout_failure(seconds: float) -> Failure:
    return Failure(
        ExitCode.CONNECT_FAILED,
        "unreachable",
        f"timeout: No connection within {seconds:g} s.",
        {"layer": FailureLayer.TIMEOUT.value},
    )


def tool_is_error_failure(name: object) -> Failure:
    return Failure(
        ExitCode.REQUEST_FAILED, "tool_is_error", f"The tool {name!r} returned isError: true."
    )


def tool_not_found(failure: Failure, name: object, *, declares_tools: bool) -> Failure:
    """A failed tools/call of a tool the server does not list, under the official CLI's
    name for it."""
    why = "" if declares_tools else " (it declares no tools capability)"
    return replace(
        failure,
        code="tool_not_found",
        message=f"{failure.message} The server lists no tool named {name!r}{why}.",
    )


def request_failure(method: str, exc: McpError, url: str | None) -> Failure:
    """Why a request sent on an established connection produced no result."""
    failure = _request_failure(exc, url)
    return replace(failure, message=f"{method}: {failure.message}")


def _request_failure(exc: McpError, url: str | None) -> Failure:
    where = {"url": url} if url else {}
    if isinstance(exc, HttpStatusError):
        details = {"status": exc.status, **where}
        code = "auth_required" if exc.status in AUTH_STATUSES else "http_error"
        exit_code = ExitCode.AUTH_REQUIRED if code == "auth_required" else ExitCode.REQUEST_FAILED
        return Failure(exit_code, code, str(exc), details)
    if isinstance(exc, ConnectError):
        failure = connect_failure(exc, url)
        if failure.exit_code is ExitCode.AUTH_REQUIRED:
            return failure
        # The connection was made, then the server became unreachable: the request failed.
        return replace(failure, exit_code=ExitCode.REQUEST_FAILED, code="connection_failed")
    if isinstance(exc, JsonRpcError):
        body: dict[str, Any] = {"code": exc.code, "message": exc.message}
        if exc.data is not None:
            body["data"] = exc.data
        return Failure(ExitCode.REQUEST_FAILED, "jsonrpc_error", str(exc), {"jsonrpc": body})
    codes: list[tuple[type[McpError], str]] = [
        (RequestTimeout, "timeout"),
        (SessionExpired, "session_expired"),
        (TransportClosed, "connection_closed"),
        (RequestCancelled, "cancelled"),
    ]
    code = next((name for kind, name in codes if isinstance(exc, kind)), "request_failed")
    return Failure(ExitCode.REQUEST_FAILED, code, str(exc), dict(where))


def error_line(failure: Failure) -> str:
    return _json_line(failure.envelope())


def encode(text: str) -> bytes:
    # A lone surrogate (a server may send "\ud800") cannot be UTF-8; as `\ud800` it is
    # still a valid JSON escape, so the output stays parseable.
    return text.encode("utf-8", "backslashreplace")


def _json_line(value: Any) -> str:
    return escape(json.dumps(value, ensure_ascii=False, separators=(",", ":"))) + "\n"
