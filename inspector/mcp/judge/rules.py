"""Every rule the judge applies: its stable id, severity, one sentence and spec page.

The ids are part of the inspector's interface (stored events, the CLI's JSON, filters in
the browser): a rule may be reworded, never renamed. The spec link is built for the
version the session negotiated, so a 2024-11-05 session links to the 2024-11-05 text.

| id | severity | page |
| --- | --- | --- |
| judge.unreadable | warning | basic |
| jsonrpc.* (framing, `inspector.mcp.jsonrpc`; batch-not-allowed and id-echo warn) | error | basic |
| client.duplicate-id, client.unknown-id (pairing, `inspector.mcp.client`) | error | basic |
| client.late-response | warning | basic |
| shape.schema | error | schema |
| shape.unknown-type | error | schema |
| version.method | error | schema |
| version.field | warning | changelog |
| capabilities.list-changed | error | basic/lifecycle |
| capabilities.subscribe | error | server/resources |
| capabilities.logging | error | server/utilities/logging |
| capabilities.client-request | error | basic/lifecycle |
| capabilities.elicitation-mode | error | client/elicitation |
| progress.unknown-token | error | basic/utilities/progress |
| progress.not-increasing | error | basic/utilities/progress |
| progress.after-result | warning | basic/utilities/progress |
| responses.duplicate | error | basic |
| responses.to-notification | error | basic |
| pagination.cursor-loop | error | server/utilities/pagination |
| pagination.empty-page-cursor | warning | server/utilities/pagination |
| content.base64 | error | server/tools |
| content.mime-type | error | server/resources |
| content.uri | error | server/resources |
| content.annotations | error | server/resources |
| content.is-error | error | server/tools |
| tools.name | warning | server/tools |
| tools.schema-type | error | server/tools |
| tools.schema-invalid | error | server/tools |
| tools.duplicate-name | error | server/tools |
| tools.structured-content | error | server/tools |
| meta.key | error | basic |
| meta.reserved-prefix | warning | basic |
| logging.level | error | server/utilities/logging |
| modern.result-type | error | basic |
| modern.input-requests | error | basic |
| modern.request-state | error | basic |
| modern.ttl | error | basic |
| deprecated.sep-2577 | info | changelog |

`RULES` below is the same table as data; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector.mcp.findings import Finding, Severity
from inspector.mcp.versions import DEFAULT_VERSION, is_known

SPEC_ROOT = "https://modelcontextprotocol.io/specification"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    sentence: str
    page: str

    def spec_url(self, version: str) -> str:
        return f"{SPEC_ROOT}/{version if is_known(version) else DEFAULT_VERSION}/{self.page}"


E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

_TABLE = (
    Rule(
        "judge.unreadable", W, "The message is too malformed to check against the schema.", "basic"
    ),
    Rule("jsonrpc.parse-error", E, "A frame must be valid JSON.", "basic"),
    Rule("jsonrpc.not-object", E, "A JSON-RPC message must be an object.", "basic"),
    Rule("jsonrpc.version", E, 'The "jsonrpc" member must be exactly "2.0".', "basic"),
    Rule("jsonrpc.id-type", E, "An id must be a string or an integer (not null).", "basic"),
    Rule("jsonrpc.method-type", E, "A method must be a string.", "basic"),
    Rule("jsonrpc.params-type", E, "MCP params must be an object.", "basic"),
    Rule("jsonrpc.mixed", E, "A request or notification carries no result or error.", "basic"),
    Rule(
        "jsonrpc.response-shape", E, "A response carries exactly one of result and error.", "basic"
    ),
    Rule("jsonrpc.response-id", E, "A response carries the id of its request.", "basic"),
    Rule("jsonrpc.result-type", E, "An MCP result is an object.", "basic"),
    Rule("jsonrpc.error-type", E, "An error is an object.", "basic"),
    Rule("jsonrpc.error-code", E, "An error code is an integer.", "basic"),
    Rule("jsonrpc.error-message", E, "An error message is a string.", "basic"),
    Rule("jsonrpc.empty-batch", E, "An empty batch is invalid.", "basic"),
    Rule("jsonrpc.batch-not-allowed", W, "Batches exist only in 2025-03-26.", "basic"),
    Rule("jsonrpc.id-echo", W, "A response echoes its request's id with the same type.", "basic"),
    Rule("client.duplicate-id", E, "A request id is not reused while in flight.", "basic"),
    Rule("client.unknown-id", E, "A response answers a request that was made.", "basic"),
    Rule("client.late-response", W, "A response comes while its request is awaited.", "basic"),
    Rule("shape.schema", E, "The message breaks the negotiated version's schema.", "schema"),
    Rule(
        "shape.unknown-type",
        E,
        "A union's discriminator names no type the version defines.",
        "schema",
    ),
    Rule("version.method", E, "The negotiated version does not define this method.", "schema"),
    Rule("version.field", W, "The negotiated version does not define this field yet.", "changelog"),
    Rule(
        "capabilities.list-changed",
        E,
        "A list_changed notification needs the capability's listChanged.",
        "basic/lifecycle",
    ),
    Rule(
        "capabilities.subscribe",
        E,
        "resources/updated needs resources.subscribe and a subscription to the URI.",
        "server/resources",
    ),
    Rule(
        "capabilities.logging",
        E,
        "Log messages need the logging capability.",
        "server/utilities/logging",
    ),
    Rule(
        "capabilities.client-request",
        E,
        "A server request needs the client capability it relies on.",
        "basic/lifecycle",
    ),
    Rule(
        "capabilities.elicitation-mode",
        E,
        "An elicitation mode needs the client to have declared it.",
        "client/elicitation",
    ),
    Rule(
        "progress.unknown-token",
        E,
        "Progress refers to a token of a request in flight.",
        "basic/utilities/progress",
    ),
    Rule(
        "progress.not-increasing",
        E,
        "Progress increases with every notification.",
        "basic/utilities/progress",
    ),
    Rule(
        "progress.after-result",
        W,
        "Progress stops once the request is answered.",
        "basic/utilities/progress",
    ),
    Rule("responses.duplicate", E, "A request gets exactly one response.", "basic"),
    Rule("responses.to-notification", E, "A notification gets no response.", "basic"),
    Rule(
        "pagination.cursor-loop",
        E,
        "A cursor is never repeated within one listing.",
        "server/utilities/pagination",
    ),
    Rule(
        "pagination.empty-page-cursor",
        W,
        "An empty page ends the listing rather than giving a cursor.",
        "server/utilities/pagination",
    ),
    Rule("content.base64", E, "Binary data is valid base64.", "server/tools"),
    Rule("content.mime-type", E, "A MIME type is type/subtype.", "server/resources"),
    Rule("content.uri", E, "A URI has a scheme and no spaces.", "server/resources"),
    Rule(
        "content.annotations",
        E,
        "Annotation priority is between 0 and 1; lastModified is ISO 8601.",
        "server/resources",
    ),
    Rule("content.is-error", E, "isError is a boolean.", "server/tools"),
    Rule("tools.name", W, "A tool name follows the version's naming rules.", "server/tools"),
    Rule("tools.schema-type", E, "An input or output schema is an object schema.", "server/tools"),
    Rule(
        "tools.schema-invalid",
        E,
        "An input or output schema is valid for its JSON Schema dialect.",
        "server/tools",
    ),
    Rule("tools.duplicate-name", E, "Tool names are unique across all pages.", "server/tools"),
    Rule(
        "tools.structured-content",
        E,
        "A tool with an outputSchema returns structuredContent that conforms to it.",
        "server/tools",
    ),
    Rule("meta.key", E, "A _meta key is an optional prefix and a well-formed name.", "basic"),
    Rule(
        "meta.reserved-prefix",
        W,
        "Prefixes whose second label is modelcontextprotocol or mcp are reserved.",
        "basic",
    ),
    Rule(
        "logging.level",
        E,
        "A log level is one of the eight syslog levels.",
        "server/utilities/logging",
    ),
    Rule("modern.result-type", E, "A result names its resultType, one the method allows.", "basic"),
    Rule(
        "modern.input-requests",
        E,
        "An input_required result carries well-formed input requests the client can answer.",
        "basic",
    ),
    Rule("modern.request-state", E, "requestState is an opaque string.", "basic"),
    Rule("modern.ttl", E, "ttlMs is a non-negative integer on a cacheable result.", "basic"),
    Rule(
        "deprecated.sep-2577",
        INFO,
        "Logging, sampling and roots are deprecated from 2026-07-28 (SEP-2577).",
        "changelog",
    ),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _TABLE}


def finding(rule_id: str, message: str, path: str, version: str) -> Finding:
    """A finding of a rule in the table, with its severity and the version's spec link."""
    rule = RULES[rule_id]
    return Finding(rule.id, message, path, rule.severity, rule.spec_url(version))
