"""What the headless CLI prints, and the exit status it ends with.

stdout carries the result and nothing else. With `--format json`, the findings of the
message checks travel with it (`{"result": ..., "findings": [...]}`); otherwise they go to
stderr, one line each, after the result. The last line of stderr, if any, is the error
envelope `{"error": {"code": ..., "message": ...}}`, so that a script can branch on the
exit status and read the reason with `jq`. Server-provided text shown to people has its
control characters escaped: a server must not be able to drive the terminal.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any, BinaryIO

from inspector.headless.args import OutputFormat
from inspector.headless.findings import CallFinding
from inspector.mcp.errors import (
    ConnectError,
    HttpStatusError,
    JsonRpcError,
    McpError,
    RequestCancelled,
    RequestTimeout,
    SessionExpired,
    TransportClosed,
)

AUTH_STATUSES = frozenset({401, 403})


class ExitCode(IntEnum):
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
    return Failure(ExitCode.CONNECT_FAILED, "connect_failed", str(exc), details)


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


def render_result(method: str, result: dict[str, Any], output: OutputFormat) -> str:
    """The result for people: as indented JSON, or in words with `--format text`."""
    if output is OutputFormat.TEXT:
        renderer: Callable[[dict[str, Any]], str] = _TEXT_RENDERERS.get(method, _pretty)
        try:
            return renderer(result).rstrip("\n") + "\n"
        except (AttributeError, KeyError, TypeError, ValueError):
            # A result too malformed for the friendly view is still worth seeing.
            return _pretty(result)
    return _pretty(result)


def _json_line(value: Any) -> str:
    return _escape(json.dumps(value, ensure_ascii=False, separators=(",", ":"))) + "\n"


def _pretty(value: Any) -> str:
    return _escape(json.dumps(value, indent=2, ensure_ascii=False)) + "\n"


def _escape(text: str) -> str:
    """Escape what `clean` escapes. In JSON text, those characters can only stand inside
    strings, where `\\uXXXX` means the same: the output is the same JSON, terminal-safe."""
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


# -- text for people --------------------------------------------------------------------------

# C0 and C1 controls (but newline and tab) and the bidirectional overrides: printed as is,
# they would let a server move the cursor, recolour or hide text in the terminal.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(value: Any) -> str:
    return _escape(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def _list(result: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = result.get(key)
    if not isinstance(items, list):
        raise ValueError(f"no {key} list")
    return [item if isinstance(item, dict) else {"name": item} for item in items]


def _headline(item: dict[str, Any], key: str, aside: str = "title") -> str:
    """`key (aside) — the first line of the description`."""
    line = clean(item.get(key, "?"))
    if item.get(aside):
        line += f" ({clean(item[aside])})"
    description = item.get("description")
    if isinstance(description, str) and description.strip():
        line += f" — {clean(description.strip().splitlines()[0])}"
    return line


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _initialize(result: dict[str, Any]) -> str:
    info = result.get("serverInfo") or {}
    name = " ".join(clean(info[key]) for key in ("name", "version") if info.get(key)) or "?"
    lines = [f"{name} ({clean(info['title'])})" if info.get("title") else name]
    lines.append(f"protocol {clean(result.get('protocolVersion', '?'))}")
    capabilities = result.get("capabilities") or {}
    lines.append("capabilities: " + (", ".join(clean(name) for name in capabilities) or "none"))
    instructions = result.get("instructions")
    if isinstance(instructions, str) and instructions.strip():
        lines += ["instructions:", _indent(clean(instructions))]
    return "\n".join(lines)


def _tools(result: dict[str, Any]) -> str:
    blocks = []
    for tool in _list(result, "tools"):
        lines = [_headline(tool, "name")]
        schema = _dict(tool.get("inputSchema"))
        required = schema.get("required")
        required = required if isinstance(required, list) else []
        for name, prop in _dict(schema.get("properties")).items():
            prop = _dict(prop)
            kind = prop.get("type", "any")
            kind = " | ".join(map(str, kind)) if isinstance(kind, list) else kind
            line = f"  {clean(name)}: {clean(kind)}" + (" (required)" if name in required else "")
            if isinstance(prop.get("description"), str):
                line += f" — {clean(prop['description'])}"
            lines.append(line)
        blocks.append("\n".join(lines))
    return "\n".join(blocks) if blocks else "no tools"


def _content_block(block: Any) -> str:
    if not isinstance(block, dict):
        return clean(block)
    kind = block.get("type")
    if kind == "text":
        return clean(block.get("text", ""))
    if kind in ("image", "audio"):
        data = block.get("data")
        size = f", {_characters(data)} of base64" if isinstance(data, str) else ""
        return f"[{kind}: {clean(block.get('mimeType', 'unknown type'))}{size}]"
    if kind == "resource_link":
        return f"[resource link: {clean(block.get('uri', '?'))}" + (
            f" ({clean(block['name'])})]" if block.get("name") else "]"
        )
    if kind == "resource" and isinstance(block.get("resource"), dict):
        return _resource_contents(block["resource"])
    return clean(json.dumps(block, indent=2, ensure_ascii=False))


def _resource_contents(contents: dict[str, Any]) -> str:
    header = f"[resource {clean(contents.get('uri', '?'))}"
    if contents.get("mimeType"):
        header += f" ({clean(contents['mimeType'])})"
    if isinstance(contents.get("text"), str):
        return f"{header}]\n{clean(contents['text'])}"
    blob = contents.get("blob")
    size = f": {_characters(blob)} of base64" if isinstance(blob, str) else ""
    return f"{header}{size}]"


def _characters(text: str) -> str:
    return f"{len(text)} character{'' if len(text) == 1 else 's'}"


def _tool_result(result: dict[str, Any]) -> str:
    parts = [_content_block(block) for block in result.get("content") or []]
    structured = result.get("structuredContent")
    if structured is not None:
        parts.append("structured content:\n" + _indent(clean(_pretty(structured).rstrip())))
    body = "\n".join(parts) if parts else "(no content)"
    return f"error (isError):\n{_indent(body)}" if result.get("isError") is True else body


def _resources(result: dict[str, Any]) -> str:
    lines = [_headline(item, "uri", "name") for item in _list(result, "resources")]
    return "\n".join(lines) if lines else "no resources"


def _templates(result: dict[str, Any]) -> str:
    lines = [_headline(item, "uriTemplate", "name") for item in _list(result, "resourceTemplates")]
    return "\n".join(lines) if lines else "no resource templates"


def _read(result: dict[str, Any]) -> str:
    contents = _list(result, "contents")
    return "\n".join(_resource_contents(item) for item in contents) if contents else "no contents"


def _prompts(result: dict[str, Any]) -> str:
    blocks = []
    for prompt in _list(result, "prompts"):
        lines = [_headline(prompt, "name")]
        for argument in prompt.get("arguments") or []:
            if isinstance(argument, dict):
                line = f"  {clean(argument.get('name', '?'))}"
                line += " (required)" if argument.get("required") else ""
                if isinstance(argument.get("description"), str):
                    line += f" — {clean(argument['description'])}"
                lines.append(line)
        blocks.append("\n".join(lines))
    return "\n".join(blocks) if blocks else "no prompts"


def _prompt(result: dict[str, Any]) -> str:
    lines = []
    if isinstance(result.get("description"), str):
        lines.append(clean(result["description"]))
    for message in _list(result, "messages"):
        lines.append(f"{clean(message.get('role', '?'))}:")
        lines.append(_indent(_content_block(message.get("content"))))
    return "\n".join(lines)


def _completion(result: dict[str, Any]) -> str:
    completion = result.get("completion")
    if not isinstance(completion, dict):
        raise ValueError("no completion")
    values = completion.get("values") or []
    lines = [clean(value) for value in values] or ["no completions"]
    notes = []
    if isinstance(completion.get("total"), int):
        notes.append(f"{completion['total']} in all")
    if completion.get("hasMore"):
        notes.append("more available")
    if notes:
        lines.append(f"({', '.join(notes)})")
    return "\n".join(lines)


def _empty(result: dict[str, Any]) -> str:
    extra = {key: value for key, value in result.items() if key != "_meta"}
    return "ok" if not extra else _pretty(result)


_TEXT_RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "initialize": _initialize,
    "ping": _empty,
    "logging/setLevel": _empty,
    "tools/list": _tools,
    "tools/call": _tool_result,
    "resources/list": _resources,
    "resources/templates/list": _templates,
    "resources/read": _read,
    "prompts/list": _prompts,
    "prompts/get": _prompt,
    "completion/complete": _completion,
}
