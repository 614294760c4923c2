"""The configuration-file reader takes any text a person may paste or point it at: it
returns servers or raises ConfigError (one line saying what is wrong), nothing else; the
JSONC layer under it raises only json.JSONDecodeError."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from inspector.sessions.config_files import ConfigError, parse_config, parse_config_report
from inspector.sessions.jsonc import load_jsonc
from tests.mcp.fuzzing import FUZZ, FUZZ_FEW, JSON_VALUES

KEYS = [
    "mcpServers", "servers", "mcp", "name", "command", "args", "env", "cwd", "type", "url",
    "serverUrl", "headers", "inspector", "era", "protocolVersion", "connectTimeout",
    "requestTimeout", "maxTotalTimeout", "resetTimeoutOnProgress", "oauth", "grantType",
    "clientId", "clientSecret", "scope",
]  # fmt: skip
AWKWARD = st.sampled_from(
    [
        "http://[::1", "https://[v1.x]/", "http://exa mple.com", "stdio", "sse", "http",
        "legacy", "modern", "2025-06-18", "${input:x}", "client_credentials", "",
        " ", 10**400, -(10**400), 1e308, 0, -1, True, None,
    ]
)  # fmt: skip
ENTRY_VALUES = st.recursive(
    AWKWARD | JSON_VALUES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), inner, max_size=6)
    ),
    max_leaves=20,
)

# Server entries built from the keys the reader looks at, so that values reach each check.
INSPECTOR_EXTRAS = st.dictionaries(st.sampled_from(KEYS), AWKWARD | ENTRY_VALUES, max_size=5)
ENTRIES = st.dictionaries(
    st.sampled_from(KEYS),
    AWKWARD | ENTRY_VALUES | st.text(max_size=12).map(lambda host: f"http://{host}/mcp"),
    max_size=6,
) | st.builds(
    lambda entry, extras: {**entry, "inspector": extras},
    st.fixed_dictionaries({}, optional={"command": AWKWARD, "url": AWKWARD, "type": AWKWARD}),
    INSPECTOR_EXTRAS,
)
DOCUMENTS = (
    ENTRIES
    | st.dictionaries(st.text(max_size=4), ENTRIES, max_size=3)
    | st.dictionaries(st.sampled_from(["mcpServers", "servers"]), st.lists(ENTRIES, max_size=3))
    | st.builds(
        lambda servers: {"mcpServers": servers}, st.dictionaries(st.text(max_size=4), ENTRIES)
    )
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), ENTRY_VALUES, max_size=5)
)
# Pieces of JSONC, so that random text often comes close to parsing.
JSONC_PIECES = st.lists(
    st.sampled_from(
        ["{", "}", "[", "]", ",", ":", '"a"', '"//"', "//c\n", "/*c*/", "/*", "1", "\\"]
    )
    | st.text(max_size=4),
    max_size=30,
).map("".join)


def read(text: str) -> None:
    for reader in (parse_config, parse_config_report):
        message = None
        try:
            reader(text)
        except ConfigError as error:
            message = str(error)
        assert message is None or message  # a ConfigError always says what is wrong


@FUZZ
@given(DOCUMENTS | ENTRY_VALUES)
def test_any_json_document_gives_servers_or_a_config_error(document: Any) -> None:
    read(json.dumps(document))


@FUZZ
@given(st.text(max_size=120) | JSONC_PIECES)
def test_any_text_gives_servers_or_a_config_error(text: str) -> None:
    read(text)


@FUZZ_FEW
@given(st.integers(min_value=1, max_value=100_000), st.sampled_from(["[", '{"mcpServers":']))
def test_deep_nesting_is_a_config_error(depth: int, opener: str) -> None:
    read(opener * depth)


@FUZZ
@given(st.text(max_size=120) | JSONC_PIECES)
def test_jsonc_raises_only_a_decode_error(text: str) -> None:
    position = 0
    try:
        load_jsonc(text)
    except json.JSONDecodeError as error:
        position = error.pos
    assert 0 <= position <= len(text)  # the place of the fault, in the text as written
