from __future__ import annotations

from inspector.mcp.masking import MASK, mask_headers, mask_token, mask_value, mask_values


def test_mask_value_keeps_the_scheme_and_a_prefix_of_a_long_secret() -> None:
    assert mask_value("Authorization", "Bearer abcdefghijklmnop") == f"Bearer abcd{MASK}"
    assert mask_value("API_KEY", "short") == MASK
    assert mask_value("PATH", "/usr/bin") == "/usr/bin"


def test_placeholders_stay_readable_wherever_secrets_are_masked() -> None:
    assert mask_value("API_KEY", "${env:API_KEY}") == "${env:API_KEY}"
    assert mask_headers({"Authorization": "Bearer ${input:token}"}) == {
        "Authorization": "Bearer ${input:token}"
    }
    assert mask_values({"TOKEN": "${TOKEN}", "SECRET": "s3cr3t-value-123"}) == {
        "TOKEN": "${TOKEN}",
        "SECRET": f"s3cr{MASK}",
    }
    assert mask_token("${input:token}") == "${input:token}"
    assert mask_token("") == ""
