"""Saved servers: the only way views reach the `SavedServer` table and its secrets.

Every function takes the owner: in hosted mode a user sees and uses only their own saved
servers; locally there is one person and the owner is None. Secrets (environment values,
headers) are decrypted here and leave only as a `ConnectionSpec` to connect with, masked
for display, or in an export the user asked to include them in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from inspector import services
from inspector.mcp.auth.settings import OAuthSettings
from inspector.mcp.masking import MASK
from inspector.mcp.versions import EraChoice
from inspector.models import SavedServer
from inspector.sessions.config_files import (
    ConfigError,
    NamedServer,
    export_config,
    mask_secret,
    mask_secrets,
    parse_config_report,
)
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.storage.db import in_db_thread
from inspector.storage.encryption import UnreadableSecret, decrypt_json, encrypt_json

NAME_MAX_LENGTH = SavedServer._meta.get_field("name").max_length or 200

__all__ = [
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
    "saved_server_update",
]


class SavedServerNotFound(Exception):
    """No saved server with that id belongs to this owner."""


class NameTaken(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"A saved server is already called {name!r}.")
        self.name = name


class StdioNotAllowed(PermissionError):
    def __init__(self, command: str) -> None:
        super().__init__(
            f"This hosted inspector runs only the stdio commands its operator allowed, "
            f"and {command!r} is not one of them."
        )


@dataclass(frozen=True, slots=True)
class SavedServerSummary:
    """A saved server as the pages show it: secrets masked."""

    id: int
    name: str
    transport: TransportKind
    target: str
    env: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    bearer_token: str = ""
    cwd: str = ""
    era: EraChoice = EraChoice.AUTO
    protocol_version: str = ""
    has_placeholders: bool = False
    unreadable: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "transport": self.transport.value,
            "target": self.target,
            "env": self.env,
            "headers": self.headers,
            "bearer_token": self.bearer_token,
            "cwd": self.cwd or None,
            "era": self.era.value,
            "protocol_version": self.protocol_version,
            "has_placeholders": self.has_placeholders,
            "unreadable": self.unreadable,
        }


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    saved: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def kept(self) -> list[str]:
        return [*self.saved, *self.replaced]


# The async entry points ------------------------------------------------------------------


async def saved_server_list(*, owner_id: int | None) -> list[SavedServerSummary]:
    return await in_db_thread(_list)(owner_id)


async def saved_server_masked(server_id: int, *, owner_id: int | None) -> NamedServer:
    """The name and the settings with secrets masked: what an edit form starts from."""
    return await in_db_thread(_masked)(server_id, owner_id)


async def saved_server_create(
    name: str, spec: ConnectionSpec, *, owner_id: int | None
) -> SavedServerSummary:
    _check_allowed(spec)
    return await in_db_thread(_create)(_clean_name(name), spec, owner_id)


async def saved_server_update(
    server_id: int, name: str, spec: ConnectionSpec, *, owner_id: int | None
) -> SavedServerSummary:
    """Replace a saved server's settings. A secret sent back exactly as it was shown
    (masked) keeps its stored value: the edit form never holds the real one."""
    _check_allowed(spec)
    return await in_db_thread(_update)(server_id, _clean_name(name), spec, owner_id)


async def saved_server_delete(server_id: int, *, owner_id: int | None) -> str:
    return await in_db_thread(_delete)(server_id, owner_id)


async def saved_server_import(
    text: str, *, owner_id: int | None, replace: bool = False
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
            _check_allowed(server.spec)
        except (ConfigError, StdioNotAllowed) as error:
            outcome.errors.append(f"server {server.name!r}: {error}")
            continue
        outcome.warnings.extend(_import_warnings(server))
        good.append(server)
    await in_db_thread(_import)(good, owner_id, replace, outcome)
    return outcome


async def saved_server_export(
    *, owner_id: int | None, server_ids: Sequence[int] | None = None, include_secrets: bool
) -> tuple[str, dict[str, Any]]:
    """A file name and an `mcpServers` document: all servers, or the ones named by id."""
    servers = await in_db_thread(_named_servers)(owner_id, server_ids)
    if server_ids is not None and not servers:
        raise SavedServerNotFound(server_ids)
    document = export_config(servers, include_secrets=include_secrets)
    if server_ids is not None and len(servers) == 1:
        return f"{_file_stem(servers[0].name)}.mcp.json", document
    return "mcp-servers.json", document


async def saved_server_connect(server_id: int, *, owner_id: int | None) -> services.SessionSnapshot:
    """Connect with the saved settings; raises as `services.session_connect` does, and
    StdioNotAllowed when the operator's allow-list changed since it was saved."""
    named = await in_db_thread(_named_servers)(owner_id, [server_id])
    if not named:
        raise SavedServerNotFound(server_id)
    spec = named[0].spec
    _check_allowed(spec)
    return await services.session_connect(spec, owner_id=owner_id)


# Checks ----------------------------------------------------------------------------------


def _check_allowed(spec: ConnectionSpec) -> None:
    """The connect form's rule, applied again: an import or an old saved server must not
    be a way round it."""
    if (
        spec.transport is TransportKind.STDIO
        and not settings.LOCAL_MODE
        and spec.command not in settings.INSPECTOR_STDIO_ALLOWLIST
    ):
        raise StdioNotAllowed(spec.command)


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
    if _has_placeholders(server.spec):
        warnings.append(
            f"server {server.name!r}: ${{input:…}} and ${{env:…}} placeholders are kept as "
            "written and sent as they are; edit the server to put real values in."
        )
    return warnings


def _has_placeholders(spec: ConnectionSpec) -> bool:
    texts = [spec.command, spec.url, spec.cwd or "", *spec.args]
    texts += [*spec.env.values(), *spec.headers.values(), spec.bearer_token]
    return any("${" in text for text in texts)


def _file_stem(name: str) -> str:
    stem = "".join(char if char.isalnum() or char in "-_." else "-" for char in name)
    return stem.strip("-.") or "server"


# Records <-> specs (run in the database thread) ------------------------------------------


def _fields(spec: ConnectionSpec) -> dict[str, Any]:
    stdio = spec.transport is TransportKind.STDIO
    return {
        "transport": spec.transport.value,
        "command": spec.command if stdio else "",
        "args": list(spec.args) if stdio else [],
        "env_encrypted": encrypt_json(spec.env if stdio else {}),
        "cwd": (spec.cwd or "") if stdio else "",
        "url": "" if stdio else spec.url,
        "headers_encrypted": encrypt_json({} if stdio else spec.headers),
        "bearer_token_encrypted": encrypt_json("" if stdio else spec.bearer_token),
        "oauth_encrypted": encrypt_json(spec.oauth.to_dict())
        if spec.oauth is not None and not stdio
        else "",
        **spec.settings(),
    }


@dataclass(frozen=True, slots=True)
class _Secrets:
    env: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    bearer_token: str = ""
    oauth: OAuthSettings | None = None

    def masked(self) -> _Secrets:
        token = mask_secret(TOKEN_NAME, self.bearer_token) if self.bearer_token else ""
        oauth = OAuthSettings.from_dict(self.oauth.masked()) if self.oauth else None
        return _Secrets(mask_secrets(self.env), mask_secrets(self.headers), token, oauth)


# The names a bearer token and a client secret are masked under (as `OAuthSettings` does).
TOKEN_NAME = "token"
SECRET_NAME = "client_secret"


def _secrets(record: SavedServer) -> _Secrets:
    env = decrypt_json(record.env_encrypted) if record.env_encrypted else {}
    headers = decrypt_json(record.headers_encrypted) if record.headers_encrypted else {}
    token = decrypt_json(record.bearer_token_encrypted) if record.bearer_token_encrypted else ""
    oauth = decrypt_json(record.oauth_encrypted) if record.oauth_encrypted else None
    settings = OAuthSettings.from_dict(oauth) if isinstance(oauth, dict) else None
    return _Secrets(dict(env), dict(headers), str(token), settings)


def _spec(record: SavedServer, secrets: _Secrets) -> ConnectionSpec:
    return ConnectionSpec(
        TransportKind(record.transport),
        command=record.command,
        args=tuple(str(arg) for arg in record.args),
        env=secrets.env,
        cwd=record.cwd or None,
        url=record.url,
        headers=secrets.headers,
        bearer_token=secrets.bearer_token,
        oauth=secrets.oauth,
        era=EraChoice(record.era),
        protocol_version=record.protocol_version,
        connect_timeout=record.connect_timeout,
        request_timeout=record.request_timeout,
        max_total_timeout=record.max_total_timeout,
        reset_timeout_on_progress=record.reset_timeout_on_progress,
        approval_timeout=record.approval_timeout,
        sampling_tools=record.sampling_tools,
    )


def _summary(record: SavedServer) -> SavedServerSummary:
    try:
        secrets = _secrets(record)
        unreadable = False
    except UnreadableSecret:
        secrets, unreadable = _Secrets(), True
    spec = _spec(record, secrets)
    masked = secrets.masked()
    return SavedServerSummary(
        id=record.pk,
        name=record.name,
        transport=spec.transport,
        target=spec.target,
        env=masked.env,
        headers=masked.headers,
        bearer_token=masked.bearer_token,
        cwd=record.cwd,
        era=spec.era,
        protocol_version=record.protocol_version,
        has_placeholders=_has_placeholders(spec),
        unreadable=unreadable,
    )


def _owned(owner_id: int | None) -> QuerySet[SavedServer]:
    return SavedServer.objects.filter(owner_id=owner_id)


def _get(server_id: int, owner_id: int | None) -> SavedServer:
    record = _owned(owner_id).filter(pk=server_id).first()
    if record is None:
        raise SavedServerNotFound(server_id)
    return record


def _list(owner_id: int | None) -> list[SavedServerSummary]:
    return [_summary(record) for record in _owned(owner_id)]


def _masked(server_id: int, owner_id: int | None) -> NamedServer:
    record = _get(server_id, owner_id)
    return NamedServer(record.name, _spec(record, _secrets(record).masked()))


def _named_servers(owner_id: int | None, server_ids: Sequence[int] | None) -> list[NamedServer]:
    records = _owned(owner_id)
    if server_ids is not None:
        records = records.filter(pk__in=list(server_ids))
    return [NamedServer(record.name, _spec(record, _secrets(record))) for record in records]


def _create(name: str, spec: ConnectionSpec, owner_id: int | None) -> SavedServerSummary:
    try:
        with transaction.atomic():
            if _owned(owner_id).filter(name=name).exists():
                raise NameTaken(name)
            record = SavedServer.objects.create(owner_id=owner_id, name=name, **_fields(spec))
    except IntegrityError as error:
        # Another request saved the same name between the check and the insert.
        raise NameTaken(name) from error
    return _summary(record)


def _update(
    server_id: int, name: str, spec: ConnectionSpec, owner_id: int | None
) -> SavedServerSummary:
    try:
        with transaction.atomic():
            record = _get(server_id, owner_id)
            if _owned(owner_id).filter(name=name).exclude(pk=record.pk).exists():
                raise NameTaken(name)
            spec = _unmask(spec, record)
            record.name = name
            for attribute, value in _fields(spec).items():
                setattr(record, attribute, value)
            record.save()
    except IntegrityError as error:
        raise NameTaken(name) from error
    return _summary(record)


def _unmask(spec: ConnectionSpec, record: SavedServer) -> ConnectionSpec:
    try:
        stored = _secrets(record)
    except UnreadableSecret:
        return spec
    token = _restore({TOKEN_NAME: spec.bearer_token}, {TOKEN_NAME: stored.bearer_token})
    oauth = spec.oauth
    if oauth is not None and stored.oauth is not None:
        secret = _restore(
            {SECRET_NAME: oauth.client_secret}, {SECRET_NAME: stored.oauth.client_secret}
        )
        oauth = replace(oauth, client_secret=secret[SECRET_NAME])
    return replace(
        spec,
        env=_restore(spec.env, stored.env),
        headers=_restore(spec.headers, stored.headers),
        bearer_token=token[TOKEN_NAME],
        oauth=oauth,
    )


def _restore(shown: dict[str, str], stored: dict[str, str]) -> dict[str, str]:
    """Values that come back exactly as masked for display are the stored ones."""
    return {
        name: stored[name]
        if name in stored and MASK in value and value == mask_secret(name, stored[name])
        else value
        for name, value in shown.items()
    }


def _delete(server_id: int, owner_id: int | None) -> str:
    record = _get(server_id, owner_id)
    record.delete()
    return record.name


def _import(
    servers: Iterable[NamedServer], owner_id: int | None, replace: bool, outcome: ImportOutcome
) -> None:
    with transaction.atomic():
        existing = {record.name: record for record in _owned(owner_id).select_for_update()}
        for server in servers:
            record = existing.get(server.name)
            if record is None:
                created = SavedServer.objects.create(
                    owner_id=owner_id, name=server.name, **_fields(server.spec)
                )
                existing[server.name] = created
                outcome.saved.append(server.name)
            elif replace:
                for attribute, value in _fields(server.spec).items():
                    setattr(record, attribute, value)
                record.save()
                outcome.replaced.append(server.name)
            else:
                outcome.errors.append(
                    f"server {server.name!r}: a saved server already has this name "
                    "(tick “Replace servers with the same name” to overwrite it)"
                )
