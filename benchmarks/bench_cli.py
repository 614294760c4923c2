"""How fast the headless CLI answers, against the official inspector's CLI on the same server.

    python benchmarks/bench_cli.py [--runs 15] [--warmup 2] [--json results.json]
    python benchmarks/bench_cli.py --server everything --only-ours   # the official server

Each run is one whole command, timed from spawn to exit: `tools/list` against
`tests/servers/everything_py.py` over stdio (start the server, initialize, list, shut the
server down). The commands alternate within each round, so that drift in the machine's
load hits them all alike. Timed:

- `inspector --cli` (this project's console script);
- the official inspector's CLI, its installed `mcp-inspector` bin run directly;
- the same through `npx @modelcontextprotocol/inspector`, as its README tells people to;
- the server alone (started, handed end-of-file, exited): the floor under every command.

`--server everything` runs the same against the official "everything" server (npm, the
version the tests use) instead of the Python fixture; `--only-ours` leaves the official
inspector out (ours and the floor alone: quicker, for before/after comparisons).

The official inspector and the Node 22 it needs (the machines have Node 20) are installed
from the npm registry into a cache outside the repository, as the tests install the
official servers (`tests/headless/npm.py`; `INSPECTOR_NPM_CACHE` moves the cache).
It is a script, not a test: numbers vary with the machine, so the ratios matter.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
# The npm installer is the tests' own; run as a script, this file's folder leads sys.path.
sys.path.insert(0, str(REPO_ROOT))

from tests.headless.npm import npm_install  # noqa: E402

SERVER = REPO_ROOT / "tests" / "servers" / "everything_py.py"
EVERYTHING = "@modelcontextprotocol/server-everything@2026.8.31"  # as tests/headless uses
OFFICIAL = "@modelcontextprotocol/inspector@2.12.0"
NODE = "node@22.23.3"  # the official inspector needs Node >= 22.19
RUN_TIMEOUT_SECONDS = 120.0


@dataclass
class Contender:
    label: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    stdin: bytes | None = None
    check: Callable[[str], bool] | None = None
    seconds: list[float] = field(default_factory=list)
    # CPU (user + system) of the command and the processes it waited for: load on the
    # machine stretches the wall clock far more than it moves this.
    cpu_seconds: list[float] = field(default_factory=list)

    def run_once(self) -> float:
        # Installed programs run from compiled bytecode: a PYTHONDONTWRITEBYTECODE left in
        # the environment would time compiling the project's modules on every run instead.
        env = {**os.environ, **self.env}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        cpu_before = _children_cpu()
        started = time.perf_counter()
        result = subprocess.run(
            self.command,
            input=self.stdin,
            capture_output=True,
            env=env,
            cwd=REPO_ROOT,
            timeout=RUN_TIMEOUT_SECONDS,
            check=False,
        )
        elapsed = time.perf_counter() - started
        self.cpu_seconds.append(_children_cpu() - cpu_before)
        output = result.stdout.decode(errors="replace")
        if result.returncode != 0 or (self.check is not None and not self.check(output)):
            raise SystemExit(
                f"{self.label} failed (exit {result.returncode}):\n{output[:2000]}\n"
                f"{result.stderr.decode(errors='replace')[:2000]}"
            )
        return elapsed

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.seconds)
        return {
            "median": statistics.median(ordered),
            "min": ordered[0],
            "p90": ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))],
            "mean": statistics.fmean(ordered),
        }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def lists_the_fixture_tools(output: str) -> bool:
    try:
        tools = json.loads(output)["tools"]
    except (ValueError, KeyError, TypeError):
        return False
    return {"add", "echo", "slow_count"} <= {tool.get("name") for tool in tools}


def lists_some_tools(output: str) -> bool:
    try:
        return bool(json.loads(output)["tools"])
    except (ValueError, KeyError, TypeError):
        return False


def server_command(which: str) -> tuple[list[str], Callable[[str], bool]]:
    """The server's command line, and how to tell its tools were listed."""
    if which == "everything":
        bin_dir = npm_install(EVERYTHING) / "node_modules" / ".bin"
        return [str(bin_dir / "mcp-server-everything"), "stdio"], lists_some_tools
    return [sys.executable, str(SERVER)], lists_the_fixture_tools


def contenders(which: str, only_ours: bool) -> list[Contender]:
    server, check = server_command(which)
    call = ["--cli", *server, "--method", "tools/list"]
    ours = Path(sysconfig.get_path("scripts")) / "inspector"
    if not ours.is_file():
        raise SystemExit(f"{ours} is missing: install the project (pip install -e '.[test]')")
    if only_ours:
        return [
            Contender("inspector --cli (this project)", [str(ours), *call], check=check),
            Contender("the server alone (start, EOF, exit)", server, stdin=b""),
        ]
    prefix = npm_install(OFFICIAL, NODE)
    bin_dir = prefix / "node_modules" / ".bin"
    node_first = {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    npx = shutil.which("npx")
    if npx is None:
        raise SystemExit("npx is not on PATH")
    return [
        Contender("inspector --cli (this project)", [str(ours), *call], check=check),
        Contender(
            f"official {OFFICIAL.rpartition('@')[2]}, mcp-inspector bin",
            [str(bin_dir / "mcp-inspector"), *call],
            env=node_first,
            check=check,
        ),
        Contender(
            "official, npx @modelcontextprotocol/inspector",
            [npx, "--prefix", str(prefix), "@modelcontextprotocol/inspector", *call],
            env=node_first,
            check=check,
        ),
        Contender("the server alone (start, EOF, exit)", server, stdin=b""),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs per command first")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument(
        "--server",
        choices=("python", "everything"),
        default="python",
        help="the Python fixture (default) or the official everything server (npm)",
    )
    parser.add_argument("--only-ours", action="store_true", help="leave the official inspector out")
    args = parser.parse_args()

    lineup = contenders(args.server, args.only_ours)
    for _ in range(args.warmup):
        for contender in lineup:
            contender.run_once()
    for _ in range(args.runs):
        for contender in lineup:
            contender.seconds.append(contender.run_once())

    ours, *officials, floor = lineup
    served = SERVER.relative_to(REPO_ROOT) if args.server == "python" else EVERYTHING
    print(
        f"tools/list against {served} over stdio, load average {os.getloadavg()[0]:.1f}, "
        f"{args.runs} runs each after {args.warmup} warm-up, wall clock per command"
    )
    print(f"{'':46} {'median':>8} {'min':>8} {'p90':>8}")
    for contender in lineup:
        numbers = contender.summary()
        print(
            f"  {contender.label:44} {numbers['median']:7.3f}s {numbers['min']:7.3f}s "
            f"{numbers['p90']:7.3f}s"
        )
    median = {contender.label: contender.summary()["median"] for contender in lineup}
    ratios = {
        f"ours / {name}": median[ours.label] / median[official.label]
        for name, official in zip(("official bin", "official npx"), officials, strict=False)
    }
    overhead = {
        contender.label: median[contender.label] - median[floor.label]
        for contender in (ours, *officials)
    }
    cpu = {
        contender.label: statistics.median(contender.cpu_seconds[args.warmup :])
        for contender in lineup
    }
    print(
        "CPU (median, the server's included): "
        + ", ".join(f"{label} {seconds:.3f}s" for label, seconds in cpu.items())
    )
    print(
        "CPU above the server alone: "
        + ", ".join(
            f"{contender.label} +{(cpu[contender.label] - cpu[floor.label]) * 1000:.0f} ms"
            for contender in (ours, *officials)
        )
    )
    if ratios:
        print(
            "ratios of medians: "
            + ", ".join(f"{name} {value:.2f}" for name, value in ratios.items())
        )
    print(
        "above the server alone: "
        + ", ".join(f"{label} +{seconds * 1000:.0f} ms" for label, seconds in overhead.items())
    )
    if args.json:
        report: dict[str, Any] = {
            "machine": {"python": platform.python_version(), "platform": platform.platform()},
            "runs": args.runs,
            "warmup": args.warmup,
            "commands": {
                contender.label: {
                    "command": contender.command,
                    "seconds": contender.seconds,
                    **contender.summary(),
                }
                for contender in lineup
            },
            "ratios": ratios,
            "above_the_server_alone": overhead,
            "cpu_seconds_median": cpu,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
