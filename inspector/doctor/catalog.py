"""The catalog sweep: every list the server declares, to its last page, and the judge's
findings on every message the server sent, as checks grouped by rule."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from inspector.doctor.examination import Examination
from inspector.doctor.report import Section, Status, seqs
from inspector.mcp.findings import Severity
from inspector.mcp.judge.rules import RULES
from inspector.mcp.trace import TraceEvent

# (capability, method, key of the list in the result)
LISTINGS = (
    ("tools", "tools/list", "tools"),
    ("resources", "resources/list", "resources"),
    ("resources", "resources/templates/list", "resourceTemplates"),
    ("prompts", "prompts/list", "prompts"),
)
MAX_PAGES = 200
PLANNED = tuple(f"catalog.{key}" for _, _, key in LISTINGS)


@dataclass(slots=True)
class Listed:
    """Items of one list, each with the seq of the page (response) that carried it."""

    items: list[tuple[dict[str, Any], int]] = field(default_factory=list)
    complete: bool = False

    def of(self) -> list[dict[str, Any]]:
        return [item for item, _ in self.unique()]

    def unique(self) -> list[tuple[dict[str, Any], int]]:
        """Each item once (by name, or URI), as first listed: pages of a loop repeat them."""
        seen: set[str] = set()
        kept: list[tuple[dict[str, Any], int]] = []
        for item, seq in self.items:
            key = str(item.get("name", item.get("uri", item.get("uriTemplate", id(item)))))
            if key not in seen:
                seen.add(key)
                kept.append((item, seq))
        return kept


@dataclass(slots=True)
class Catalog:
    lists: dict[str, Listed] = field(default_factory=dict)

    def get(self, key: str) -> Listed:
        return self.lists.get(key) or Listed()


async def sweep(exam: Examination, catalog: Catalog) -> None:
    """Fill `catalog` list by list: what was read stays there if the sweep is stopped."""
    server = exam.session.server
    capabilities = server.capabilities if server is not None else {}
    for capability, method, key in LISTINGS:
        check_id = f"catalog.{key}"
        if capability not in capabilities:
            exam.add(
                check_id,
                Section.CATALOG,
                Status.SKIPPED,
                f"Not listed: the server does not declare the {capability} capability.",
            )
            continue
        catalog.lists[key] = Listed()
        await _list(exam, method, key, check_id, catalog.lists[key])


async def _list(exam: Examination, method: str, key: str, check_id: str, listed: Listed) -> None:
    evidence: list[int] = []
    seen: set[str] = set()
    cursor: str | None = None
    for page in range(1, MAX_PAGES + 1):
        exchange = await exam.call(method, {"cursor": cursor} if cursor is not None else None)
        evidence.extend(exchange.evidence)
        result = exchange.result
        if result is None:
            exam.add(
                check_id,
                Section.CATALOG,
                Status.FAIL,
                f"{method} (page {page}) got {exchange.outcome()}: the server must answer a "
                "list request it declares.",
                seqs(evidence),
            )
            return
        items = result.get(key)
        if not isinstance(items, list):
            exam.add(
                check_id,
                Section.CATALOG,
                Status.FAIL,
                f"{method} (page {page}) has no {key!r} list: return one, even when empty.",
                seqs(evidence),
            )
            return
        page_seq = exchange.response_seq or 0
        listed.items.extend((item, page_seq) for item in items if isinstance(item, dict))
        next_cursor = result.get("nextCursor")
        if not isinstance(next_cursor, str) or not next_cursor:
            listed.complete = True
            exam.add(
                check_id,
                Section.CATALOG,
                Status.PASS,
                f"{method}: {len(listed.items)} item(s) in {page} page(s).",
                seqs(evidence),
                count=len(listed.items),
                pages=page,
            )
            return
        if next_cursor in seen:
            exam.add(
                check_id,
                Section.CATALOG,
                Status.FAIL,
                f"{method} handed back the cursor {next_cursor!r} a second time, so the "
                "listing never ends: give each page a new cursor, and none on the last page.",
                seqs(evidence),
                cursor=next_cursor,
                pages=page,
            )
            return
        seen.add(next_cursor)
        cursor = next_cursor
    exam.add(
        check_id,
        Section.CATALOG,
        Status.FAIL,
        f"{method} did not end after {MAX_PAGES} pages: the last page must carry no cursor.",
        seqs(evidence[:6], evidence[-6:]),
    )


def judge_checks(exam: Examination, events: Iterable[TraceEvent], main_until: int) -> None:
    """The judge's findings on the server's messages, one check per rule (error: fail,
    warning: warning, info: pass with a note); one passing check when there are none.

    After `main_until` come the short connections of the version checks, which the doctor
    cuts off mid-stream: what the client's pairing says of those (`client.*`) is about the
    cut, not the server."""
    by_rule: dict[str, list[tuple[TraceEvent, str]]] = {}
    judged = 0
    for event in events:
        if not event.is_inbound_frame:
            continue
        judged += 1
        for finding in event.findings:
            if (event.seq or 0) > main_until and finding.rule.startswith("client."):
                continue
            by_rule.setdefault(finding.rule, []).append((event, finding.message))
    for rule_id, hits in sorted(by_rule.items()):
        rule = RULES.get(rule_id)
        severity = rule.severity if rule is not None else Severity.ERROR
        status = {Severity.ERROR: Status.FAIL, Severity.WARNING: Status.WARNING}.get(
            severity, Status.PASS
        )
        first_message = hits[0][1]
        rule_sentence = rule.sentence if rule is not None else ""
        messages = len({event.seq for event, _ in hits})
        more = (
            f" ({len(hits)} findings on {messages} message{'s' if messages > 1 else ''})"
            if len(hits) > 1
            else ""
        )
        exam.add(
            f"judge.{rule_id}",
            Section.CATALOG,
            status,
            f"{rule_sentence} {first_message}{more}".strip(),
            seqs(event.seq for event, _ in hits[:50]),
            rule=rule_id,
            severity=severity.value,
            count=len(hits),
            spec_url=rule.spec_url(exam.report.protocol_version or "") if rule else "",
        )
    if not by_rule:
        exam.add(
            "catalog.messages",
            Section.CATALOG,
            Status.PASS,
            f"All {judged} messages from the server follow the negotiated version's rules.",
            count=judged,
        )


def fingerprints(tools: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Each tool's definition, hashed: what a later report compares (rug pull)."""
    found: dict[str, str] = {}
    for tool in tools:
        name = tool.get("name")
        if isinstance(name, str):
            canonical = json.dumps(tool, sort_keys=True, ensure_ascii=False)
            found[name] = hashlib.sha256(canonical.encode()).hexdigest()
    return found
