from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from inspector.mcp.network import ALLOW_SETTING, NetworkPolicy, set_policy

# The settings the outbound network policy is taken from.
POLICY_SETTINGS = frozenset({"LOCAL_MODE", ALLOW_SETTING})


class InspectorConfig(AppConfig):
    name = "inspector"
    verbose_name = "MCP Inspector"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The protocol core holds one process-wide policy and knows nothing of Django: set
        # it at start-up, and again whenever a setting it depends on changes (as tests do
        # with pytest-django's `settings`).
        apply_outbound_policy()
        setting_changed.connect(_on_setting_changed)
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from inspector.storage.workspaces import on_user_saved

        post_save.connect(on_user_saved, sender=get_user_model(), dispatch_uid="personal-workspace")
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from inspector.storage.audit import on_sign_in_failed, on_signed_in

        user_logged_in.connect(on_signed_in, dispatch_uid="audit-sign-in")
        user_login_failed.connect(on_sign_in_failed, dispatch_uid="audit-sign-in-failed")


def outbound_policy() -> NetworkPolicy:
    if settings.LOCAL_MODE:
        return NetworkPolicy.allow_all()
    try:
        return NetworkPolicy.block_non_public(settings.INSPECTOR_OUTBOUND_ALLOW)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{ALLOW_SETTING}: {exc}") from exc


def apply_outbound_policy() -> None:
    set_policy(outbound_policy())


def _on_setting_changed(*, setting: str, **_: Any) -> None:
    if setting in POLICY_SETTINGS:
        apply_outbound_policy()
