"""Benchmark of the surface diff: two surfaces of N tools (default 500), one in ten
changed (a description, a property's type, a requirement), compared as `inspector diff`
compares them, from snapshot files on disk to the rendered text.

    python benchmarks/bench_diff.py [--tools 500] [--runs 5]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from inspector.surface.diff import diff_surfaces  # noqa: E402
from inspector.surface.model import Surface  # noqa: E402
from inspector.surface.render import DiffFormat, render_diff  # noqa: E402
from inspector.surface.sources import read_surface_file  # noqa: E402


def tool(index: int) -> dict[str, Any]:
    properties = {
        f"field_{n}": {"type": "string", "description": f"Field {n} of tool {index}."}
        for n in range(12)
    }
    return {
        "name": f"tool_{index}",
        "title": f"Tool {index}",
        "description": f"Does thing number {index}. " * 5,
        "inputSchema": {"type": "object", "properties": properties, "required": ["field_0"]},
        "annotations": {"readOnlyHint": index % 2 == 0},
    }


def surfaces(count: int) -> tuple[Surface, Surface]:
    before = Surface(server={"name": "bench"}, lists={"tools": [tool(i) for i in range(count)]})
    after = copy.deepcopy(before)
    for index, changed in enumerate(after.lists["tools"]):
        if index % 10 == 0:
            changed["description"] += "Changed."
            changed["inputSchema"]["properties"]["field_3"]["type"] = "integer"
            changed["inputSchema"]["required"].append("field_5")
    return before, after


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tools", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    before, after = surfaces(args.tools)
    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / "a.json", Path(tmp) / "b.json"]
        for path, surface in zip(paths, (before, after), strict=True):
            path.write_text(json.dumps(surface.to_json(), indent=2))
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            compared = diff_surfaces(read_surface_file(paths[0]), read_surface_file(paths[1]))
            text = render_diff(compared, DiffFormat.TEXT, before="a", after="b")
            times.append(time.perf_counter() - started)
    print(
        f"diff of two surfaces of {args.tools} tools ({compared.counts()['changed']} changed, "
        f"{len(text.splitlines())} lines of output): median {statistics.median(times):.3f} s, "
        f"max {max(times):.3f} s over {args.runs} runs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
