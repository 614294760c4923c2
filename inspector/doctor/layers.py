"""The connection to an HTTP server taken apart: name resolution, TCP connect and, for
https, the TLS handshake, each timed and judged on its own.

The HTTP client times only the whole exchange, so this is a probe of its own, with the
standard library's sockets. It goes only where the outbound network policy lets the
inspector go (hosted mode refuses non-public addresses): the resolved addresses are
checked before any connection. Each step is recorded in the session as a LIFECYCLE event
(with `layer` in its detail), the evidence of its check. The certificate is read even
when it is not trusted (a second handshake that does not verify), so that its subject,
issuer and expiry are reported either way.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from inspector.doctor.examination import Examination
from inspector.doctor.report import Section, Status
from inspector.mcp.network import current_policy
from inspector.mcp.trace import EventKind, local_event
from inspector.sessions.spec import TransportKind

PLANNED = ("connection.dns", "connection.tcp", "connection.tls")
EXPIRY_WARNING_DAYS = 14


@dataclass(frozen=True, slots=True)
class Certificate:
    subject: str
    issuer: str
    not_after: datetime

    def days_left(self, now: datetime) -> int:
        return (self.not_after - now).days


async def check_layers(exam: Examination) -> None:
    spec = exam.session.spec
    if spec.transport is TransportKind.STDIO:
        _skip(exam, PLANNED, "A stdio server is reached through a pipe: no network layers.")
        return
    parts = urlsplit(spec.url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    try:
        port = parts.port or (443 if https else 80)
    except ValueError:
        _skip(exam, PLANNED, f"The URL's port is not a number: {spec.url}.")
        return
    timeout = max(min(spec.connect_timeout, exam.remaining()), 1.0)
    addresses = await _resolve(exam, host, port, timeout)
    if not addresses:
        _skip(exam, PLANNED[1:], "Not tried: the host name did not resolve.")
        return
    address = await _connect(exam, host, addresses, port, timeout)
    if not https:
        _skip(exam, ("connection.tls",), "Not HTTPS: there is no TLS to check.")
        return
    if address is None:
        _skip(exam, ("connection.tls",), "Not tried: no TCP connection was made.")
        return
    await _tls(exam, host, address, port, timeout)


def _skip(exam: Examination, checks: tuple[str, ...], reason: str) -> None:
    for check_id in checks:
        exam.add(check_id, Section.CONNECTION, Status.SKIPPED, reason)


def _log(exam: Examination, layer: str, text: str, **detail: Any) -> int:
    return exam.session.record(local_event(EventKind.LIFECYCLE, text, layer=layer, **detail))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


async def _resolve(exam: Examination, host: str, port: int, timeout: float) -> list[str]:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
    except (OSError, TimeoutError) as exc:
        reason = str(exc) or f"no answer within {timeout:g} s"
        took = _ms(started)
        seq = _log(exam, "dns", f"Doctor: resolving {host} failed: {reason}", error=reason)
        exam.add(
            "connection.dns",
            Section.CONNECTION,
            Status.FAIL,
            f"{host} did not resolve ({reason}).",
            (seq,),
            duration_ms=took,
            host=host,
        )
        return []
    took = _ms(started)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    listed = ", ".join(addresses)
    seq = _log(exam, "dns", f"Doctor: {host} resolved to {listed}", addresses=addresses)
    literal = _is_address(host)
    exam.add(
        "connection.dns",
        Section.CONNECTION,
        Status.PASS,
        f"{host} is an address: nothing to resolve."
        if literal
        else f"{host} resolved to {listed} in {took:g} ms.",
        (seq,),
        duration_ms=took,
        host=host,
        addresses=addresses,
    )
    return addresses


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _refusal(host: str, addresses: list[str]) -> str | None:
    policy = current_policy()
    for address in addresses:
        reason = policy.refusal(host, ipaddress.ip_address(address.split("%")[0]))
        if reason is not None:
            return f"{address} is {reason}; hosted mode does not connect to it"
    return None


async def _connect(
    exam: Examination, host: str, addresses: list[str], port: int, timeout: float
) -> str | None:
    """The address a TCP connection was made to (then closed), or None."""
    refused = _refusal(host, addresses)
    if refused is not None:
        seq = _log(exam, "tcp", f"Doctor: not connecting to {host}: {refused}", error=refused)
        exam.add(
            "connection.tcp", Section.CONNECTION, Status.SKIPPED, f"Not tried: {refused}.", (seq,)
        )
        return None
    failures: list[str] = []
    for address in addresses:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                _, writer = await asyncio.open_connection(address, port)
        except (OSError, TimeoutError) as exc:
            failures.append(f"{address}: {_reason(exc)}")
            continue
        took = _ms(started)
        writer.close()
        seq = _log(exam, "tcp", f"Doctor: TCP connected to {address} port {port}", address=address)
        exam.add(
            "connection.tcp",
            Section.CONNECTION,
            Status.PASS,
            f"TCP connected to {address} port {port} in {took:g} ms.",
            (seq,),
            duration_ms=took,
            address=address,
            port=port,
        )
        return address
    reasons = "; ".join(failures)
    seq = _log(exam, "tcp", f"Doctor: TCP connect to port {port} failed: {reasons}", error=reasons)
    exam.add(
        "connection.tcp",
        Section.CONNECTION,
        Status.FAIL,
        f"No TCP connection to port {port} ({reasons}).",
        (seq,),
        port=port,
    )
    return None


def _reason(exc: OSError | TimeoutError) -> str:
    # asyncio words a refused connection "Connect call failed"; the errno says why.
    if isinstance(exc, TimeoutError) or not exc.errno:
        return str(exc) or "timed out"
    return os.strerror(exc.errno)


async def _handshake(
    host: str, address: str, port: int, context: ssl.SSLContext, timeout: float
) -> tuple[float, str, bytes]:
    """Time, protocol version and certificate (DER) of one handshake."""
    started = time.perf_counter()
    async with asyncio.timeout(timeout):
        _, writer = await asyncio.open_connection(
            address, port, ssl=context, server_hostname=host, ssl_handshake_timeout=timeout
        )
    took = _ms(started)
    tls = writer.get_extra_info("ssl_object")
    version = tls.version() if tls is not None else None
    der = tls.getpeercert(binary_form=True) if tls is not None else None
    writer.close()
    return took, version or "unknown", der or b""


async def _tls(exam: Examination, host: str, address: str, port: int, timeout: float) -> None:
    problem: str | None = None
    try:
        took, version, der = await _handshake(
            host, address, port, ssl.create_default_context(), timeout
        )
    except ssl.SSLCertVerificationError as exc:
        problem = f"not trusted: {exc.verify_message or exc.reason}"
        unverified = ssl.create_default_context()
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        try:
            took, version, der = await _handshake(host, address, port, unverified, timeout)
        except (OSError, TimeoutError) as again:
            _tls_failed(exam, f"{problem}; the certificate could not be read ({again})")
            return
    except (OSError, TimeoutError) as exc:
        _tls_failed(exam, f"the handshake failed: {exc or 'timed out'}")
        return
    certificate = _parse(der)
    now = datetime.now(UTC)
    days = certificate.days_left(now) if certificate is not None else None
    status = Status.PASS
    if problem is not None or (certificate is not None and certificate.not_after <= now):
        status = Status.FAIL
        problem = problem or "expired"
    elif days is not None and days < EXPIRY_WARNING_DAYS:
        status = Status.WARNING
        problem = f"expires in {days} days: renew it"
    described = _describe(certificate, days)
    seq = _log(
        exam,
        "tls",
        f"Doctor: TLS handshake with {host} ({version}){': ' + problem if problem else ''}",
        version=version,
        certificate=described,
    )
    exam.add(
        "connection.tls",
        Section.CONNECTION,
        status,
        f"{version} handshake in {took:g} ms; certificate {described['text']}"
        + (f": {problem}." if problem else "."),
        (seq,),
        duration_ms=took,
        version=version,
        trusted=problem is None or not problem.startswith("not trusted"),
        **{key: value for key, value in described.items() if key != "text"},
    )


def _tls_failed(exam: Examination, reason: str) -> None:
    seq = _log(exam, "tls", f"Doctor: TLS {reason}", error=reason)
    exam.add("connection.tls", Section.CONNECTION, Status.FAIL, f"TLS {reason}.", (seq,))


def _describe(certificate: Certificate | None, days: int | None) -> dict[str, Any]:
    if certificate is None:
        return {"text": "not readable"}
    expiry = certificate.not_after.strftime("%Y-%m-%d")
    return {
        "text": f"for {certificate.subject} from {certificate.issuer}, valid until {expiry} "
        f"({days} days left)",
        "subject": certificate.subject,
        "issuer": certificate.issuer,
        "not_after": certificate.not_after.isoformat(),
        "days_left": days,
    }


def _parse(der: bytes) -> Certificate | None:
    if not der:
        return None
    try:
        from cryptography import x509
    except ImportError:  # an optional dependency: without it, no names or dates
        return None
    try:
        parsed = x509.load_der_x509_certificate(der)
    except ValueError:
        return None
    return Certificate(
        subject=parsed.subject.rfc4514_string(),
        issuer=parsed.issuer.rfc4514_string(),
        not_after=parsed.not_valid_after_utc,
    )
