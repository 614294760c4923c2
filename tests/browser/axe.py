"""axe-core for the browser tests: fetched from the npm registry once into a cache
directory (it is not part of the repository), injected into a page, and run with the
WCAG 2.1 A and AA rules in both colour themes."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.support import screenshot

AXE_VERSION = "4.10.3"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
THEMES = ("light", "dark")


def axe_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "inspector-tests" / f"axe-core-{AXE_VERSION}"


def axe_script() -> Path:
    """axe.min.js of the pinned version, installed with npm on first use."""
    prefix = axe_cache()
    script = prefix / "node_modules" / "axe-core" / "axe.min.js"
    if script.exists():
        return script
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to fetch axe-core for the accessibility tests.")
    done = subprocess.run(
        [
            npm,
            "install",
            "--prefix",
            str(prefix),
            "--no-audit",
            "--no-fund",
            "--no-save",
            f"axe-core@{AXE_VERSION}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0 or not script.exists():
        pytest.fail(f"npm could not install axe-core@{AXE_VERSION}:\n{done.stderr}")
    return script


def violations(page: Page, script: Path, scope: str | None = None) -> list[dict[str, Any]]:
    """What axe finds against WCAG 2.1 A/AA in the page (or the element `scope` selects)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(script))
    found: list[dict[str, Any]] = page.evaluate(
        """async ([scope, tags]) => {
            const context = scope ? document.querySelector(scope) : document;
            const result = await window.axe.run(context, {
                runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
                // WCAG 2.5.3 (Label in Name, level A): axe still calls the rule
                // experimental, so it runs only when asked for.
                rules: {"label-content-name-mismatch": {enabled: true}},
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html,
                                           summary: n.failureSummary})),
            }));
        }""",
        [scope, WCAG_TAGS],
    )
    return found


def describe(where: str, found: list[dict[str, Any]]) -> str:
    """The violations one per element, readable in a test failure."""
    lines = [f"{where}: {sum(len(v['nodes']) for v in found)} violation(s)"]
    for violation in found:
        lines.append(f"  [{violation['id']}] {violation['help']} ({violation['impact']})")
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}: {node['html'][:200]}")
            summary = " ".join(str(node["summary"]).split())
            lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


@contextmanager
def theme(page: Page, name: str) -> Iterator[None]:
    """The system's colour scheme set to `name` while inside."""
    page.emulate_media(color_scheme=name)  # type: ignore[arg-type]
    try:
        yield
    finally:
        page.emulate_media(color_scheme="light")


def audit(page: Page, script: Path, name: str, scope: str | None = None) -> list[str]:
    """axe in the light and then the dark scheme, with a screenshot of each; returns the
    readable reports of what failed (empty when nothing did)."""
    problems = []
    for scheme in THEMES:
        with theme(page, scheme):
            found = violations(page, script, scope)
            screenshot(page, f"{name}-{scheme}")
        if found:
            problems.append(describe(f"{name} ({scheme})", found))
    return problems


def assert_clean(problems: list[str]) -> None:
    assert not problems, "axe-core (WCAG 2.1 A/AA) found:\n" + "\n".join(problems)
