"""`inspector createadmin ...`: the management command, reached through the `inspector`
command too, for installs that have no manage.py (an installed package)."""

from __future__ import annotations

import os
from collections.abc import Sequence


def main(argv: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inspector.settings")
    import django
    from django.core.management import call_command, execute_from_command_line

    django.setup()
    # As `inspector` does before serving: a fresh database gets its tables first.
    call_command("migrate", interactive=False, verbosity=0)
    # Exits with status 1 and the command's message on a refusal.
    execute_from_command_line(["inspector", *argv])
    return 0
