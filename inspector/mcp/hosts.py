"""Which host names are this machine's own: stdlib only, so that the `inspector` command
checks its bind address without loading the HTTP stack."""

from __future__ import annotations

import ipaddress


def is_loopback_host(host: str) -> bool:
    """`localhost`, or any loopback address (all of 127.0.0.0/8, and ::1), bracketed or
    not."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
