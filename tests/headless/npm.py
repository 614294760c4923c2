"""Packages from the npm registry, installed once into a cache outside the repository.

Used by the tests (the official "everything" server) and by `benchmarks/bench_cli.py` (the
official inspector). Each package@version gets a prefix of its own; an install goes to a
temporary directory first and is renamed into place, so an interrupted one leaves nothing
half-made behind.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

INSTALL_TIMEOUT_SECONDS = 600


def cache_root() -> Path:
    configured = os.environ.get("INSPECTOR_NPM_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mcp-inspector-npm"


def npm_install(*packages: str) -> Path:
    """Install `name@version` packages into one prefix and return it; raise RuntimeError,
    with npm's output, when that cannot be done."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not on PATH; it is needed to install " + " ".join(packages))
    root = cache_root()
    prefix = root / "+".join(package.replace("/", "_") for package in packages)
    if _installed(prefix, packages):
        return prefix
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=root))
    try:
        command = [npm, "install", "--no-save", "--no-fund", "--no-audit", "--prefix", str(staging)]
        result = subprocess.run(
            [*command, *packages],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_SECONDS,
            check=False,
        )
        if result.returncode != 0 or not _installed(staging, packages):
            raise RuntimeError(
                f"npm install {' '.join(packages)} failed (exit {result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        try:
            staging.rename(prefix)
        except OSError:
            if not _installed(prefix, packages):  # not another process that got there first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return prefix


def _installed(prefix: Path, packages: tuple[str, ...]) -> bool:
    return all(
        (prefix / "node_modules" / package.rpartition("@")[0] / "package.json").is_file()
        for package in packages
    )
