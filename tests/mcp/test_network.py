"""The outbound guard: which addresses count as public, and a guarded client that refuses
the others, connects to the address it checked, and checks every redirect, against real
local HTTP(S) servers."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import ssl
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from inspector.mcp.errors import ConnectError, FailureLayer
from inspector.mcp.network import (
    GuardedTransport,
    NetworkPolicy,
    OutboundRefused,
    current_policy,
    http_client,
    non_public_reason,
    set_policy,
)
from inspector.mcp.transports.sse_legacy import LegacySseTransport
from inspector.mcp.transports.streamable_http import StreamableHttpTransport
from tests.servers.http_harness import Recorder, RunningServer, initialize

HOSTED_ADVICE = (
    "outbound requests to non-public addresses are refused in hosted mode "
    "(allow-list it with INSPECTOR_OUTBOUND_ALLOW)"
)

# --- Which addresses are public ---------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.255.255.254", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.1.1", "a private address"),
        ("100.64.0.1", "a shared (carrier-grade NAT) address"),
        ("169.254.1.1", "a link-local address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("100.100.100.200", "a cloud metadata address"),
        ("168.63.129.16", "a cloud metadata address"),
        ("0.0.0.0", "an unspecified address"),
        ("0.1.2.3", "a 'this network' address"),
        ("224.0.0.1", "a multicast address"),
        ("239.255.255.250", "a multicast address"),
        ("255.255.255.255", "the broadcast address"),
        ("240.0.0.1", "a reserved address"),
        ("192.0.2.7", "a documentation address"),
        ("198.18.0.1", "a benchmarking address"),
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("fe80::1", "a link-local address"),
        ("fe80::1%eth0", "a link-local address"),
        ("fd12:3456::1", "a private (unique local) address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("ff02::1", "a multicast address"),
        ("fec0::1", "a site-local address"),
        ("2001:db8::1", "a documentation address"),
        (
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "a special-purpose address (IETF protocol assignments, Teredo among them)",
        ),
        ("64:ff9b:1::a00:1", "a local-use NAT64 address"),
        ("4000::1", "a reserved address"),
        # IPv4 addresses written as IPv6: mapped, NAT64, 6to4 and IPv4-compatible.
        ("::ffff:127.0.0.1", "a loopback address (127.0.0.1 written as IPv6)"),
        ("::ffff:7f00:1", "a loopback address (127.0.0.1 written as IPv6)"),
        ("::ffff:169.254.169.254", "a cloud metadata address (169.254.169.254 written as IPv6)"),
        ("::ffff:10.0.0.1", "a private address (10.0.0.1 written as IPv6)"),
        ("64:ff9b::7f00:1", "a loopback address (127.0.0.1 written as IPv6)"),
        ("64:ff9b::a9fe:a9fe", "a cloud metadata address (169.254.169.254 written as IPv6)"),
        ("2002:7f00:1::", "a loopback address (127.0.0.1 written as IPv6)"),
        ("2002:c0a8:101::1", "a private address (192.168.1.1 written as IPv6)"),
        ("::127.0.0.1", "a loopback address (127.0.0.1 written as IPv6)"),
        ("::8.8.8.8", "a reserved address"),
    ],
)
def test_non_public_addresses_say_what_they_are(address: str, reason: str) -> None:
    assert non_public_reason(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.216.34",
        "2606:4700:4700::1111",
        "2a00:1450:4001:80b::200e",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::1",
    ],
)
def test_public_addresses_pass(address: str) -> None:
    assert non_public_reason(ipaddress.ip_address(address)) is None


def test_the_allow_list_takes_hosts_addresses_and_networks() -> None:
    policy = NetworkPolicy.block_non_public(
        ["Internal.Example.", " 10.1.0.0/16 ", "[::1]", "192.168.5.5", "*.corp.example", ""]
    )
    assert policy.allowed_hosts == {"internal.example", "*.corp.example"}
    assert [str(n) for n in policy.allowed_networks] == ["10.1.0.0/16", "::1/128", "192.168.5.5/32"]

    loopback = ipaddress.ip_address("127.0.0.1")
    assert policy.refusal("internal.example", loopback) is None
    assert policy.refusal("INTERNAL.example.", loopback) is None
    assert policy.refusal("mcp.corp.example", loopback) is None
    assert policy.refusal("corp.example", loopback) == "a loopback address"
    assert policy.refusal("evilcorp.example", loopback) == "a loopback address"
    assert policy.refusal("x", ipaddress.ip_address("10.1.200.3")) is None
    assert policy.refusal("x", ipaddress.ip_address("::ffff:10.1.200.3")) is None
    assert policy.refusal("x", ipaddress.ip_address("10.2.0.1")) == "a private address"
    assert policy.refusal("x", ipaddress.ip_address("::1")) is None
    assert policy.refusal("x", ipaddress.ip_address("8.8.8.8")) is None
    assert NetworkPolicy.allow_all().refusal("x", ipaddress.ip_address("169.254.169.254")) is None


@pytest.mark.parametrize("entry", ["http://internal.example", "10.0.0.0/33", "a host", "db:5432"])
def test_a_bad_allow_list_entry_is_named(entry: str) -> None:
    with pytest.raises(ValueError, match="is neither a host name") as caught:
        NetworkPolicy.block_non_public(["localhost", entry])
    assert repr(entry) in str(caught.value)


# --- Real local servers ------------------------------------------------------------------


@dataclass
class LocalServer:
    """A minimal HTTP server: `/redirect?to=URL` answers 307 to URL; anything else 200
    with the Host header it received, as JSON."""

    port: int
    connections: int = 0
    hosts: list[str] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)

    def url(self, path: str = "/", *, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"


@asynccontextmanager
async def local_server(tls: ssl.SSLContext | None = None) -> AsyncIterator[LocalServer]:
    state = LocalServer(port=0)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state.connections += 1
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return
        request_line, *lines = head.split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines if line)
        }
        state.hosts.append(headers.get("host", ""))
        target = urlsplit(request_line.split(" ")[1])
        if target.path == "/redirect":
            location = parse_qs(target.query)["to"][0]
            status, extra, body = "307 Temporary Redirect", f"Location: {location}\r\n", b""
        else:
            status, extra = "200 OK", "Content-Type: application/json\r\n"
            body = json.dumps({"host": headers.get("host")}).encode()
        fields = f"{extra}Content-Length: {len(body)}\r\nConnection: close\r\n"
        writer.write(f"HTTP/1.1 {status}\r\n{fields}\r\n".encode() + body)
        await writer.drain()
        writer.close()

    if tls is not None:
        tls.sni_callback = lambda _socket, name, _context: state.server_names.append(name)
    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=tls)
    state.port = server.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
def use_policy() -> Iterator[Callable[[NetworkPolicy], None]]:
    """Set the process-wide policy for the test; the one before comes back after it."""
    before = current_policy()
    yield set_policy
    set_policy(before)


class ScriptedResolver:
    """A resolver under the test's control: the answers it gives, one lookup after
    another (the last one repeats), and the lookups it was asked for."""

    def __init__(self, *answers: list[str]) -> None:
        self._answers = list(answers)
        self.lookups: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        return self._answers[min(len(self.lookups), len(self._answers)) - 1]


def refusal_of(error: BaseException) -> OutboundRefused:
    cause = error.__cause__
    assert isinstance(cause, OutboundRefused), repr(error)
    return cause


async def test_a_local_server_is_refused_unless_allow_listed(
    use_policy: Callable[[NetworkPolicy], None],
) -> None:
    async with local_server() as server:
        use_policy(NetworkPolicy.block_non_public())
        async with http_client() as client:
            with pytest.raises(httpx.ConnectError) as caught:
                await client.get(server.url())
        assert str(caught.value) == (
            f"Refused to connect to 127.0.0.1: 127.0.0.1 is a loopback address; {HOSTED_ADVICE}"
        )
        assert refusal_of(caught.value).address == ipaddress.ip_address("127.0.0.1")
        assert server.connections == 0

        use_policy(NetworkPolicy.block_non_public(["127.0.0.0/8"]))
        async with http_client() as client:
            response = await client.get(server.url())
        assert response.json() == {"host": f"127.0.0.1:{server.port}"}

        use_policy(NetworkPolicy.allow_all())
        async with http_client() as client:
            assert (await client.get(server.url())).status_code == 200


async def test_a_name_that_resolves_to_loopback_is_refused(
    use_policy: Callable[[NetworkPolicy], None],
) -> None:
    async with local_server() as server:
        use_policy(NetworkPolicy.block_non_public())
        async with http_client() as client:
            with pytest.raises(httpx.ConnectError) as caught:
                await client.get(server.url(host="localhost"))
        refused = refusal_of(caught.value)
        assert refused.host == "localhost"
        assert refused.reason == "a loopback address"
        assert str(caught.value).startswith(f"Refused to connect to localhost ({refused.address}):")
        assert server.connections == 0

        # Allow-listed by name, it is reached (on whichever of its addresses answers).
        use_policy(NetworkPolicy.block_non_public(["localhost"]))
        async with http_client() as client:
            response = await client.get(server.url(host="localhost"))
        assert response.json() == {"host": f"localhost:{server.port}"}


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "127.1", "[::ffff:127.0.0.1]", "[::1]"])
async def test_unusual_spellings_of_loopback_are_refused(
    host: str, use_policy: Callable[[NetworkPolicy], None]
) -> None:
    use_policy(NetworkPolicy.block_non_public())
    async with local_server() as server, http_client() as client:
        with pytest.raises(httpx.ConnectError) as caught:
            await client.get(server.url(host=host))
    assert refusal_of(caught.value).reason.startswith("a loopback address")
    assert server.connections == 0


async def test_one_refused_address_refuses_the_host() -> None:
    resolver = ScriptedResolver(["93.184.216.34", "10.0.0.7"])
    policy = NetworkPolicy.block_non_public()
    async with httpx.AsyncClient(transport=GuardedTransport(policy, resolver=resolver)) as client:
        with pytest.raises(httpx.ConnectError) as caught:
            await client.get("http://mixed.test/")
    assert str(caught.value).startswith(
        "Refused to connect to mixed.test (10.0.0.7): 10.0.0.7 is a private address;"
    )


async def test_a_redirect_to_a_refused_address_is_refused_at_the_redirect() -> None:
    resolver = ScriptedResolver(["127.0.0.1"])
    policy = NetworkPolicy.block_non_public(["allowed.test"])
    transport = GuardedTransport(policy, resolver=resolver)
    async with local_server() as server, httpx.AsyncClient(transport=transport) as client:
        blocked = server.url("/")
        start = server.url(f"/redirect?to={quote(blocked, safe='')}", host="allowed.test")
        with pytest.raises(httpx.ConnectError) as caught:
            await client.get(start, follow_redirects=True)
    assert str(caught.value).startswith("Refused to connect to 127.0.0.1: 127.0.0.1 is a loopback")
    # The allowed host answered the redirect; the hop it pointed to was never opened.
    assert server.hosts == [f"allowed.test:{server.port}"]
    assert server.connections == 1


async def test_the_connection_goes_to_the_address_that_was_checked() -> None:
    """A host that answers a public-looking check and then rebinds to another address
    (DNS rebinding) gets nowhere: the name is resolved once per connection, and that
    address, checked, is the one connected to; the Host header still names the host."""
    resolver = ScriptedResolver(["127.0.0.1"], ["169.254.169.254"])
    policy = NetworkPolicy.block_non_public(["127.0.0.1"])
    async with local_server() as server:
        transport = GuardedTransport(policy, resolver=resolver)
        async with httpx.AsyncClient(transport=transport) as client:
            response = await client.get(server.url(host="rebind.test"))
        assert response.json() == {"host": f"rebind.test:{server.port}"}
        assert resolver.lookups == ["rebind.test"]

        # The next connection's lookup answers the metadata address: refused, not reached.
        transport = GuardedTransport(policy, resolver=resolver)
        async with httpx.AsyncClient(transport=transport) as client:
            with pytest.raises(httpx.ConnectError) as caught:
                await client.get(server.url(host="rebind.test"))
        assert refusal_of(caught.value).reason == "a cloud metadata address"
        assert resolver.lookups == ["rebind.test", "rebind.test"]
        assert server.connections == 1


def certificate_for(name: str, directory: Path) -> tuple[Path, Path, str]:
    """A self-signed certificate for `name`: its file, its key's file, and its PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_text(pem)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path, pem


async def test_tls_to_a_pinned_address_still_verifies_and_names_the_host(tmp_path: Path) -> None:
    cert_path, key_path, pem = certificate_for("pinned.test", tmp_path)
    serving = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    serving.load_cert_chain(cert_path, key_path)
    trusting = ssl.create_default_context(cadata=pem)
    resolver = ScriptedResolver(["127.0.0.1"])
    policy = NetworkPolicy.block_non_public(["127.0.0.1"])
    async with local_server(tls=serving) as server:
        transport = GuardedTransport(policy, resolver=resolver, verify=trusting)
        async with httpx.AsyncClient(transport=transport) as client:
            response = await client.get(server.url(host="pinned.test", scheme="https"))
        assert response.json() == {"host": f"pinned.test:{server.port}"}
        assert server.server_names == ["pinned.test"]
        assert resolver.lookups == ["pinned.test"]


def test_the_factory_will_not_take_another_transport_or_a_proxy() -> None:
    # Either would open connections the guard never sees.
    with pytest.raises(TypeError, match="http_client\\(\\) chooses proxy, transport itself"):
        http_client(proxy="http://proxy.example", transport=httpx.AsyncHTTPTransport())


# --- The MCP transports under the policy --------------------------------------------------


async def test_streamable_http_is_refused_with_the_policy_layer(
    mcp_http_server: RunningServer, use_policy: Callable[[NetworkPolicy], None]
) -> None:
    use_policy(NetworkPolicy.block_non_public())
    transport = StreamableHttpTransport(mcp_http_server.url("/stream/mcp"), timeout=5.0)
    recorder = Recorder()
    transport.bind(recorder)
    await transport.open()
    try:
        with pytest.raises(ConnectError) as caught:
            await transport.send(initialize())
    finally:
        await transport.close()
    assert caught.value.layer is FailureLayer.POLICY
    assert str(caught.value) == (
        f"policy: Refused to connect to 127.0.0.1: 127.0.0.1 is a loopback address; {HOSTED_ADVICE}"
    )
    failed = recorder.http("POST")[0]
    assert failed.detail["status"] is None
    assert failed.detail["error"] == str(caught.value)


async def test_streamable_http_reaches_an_allow_listed_server(
    mcp_http_server: RunningServer, use_policy: Callable[[NetworkPolicy], None]
) -> None:
    use_policy(NetworkPolicy.block_non_public(["127.0.0.1"]))
    transport = StreamableHttpTransport(mcp_http_server.url("/stream/mcp"), timeout=5.0)
    recorder = Recorder()
    transport.bind(recorder)
    await transport.open()
    try:
        await transport.send(initialize())
        await recorder.wait_for(lambda: recorder.response_to(1) is not None)
    finally:
        await transport.close()
    answer = recorder.response_to(1)
    assert answer is not None
    assert "serverInfo" in answer["result"]


async def test_legacy_sse_is_refused_then_reached_when_allow_listed(
    mcp_http_server: RunningServer, use_policy: Callable[[NetworkPolicy], None]
) -> None:
    use_policy(NetworkPolicy.block_non_public())
    refused = LegacySseTransport(mcp_http_server.url("/legacy/sse"), timeout=5.0)
    recorder = Recorder()
    refused.bind(recorder)
    with pytest.raises(ConnectError) as caught:
        await refused.open()
    await refused.close()
    assert caught.value.layer is FailureLayer.POLICY
    assert "127.0.0.1 is a loopback address" in str(caught.value)
    assert recorder.http("GET")[0].detail["error"] == str(caught.value)

    use_policy(NetworkPolicy.block_non_public(["127.0.0.1/32"]))
    allowed = LegacySseTransport(mcp_http_server.url("/legacy/sse"), timeout=5.0)
    recorder = Recorder()
    allowed.bind(recorder)
    try:
        await allowed.open()
        # The endpoint the server handed back is reached through the same guard.
        await allowed.send(initialize(version="2024-11-05"))
        await recorder.wait_for(lambda: recorder.response_to(1) is not None)
    finally:
        await allowed.close()
    assert [e.detail["status"] for e in recorder.http("POST")] == [202]


async def test_dns_failures_keep_their_layer_under_the_guard(
    use_policy: Callable[[NetworkPolicy], None],
) -> None:
    use_policy(NetworkPolicy.block_non_public())
    transport = StreamableHttpTransport("http://no-such-host.invalid/mcp", timeout=5.0)
    transport.bind(Recorder())
    await transport.open()
    try:
        with pytest.raises(ConnectError) as caught:
            await transport.send(initialize())
    finally:
        await transport.close()
    assert caught.value.layer is FailureLayer.DNS
    assert "no-such-host.invalid" in str(caught.value)
