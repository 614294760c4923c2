"""The one way the inspector makes outbound HTTP requests, and the guard on where they go.

In hosted mode the inspector's server connects, for its users, to URLs they typed and to
URLs that servers hand back (OAuth metadata and endpoints, the legacy SSE endpoint,
redirects). Unguarded, that lets anyone with an account probe the machine's own network:
services on loopback, the private network, the cloud metadata service. A `NetworkPolicy`
says which addresses may be reached; `http_client()` builds every client, and under a
blocking policy its connections go through a `GuardedBackend`, which resolves each host
name once, checks every address it resolved to, and connects to an address it checked.

How the address is pinned: httpcore opens every connection with its network backend's
`connect_tcp(host, port)` and then starts TLS on the returned stream with the URL's host
name as `server_hostname`; the request itself, Host header included, is never touched.
Resolving and checking inside `connect_tcp`, then connecting to the checked address,
therefore pins the address with nothing else changed: certificates are verified against
the host name, SNI names it, and the pool keeps its connections keyed by host name, so a
TLS connection verified for one name is never reused for another that shares its
address. (Rewriting each request's URL to the address would need SNI and the Host header
patched back, re-resolve on every request, and key the pool by address.) Every new
connection passes through `connect_tcp`, those opened for redirects too, so each hop is
checked; a pooled connection was checked when it was opened.

Local mode allows everything: there the inspector works for the person at the keyboard,
whose servers are usually on localhost.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import anyio
import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# A host name and port to the addresses it resolves to, in the order to try them.
Resolver = Callable[[str, int], Awaitable[list[str]]]

ALLOW_SETTING = "INSPECTOR_OUTBOUND_ALLOW"

# Instance metadata services, named as such because reaching one is the classic way to
# steal a cloud machine's credentials. Most are in ranges refused anyway; Azure's wire
# server is a public address that only the VMs themselves can reach.
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, ...
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
        "168.63.129.16",  # Azure wire server
    )
)


def _ranges(*entries: tuple[str, str]) -> tuple[tuple[IPNetwork, str], ...]:
    return tuple((ipaddress.ip_network(cidr), reason) for cidr, reason in entries)


# The IANA special-purpose ranges that are not globally reachable, with what a person
# reads about each. The first match names the reason, so narrower ranges come first.
_IPV4_RANGES = _ranges(
    ("0.0.0.0/32", "an unspecified address"),
    ("0.0.0.0/8", "a 'this network' address"),
    ("127.0.0.0/8", "a loopback address"),
    ("10.0.0.0/8", "a private address"),
    ("172.16.0.0/12", "a private address"),
    ("192.168.0.0/16", "a private address"),
    ("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
    ("169.254.0.0/16", "a link-local address"),
    ("224.0.0.0/4", "a multicast address"),
    ("255.255.255.255/32", "the broadcast address"),
    ("240.0.0.0/4", "a reserved address"),
    ("192.0.0.0/24", "a special-purpose address (IETF protocol assignments)"),
    ("192.0.2.0/24", "a documentation address"),
    ("198.51.100.0/24", "a documentation address"),
    ("203.0.113.0/24", "a documentation address"),
    ("198.18.0.0/15", "a benchmarking address"),
    ("192.88.99.0/24", "a reserved address (the former 6to4 relay anycast)"),
)
_IPV6_RANGES = _ranges(
    ("::/128", "an unspecified address"),
    ("::1/128", "a loopback address"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a site-local address"),
    ("fc00::/7", "a private (unique local) address"),
    ("ff00::/8", "a multicast address"),
    ("64:ff9b:1::/48", "a local-use NAT64 address"),
    ("100::/64", "a discard-only address"),
    ("2001:db8::/32", "a documentation address"),
    ("3fff::/20", "a documentation address"),
    ("2001::/23", "a special-purpose address (IETF protocol assignments, Teredo among them)"),
    ("5f00::/16", "a segment-routing address"),
)
# Everything public in IPv6 is global unicast; the rest is reserved or special.
_IPV6_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
_NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, in the forms that reach one: mapped
    (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:AABB:CCDD::) and the
    deprecated IPv4-compatible form (::a.b.c.d)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64_WELL_KNOWN or address in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def non_public_reason(address: IPAddress) -> str | None:
    """Why `address` is not a public address ("a loopback address"), or None if it is."""
    if address in _METADATA_ADDRESSES:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        # ::1 and :: lie in the IPv4-compatible range but are themselves.
        if embedded is not None and int(address) > 1:
            reason = non_public_reason(embedded)
            if reason is not None:
                return f"{reason} ({embedded} written as IPv6)"
            if address not in _IPV4_COMPATIBLE:
                return None  # a public IPv4 address reached through IPv6
        table = _IPV6_RANGES
    else:
        table = _IPV4_RANGES
    for network, reason in table:
        if address in network:
            return reason
    if isinstance(address, ipaddress.IPv6Address) and address not in _IPV6_GLOBAL_UNICAST:
        return "a reserved address"
    # Python's own registry catches any special-purpose range added after these tables.
    if not address.is_global:
        return "a special-purpose address"
    return None


_HOST_NAME = re.compile(r"(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*")


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    """Which addresses outbound requests may reach.

    `public_only` refuses every non-public address except those in `allowed_networks`
    and those that `allowed_hosts` resolve to (exact names, or `*.suffix` for every
    name under a domain).
    """

    public_only: bool = False
    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def allow_all(cls) -> NetworkPolicy:
        return cls()

    @classmethod
    def block_non_public(cls, allow: Iterable[str] = ()) -> NetworkPolicy:
        """Public addresses only, plus `allow`: host names, addresses and CIDR networks.

        Raises ValueError naming an entry that is none of these.
        """
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in allow:
            item = entry.strip().lower()
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            name = item.rstrip(".")
            if not _HOST_NAME.fullmatch(name):
                raise ValueError(
                    f"{entry!r} is neither a host name (or *.domain) nor an IP address "
                    "or network (like 10.1.0.0/16)"
                )
            hosts.add(name)
        return cls(True, frozenset(hosts), tuple(networks))

    def allows_host(self, host: str) -> bool:
        name = host.lower().rstrip(".")
        if name in self.allowed_hosts:
            return True
        return any(
            pattern.startswith("*.") and name.endswith(pattern[1:])
            for pattern in self.allowed_hosts
        )

    def refusal(self, host: str, address: IPAddress) -> str | None:
        """Why connecting to `address`, which `host` resolved to, is refused; or None."""
        if not self.public_only or self.allows_host(host):
            return None
        forms: list[IPAddress] = [address]
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            forms.append(address.ipv4_mapped)
        if any(form in network for form in forms for network in self.allowed_networks):
            return None
        return non_public_reason(address)


class OutboundRefused(httpcore.ConnectError):
    """The network policy does not allow connecting to the address a host resolved to.

    Raised inside httpcore, so httpx hands it on as an `httpx.ConnectError` whose cause
    is this exception and whose message is this one's.
    """

    def __init__(self, host: str, address: IPAddress, reason: str) -> None:
        where = host if host == str(address) else f"{host} ({address})"
        super().__init__(
            f"Refused to connect to {where}: {address} is {reason}; outbound requests to "
            f"non-public addresses are refused in hosted mode (allow-list it with "
            f"{ALLOW_SETTING})"
        )
        self.host = host
        self.address = address
        self.reason = reason


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for `host`, in its order, each once."""
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to addresses the policy allows: resolves the host once,
    refuses if any address it resolved to is refused, then connects to those addresses
    (in order, until one answers) instead of letting the host name be resolved again."""

    def __init__(
        self,
        policy: NetworkPolicy,
        *,
        resolver: Resolver = system_resolver,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._policy = policy
        self._resolve = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        deadline = None if timeout is None else time.monotonic() + timeout
        addresses = await self._addresses(host, port, timeout)
        for address in addresses:
            reason = self._policy.refusal(host, address)
            if reason is not None:
                raise OutboundRefused(host, address, reason)
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=remaining,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # there was at least one address
        raise failure

    async def _addresses(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass  # a name, to resolve
        try:
            with anyio.fail_after(timeout):
                found = await self._resolve(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"Resolving {host!r} took over {timeout:g} s") from exc
        except OSError as exc:  # socket.gaierror: the layer is DNS
            raise httpcore.ConnectError(str(exc)) from exc
        if not found:
            raise httpcore.ConnectError(f"{host!r} resolved to no address")
        return [ipaddress.ip_address(address) for address in found]

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


_DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport with its connection pool opening connections through a
    `GuardedBackend`.

    httpx 0.28 has no public way to give httpcore's pool a network backend. The pool is
    the one thing httpx's transport delegates to (`_pool`): replacing it keeps httpx's
    mapping of requests, responses and exceptions exactly as it is. pyproject pins httpx
    below 0.29, and the check below makes a change there fail loudly, never unguarded.
    """

    def __init__(
        self,
        policy: NetworkPolicy,
        *,
        resolver: Resolver = system_resolver,
        verify: Any = True,
        cert: Any = None,
        http1: bool = True,
        http2: bool = False,
        limits: httpx.Limits = _DEFAULT_LIMITS,
    ) -> None:
        # As in any httpx client, SSL_CERT_FILE or SSL_CERT_DIR may name the CA bundle.
        ssl_context = httpx.create_ssl_context(verify=verify, cert=cert)
        super().__init__(verify=ssl_context, http1=http1, http2=http2, limits=limits)
        if not isinstance(getattr(self, "_pool", None), httpcore.AsyncConnectionPool):
            raise RuntimeError("this httpx version keeps its connection pool elsewhere")
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=http1,
            http2=http2,
            network_backend=GuardedBackend(policy, resolver=resolver),
        )


# The process-wide policy; the web application sets it at start-up from its settings.
_policy = NetworkPolicy.allow_all()
# What the guarded client must decide itself: another transport or a proxy would connect
# without the guard (through a proxy, the guard would check the proxy's address, not the
# server's). httpx takes no proxy from the environment for a client given a transport.
_CHOSEN_HERE = frozenset({"transport", "mounts", "proxy"})
_TRANSPORT_OPTIONS = frozenset({"verify", "cert", "http1", "http2", "limits"})


def set_policy(policy: NetworkPolicy) -> None:
    global _policy
    _policy = policy


def current_policy() -> NetworkPolicy:
    return _policy


def http_client(**options: Any) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` (with `options`) under the process-wide policy: the only
    way anything in the inspector should make an outbound HTTP request."""
    chosen = sorted(_CHOSEN_HERE & options.keys())
    if chosen:
        raise TypeError(f"http_client() chooses {', '.join(chosen)} itself")
    policy = _policy
    if not policy.public_only:
        return httpx.AsyncClient(**options)
    transport_options = {name: options.pop(name) for name in _TRANSPORT_OPTIONS & options.keys()}
    return httpx.AsyncClient(transport=GuardedTransport(policy, **transport_options), **options)
