"""The HTTP exchanges of a session as HAR 1.2: the transport's and the OAuth flow's."""

from __future__ import annotations

import json
from typing import Any

from inspector.sessions.har import document_ends, entries_of, har_entries_json, join_entries


def http_event(**detail: Any) -> dict[str, Any]:
    base = {
        "method": "POST",
        "url": "https://mcp.example/mcp?x=1",
        "status": 200,
        "request_headers": {"Content-Type": "application/json", "Authorization": "Bearer ab…"},
        "response_headers": {"content-type": "text/event-stream"},
        "duration_ms": 12.5,
        "content_type": "text/event-stream",
    }
    return {
        "seq": 3,
        "kind": "http",
        "direction": "out",
        "text": "POST …",
        "timestamp": 1_765_000_000.0,
        "detail": {**base, **detail},
    }


def test_an_http_event_is_one_entry_with_its_request_response_and_timing() -> None:
    [entry] = entries_of(http_event(body="event: message"))
    # It started its duration before the event (recorded at the end) was.
    assert entry["startedDateTime"][:22] == "2025-12-06T05:46:39.98"
    assert entry["startedDateTime"].endswith("Z")
    assert entry["time"] == 12.5
    assert entry["timings"] == {"send": 0, "wait": 12.5, "receive": 0}
    request, response = entry["request"], entry["response"]
    assert request["method"] == "POST"
    assert request["queryString"] == [{"name": "x", "value": "1"}]
    assert {"name": "Authorization", "value": "Bearer ab…"} in request["headers"]
    assert (response["status"], response["statusText"]) == (200, "OK")
    assert response["content"] == {
        "size": 14,
        "mimeType": "text/event-stream",
        "text": "event: message",
    }


def test_a_failed_exchange_has_status_0_and_says_why() -> None:
    [entry] = entries_of(http_event(status=None, response_headers={}, error="refused"))
    assert entry["response"]["status"] == 0
    assert entry["response"]["_error"] == "refused"


def test_an_oauth_step_gives_an_entry_per_exchange_with_both_bodies() -> None:
    exchange = {
        "method": "POST",
        "url": "https://as.example/token",
        "request_headers": {"Content-Type": "application/x-www-form-urlencoded"},
        "request_body": "grant_type=authorization_code&code=ab…",
        "status": 200,
        "response_headers": {"Content-Type": "application/json"},
        "response_body": '{"access_token": "ey…"}',
        "error": None,
        "duration_ms": 3.0,
    }
    data = {
        "seq": 9,
        "kind": "auth",
        "direction": "local",
        "timestamp": 1_765_000_000.0,
        "detail": {"step": {"exchanges": [exchange, exchange]}},
    }
    entries = entries_of(data)
    assert len(entries) == 2
    assert entries[0]["request"]["postData"] == {
        "mimeType": "application/x-www-form-urlencoded",
        "text": "grant_type=authorization_code&code=ab…",
    }


def test_other_events_give_no_entry_and_the_document_parses() -> None:
    message = {"seq": 1, "kind": "message", "direction": "in", "timestamp": 1.0, "detail": {}}
    assert entries_of(message) == []
    opening, closing = document_ends(creator_version="0.1.0")
    pieces = har_entries_json(http_event()) + har_entries_json(http_event(status=404))
    document = json.loads(opening + join_entries(pieces) + closing)
    assert document["log"]["version"] == "1.2"
    assert document["log"]["creator"] == {"name": "MCP Inspector", "version": "0.1.0"}
    assert [entry["response"]["statusText"] for entry in document["log"]["entries"]] == [
        "OK",
        "Not Found",
    ]
