"""What `inspector --cli` loads to list a stdio server's tools: only what the call needs.

Start-up is mostly imports. The web UI's Django, the HTTP transports' httpx and the
grammar of the `iri` JSON Schema format (compiled at import, a second of CPU) are not
needed to list a stdio server's tools and judge them, so they must not be loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO_ROOT
from tests.headless.conftest import CLI_TIMEOUT_SECONDS

SERVER = REPO_ROOT / "tests" / "servers" / "everything_py.py"
IMPORTTIME_CLI = (sys.executable, "-X", "importtime", "-m", "inspector.cli", "--cli")
NEVER_LOADED = ("django", "httpx", "daphne", "channels", "rfc3987_syntax.syntax_helpers")


def imported_by_tools_list() -> tuple[set[str], subprocess.CompletedProcess[str]]:
    done = subprocess.run(
        [*IMPORTTIME_CLI, sys.executable, str(SERVER), "--method", "tools/list"],
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
        cwd=REPO_ROOT,
        check=False,
    )
    # `import time: self | cumulative | module`, one line per module imported.
    modules = {
        line.rpartition("|")[2].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    return modules, done


def test_listing_a_stdio_servers_tools_loads_neither_django_nor_httpx() -> None:
    modules, done = imported_by_tools_list()
    assert done.returncode == 0, done.stderr
    assert {"add", "echo"} <= {tool["name"] for tool in json.loads(done.stdout)["tools"]}
    assert "inspector.mcp.client.client" in modules  # the parse saw the imports
    loaded = sorted(
        module
        for module in modules
        if any(module == name or module.startswith(f"{name}.") for name in NEVER_LOADED)
    )
    assert loaded == []


def test_the_iri_format_is_still_checked_once_asked_for() -> None:
    # The grammar is deferred, not dropped: a value checked against `iri` loads it.
    code = (
        "from inspector.mcp import jsonschema_loader\n"
        "jsonschema = jsonschema_loader.load()\n"
        "import sys\n"
        "assert 'rfc3987_syntax.syntax_helpers' not in sys.modules\n"
        "checker = jsonschema.FormatChecker()\n"
        "print(checker.conforms('https://example.com/caf\\u00e9', 'iri'),"
        " checker.conforms('no iri', 'iri'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]


def test_a_legacy_server_loads_the_wire_types_of_its_era_only() -> None:
    # Every era's models take longer to import than a server takes to start; a server
    # that speaks 2025-11-25 is judged against that era's models alone, without the
    # package's version-free models.
    code = (
        "import sys\n"
        "from inspector.cli import main\n"
        "try:\n"
        f"    main(['--cli', sys.executable, {str(SERVER)!r}, '--method', 'tools/list'])\n"
        "finally:\n"
        "    eras = sorted(m for m in sys.modules if m.startswith('mcp_types._v'))\n"
        "    print('ERAS', *eras, file=sys.stderr)\n"
        "    print('MONOLITH', 'mcp_types._types' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert {"add", "echo"} <= {tool["name"] for tool in json.loads(done.stdout)["tools"]}
    eras = next(line for line in done.stderr.splitlines() if line.startswith("ERAS"))
    assert eras.split()[1:] == ["mcp_types._v2025_11_25"]
    assert "MONOLITH False" in done.stderr
