"""Django on a fresh database, for the benchmarks that store what they measure: a new
SQLite file by default, or a new database on the PostgreSQL server a URL names."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


@contextlib.contextmanager
def fresh_database(database_url: str | None = None) -> Iterator[Path]:
    """Django on a new database, migrated, in a temporary data directory.

    With `database_url` (a PostgreSQL URL), a database of its own is created on that
    server for the run and dropped afterwards; the URL's own database is left alone.
    """
    with tempfile.TemporaryDirectory(prefix="inspector-bench-") as tmp:
        os.environ["INSPECTOR_DATA_DIR"] = tmp
        os.environ["DJANGO_SETTINGS_MODULE"] = "inspector.settings"
        with _postgres_database(database_url) if database_url else contextlib.nullcontext():
            import django
            from django.core.management import call_command

            django.setup()
            call_command("migrate", interactive=False, verbosity=0)
            try:
                yield Path(tmp)
            finally:
                from django.db import connections

                connections.close_all()


@contextlib.contextmanager
def _postgres_database(url: str) -> Iterator[None]:
    import psycopg
    from psycopg import sql

    name = f"inspector_bench_{uuid.uuid4().hex[:12]}"
    parts = urlsplit(url)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield
    finally:
        del os.environ["DATABASE_URL"]
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
