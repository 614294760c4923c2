"""The session page in Chromium, against the official inspector's web UI, on one server.

    python benchmarks/bench_ui.py [--runs 5] [--flood 20000] [--big 10000000]
                                  [--ours PATH] [--only ours|official] [--json out.json]

Both UIs are started on `tests/servers/flood_stdio.py` (stdio, no SDK: its tools echo,
flood the client with `notifications/message` then answer, or answer with one huge text
block) and driven in Debian's Chromium by Playwright, as a person would: connect, open the
tool, fill its argument, click its run button. Measured:

1. click-to-result of `echo` (median of --runs; the answer, "echo: <message>", is a text
   the form itself never shows);
2. `flood` with --flood notifications: click-to-result, and the page's long tasks
   (PerformanceObserver 'longtask', from the click until 3 s after the result): count,
   longest, total;
3. `big` with --big characters: click-to-result and the longest task.

Click-to-result runs, in the page's own clock, from the click on the run button to the DOM
change that brings the result's text (a MutationObserver: no polling, no layout forced).
The official inspector (and the Node 22 it needs) is installed from the npm registry into
a cache, as `bench_cli.py` does; its web UI is opened at the URL it prints, which carries
its API token. `--ours PATH` runs our
inspector from another checkout (e.g. an export of main, for "before" figures).
It is a script, not a test: numbers vary with the machine, so the ratios matter.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402

from tests.browser.conftest import free_port  # noqa: E402
from tests.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.headless.npm import npm_install  # noqa: E402

SERVER = REPO_ROOT / "tests" / "servers" / "flood_stdio.py"
OFFICIAL = "@modelcontextprotocol/inspector@2.12.0"
NODE = "node@22.23.3"
OURS_READY = re.compile(r"MCP Inspector is running\. Open (http://127\.0\.0\.1:\d+/\?token=\S+)")
OFFICIAL_READY = re.compile(r"(http://127\.0\.0\.1:\d+\?MCP_INSPECTOR_API_TOKEN=\w+)")
START_TIMEOUT = 60.0
SETTLE_MS = 3000  # long tasks are still counted this long after the result shows
LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
}).observe({ type: "longtask", buffered: true });
"""


@contextmanager
def started(
    command: list[str], env: dict[str, str], ready: re.Pattern[str], cwd: Path = REPO_ROOT
) -> Iterator[str]:
    """A UI's server in its own process group; yields the URL it prints."""
    with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
        log = Path(tmp) / "out.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=cwd,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline:
                match = ready.search(log.read_text(errors="replace"))
                if match:
                    yield match.group(1)
                    return
                if process.poll() is not None:
                    break
                time.sleep(0.1)
            raise SystemExit(f"{command[0]} did not start:\n{log.read_text(errors='replace')}")
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def ours(checkout: Path) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INSPECTOR_", "DJANGO_"))}
    env.update(PYTHONPATH=str(checkout), PYTHONUNBUFFERED="1")
    with tempfile.TemporaryDirectory(prefix="bench-ui-data-") as data:
        env["INSPECTOR_DATA_DIR"] = data
        command = [sys.executable, "-m", "inspector.cli", "--port", str(free_port())]
        # In the checkout: `python -m` puts the working directory first on the path.
        with started(command, env, OURS_READY, cwd=checkout) as url:
            yield url


@contextmanager
def official() -> Iterator[str]:
    prefix = npm_install(OFFICIAL, NODE)
    bin_dir = prefix / "node_modules" / ".bin"
    env = dict(os.environ)
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        CLIENT_PORT=str(free_port()),
        MCP_AUTO_OPEN_ENABLED="false",
        MCP_INSPECTOR_SECRET_STORE="memory",
    )
    command = [str(bin_dir / "mcp-inspector"), "--web", sys.executable, str(SERVER)]
    with started(command, env, OFFICIAL_READY) as url:
        yield url


class Driver:
    """How a person gets to a tool's run button in one UI."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def connect(self, url: str) -> None:
        raise NotImplementedError

    def run(self, tool: str, argument: str, value: str) -> None:
        """Open the tool and fill its one argument (not yet clicked)."""
        raise NotImplementedError

    def click_run(self) -> None:
        raise NotImplementedError


class OurDriver(Driver):
    def connect(self, url: str) -> None:
        page = self.page
        page.goto(url)
        form = page.get_by_role("region", name="Connect to a server")
        form.get_by_label("Transport", exact=True).select_option("stdio")
        form.get_by_label("Protocol era", exact=True).select_option("legacy")
        form.get_by_label("Command", exact=True).fill(sys.executable)
        form.get_by_label("Arguments", exact=True).fill(str(SERVER))
        form.get_by_role("button", name="Connect").click()
        page.get_by_role("status", name="Session status").filter(has_text="connected").wait_for()

    def run(self, tool: str, argument: str, value: str) -> None:
        self.page.get_by_role("tab", name="Tools").click()
        detail = self.page.locator("#tool-detail")
        if not detail.get_by_role("heading", name=tool, exact=True).count():
            tools = self.page.get_by_role("list", name="Tools")
            tools.get_by_role("button", name=f"Tool {tool}", exact=True).click()
        detail.get_by_label(argument).fill(value)

    def click_run(self) -> None:
        self.page.locator("#tool-detail").get_by_role("button", name="Run tool").click()


class OfficialDriver(Driver):
    def connect(self, url: str) -> None:
        page = self.page
        page.goto(url)
        page.get_by_role("switch").first.click(force=True)  # the server card's toggle
        page.get_by_text("Connected", exact=True).first.wait_for()
        page.get_by_text("Tools", exact=True).first.click()

    def run(self, tool: str, argument: str, value: str) -> None:
        # Its inputs are not tied to their labels; each sits next to its label (Mantine).
        label = self.page.locator("label", has_text=re.compile(f"^{argument}"))
        field = label.locator("xpath=..").locator("input, textarea").first
        # After a call the tool's form may be closed, and a click on an open tool closes
        # it: click the tool until its form shows.
        for _ in range(4):
            try:
                field.wait_for(state="visible", timeout=3000)
                break
            except PlaywrightTimeoutError:
                self.page.get_by_role("button", name=tool, exact=True).click()
        field.fill(value)

    def click_run(self) -> None:
        self.page.get_by_role("button", name="Execute Tool").click()


# Armed before the click: the time of the click, and of the first change to the page that
# brings the expected text (a MutationObserver looks at what was added, so the watch
# itself costs next to nothing; polling the page's text would lay it out every frame).
ARM = """
(text) => {
  window.__clickAt = null;
  window.__found = null;
  window.__longTasks = [];
  document.addEventListener("click", () => { window.__clickAt ??= performance.now(); },
                            { capture: true, once: true });
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      const nodes = record.type === "characterData" ? [record.target] : record.addedNodes;
      for (const node of nodes) {
        if ((node.textContent || "").includes(text)) {
          window.__found = performance.now();
          observer.disconnect();
          return;
        }
      }
    }
  });
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
}
"""


def timed_call(
    driver: Driver, tool: str, argument: str, value: str, expect: str, timeout_s: float
) -> dict[str, Any]:
    page = driver.page
    print(f"  {tool} {argument}={value[:20]}", file=sys.stderr, flush=True)
    driver.run(tool, argument, value)
    # The form settles: both UIs check the arguments, ours after a pause, and swap parts
    # of the form meanwhile.
    page.wait_for_timeout(1500)
    page.evaluate(ARM, expect)
    driver.click_run()
    try:
        page.wait_for_function(
            "() => window.__found !== null", polling=100, timeout=timeout_s * 1000
        )
    except PlaywrightTimeoutError:
        # A page whose main thread stays frozen cannot even be asked what it observed.
        return {"seconds": None, "no_result_within_s": timeout_s}
    seconds = page.evaluate("() => (window.__found - window.__clickAt) / 1000")
    page.wait_for_timeout(SETTLE_MS)
    tasks: list[float] = page.evaluate("() => window.__longTasks")
    result = {
        "seconds": round(seconds, 3),
        "long_tasks": len(tasks),
        "longest_ms": round(max(tasks, default=0.0)),
        "long_total_ms": round(sum(tasks)),
    }
    print(f"    {json.dumps(result)}", file=sys.stderr, flush=True)  # in case a later one hangs
    return result


def measure(
    browser: Browser, url: str, make: Callable[[Page], Driver], args: argparse.Namespace
) -> dict[str, Any]:
    def fresh() -> Driver:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=False)
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.add_init_script(LONG_TASKS)
        driver = make(page)
        driver.connect(url)
        return driver

    # Each measure in a page of its own: a flood's rows must not weigh on the next one,
    # and the official UI closes a tool's form after a call.
    echoes_or_none = []
    for n in range(args.runs):
        driver = fresh()
        echo = timed_call(driver, "echo", "message", f"hello {n}", f"echo: hello {n}", args.timeout)
        echoes_or_none.append(echo["seconds"])
        driver.page.context.close()
    driver = fresh()
    flood = timed_call(
        driver, "flood", "count", str(args.flood), f"flooded {args.flood}", args.timeout
    )
    driver.page.context.close()
    driver = fresh()
    # The huge text is all "x"; its first characters are in any view of it.
    big = timed_call(driver, "big", "size", str(args.big), "x" * 200, args.timeout)
    driver.page.context.close()
    echoes = [seconds for seconds in echoes_or_none if seconds is not None]
    return {
        "echo_median_s": round(statistics.median(echoes), 3) if echoes else None,
        "echo_no_result": len(echoes_or_none) - len(echoes),
        "flood": flood,
        "big": big,
    }


def ratios(mine: dict[str, Any], theirs: dict[str, Any]) -> dict[str, float | str]:
    """Ours over theirs; a side that showed no result is named instead of a ratio."""
    pairs = {
        "echo": (mine["echo_median_s"], theirs["echo_median_s"]),
        "flood": (mine["flood"]["seconds"], theirs["flood"]["seconds"]),
        "big": (mine["big"]["seconds"], theirs["big"]["seconds"]),
    }
    out: dict[str, float | str] = {}
    for name, (ours_s, theirs_s) in pairs.items():
        if ours_s is None or theirs_s is None:
            out[name] = "no result from " + ("ours" if ours_s is None else "official")
        else:
            out[name] = round(ours_s / theirs_s, 3)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--flood", type=int, default=20_000)
    parser.add_argument("--big", type=int, default=10_000_000)
    parser.add_argument("--ours", type=Path, default=REPO_ROOT)
    parser.add_argument("--only", choices=["ours", "official"])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for a result")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            if args.only != "official":
                with ours(args.ours.resolve()) as url:
                    results["ours"] = measure(browser, url, OurDriver, args)
                print("ours:", json.dumps(results["ours"]), flush=True)
            if args.only != "ours":
                with official() as url:
                    results["official"] = measure(browser, url, OfficialDriver, args)
                print("official:", json.dumps(results["official"]), flush=True)
        finally:
            browser.close()
    if "ours" in results and "official" in results:
        results["ratios_ours_over_official"] = ratios(results["ours"], results["official"])
        print("ours / official, click-to-result:", json.dumps(results["ratios_ours_over_official"]))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
