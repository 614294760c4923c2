"""The connect form's paste: what a pasted command line, URL or configuration describes."""

from __future__ import annotations

from inspector.sessions.pasted import Pasted, parse_pasted

__all__ = ["Pasted", "server_paste_read"]


async def server_paste_read(*, text: str) -> Pasted:
    """The connection `text` describes (nothing is started or stored: this only reads)."""
    return parse_pasted(text)
