from __future__ import annotations

from inspector.mcp.masking import MASK
from inspector.sessions.spec import ConnectionSpec, TransportKind


def test_a_session_page_and_a_saved_server_show_one_spec_alike() -> None:
    spec = ConnectionSpec(
        TransportKind.HTTP,
        url="https://example.com/mcp",
        headers={"X-Api-Key": "${env:KEY}", "Cookie": "session=abcdefghijklmnopq"},
        bearer_token="abcdefghijklmnopqrstu",
    )
    shown = spec.masked()
    assert shown["headers"] == {"X-Api-Key": "${env:KEY}", "Cookie": f"sess{MASK}"}
    assert shown["bearer_token"] == f"abcd{MASK}"
