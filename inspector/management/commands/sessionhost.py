"""`python manage.py sessionhost`: a process holding live sessions for the web processes
(hosted mode with INSPECTOR_SESSION_HOSTS=remote; the Procfile's `sessionhost` step)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inspector.services import session_close_all
from inspector.services.hosting import keep_lease, serve_commands, start_host
from inspector.services.runtime import event_store
from inspector.serving import prepare_to_serve
from inspector.storage.session_hosts import stop_host


class Command(BaseCommand):
    help = (
        "Hold live sessions for the web processes: run the commands they forward over the "
        "channel layer, and renew this host's lease in the database until stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--name", default="", help="how pages name this host (default: the machine's name)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SESSION_HOSTS != "remote":
            raise CommandError(
                "A session host serves hosted mode with INSPECTOR_SESSION_HOSTS=remote."
            )
        prepare_to_serve()
        asyncio.run(self._serve(str(options["name"])))

    async def _serve(self, name: str) -> None:
        host = await start_host(name)
        # Every session this process records is held here, whatever started it.
        event_store().held_by = host.record.id
        self.stdout.write(
            f"session host {host.record.name} ({host.record.id}) is ready", ending="\n"
        )
        self.stdout.flush()
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopped.set)
        workers = [
            asyncio.create_task(serve_commands(host)),
            asyncio.create_task(keep_lease(host, stopped)),
        ]
        try:
            await stopped.wait()
        finally:
            for worker in workers:
                worker.cancel()
            for task in (*workers, *host.running):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            # Its sessions end, their logs flushed, before the host says it stopped.
            await session_close_all()
            await stop_host(host.record.id)
