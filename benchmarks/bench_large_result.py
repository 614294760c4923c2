"""How a large tool result treats the page: the real inspector, Chromium, a real server.

For each size, `big_text` of the tools fixture server is called from the Tools tab and
the script reports: the time from the click to the rendered result, the longest task
that blocked the page's main thread meanwhile (PerformanceObserver "longtask"; the page
is frozen for that long), the bytes of HTML the result added, and the same two timings
for "Show all" when the result was cut.

    python benchmarks/bench_large_result.py                  # 100 kB, 1 MB, 10 MB
    python benchmarks/bench_large_result.py --sizes 10485760 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
from tests.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

TOOLS_SERVER = REPO_ROOT / "tests" / "servers" / "tools_server.py"
READY = re.compile(r"Open (http://127\.0\.0\.1:\d+/\?token=\S+)")
WATCH_LONG_TASKS = """
() => {
  window.__longest = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      window.__longest = Math.max(window.__longest, entry.duration);
    }
  }).observe({ type: "longtask", buffered: false });
}
"""


def start_inspector(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    log = data_dir / "stdout.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSPECTOR_")}
    env.update(INSPECTOR_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    with log.open("wb") as stdout:
        process = subprocess.Popen(
            ["inspector", "--port", str(_free_port())],
            cwd=REPO_ROOT,
            env=env,
            stdout=stdout,
            stderr=subprocess.DEVNULL,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        match = READY.search(log.read_text(errors="replace"))
        if match:
            return process, match.group(1)
        time.sleep(0.05)
    process.terminate()
    raise SystemExit("The inspector did not start.")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def open_big_text(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_label("Transport", exact=True).select_option("stdio")
    page.get_by_label("Command", exact=True).fill(sys.executable)
    page.get_by_label("Arguments", exact=True).fill(str(TOOLS_SERVER))
    page.get_by_role("button", name="Connect").click()
    page.get_by_role("button", name="Tool big_text").click()
    page.locator("#tool-detail").get_by_label("size").wait_for()


def measure(page: Page, size: int) -> dict[str, Any]:
    detail = page.locator("#tool-detail")
    detail.get_by_label("size").fill(str(size))
    page.wait_for_timeout(600)  # let the arguments settle
    before = page.evaluate("document.documentElement.outerHTML.length")
    page.evaluate(WATCH_LONG_TASKS)
    started = time.perf_counter()
    detail.get_by_role("button", name="Run tool").click()
    page.locator("#tool-results > article").nth(0).wait_for()
    page.wait_for_function("() => !document.querySelector('#tool-form.htmx-request')")
    rendered_ms = (time.perf_counter() - started) * 1000
    page.wait_for_timeout(300)  # long tasks are reported just after they end
    row: dict[str, Any] = {
        "size_bytes": size,
        "click_to_result_ms": round(rendered_ms, 1),
        "longest_task_ms": round(page.evaluate("window.__longest"), 1),
        "html_added_bytes": page.evaluate("document.documentElement.outerHTML.length") - before,
    }
    show_all = page.locator("#tool-results > article").nth(0).get_by_role("button", name="Show all")
    if show_all.count():
        page.evaluate(WATCH_LONG_TASKS)
        started = time.perf_counter()
        show_all.click()
        page.locator("#tool-results > article").nth(0).locator("pre.full").wait_for()
        row["show_all_ms"] = round((time.perf_counter() - started) * 1000, 1)
        page.wait_for_timeout(300)
        row["show_all_longest_task_ms"] = round(page.evaluate("window.__longest"), 1)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_048_576, 10_485_760])
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-large-") as tmp:
        process, url = start_inspector(Path(tmp))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                open_big_text(page, url)
                for size in args.sizes:
                    rows.append(measure(page, size))
                    print(json.dumps(rows[-1]))
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
