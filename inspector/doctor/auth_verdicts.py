"""The verdicts of the authorization checks that read what was fetched, and nothing
more: the challenge, PKCE, the ways to register a client, https (see `auth_posture`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from inspector.doctor.examination import Examination
from inspector.doctor.report import Section, Status, seqs
from inspector.mcp.hosts import is_loopback_host

if TYPE_CHECKING:
    from inspector.mcp.auth.discovery import AuthServerMetadata


def challenge_check(
    exam: Examination, status: int, header: str | None, bearer: bool, probe: int
) -> None:
    challenge_id = "auth.challenge"
    if status == 403:
        exam.add(
            challenge_id,
            Section.AUTHORIZATION,
            Status.WARNING,
            "A request without credentials was answered 403: answer 401, which tells a "
            "client to authorize (403 means a token lacks a scope).",
            (probe,),
        )
    elif header is None:
        exam.add(
            challenge_id,
            Section.AUTHORIZATION,
            Status.FAIL,
            "401 without WWW-Authenticate: a client cannot tell how to authorize. Send "
            'Bearer resource_metadata="<metadata URL>".',
            (probe,),
        )
    elif not bearer:
        exam.add(
            challenge_id,
            Section.AUTHORIZATION,
            Status.FAIL,
            f"401 with WWW-Authenticate {header!r}, which has no Bearer challenge: MCP "
            "clients authorize with OAuth bearer tokens.",
            (probe,),
        )
    elif "resource_metadata=" not in header.replace(" ", ""):
        exam.add(
            challenge_id,
            Section.AUTHORIZATION,
            Status.WARNING,
            "401 with a Bearer challenge but no resource_metadata: clients must guess "
            "the well-known URL of the metadata; name it in the challenge.",
            (probe,),
        )
    else:
        exam.add(
            challenge_id,
            Section.AUTHORIZATION,
            Status.PASS,
            "401 with a Bearer challenge naming the protected resource metadata.",
            (probe,),
        )


def pkce(exam: Examination, metadata: AuthServerMetadata, seq: int) -> None:
    methods = metadata.code_challenge_methods_supported
    if metadata.supports_s256():
        exam.add(
            "auth.pkce",
            Section.AUTHORIZATION,
            Status.PASS,
            "PKCE S256 is advertised (code_challenge_methods_supported).",
            (seq,),
        )
        return
    shown = "is absent" if methods is None else f"lists only {', '.join(methods) or 'nothing'}"
    exam.add(
        "auth.pkce",
        Section.AUTHORIZATION,
        Status.FAIL,
        f"code_challenge_methods_supported {shown}: MCP clients must refuse an "
        'authorization server that does not advertise "S256".',
        (seq,),
    )


def registration(exam: Examination, metadata: AuthServerMetadata, seq: int) -> None:
    offered = ["pre-registration"]
    if metadata.client_id_metadata_document_supported:
        offered.append("client ID metadata documents")
    if metadata.registration_endpoint:
        offered.append(f"dynamic registration ({metadata.registration_endpoint})")
    status = Status.PASS if len(offered) > 1 else Status.WARNING
    advice = (
        "."
        if len(offered) > 1
        else ": every client needs an id handed out by hand; support client ID metadata "
        "documents (client_id_metadata_document_supported) or dynamic registration."
    )
    exam.add(
        "auth.registration",
        Section.AUTHORIZATION,
        status,
        f"Ways for a client to get an id: {', '.join(offered)}{advice}",
        (seq,),
        offered=offered,
    )


def https(exam: Examination, named: dict[str, str | None], evidence: tuple[int, ...]) -> None:
    """Every URL a token or code goes to, by what named it, must be https (or loopback)."""
    plain = [f"{name} {url}" for name, url in named.items() if url and _insecure(url)]
    if plain:
        exam.add(
            "auth.https",
            Section.AUTHORIZATION,
            Status.FAIL,
            f"Plain http where tokens or codes travel: {'; '.join(plain)}. Use https "
            "(http is allowed on loopback hosts only).",
            seqs(evidence),
        )
        return
    loopback = any(url and url.lower().startswith("http://") for url in named.values())
    exam.add(
        "auth.https",
        Section.AUTHORIZATION,
        Status.PASS,
        "Every authorization URL is https" + (" or on a loopback host." if loopback else "."),
        seqs(evidence),
    )


def _insecure(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.scheme.lower() != "https" and not is_loopback_host(parts.hostname or "")
