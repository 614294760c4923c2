"""`url_view`: which links a person may open from the inbox, and what makes one suspect."""

from __future__ import annotations

import pytest

from inspector.presenters.links import url_view


def test_url_view_splits_an_https_link_around_its_host() -> None:
    view = url_view("https://auth.example.com/approve?x=1")
    assert view.allowed
    assert not view.refusal
    assert not view.warnings
    assert (view.before_host, view.host, view.after_host) == (
        "https://",
        "auth.example.com",
        "/approve?x=1",
    )


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8080/done", True),
        ("http://localhost/done", True),
        ("http://[::1]/done", True),
        ("http://example.com/done", False),
    ],
)
def test_url_view_allows_plain_http_only_to_this_machine(url: str, allowed: bool) -> None:
    view = url_view(url)
    assert view.allowed is allowed
    assert (view.refusal == "") is allowed


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("javascript:alert(1)", "no host"),
        ("ftp://files.example.com/x", "Only https: links are opened, not ftp: links."),
        ("https://example.com\\@evil.test/", "backslash"),
        ("https://exa mple.com/", "whitespace"),
        ("https://%65vil.test/", "percent-encoded"),
        (None, "no URL"),
        ("", "no URL"),
    ],
)
def test_url_view_refuses_what_could_open_elsewhere(url: object, refusal: str) -> None:
    view = url_view(url)
    assert not view.allowed
    assert refusal in view.refusal


def test_url_view_warns_of_a_user_name_before_the_host() -> None:
    view = url_view("https://accounts.example.com@evil.test/login")
    assert view.allowed
    assert view.host == "evil.test"
    assert any("user name" in warning for warning in view.warnings)


def test_url_view_reads_punycode_hosts_out() -> None:
    view = url_view("https://xn--pypal-4ve.com/")
    assert view.unicode_host == "p\u0430ypal.com"  # a Cyrillic a, not a Latin one
    assert any("punycode" in warning for warning in view.warnings)
