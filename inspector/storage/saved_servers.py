"""Saved servers on the Django ORM: rows to and from `ConnectionSpec`s, with their
secrets (environment values, headers, the bearer token, the OAuth client secret)
encrypted at rest. Every function runs in the database thread and takes the owner: the
workspace whose members read and write those rows; locally there is one person and the
owner is None."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from inspector.mcp.auth.config import OAuthSettings
from inspector.mcp.masking import mask_token, mask_value, mask_values
from inspector.mcp.versions import EraChoice
from inspector.models import SavedServer
from inspector.sessions.config_files import NamedServer
from inspector.sessions.spec import ConnectionSpec, TransportKind
from inspector.storage.encryption import UnreadableSecret, decrypt_json, encrypt_json
from inspector.storage.masked_input import kept_secret

NAME_MAX_LENGTH = SavedServer._meta.get_field("name").max_length or 200


class SavedServerNotFound(Exception):
    """No saved server with that id belongs to this owner."""


class NameTaken(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"A saved server is already called {name!r}.")
        self.name = name


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
    era: EraChoice = EraChoice.LEGACY
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


def has_placeholders(spec: ConnectionSpec) -> bool:
    texts = [spec.command, spec.url, spec.cwd or "", *spec.args]
    texts += [*spec.env.values(), *spec.headers.values(), spec.bearer_token]
    return any("${" in text for text in texts)


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
        token = mask_token(self.bearer_token)
        oauth = OAuthSettings.from_dict(self.oauth.masked()) if self.oauth else None
        return _Secrets(mask_values(self.env), mask_values(self.headers), token, oauth)


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
        has_placeholders=has_placeholders(spec),
        unreadable=unreadable,
    )


def _owned(owner_id: int | None) -> QuerySet[SavedServer]:
    return SavedServer.objects.filter(owner_id=owner_id)


def _get(server_id: int, owner_id: int | None) -> SavedServer:
    record = _owned(owner_id).filter(pk=server_id).first()
    if record is None:
        raise SavedServerNotFound(server_id)
    return record


def owner_of(server_id: int) -> int | None:
    """The workspace that owns the saved server (None: local mode's one person)."""
    owners = list(SavedServer.objects.filter(pk=server_id).values_list("owner_id", flat=True))
    if not owners:
        raise SavedServerNotFound(server_id)
    return owners[0]


def list_summaries(owner_id: int | None) -> list[SavedServerSummary]:
    return [_summary(record) for record in _owned(owner_id)]


def masked_server(server_id: int, owner_id: int | None) -> NamedServer:
    record = _get(server_id, owner_id)
    return NamedServer(record.name, _spec(record, _secrets(record).masked()))


def named_servers(owner_id: int | None, server_ids: Sequence[int] | None) -> list[NamedServer]:
    records = _owned(owner_id)
    if server_ids is not None:
        records = records.filter(pk__in=list(server_ids))
    return [NamedServer(record.name, _spec(record, _secrets(record))) for record in records]


def create(name: str, spec: ConnectionSpec, owner_id: int | None) -> SavedServerSummary:
    try:
        with transaction.atomic():
            if _owned(owner_id).filter(name=name).exists():
                raise NameTaken(name)
            record = SavedServer.objects.create(owner_id=owner_id, name=name, **_fields(spec))
    except IntegrityError as error:
        # Another request saved the same name between the check and the insert.
        raise NameTaken(name) from error
    return _summary(record)


def update(
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
        name: kept_secret(value, stored[name], mask_value(name, stored[name]))
        if name in stored
        else value
        for name, value in shown.items()
    }


def delete(server_id: int, owner_id: int | None) -> str:
    record = _get(server_id, owner_id)
    record.delete()
    return record.name


def import_servers(
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
