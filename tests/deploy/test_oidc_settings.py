"""The identity provider's settings as the environment makes them (settings.py read afresh)."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from inspector import settings as loaded_settings

HOSTED = {
    "INSPECTOR_MODE": "hosted",
    "INSPECTOR_ALLOWED_HOSTS": "inspector.example.com",
    "INSPECTOR_SECRET_KEY": "a-secret-of-this-deployment",
    "INSPECTOR_ENCRYPTION_KEY": "dGhpcy1pcy1hLWtleS1vZi0zMi1ieXRlcy0tLS0tLS0=",
    "DATABASE_URL": "postgres://inspector@db.internal:5432/inspector",
    "REDIS_URL": "redis://redis.internal:6379/0",
}
PROVIDER = {
    "INSPECTOR_OIDC_ISSUER": "https://sso.example.com/realms/team",
    "INSPECTOR_OIDC_CLIENT_ID": "inspector",
}

READ_FOR_THE_PROVIDER = (
    "INSPECTOR_OIDC_ISSUER",
    "INSPECTOR_OIDC_CLIENT_ID",
    "INSPECTOR_OIDC_CLIENT_SECRET",
    "INSPECTOR_OIDC_NAME",
    "INSPECTOR_OIDC_SCOPES",
    "INSPECTOR_OIDC_ALLOWED_DOMAINS",
)


def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict[str, Any]:
    for name in (*HOSTED, *READ_FOR_THE_PROVIDER):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(loaded_settings.__file__)


def test_hosted_mode_reads_the_provider(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    loaded = load_settings(
        monkeypatch,
        tmp_path,
        **HOSTED,
        **PROVIDER,
        INSPECTOR_OIDC_NAME=" Team SSO ",
        INSPECTOR_OIDC_ALLOWED_DOMAINS="Example.com, example.org,,",
    )
    assert loaded["INSPECTOR_OIDC_ISSUER"] == PROVIDER["INSPECTOR_OIDC_ISSUER"]
    assert loaded["INSPECTOR_OIDC_NAME"] == "Team SSO"
    assert loaded["INSPECTOR_OIDC_ALLOWED_DOMAINS"] == ["example.com", "example.org"]
    assert loaded["INSPECTOR_OIDC_SCOPES"] == "openid email profile"


def test_local_mode_never_offers_the_provider(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert load_settings(monkeypatch, tmp_path, **PROVIDER)["INSPECTOR_OIDC_ISSUER"] == ""


def test_an_issuer_without_a_client_id_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    issuer_only = {"INSPECTOR_OIDC_ISSUER": PROVIDER["INSPECTOR_OIDC_ISSUER"]}
    with pytest.raises(ImproperlyConfigured, match="INSPECTOR_OIDC_CLIENT_ID is not"):
        load_settings(monkeypatch, tmp_path, **HOSTED, **issuer_only)
