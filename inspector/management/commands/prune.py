"""`python manage.py prune`: apply the retention rules once, for cron or a scheduler."""

from __future__ import annotations

import asyncio
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inspector.services.retention import RetentionRules, retention_apply


class Command(BaseCommand):
    help = (
        "Delete sessions that ended more than INSPECTOR_RETENTION_DAYS days ago, and the "
        "oldest events of ended sessions beyond INSPECTOR_MAX_EVENTS_PER_SESSION. "
        "Live sessions are never touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, help="instead of INSPECTOR_RETENTION_DAYS (0: keep sessions)"
        )
        parser.add_argument(
            "--max-events",
            type=int,
            help="instead of INSPECTOR_MAX_EVENTS_PER_SESSION (0: keep every event)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        configured = RetentionRules.from_settings()
        days = configured.days if options["days"] is None else options["days"]
        max_events = (
            configured.max_events if options["max_events"] is None else options["max_events"]
        )
        if days < 0 or max_events < 0:
            raise CommandError("--days and --max-events take a whole number, 0 or more.")
        rules = RetentionRules(days=days, max_events=max_events)
        if not rules.active:
            self.stdout.write(
                "Nothing to do: set INSPECTOR_RETENTION_DAYS or INSPECTOR_MAX_EVENTS_PER_SESSION "
                "(or pass --days or --max-events)."
            )
            return
        pruned = asyncio.run(retention_apply(rules=rules))
        self.stdout.write(
            f"Deleted {pruned.sessions} ended sessions and {pruned.events} old events."
        )
