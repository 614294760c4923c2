"""`python manage.py createadmin` (also `inspector createadmin`): the first admin of a
hosted inspector. It makes a superuser account (with its personal workspace) and, with
--workspace, a team workspace it administers, from which it invites the others.

The password never appears on the command line, where other users of the machine and
the shell's history would see it: it comes from an environment variable or a prompt.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from inspector import services


class Command(BaseCommand):
    help = (
        "Create an admin account for a hosted inspector (a superuser with its personal "
        "workspace) and, with --workspace, a team workspace it administers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--workspace", metavar="NAME", help="also create a team workspace of this name"
        )
        parser.add_argument(
            "--password-from-env",
            metavar="VARIABLE",
            help="read the password from this environment variable (else it is asked for)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"].strip()
        email: str = options["email"].strip()
        workspace: str | None = (options["workspace"] or "").strip() or None
        if not username:
            raise CommandError("--username must not be empty.")
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"--email: {email!r} is not an email address.") from exc
        password = self._password(options["password_from_env"])
        try:
            team = asyncio.run(
                services.admin_account_create(
                    username=username, email=email, password=password, workspace_name=workspace
                )
            )
        except ValueError as exc:
            raise CommandError(f"{exc} Nothing was changed.") from exc
        made = f"Created the admin account {username!r} with its personal workspace"
        self.stdout.write(f"{made} and the team workspace {team.name!r}." if team else f"{made}.")

    def _password(self, variable: str | None) -> str:
        if variable:
            password = os.environ.get(variable, "")
            if not password:
                raise CommandError(f"The environment variable {variable} is empty or unset.")
            return password
        if not sys.stdin.isatty():
            raise CommandError(
                "No password: pass --password-from-env VARIABLE, or run this in a terminal "
                "to be asked for it."
            )
        password = getpass.getpass("Password: ")
        if not password:
            raise CommandError("The password must not be empty.")
        if getpass.getpass("Password (again): ") != password:
            raise CommandError("The two passwords differ.")
        return password
