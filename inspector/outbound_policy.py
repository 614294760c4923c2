"""The outbound network policy of the web application, taken from its settings.

The protocol core holds one process-wide policy (`inspector.mcp.network`) and knows
nothing of Django; this sets it at start-up, and again whenever a setting it depends on
changes (as tests do with pytest-django's `settings`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from inspector.mcp.network import ALLOW_SETTING, NetworkPolicy, set_policy

POLICY_SETTINGS = frozenset({"LOCAL_MODE", ALLOW_SETTING})


def policy_from_settings() -> NetworkPolicy:
    if settings.LOCAL_MODE:
        return NetworkPolicy.allow_all()
    try:
        return NetworkPolicy.block_non_public(settings.INSPECTOR_OUTBOUND_ALLOW)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{ALLOW_SETTING}: {exc}") from exc


def apply_policy() -> None:
    set_policy(policy_from_settings())


def on_setting_changed(*, setting: str, **_: Any) -> None:
    if setting in POLICY_SETTINGS:
        apply_policy()
