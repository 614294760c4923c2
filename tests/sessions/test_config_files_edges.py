"""Configuration files the fuzzer found to crash the reader: each is now a ConfigError
naming what is wrong, and the rest of the file still reads."""

from __future__ import annotations

import json

import pytest

from inspector.sessions.config_files import ConfigError, parse_config, parse_config_report
from inspector.sessions.jsonc import load_jsonc


def test_a_url_with_an_unclosed_ipv6_bracket_is_that_entrys_error() -> None:
    text = json.dumps(
        {"mcpServers": {"broken": {"url": "http://[::1/mcp"}, "fine": {"command": "node"}}}
    )
    report = parse_config_report(text)
    assert [server.name for server in report.servers] == ["fine"]
    assert len(report.errors) == 1
    assert "broken" in str(report.errors[0])
    assert "not a valid URL" in str(report.errors[0])


def test_one_pasted_server_with_a_broken_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not a valid URL"):
        parse_config(json.dumps({"url": "http://[::1"}))


def test_a_timeout_too_large_for_a_float_is_refused() -> None:
    entry = {"command": "node", "inspector": {"requestTimeout": 10**400}}
    with pytest.raises(ConfigError, match="positive number of seconds"):
        parse_config(json.dumps({"mcpServers": {"big": entry}}))


def test_lists_nested_too_deeply_are_not_json() -> None:
    with pytest.raises(ConfigError, match="not valid JSON: Nested too deeply"):
        parse_config("[" * 100_000)
    with pytest.raises(json.JSONDecodeError):
        load_jsonc('{"mcpServers":' * 100_000)
