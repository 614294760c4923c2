"""Secrets sent back masked: forms and exports never hold a stored secret, only its
masked form, so a value that comes back exactly as it was shown keeps the stored one."""

from __future__ import annotations

from inspector.mcp.masking import MASK


def kept_secret(sent: str, stored: str, shown: str) -> str:
    """`stored` when `sent` is its masked form `shown`, unchanged; else what was sent."""
    return stored if MASK in sent and sent == shown else sent
