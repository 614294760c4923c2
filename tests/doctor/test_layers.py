"""The connection taken apart layer by layer: name resolution, TCP and TLS, against a plain
HTTP server, a TLS server with a certificate made here, and a port nobody listens on."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from inspector.doctor.engine import DoctorOptions, examine, examine_session
from inspector.doctor.report import Check, Report, Status
from inspector.mcp import network
from inspector.mcp.trace import EventKind
from inspector.mcp.versions import EraChoice
from inspector.sessions.session import LiveSession
from inspector.sessions.spec import ConnectionSpec, TransportKind
from tests.servers.http_harness import RunningServer

QUICK = DoctorOptions(repeat=1, budget=30.0, versions=False)
LAYERS = ("connection.dns", "connection.tcp", "connection.tls")


def layer_checks(report: Report) -> dict[str, Check]:
    return {check.id: check for check in report.checks if check.id in LAYERS}


def make_certificate(directory: Path, days: int) -> Path:
    """A self-signed certificate for 127.0.0.1 valid `days` from now, with its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "doctor-fixture")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = directory / f"cert-{days}.pem"
    path.write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


@pytest.fixture
async def tls_server(tmp_path: Path) -> AsyncIterator[Callable[[Path], asyncio.Future[str]]]:
    """Starts a TLS server (it answers nothing) with a given certificate; yields its URL."""
    servers: list[asyncio.Server] = []

    async def start(certificate: Path) -> str:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate)

        async def hang_up(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.close()

        server = await asyncio.start_server(hang_up, "127.0.0.1", 0, ssl=context)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        return f"https://127.0.0.1:{port}/mcp"

    def starter(certificate: Path) -> asyncio.Future[str]:
        return asyncio.ensure_future(start(certificate))

    yield starter
    for server in servers:
        server.close()
        await server.wait_closed()


async def test_plain_http_resolves_and_connects_and_has_no_tls(
    mcp_http_server: RunningServer,
) -> None:
    url = mcp_http_server.url("/stream/mcp")
    report = await examine(ConnectionSpec(TransportKind.HTTP, url=url, era=EraChoice.LEGACY), QUICK)
    found = layer_checks(report)
    assert found["connection.dns"].status is Status.PASS
    assert "is an address: nothing to resolve" in found["connection.dns"].sentence
    assert found["connection.tcp"].status is Status.PASS
    assert found["connection.tcp"].duration_ms is not None
    assert found["connection.tls"].status is Status.SKIPPED
    assert "Not HTTPS" in found["connection.tls"].sentence
    assert found["connection.dns"].evidence
    assert found["connection.tcp"].evidence


async def test_a_self_signed_certificate_is_not_trusted_and_its_expiry_is_read(
    tls_server: Callable[[Path], asyncio.Future[str]], tmp_path: Path
) -> None:
    url = await tls_server(make_certificate(tmp_path, days=30))
    spec = ConnectionSpec(TransportKind.HTTP, url=url, era=EraChoice.LEGACY, connect_timeout=5)
    report = await examine(spec, QUICK)
    tls = layer_checks(report)["connection.tls"]
    assert tls.status is Status.FAIL
    assert "not trusted" in tls.sentence
    assert tls.detail["subject"] == "CN=doctor-fixture"
    assert tls.detail["days_left"] in (29, 30)
    assert tls.detail["version"].startswith("TLSv1.")
    assert layer_checks(report)["connection.tcp"].status is Status.PASS


async def test_a_trusted_certificate_close_to_expiry_is_a_warning(
    tls_server: Callable[[Path], asyncio.Future[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    certificate = make_certificate(tmp_path, days=5)
    # The default context trusts what SSL_CERT_FILE names: this certificate, here.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
    url = await tls_server(certificate)
    spec = ConnectionSpec(TransportKind.HTTP, url=url, era=EraChoice.LEGACY, connect_timeout=5)
    report = await examine(spec, QUICK)
    tls = layer_checks(report)["connection.tls"]
    assert tls.status is Status.WARNING
    assert "expires in 4 days" in tls.sentence or "expires in 5 days" in tls.sentence
    assert tls.detail["trusted"] is True


async def test_a_closed_port_fails_at_tcp_with_the_reason() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/mcp"
    spec = ConnectionSpec(TransportKind.HTTP, url=url, era=EraChoice.LEGACY, connect_timeout=5)
    report = await examine(spec, QUICK)
    found = layer_checks(report)
    assert found["connection.dns"].status is Status.PASS
    tcp = found["connection.tcp"]
    assert tcp.status is Status.FAIL
    assert "refused" in tcp.sentence.lower()
    assert found["connection.tls"].status is Status.SKIPPED


async def test_the_steps_are_logged_in_the_session(mcp_http_server: RunningServer) -> None:
    url = mcp_http_server.url("/json/mcp")
    spec = ConnectionSpec(TransportKind.HTTP, url=url, era=EraChoice.LEGACY)
    session = LiveSession(spec)
    try:
        report = await examine_session(session, QUICK)
        events = {event.seq: event for event in await session.log.after(0, 10_000)}
    finally:
        await session.close()
    tcp = layer_checks(report)["connection.tcp"]
    cited = events[tcp.evidence[0]]
    assert cited.kind is EventKind.LIFECYCLE
    assert cited.detail["layer"] == "tcp"


async def test_hosted_mode_does_not_connect_to_a_refused_address(
    mcp_http_server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Non-public addresses are refused: the probe must not reach the loopback server.
    monkeypatch.setattr(network, "_policy", network.NetworkPolicy.block_non_public())
    url = mcp_http_server.url("/stream/mcp")
    spec = ConnectionSpec(TransportKind.HTTP, url=url, era=EraChoice.LEGACY, connect_timeout=5)
    report = await examine(spec, QUICK)
    tcp = layer_checks(report)["connection.tcp"]
    assert tcp.status is Status.SKIPPED
    assert "loopback" in tcp.sentence
    assert tcp.evidence


async def test_a_host_name_is_resolved_and_an_address_is_not(
    mcp_http_server: RunningServer,
) -> None:
    named = mcp_http_server.url("/json/mcp").replace("127.0.0.1", "localhost")
    spec = ConnectionSpec(TransportKind.HTTP, url=named, era=EraChoice.LEGACY, connect_timeout=5)
    report = await examine(spec, QUICK)
    dns = layer_checks(report)["connection.dns"]
    assert dns.status is Status.PASS
    assert dns.sentence.startswith("localhost resolved to ")
    assert "127.0.0.1" in dns.detail["addresses"]
