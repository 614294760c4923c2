"""The `inspector` command: serve the web UI on loopback, optionally with a server prefilled.

    inspector                         start the web UI
    inspector https://host/mcp        ... with that URL in the connect form
    inspector npx -y some-server      ... with that command in the connect form (the
                                      official inspector's way); the inspector's own
                                      options go before it, or the command after `--`
    inspector --cli TARGET --method M call one method headlessly (see `inspector --cli --help`)
    inspector doctor TARGET           the server's report card (see `inspector doctor --help`)
    inspector load TARGET --tool T    a load test of one tool (see `inspector load --help`)
    inspector open FILE               start the web UI on a session file (exported, or a trace)
    inspector snapshot TARGET         write the server's surface (tools, schemas...) as JSON
    inspector diff A B                compare two surfaces (snapshots, session files, servers)
    inspector replay FILE TARGET      send a session file's requests again, compare answers
    inspector createadmin --username U --email E [--workspace NAME]
                                      a hosted inspector's first admin account

Django is imported only once the web UI is being served, so that the headless mode of
this command starts fast.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import logging
import os
import secrets
import socket
import sys
from collections.abc import Sequence
from typing import Any, NoReturn, cast

from inspector.headless.target import looks_like_url
from inspector.headless.words import UsageError
from inspector.mcp.hosts import is_loopback_host

DEFAULT_PORT = 6280  # clear of MCP servers' 3000/8000 and the official inspector's 6274/6277
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", "", "*"})


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    argv = list(argv)
    after_separator: list[str] | None = None
    if "--" in argv:
        split = argv.index("--")
        argv, after_separator = argv[:split], argv[split + 1 :]
    parser = argparse.ArgumentParser(
        prog="inspector", description="A web-based inspector for MCP servers."
    )
    # Everything from the first word that is not an option of ours belongs to the server,
    # its own options included (`inspector npx -y server --port 3000`), as with the
    # official inspector.
    parser.add_argument(
        "target",
        nargs=argparse.REMAINDER,
        metavar="URL | COMMAND ARGS",
        help="an MCP server URL, or a stdio server's command line, to prefill",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--apps-port",
        type=int,
        default=0,
        help="port of the MCP Apps sandbox, a second origin (default: one the system picks)",
    )
    parser.add_argument(
        "--transport", choices=["http", "sse"], help="transport of the prefilled URL (default http)"
    )
    parser.add_argument(
        "--dangerously-bind-all",
        action="store_true",
        help="allow binding an address other than loopback (the token is still required)",
    )
    args = parser.parse_args(argv)
    words: list[str] = args.target
    if words and looks_like_url(words[0]):
        # A URL takes no arguments: what follows it are our options
        # (`inspector https://host/sse --transport sse`).
        at = len(argv) - len(words)
        args = parser.parse_args([*argv[:at], *argv[at + 1 :]])
        if args.target or after_separator is not None:
            parser.error("a URL takes no arguments; give either a URL or a command")
        args.target, args.server_command = words[0], []
        return args
    # `inspector node server.js -- --verbose` (the official form for a server option
    # that clashes with one of ours) and `inspector -- node server.js` alike.
    args.target, args.server_command = None, [*words, *(after_separator or [])]
    if args.transport is not None and args.server_command:
        parser.error("--transport applies to a URL; a command runs over stdio")
    return args


def check_bind(host: str, allow_all: bool) -> None:
    if allow_all:
        return
    if host in WILDCARD_HOSTS:
        raise UsageError(
            f"Refusing to bind {host or 'all addresses'}: anyone on the network could start "
            "processes through the inspector. Pass --dangerously-bind-all if you mean it."
        )
    if not is_loopback_host(host):
        raise UsageError(
            f"Refusing to bind {host}: only loopback addresses are allowed without "
            "--dangerously-bind-all."
        )


def check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(
                f"Cannot listen on {host}:{port}: {exc.strerror}. Try --port."
            ) from exc


def free_port(host: str) -> int:
    """A port free now, for the sandbox: its origin must be known before Django starts
    (the pages' policy names it), so the system's choice is asked for up front."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host if host not in WILDCARD_HOSTS else "127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def network_names(host: str) -> list[str]:
    """The host names a browser may use to reach a non-loopback bind."""
    if host not in WILDCARD_HOSTS:
        return [host]
    machine = socket.gethostname()
    try:
        _, aliases, addresses = socket.gethostbyname_ex(machine)
    except OSError:
        aliases, addresses = [], []
    return sorted({machine, *aliases, *addresses})


def prefill_from(args: argparse.Namespace) -> dict[str, Any]:
    if args.server_command:
        return {"command": args.server_command[0], "args": args.server_command[1:]}
    if args.target:
        return {"url": args.target, "transport": args.transport or "http"}
    return {}


def wants_headless(argv: Sequence[str]) -> bool:
    """`--cli` among the inspector's own words (after `--`, it belongs to the server)."""
    words = list(argv)
    return "--cli" in (words[: words.index("--")] if "--" in words else words)


# The headless subcommands, by their first word: the module and its `f(argv) -> status`.
def end_now(code: int) -> NoReturn:
    """End the process without the interpreter's teardown, once the call is over.

    By then the server has been ended, the trace file closed and the answer written;
    what is left is freeing every module's objects one by one (pydantic's schemas among
    them), a fifth of a second and more that a command would spend after its answer.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


SUBCOMMANDS = {
    "doctor": ("inspector.headless.doctor", "main"),
    "snapshot": ("inspector.headless.surface", "snapshot_main"),
    "diff": ("inspector.headless.surface", "diff_main"),
    "replay": ("inspector.headless.replay", "main"),
    "load": ("inspector.headless.load", "main"),
    # Not headless: the account lives in the inspector's database, behind Django.
    "createadmin": ("inspector.management.run", "main"),
}


def main(argv: Sequence[str] | None = None) -> int:
    as_the_program = argv is None
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in SUBCOMMANDS:
        # Each loads only what it needs: the UI's Django stays out of the headless ones.
        module, function = SUBCOMMANDS[argv[0]]
        return int(getattr(importlib.import_module(module), function)(argv))
    if wants_headless(argv):
        from inspector.headless.main import main as headless_main

        code = headless_main(argv)
        if as_the_program:
            end_now(code)
        return code
    opened: str | None = None
    if argv and argv[0] == "open":
        argv = list(argv[1:])
        opened = _file_to_open(argv)
        if opened is None:
            print("inspector: usage: inspector open FILE [--host H] [--port P]", file=sys.stderr)
            return 1
        argv.remove(opened)
    args = parse_args(argv)
    try:
        check_bind(args.host, args.dangerously_bind_all)
        check_port_free(args.host, args.port)
        apps_port = args.apps_port or free_port(args.host)
        check_port_free(args.host, apps_port)
        if apps_port == args.port:
            raise UsageError("--apps-port must differ from --port: the sandbox is its own origin.")
    except UsageError as exc:
        print(f"inspector: {exc}", file=sys.stderr)
        return 1
    shown_host = args.host
    if not is_loopback_host(args.host):
        names = network_names(args.host)
        # Django refuses Host headers it does not know: name the ones this bind serves.
        listed = [*os.environ.get("INSPECTOR_ALLOWED_HOSTS", "").split(","), *names]
        os.environ["INSPECTOR_ALLOWED_HOSTS"] = ",".join(name for name in listed if name)
        shown_host = names[0] if names else args.host
        print(
            f"inspector: warning: listening on {args.host or 'all addresses'}; anyone who can "
            f"reach it and has the token can start processes here. Host names accepted: "
            f"{', '.join(names)} (add more with INSPECTOR_ALLOWED_HOSTS).",
            file=sys.stderr,
        )
    return serve(
        args.host,
        args.port,
        prefill_from(args),
        shown_host=shown_host,
        open_file=opened,
        apps_port=apps_port,
    )


def _file_to_open(argv: list[str]) -> str | None:
    """The FILE of `inspector open FILE ...`: the first word that is not an option's."""
    taking_value = False
    for word in argv:
        if taking_value:
            taking_value = False
        elif word in ("--host", "--port", "--transport", "--apps-port"):
            taking_value = True
        elif not word.startswith("-"):
            return word
    return None


def serve(
    host: str,
    port: int,
    prefill: dict[str, Any],
    *,
    shown_host: str,
    open_file: str | None = None,
    apps_port: int = 0,
) -> int:
    token = os.environ.get("INSPECTOR_TOKEN") or secrets.token_urlsafe(24)
    os.environ["INSPECTOR_TOKEN"] = token
    os.environ["INSPECTOR_PREFILL"] = json.dumps(prefill)
    apps_port = apps_port or free_port(host)
    shown = f"[{shown_host}]" if ":" in shown_host else shown_host
    # MCP Apps' Views run on this second origin (the sandbox listener below).
    os.environ["INSPECTOR_APPS_ORIGIN"] = f"http://{shown}:{apps_port}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inspector.settings")

    # daphne.server installs Twisted's asyncio reactor on import: it must be imported
    # before anything imports twisted.internet.reactor (the shutdown hook below does).
    import django
    from daphne.endpoints import build_endpoint_description_strings
    from daphne.server import Server
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    path = "/"
    if open_file is not None:
        try:
            path = f"/sessions/{import_session_file(open_file)}/"
        except (OSError, ValueError) as exc:
            print(f"inspector: {open_file}: {exc}", file=sys.stderr)
            return 1

    from inspector.asgi import application
    from inspector.sandbox import SandboxApp, by_port

    if ":" in shown_host:
        shown_host = f"[{shown_host}]"

    def announce() -> None:
        # The port bound, not the one asked for: `--port 0` lets the system choose.
        bound = next((found for _, found in server.listening_addresses if found != apps_port), port)
        url = f"http://{shown_host}:{bound}{path}?token={token}"
        print(f"MCP Inspector is running. Open {url}", flush=True)

    server = Server(
        # Two listeners: the inspector, and the MCP Apps sandbox on its own port.
        application=by_port(application, SandboxApp(), apps_port),
        endpoints=[
            *build_endpoint_description_strings(host=host, port=port),
            *build_endpoint_description_strings(host=host, port=apps_port),
        ],
        ready_callable=announce,
        verbosity=0,
    )
    close_sessions_before_shutdown()
    server.run()
    return 0


def import_session_file(path: str) -> str:
    """Store a session file as a recorded session and return its id; `ValueError` says
    why a file cannot be read (nothing of it is kept), `OSError` why it cannot be opened."""
    from inspector import services

    with open(path, "rb") as lines:
        try:
            snapshot = asyncio.run(
                services.session_import(lines=lines, filename=os.path.basename(path), owner_id=None)
            )
        except services.ArchiveError as exc:
            raise ValueError(f"not imported, {exc}. Nothing of it was kept.") from exc
    return snapshot.id


def close_sessions_before_shutdown() -> None:
    """Close every live session when the server process stops, so no child is orphaned."""
    # Loaded only by `serve`: the rest of the CLI starts without Django or Twisted.
    from twisted.internet import defer, reactor

    from inspector import services

    def close_all() -> defer.Deferred[None]:
        return defer.Deferred.fromFuture(asyncio.ensure_future(services.session_close_all()))

    # Twisted types its global reactor as a bare module attribute; it is an IReactorCore.
    cast(Any, reactor).addSystemEventTrigger("before", "shutdown", close_all)


if __name__ == "__main__":
    sys.exit(main())
