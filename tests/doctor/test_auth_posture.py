"""The authorization checks against a real protected server and its authorization server:
a sound pair passes with the requests that prove it, each planted fault is named, and a
server that asks for no authorization, or speaks stdio, is skipped with the reason."""

from __future__ import annotations

import json

from inspector.doctor.auth_posture import PLANNED
from inspector.doctor.engine import DoctorOptions, examine_session
from inspector.doctor.report import Check, Report, Section, Status
from inspector.mcp.trace import EventKind, TraceEvent
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec, TransportKind
from tests.conftest import fixture_spec
from tests.servers.http_harness import RunningServer
from tests.servers.oauth_harness import OAuthServers, run_oauth_servers

QUICK = DoctorOptions(repeat=1, budget=40.0, versions=False)


async def examine(spec: ConnectionSpec) -> tuple[dict[str, Check], dict[int, TraceEvent]]:
    """The authorization checks by id, and the session's events by seq."""
    session = LiveSession(spec)
    try:
        report: Report = await examine_session(session, QUICK)
        events = await session.log.after(0, 100_000)
    finally:
        await session.close()
    checks = {check.id: check for check in report.in_section(Section.AUTHORIZATION)}
    assert set(checks) == set(PLANNED)
    return checks, {event.seq or 0: event for event in events}


def http_spec(url: str) -> ConnectionSpec:
    return ConnectionSpec(TransportKind.HTTP, url=url, connect_timeout=10.0)


def urls_fetched(event: TraceEvent) -> list[str]:
    assert event.kind is EventKind.AUTH
    return [exchange["url"] for exchange in event.detail["step"]["exchanges"]]


async def test_a_sound_server_passes_every_check_with_its_evidence(
    oauth_servers: OAuthServers,
) -> None:
    checks, events = await examine(http_spec(oauth_servers.mcp_url))
    assert {key: check.status for key, check in checks.items()} == dict.fromkeys(
        PLANNED, Status.PASS
    )
    probe = events[checks["auth.challenge"].evidence[0]]
    assert urls_fetched(probe) == [oauth_servers.mcp_url]
    answer = probe.detail["step"]["exchanges"][0]
    assert answer["status"] == 401
    challenge = probe.detail["step"]["learned"]["challenge"]
    assert challenge["params"]["resource_metadata"] == oauth_servers.resource_metadata_url
    prm = events[checks["auth.resource-metadata"].evidence[0]]
    assert urls_fetched(prm) == [oauth_servers.resource_metadata_url]
    metadata = events[checks["auth.server-metadata"].evidence[0]]
    assert urls_fetched(metadata)[-1].startswith(oauth_servers.as_origin + "/.well-known/")
    assert checks["auth.pkce"].evidence == checks["auth.server-metadata"].evidence
    registration = checks["auth.registration"]
    assert registration.detail["offered"][1:] == [
        "client ID metadata documents",
        f"dynamic registration ({oauth_servers.issuer}/register)",
    ]
    assert "loopback" in checks["auth.https"].sentence


async def test_an_authorization_server_without_s256_fails_pkce() -> None:
    with run_oauth_servers(s256=False) as servers:
        checks, events = await examine(http_spec(servers.mcp_url))
    pkce = checks["auth.pkce"]
    assert pkce.status is Status.FAIL
    assert "code_challenge_methods_supported lists only plain" in pkce.sentence
    assert "S256" in pkce.sentence
    cited = events[pkce.evidence[0]]
    assert '"code_challenge_methods_supported": ["plain"]' in json.dumps(cited.detail)
    assert checks["auth.server-metadata"].status is Status.PASS


async def test_missing_resource_metadata_fails_and_what_depends_on_it_is_skipped() -> None:
    with run_oauth_servers(resource_metadata=False) as servers:
        checks, events = await examine(http_spec(servers.mcp_url))
    assert checks["auth.challenge"].status is Status.WARNING
    assert "no resource_metadata" in checks["auth.challenge"].sentence
    prm = checks["auth.resource-metadata"]
    assert prm.status is Status.FAIL
    assert "No protected resource metadata" in prm.sentence
    tried = [url for seq in prm.evidence for url in urls_fetched(events[seq])]
    assert servers.resource_metadata_url in tried  # the path-aware well-known URL
    assert all(events[seq].kind is EventKind.AUTH for seq in prm.evidence)
    for check_id in ("auth.server-metadata", "auth.pkce", "auth.registration"):
        assert checks[check_id].status is Status.SKIPPED
        assert "protected resource metadata" in checks[check_id].sentence
    assert checks["auth.https"].status is Status.PASS  # what is known is all loopback


async def test_an_authorization_server_on_plain_http_fails_https() -> None:
    far = "http://auth.example.invalid"
    with run_oauth_servers(advertised_issuer=far) as servers:
        checks, events = await examine(http_spec(servers.mcp_url))
    assert checks["auth.resource-metadata"].status is Status.PASS
    https = checks["auth.https"]
    assert https.status is Status.FAIL
    assert f"the issuer {far}" in https.sentence
    assert servers.mcp_url not in https.sentence  # loopback http is allowed
    # Its metadata cannot be fetched: that is said too, with the attempt cited.
    metadata = checks["auth.server-metadata"]
    assert metadata.status is Status.FAIL
    assert all(u.startswith(far) for u in urls_fetched(events[metadata.evidence[-1]]))
    assert checks["auth.pkce"].status is Status.SKIPPED


async def test_only_pre_registration_warns() -> None:
    with run_oauth_servers(cimd=False, registration=False) as servers:
        checks, _ = await examine(http_spec(servers.mcp_url))
    registration = checks["auth.registration"]
    assert registration.status is Status.WARNING
    assert registration.detail["offered"] == ["pre-registration"]


async def test_a_server_that_needs_no_authorization_is_skipped_with_the_reason(
    mcp_http_server: RunningServer,
) -> None:
    checks, events = await examine(http_spec(mcp_http_server.base_url + "/json/mcp"))
    for check in checks.values():
        assert check.status is Status.SKIPPED
        assert "asks for no authorization" in check.sentence
        assert [events[seq].kind for seq in check.evidence] == [EventKind.HTTP]


async def test_a_stdio_server_is_skipped() -> None:
    checks, _ = await examine(fixture_spec("everything_py"))
    assert {check.status for check in checks.values()} == {Status.SKIPPED}
    assert "stdio" in checks["auth.challenge"].sentence


async def test_a_legacy_sse_server_is_skipped(mcp_http_server: RunningServer) -> None:
    spec = ConnectionSpec(TransportKind.SSE, url=mcp_http_server.base_url + "/legacy/sse")
    checks, _ = await examine(spec)
    assert {check.status for check in checks.values()} == {Status.SKIPPED}
    assert "HTTP+SSE" in checks["auth.challenge"].sentence


async def test_credentials_given_to_a_server_that_needs_none_are_found_needless(
    mcp_http_server: RunningServer,
) -> None:
    url = mcp_http_server.base_url + "/json/mcp"
    spec = ConnectionSpec(TransportKind.HTTP, url=url, headers={"Authorization": "Bearer unused"})
    checks, events = await examine(spec)
    for check in checks.values():
        assert check.status is Status.SKIPPED
        assert "Without credentials the server answered 200" in check.sentence
        probe = events[check.evidence[0]]
        assert urls_fetched(probe) == [url]
        # The person's credentials stayed out of the request made without them.
        assert "authorization" not in {
            name.lower() for name in probe.detail["step"]["exchanges"][0]["request_headers"]
        }
