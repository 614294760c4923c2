"""What this inspector lets a person start on its machine."""

from __future__ import annotations

from django.conf import settings

from inspector.sessions.spec import ConnectionSpec, TransportKind


def stdio_command_allowed(*, command: str) -> bool:
    """Locally a person runs their own commands; hosted, any user could run anything, so
    only the commands the operator allow-listed run."""
    return settings.LOCAL_MODE or command in settings.INSPECTOR_STDIO_ALLOWLIST


class StdioNotAllowed(PermissionError):
    def __init__(self, command: str) -> None:
        super().__init__(
            f"This hosted inspector runs only the stdio commands its operator allowed, "
            f"and {command!r} is not one of them."
        )


def check_stdio_allowed(spec: ConnectionSpec) -> None:
    """The connect form's rule, applied again where every session is started: an import,
    an old saved server or a message to a session host must not be a way round it."""
    if spec.transport is TransportKind.STDIO and not stdio_command_allowed(command=spec.command):
        raise StdioNotAllowed(spec.command)
