"""Saved servers: the only way views reach the saved connections and their secrets.

Every function takes the owner: in hosted mode the members of a workspace see and use
only its saved servers; locally there is one person and the owner is None. Secrets
(environment values, headers) leave only as a connection, masked for display, or in an
export the user asked to include them in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from inspector.mcp.masking import MASK
from inspector.services.policy import StdioNotAllowed, check_stdio_allowed
from inspector.services.snapshots import SessionSnapshot
from inspector.sessions.config_export import export_config
from inspector.sessions.config_files import (
    ConfigError,
    NamedServer,
    parse_config_report,
)
from inspector.sessions.spec import ConnectionSpec
from inspector.storage import saved_servers as rows
from inspector.storage.db import in_db_thread
from inspector.storage.encryption import UnreadableSecret
from inspector.storage.saved_servers import (
    NAME_MAX_LENGTH,
    ImportOutcome,
    NameTaken,
    SavedServerNotFound,
    SavedServerSummary,
    has_placeholders,
)

__all__ = [
    "NAME_MAX_LENGTH",
    "ImportOutcome",
    "NameTaken",
    "SavedServerNotFound",
    "SavedServerSummary",
    "StdioNotAllowed",
    "UnreadableSecret",
    "saved_server_connect",
    "saved_server_create",
    "saved_server_delete",
    "saved_server_export",
    "saved_server_import",
    "saved_server_list",
    "saved_server_masked",
    "saved_server_owner",
    "saved_server_update",
]


async def saved_server_owner(*, server_id: int) -> int | None:
    """Which workspace the saved server belongs to: what a URL naming it acts in."""
    return await in_db_thread(rows.owner_of)(server_id)


async def saved_server_list(*, owner_id: int | None) -> list[SavedServerSummary]:
    return await in_db_thread(rows.list_summaries)(owner_id)


async def saved_server_masked(*, server_id: int, owner_id: int | None) -> NamedServer:
    """The name and the settings with secrets masked: what an edit form starts from."""
    return await in_db_thread(rows.masked_server)(server_id, owner_id)


async def saved_server_create(
    *, name: str, spec: ConnectionSpec, owner_id: int | None
) -> SavedServerSummary:
    check_stdio_allowed(spec)
    return await in_db_thread(rows.create)(_clean_name(name), spec, owner_id)


async def saved_server_update(
    *, server_id: int, name: str, spec: ConnectionSpec, owner_id: int | None
) -> SavedServerSummary:
    """Replace a saved server's settings. A secret sent back exactly as it was shown
    (masked) keeps its stored value: the edit form never holds the real one."""
    check_stdio_allowed(spec)
    return await in_db_thread(rows.update)(server_id, _clean_name(name), spec, owner_id)


async def saved_server_delete(*, server_id: int, owner_id: int | None) -> str:
    return await in_db_thread(rows.delete)(server_id, owner_id)


async def saved_server_import(
    *, text: str, owner_id: int | None, replace: bool = False
) -> ImportOutcome:
    """Save every good entry of a configuration file; report each bad one by name."""
    outcome = ImportOutcome()
    try:
        report = parse_config_report(text)
    except ConfigError as error:
        outcome.errors.append(str(error))
        return outcome
    outcome.errors.extend(str(error) for error in report.errors)
    good: list[NamedServer] = []
    for server in report.servers:
        try:
            if len(server.name) > NAME_MAX_LENGTH:
                raise ConfigError(f"the name is longer than {NAME_MAX_LENGTH} characters")
            check_stdio_allowed(server.spec)
        except (ConfigError, StdioNotAllowed) as error:
            outcome.errors.append(f"server {server.name!r}: {error}")
            continue
        outcome.warnings.extend(_import_warnings(server))
        good.append(server)
    await in_db_thread(rows.import_servers)(good, owner_id, replace, outcome)
    return outcome


async def saved_server_export(
    *, owner_id: int | None, server_ids: Sequence[int] | None = None, include_secrets: bool
) -> tuple[str, dict[str, Any]]:
    """A file name and an `mcpServers` document: all servers, or the ones named by id."""
    servers = await in_db_thread(rows.named_servers)(owner_id, server_ids)
    if server_ids is not None and not servers:
        raise SavedServerNotFound(server_ids)
    document = export_config(servers, include_secrets=include_secrets)
    if server_ids is not None and len(servers) == 1:
        return f"{_file_stem(servers[0].name)}.mcp.json", document
    return "mcp-servers.json", document


async def saved_server_connect(
    *, server_id: int, owner_id: int | None, started_by: int | None = None
) -> SessionSnapshot:
    """Connect with the saved settings; raises as `session_connect` does, and
    StdioNotAllowed when the operator's allow-list changed since it was saved."""
    named = await in_db_thread(rows.named_servers)(owner_id, [server_id])
    if not named:
        raise SavedServerNotFound(server_id)
    spec = named[0].spec
    check_stdio_allowed(spec)
    # The package's session_connect, not the function behind it: in a web process whose
    # sessions live on session hosts it is the forwarder, and the session starts on a host.
    from inspector import services

    snapshot: SessionSnapshot = await services.session_connect(
        spec=dataclasses.replace(spec, saved_server=server_id),
        owner_id=owner_id,
        started_by=started_by,
    )
    return snapshot


# Checks ----------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise ValueError("A saved server needs a name.")
    if len(cleaned) > NAME_MAX_LENGTH:
        raise ValueError(f"A name is at most {NAME_MAX_LENGTH} characters long.")
    return cleaned


def _import_warnings(server: NamedServer) -> list[str]:
    warnings: list[str] = []
    values = {**server.spec.env, **server.spec.headers, "bearer token": server.spec.bearer_token}
    if server.spec.oauth is not None:
        values["OAuth client secret"] = server.spec.oauth.client_secret
    masked = sorted(name for name, value in values.items() if MASK in value)
    if masked:
        warnings.append(
            f"server {server.name!r}: {', '.join(masked)} came masked from an export without "
            "secrets; edit the server to fill the real values in."
        )
    if has_placeholders(server.spec):
        warnings.append(
            f"server {server.name!r}: ${{input:…}} and ${{env:…}} placeholders are kept as "
            "written and sent as they are; edit the server to put real values in."
        )
    return warnings


def _file_stem(name: str) -> str:
    stem = "".join(char if char.isalnum() or char in "-_." else "-" for char in name)
    return stem.strip("-.") or "server"
