"""Authorization posture of an HTTP server: how a client that has no token yet finds its
way to one, checked the way such a client goes.

An initialize POST without credentials must be refused 401 with a Bearer challenge that
names the protected resource metadata (RFC 9728); that metadata must be reachable and be
this server's; the authorization server it names must publish its metadata (RFC 8414 or
OpenID Connect discovery), with PKCE S256, and a way for a client to get an id
(pre-registration is always possible; a Client ID Metadata Document or dynamic
registration spares the person that); every URL a token or a code travels to must be
https, except on a loopback host. Each request is logged in the session as an AUTH
event, the evidence of the checks. A server that connected without credentials asks for
none: the checks are skipped, with that reason.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from inspector.doctor.auth_verdicts import challenge_check, https, pkce, registration
from inspector.doctor.examination import Examination
from inspector.doctor.report import Section, Status, seqs
from inspector.mcp.trace import EventKind, TraceEvent, local_event
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.sessions.status import SessionStatus

if TYPE_CHECKING:  # imported where used: a stdio examination never loads httpx
    import httpx

    from inspector.mcp.auth.discovery import AuthServerMetadata, Lookup
    from inspector.mcp.auth.records import Fetched

PLANNED = (
    "auth.challenge",
    "auth.resource-metadata",
    "auth.server-metadata",
    "auth.pkce",
    "auth.registration",
    "auth.https",
)
# What cannot be checked without the authorization server's metadata.
NEED_SERVER_METADATA = ("auth.server-metadata", "auth.pkce", "auth.registration")
NEWEST_AUTH_REVISION = "2025-11-25"


async def check_authorization(exam: Examination, first: list[TraceEvent]) -> None:
    """The posture checks; `first` are the events of the connection attempt."""
    spec = exam.session.spec
    if spec.transport is TransportKind.STDIO:
        _skip(exam, "A stdio server is not authorized over HTTP: nothing to check.")
        return
    if spec.transport is TransportKind.SSE:
        _skip(exam, "The legacy HTTP+SSE transport predates MCP authorization: not checked.")
        return
    if exam.session.status is SessionStatus.CONNECTED and not _has_credentials(spec):
        posts = [e.seq for e in first if e.kind is EventKind.HTTP and e.seq is not None]
        _skip(exam, "The server answered without credentials: it asks for no authorization.")
        _cite_first(exam, seqs(posts[:1]))
        return
    from inspector.mcp.auth.http import http_client

    async with http_client(timeout=_timeout(exam)) as client:
        await _posture(exam, spec, client)


def _has_credentials(spec: ConnectionSpec) -> bool:
    return bool(spec.bearer_token) or any(name.lower() == "authorization" for name in spec.headers)


def _timeout(exam: Examination) -> float:
    return max(min(exam.session.spec.connect_timeout, exam.remaining()), 1.0)


def _skip(exam: Examination, reason: str, checks: tuple[str, ...] = PLANNED) -> None:
    for check_id in checks:
        if not exam.report.has(check_id):
            exam.add(check_id, Section.AUTHORIZATION, Status.SKIPPED, reason)


def _cite_first(exam: Examination, evidence: tuple[int, ...]) -> None:
    """Give the skipped checks the event that shows why (the checks are frozen: rebuilt)."""
    checks = exam.report.checks
    for index, check in enumerate(checks):
        if check.id in PLANNED and not check.evidence:
            checks[index] = replace(check, evidence=evidence)


def _log(exam: Examination, text: str, exchanges: list[dict[str, Any]], **learned: Any) -> int:
    """One AUTH event, shaped as an OAuth step's (the HAR export reads its exchanges)."""
    step = {"name": text, "ok": True, "summary": text, "exchanges": exchanges, "learned": learned}
    return exam.session.record(local_event(EventKind.AUTH, text, step=step))


async def _posture(exam: Examination, spec: ConnectionSpec, client: httpx.AsyncClient) -> None:
    from inspector.mcp.auth.records import send
    from inspector.mcp.challenge import bearer_challenge

    headers = {k: v for k, v in spec.headers.items() if k.lower() != "authorization"}
    headers["Accept"] = "application/json, text/event-stream"
    fetched: Fetched = await send(
        client,
        "POST",
        spec.url,
        headers=headers,
        json_body=_initialize(spec),
        timeout=_timeout(exam),
    )
    status = fetched.status
    challenges = fetched.response.headers.get_list("www-authenticate") if fetched.response else []
    challenge = bearer_challenge(challenges)
    # The transport's records mask the header whole; the challenge holds no secret.
    probe = _log(
        exam,
        f"Doctor: initialize without credentials → {status or fetched.record.error}",
        [fetched.record.to_dict()],
        www_authenticate=challenges,
        challenge=challenge.to_dict() if challenge is not None else None,
    )
    if status not in (401, 403):
        reason = (
            f"Without credentials the server answered {status}: it asks for no authorization."
            if status is not None
            else f"The request without credentials failed ({fetched.record.error})."
        )
        _skip(exam, reason)
        _cite_first(exam, (probe,))
        return
    header = ", ".join(challenges) or None
    challenge_check(exam, status, header, challenge is not None, probe)
    hint = challenge.resource_metadata if challenge is not None else None
    # Every URL learnt on the way, for the https check, however far the way goes.
    named: dict[str, str | None] = {"the MCP server": spec.url, "resource_metadata": hint}
    evidence = [probe]
    prm = await _resource_metadata(exam, spec, client, hint, probe)
    if prm is not None:
        issuer, prm_url, prm_seq = prm
        named |= {"the resource metadata": prm_url, "the issuer": issuer}
        evidence.append(prm_seq)
        found = await _server_metadata(exam, client, issuer, prm_seq)
        if found is not None:
            metadata, as_seq = found
            pkce(exam, metadata, as_seq)
            registration(exam, metadata, as_seq)
            named |= {
                "authorization_endpoint": metadata.authorization_endpoint,
                "token_endpoint": metadata.token_endpoint,
                "registration_endpoint": metadata.registration_endpoint,
            }
            evidence.append(as_seq)
    https(exam, named, seqs(evidence))


def _initialize(spec: ConnectionSpec) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": 0,
        "method": "initialize",
        "params": {
            "protocolVersion": spec.protocol_version,
            "capabilities": {},
            "clientInfo": {"name": "inspector-doctor", "version": "0"},
        },
    }


async def _lookup(
    exam: Examination, client: httpx.AsyncClient, candidates: list[str], what: str
) -> tuple[Lookup, int]:
    """The first of `candidates` that answers JSON, and the seq of the event logging it."""
    from inspector.mcp.auth.discovery import first_json

    version = exam.session.spec.protocol_version
    lookup = await first_json(client, candidates, protocol_version=version, timeout=_timeout(exam))
    where = f"found at {lookup.url}" if lookup.url else "not found"
    records = [record.to_dict() for record in lookup.records]
    return lookup, _log(exam, f"Doctor: {what} {where}", records, document=lookup.found)


async def _resource_metadata(
    exam: Examination,
    spec: ConnectionSpec,
    client: httpx.AsyncClient,
    hint: str | None,
    probe: int,
) -> tuple[str, str, int] | None:
    """The issuer, the metadata's URL and its event's seq; None when unusable."""
    from inspector.mcp.auth.discovery import canonical_resource, prm_candidates

    check_id = "auth.resource-metadata"
    candidates = prm_candidates(spec.url, hint)
    lookup, seq = await _lookup(exam, client, candidates, "protected resource metadata")
    document = lookup.found or {}
    resource = document.get("resource")
    servers = [u for u in document.get("authorization_servers") or [] if isinstance(u, str)]
    problem = None
    if lookup.url is None:
        problem = (
            f"No protected resource metadata (RFC 9728) at {lookup.describe_failures()}: "
            "clients find the authorization server there; publish it."
        )
    elif not isinstance(resource, str) or not _covers(resource, canonical_resource(spec.url)):
        problem = (
            f"The metadata at {lookup.url} is for the resource {resource!r}, not for "
            f"{canonical_resource(spec.url)}: clients must not use it."
        )
    elif not servers:
        problem = f"The metadata at {lookup.url} lists no authorization_servers."
    if problem is not None:
        exam.add(check_id, Section.AUTHORIZATION, Status.FAIL, problem, (probe, seq))
        _skip(
            exam,
            "Not checked: the protected resource metadata names no usable authorization server.",
            NEED_SERVER_METADATA,
        )
        return None
    assert lookup.url is not None
    exam.add(
        check_id,
        Section.AUTHORIZATION,
        Status.PASS,
        f"Found at {lookup.url}, for this server; authorization server {servers[0]}.",
        (seq,),
        url=lookup.url,
        authorization_servers=servers,
    )
    return servers[0], lookup.url, seq


def _covers(declared: str, resource: str) -> bool:
    import httpx

    from inspector.mcp.auth.discovery import canonical_resource

    try:
        declared = canonical_resource(declared)
    except httpx.InvalidURL:
        return False
    return resource == declared or resource.startswith(declared.rstrip("/") + "/")


async def _server_metadata(
    exam: Examination, client: httpx.AsyncClient, issuer: str, prm_seq: int
) -> tuple[AuthServerMetadata, int] | None:
    from inspector.mcp.auth.discovery import AuthServerMetadata, as_metadata_candidates

    check_id = "auth.server-metadata"
    # Every place the newest revision looks (RFC 8414, then OpenID Connect, path-aware).
    candidates = as_metadata_candidates(issuer, NEWEST_AUTH_REVISION)
    lookup, seq = await _lookup(exam, client, candidates, "authorization server metadata")
    problem = None
    metadata = None
    if lookup.url is None or lookup.found is None:
        problem = (
            f"No metadata for the authorization server {issuer} at "
            f"{lookup.describe_failures()} (RFC 8414 or OpenID Connect discovery)."
        )
    else:
        metadata = AuthServerMetadata.from_json(lookup.found, lookup.url)
        missing = [
            name
            for name in ("authorization_endpoint", "token_endpoint")
            if not getattr(metadata, name)
        ]
        if metadata.issuer != issuer:
            problem = (
                f"The metadata at {lookup.url} has the issuer {metadata.issuer!r}, not "
                f"{issuer!r}: RFC 8414 forbids using it."
            )
        elif missing:
            problem = f"The metadata at {lookup.url} has no {' and no '.join(missing)}."
    if problem is not None or metadata is None:
        exam.add(check_id, Section.AUTHORIZATION, Status.FAIL, problem or "", (prm_seq, seq))
        _skip(
            exam,
            "Not checked: the authorization server metadata is unusable.",
            NEED_SERVER_METADATA,
        )
        return None
    exam.add(
        check_id,
        Section.AUTHORIZATION,
        Status.PASS,
        f"Found at {lookup.url}, issuer {issuer}.",
        (seq,),
        url=lookup.url,
    )
    return metadata, seq
