"""Debian's Chromium, as the browser tests and benchmarks launch it: Playwright's own
browser download is not available here, and these switches keep it from reaching out."""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
