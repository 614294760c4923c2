"""The Skills extension through a live session: `skills/list`, `skills/get`,
`resources/directory/read`, and a skill file read with its digest checked. Every call
goes through the session, so each shows in the Protocol tab."""

from __future__ import annotations

from typing import Any

from inspector.presenters.skills import Verification, verify
from inspector.services.snapshots import resident_session
from inspector.sessions.calls import CallOutcome


async def skill_request(
    *, session_id: str, method: str, params: dict[str, Any], call_key: str
) -> CallOutcome:
    """One of the extension's requests (`skills/list`, `skills/get`,
    `resources/directory/read`), or the `resources/read` of a skill file."""
    if method not in ("skills/list", "skills/get", "resources/directory/read"):
        raise ValueError(method)
    return await resident_session(session_id).call(method, params or None, call_key=call_key)


async def skill_file_read(
    *, session_id: str, uri: str, digest: str, size: int | None, call_key: str
) -> tuple[CallOutcome, Verification | None]:
    """Read a skill's file and check it against the digest and size its entry published."""
    call = await resident_session(session_id).call(
        "resources/read", {"uri": uri}, call_key=call_key
    )
    if call.result is None:
        return call, None
    return call, verify(call.result.get("contents"), digest, size)
