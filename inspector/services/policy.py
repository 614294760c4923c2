"""What this inspector lets a person start on its machine."""

from __future__ import annotations

from django.conf import settings


def stdio_command_allowed(*, command: str) -> bool:
    """Locally a person runs their own commands; hosted, any user could run anything, so
    only the commands the operator allow-listed run."""
    return settings.LOCAL_MODE or command in settings.INSPECTOR_STDIO_ALLOWLIST
