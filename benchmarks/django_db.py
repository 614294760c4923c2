"""Django on a fresh SQLite database, for the benchmarks that store what they measure."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def fresh_database() -> Iterator[Path]:
    """Django on a new SQLite file in a temporary data directory, migrated."""
    with tempfile.TemporaryDirectory(prefix="inspector-bench-") as tmp:
        os.environ["INSPECTOR_DATA_DIR"] = tmp
        os.environ["DJANGO_SETTINGS_MODULE"] = "inspector.settings"
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
        yield Path(tmp)
        from django.db import connections

        connections.close_all()
