"""`inspector snapshot` and `inspector diff`, run as a person types them, against two
versions of a fixture server (`tests/servers/surface_server.py`), snapshot files and
session files; every exit status."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.headless.conftest import inspector_command as inspector

PYTHON = sys.executable
V1 = (PYTHON, "-m", "tests.servers.surface_server", "v1")
V2_WORD = f"{PYTHON} -m tests.servers.surface_server v2"


def test_a_snapshot_holds_every_page_of_every_list(tmp_path: Path) -> None:
    out = tmp_path / "v1.json"
    done = inspector("snapshot", *V1, "-o", str(out))
    assert done.returncode == 0, done.stderr
    snapshot = json.loads(out.read_text())
    assert snapshot["format"] == "mcp-inspector-surface"
    assert snapshot["server"]["name"] == "surface-fixture"
    assert snapshot["server"]["instructions"] == "Ask about the weather."
    assert [tool["name"] for tool in snapshot["tools"]] == ["forecast", "alerts", "legacy_lookup"]
    assert snapshot["prompts"][0]["arguments"][0]["name"] == "city"
    assert "resources" not in snapshot, "lists the server does not offer are left out"


def test_diff_against_the_changed_server_names_every_change(tmp_path: Path) -> None:
    before = tmp_path / "v1.json"
    assert inspector("snapshot", *V1, "-o", str(before)).returncode == 0
    done = inspector("diff", str(before), V2_WORD)
    assert done.returncode == 1, done.stderr
    assert "1 added, 1 removed, 3 changed." in done.stdout
    for line in (
        "~ tool forecast: changed",
        '    description: "The weather ahead." → "The weather, ahead."',
        '    inputSchema.properties.city.type: "string" → "integer"',
        "    inputSchema.properties.days: now required",
        "- tool legacy_lookup: removed",
        "+ tool geocode: added",
        "    arguments.style.required: false → true",
        '    version: "1.0.0" → "2.0.0"',
    ):
        assert line in done.stdout.splitlines(), line
    as_json = json.loads(inspector("diff", str(before), V2_WORD, "--format", "json").stdout)
    assert as_json["counts"] == {"added": 1, "removed": 1, "changed": 3}
    markdown = inspector("diff", str(before), V2_WORD, "--format", "markdown").stdout
    assert "- **tool `forecast`**: changed" in markdown


def test_the_same_surface_is_exit_0_from_a_snapshot_or_a_live_server(tmp_path: Path) -> None:
    before = tmp_path / "v1.json"
    assert inspector("snapshot", *V1, "-o", str(before)).returncode == 0
    done = inspector("diff", str(before), " ".join(V1), "-o", str(tmp_path / "out.txt"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.txt").read_text().splitlines()[2] == "The surfaces are the same."


def test_a_session_file_is_a_surface_too(tmp_path: Path) -> None:
    trace = tmp_path / "call.jsonl"
    listed = inspector("--cli", *V1, "--method", "tools/list", "--trace", str(trace))
    assert listed.returncode == 0, listed.stderr
    done = inspector("diff", str(trace), V2_WORD)
    assert done.returncode == 1
    assert "+ tool geocode: added" in done.stdout
    assert "~ prompt daily" not in done.stdout, "the trace listed no prompts: nothing to say"


def test_usage_bad_files_and_unreachable_servers_have_their_own_status(tmp_path: Path) -> None:
    assert inspector("diff", "only-one").returncode == 2
    assert inspector("diff", "a", "b", "--format", "yaml").returncode == 2
    junk = tmp_path / "junk.json"
    junk.write_text('{"format": "something"}\n')
    bad = inspector("diff", str(junk), str(junk))
    assert bad.returncode == 2
    assert "not a session file" in bad.stderr or "not a surface" in bad.stderr
    gone = inspector("diff", str(junk.with_name("missing")) + " --x", str(junk))
    assert gone.returncode == 4, gone.stderr
    assert inspector("snapshot").returncode == 1
    unreachable = inspector("snapshot", "http://127.0.0.1:9/mcp", "--connect-timeout", "5")
    assert unreachable.returncode == 4
    assert "could not connect" in unreachable.stderr
    help_text = inspector("diff", "--help")
    assert help_text.returncode == 0
    assert "usage: inspector diff A B" in help_text.stdout
