"""MCP Apps decisions made without a browser: which tools have a View, who may call
them, and the Content-Security-Policy a View's declaration allows."""

from __future__ import annotations

import base64

from inspector.mcp.apps import (
    MAX_HTML_BYTES,
    MIME_TYPE,
    AppCsp,
    app_only,
    app_resource,
    callable_by_app,
    ui_resource_uri,
)


def directives(policy: str) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in policy.split("; ")}


def test_the_view_is_named_by_meta_ui_or_the_deprecated_flat_key() -> None:
    assert ui_resource_uri({"_meta": {"ui": {"resourceUri": "ui://a/b.html"}}}) == "ui://a/b.html"
    assert ui_resource_uri({"_meta": {"ui/resourceUri": "ui://old.html"}}) == "ui://old.html"
    assert ui_resource_uri({"_meta": {"ui": {"resourceUri": "https://x/y.html"}}}) is None
    assert ui_resource_uri({"name": "plain"}) is None


def test_visibility_keeps_app_only_tools_from_the_person() -> None:
    only_app = {"_meta": {"ui": {"visibility": ["app"]}}}
    only_model = {"_meta": {"ui": {"visibility": ["model"]}}}
    assert app_only(only_app)
    assert callable_by_app(only_app)
    assert not app_only({})
    assert callable_by_app({})
    assert not callable_by_app(only_model)


def test_no_declaration_gets_the_restrictive_default() -> None:
    policy = directives(AppCsp.from_meta(None).policy())
    assert policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'none'"
    assert policy["frame-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["script-src"] == "'self' 'unsafe-inline'"


def test_each_declared_list_opens_its_directives_and_nothing_else() -> None:
    csp = AppCsp.from_meta(
        {
            "connectDomains": ["https://api.example", "wss://live.example"],
            "resourceDomains": ["https://cdn.example"],
            "frameDomains": ["https://embed.example"],
            "baseUriDomains": ["https://base.example"],
        }
    )
    policy = directives(csp.policy())
    assert policy["connect-src"] == "https://api.example wss://live.example"
    for name in ("script-src", "style-src", "img-src", "font-src", "media-src"):
        assert policy[name].endswith("https://cdn.example")
        assert "api.example" not in policy[name]
    assert policy["frame-src"] == "https://embed.example"
    assert policy["base-uri"] == "https://base.example"


def test_a_declaration_cannot_smuggle_keywords_or_directives() -> None:
    csp = AppCsp.from_meta({"connectDomains": ["*", "https://a.example; script-src *", "'self'"]})
    assert csp.connect == []
    assert len(csp.ignored) == 3
    assert directives(csp.policy())["connect-src"] == "'none'"


def contents(**item: object) -> dict[str, object]:
    return {"contents": [{"uri": "ui://v.html", **item}]}


def test_a_view_must_be_mcp_app_html_of_bounded_size() -> None:
    good = app_resource("ui://v.html", contents(mimeType=MIME_TYPE, text="<p>hi</p>"))
    assert good.html == "<p>hi</p>"
    assert not good.problem
    blob = base64.b64encode(b"<p>blob</p>").decode()
    assert (
        app_resource("ui://v.html", contents(mimeType=MIME_TYPE, blob=blob)).html == "<p>blob</p>"
    )
    wrong = app_resource("ui://v.html", contents(mimeType="text/html", text="<p>"))
    assert "is not an MCP App" in wrong.problem
    big = app_resource("ui://v.html", contents(mimeType=MIME_TYPE, text="x" * (MAX_HTML_BYTES + 1)))
    assert "too large" in big.problem
    assert "could not be read" in app_resource("ui://v.html", None, error="gone").problem
    assert "no contents" in app_resource("ui://v.html", {"contents": []}).problem


def test_a_view_may_never_reach_the_inspectors_own_origin() -> None:
    host = "http://127.0.0.1:6280"
    csp = AppCsp.from_meta({"connectDomains": [host, "https://api.example"]}, host=host)
    assert csp.connect == ["https://api.example"]
    assert csp.ignored == [host]
