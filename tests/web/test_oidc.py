"""Hosted mode: signing in with the team's identity provider over OpenID Connect, against a
real provider of our own (`tests/servers/oidc_provider.py`), following every redirect as a
browser does: the login page, the provider's sign-in form, the callback and its forward."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from django.contrib import auth
from django.contrib.auth.models import User
from django.http import HttpResponse, HttpResponseBase
from django.test import AsyncClient

from inspector.models import OIDCIdentity, Workspace
from tests.servers.http_harness import RunningServer, run_server
from tests.web.support import LOGIN_REQUIRED, OWNER_CHECK

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT_ID = "inspector-tests"
CLIENT_SECRET = "a-secret-the-provider-and-the-inspector-share"
PROVIDER_NAME = "Fixture IdP"
# Where the test client says its requests go: the redirect URI the inspector builds.
INSPECTOR_ORIGIN = "http://testserver"
CALLBACK_PATH = "/accounts/oidc/callback"
FORWARD = re.compile(r'http-equiv="refresh" content="0;url=([^"]+)"')
SIGN_IN_REQUEST = re.compile(r'name="request" value="([^"]+)"')


@pytest.fixture(scope="module")
def provider() -> Iterator[RunningServer]:
    with run_server(
        "oidc_provider.py",
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
        "--redirect-uri",
        INSPECTOR_ORIGIN + CALLBACK_PATH,
    ) as server:
        yield server


@pytest.fixture(autouse=True)
def hosted(settings: Any, provider: RunningServer) -> None:
    """Hosted mode as `INSPECTOR_MODE=hosted` sets it up, with the provider configured."""
    settings.LOCAL_MODE = False
    settings.INSPECTOR_STDIO_ALLOWLIST = [sys.executable]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index(OWNER_CHECK), LOGIN_REQUIRED)
    settings.MIDDLEWARE = middleware
    settings.INSPECTOR_OIDC_ISSUER = provider.base_url
    settings.INSPECTOR_OIDC_CLIENT_ID = CLIENT_ID
    settings.INSPECTOR_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.INSPECTOR_OIDC_NAME = PROVIDER_NAME
    settings.INSPECTOR_OIDC_SCOPES = "openid email profile"
    settings.INSPECTOR_OIDC_ALLOWED_DOMAINS = []


def new_browser() -> AsyncClient:
    return AsyncClient()


async def provider_answer(
    browser: AsyncClient,
    provider: RunningServer,
    *,
    username: str,
    email: str = "",
    misbehave: str = "",
    after: str = "",
) -> str:
    """Press the login page's button and sign in at the provider's form; the URL the
    provider sends the browser back to."""
    started = await browser.post("/accounts/oidc/start", {"next": after})
    assert started.status_code == 200, started.content.decode()[:2000]
    leaving = FORWARD.search(started.content.decode())
    assert leaving, started.content.decode()
    authorize_url = html.unescape(leaving.group(1))
    assert authorize_url.startswith(provider.url("/authorize?"))
    async with httpx.AsyncClient() as at_provider:
        form = await at_provider.get(authorize_url)
        assert form.status_code == 200, form.text
        match = SIGN_IN_REQUEST.search(form.text)
        assert match, form.text
        answered = await at_provider.post(
            provider.url("/authorize/decision"),
            data={
                "request": match.group(1),
                "username": username,
                "email": email,
                "misbehave": misbehave,
            },
        )
    assert answered.status_code == 302, answered.text
    callback_url: str = answered.headers["location"]
    assert callback_url.startswith(INSPECTOR_ORIGIN + CALLBACK_PATH + "?")
    return callback_url


async def come_back(browser: AsyncClient, callback_url: str) -> HttpResponseBase:
    """The browser at the callback, then at the page it forwards to (from this origin)."""
    parts = urlsplit(callback_url)
    forward = await browser.get(f"{parts.path}?{parts.query}")
    assert forward.status_code == 200, forward.content.decode()[:2000]
    match = FORWARD.search(forward.content.decode())
    assert match, forward.content.decode()
    response: HttpResponseBase = await browser.get(html.unescape(match.group(1)))
    return response


async def sign_in(browser: AsyncClient, provider: RunningServer, **person: str) -> HttpResponseBase:
    return await come_back(browser, await provider_answer(browser, provider, **person))


async def signed_in_as(browser: AsyncClient) -> str | None:
    """Whose account the browser is signed in to (its session says), once the home page
    opens; None if the login page is what it gets."""
    response = await browser.get("/")
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")
        return None
    assert response.status_code == 200
    session = await browser.asession()
    user = await User.objects.aget(pk=str(await session.aget(auth.SESSION_KEY)))
    return user.get_username()


def refusal_text(response: HttpResponseBase) -> str:
    """The login page's message, after checking that the login page is what came back."""
    assert response.status_code == 400
    assert isinstance(response, HttpResponse)
    page = response.content.decode()
    assert 'id="login-heading">Sign in<' in page
    assert "Traceback" not in page
    match = re.search(r'<div class="alert alert-error" role="alert">([^<]+)</div>', page)
    assert match, page
    return html.unescape(match.group(1))


def provider_log(provider: RunningServer) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = httpx.get(provider.url("/_log")).json()
    return entries


async def test_the_login_page_offers_the_provider_only_when_configured(settings: Any) -> None:
    browser = new_browser()
    page = (await browser.get("/accounts/login/")).content.decode()
    assert f"Sign in with {PROVIDER_NAME}</button>" in page
    assert 'action="/accounts/oidc/start"' in page
    # The password form is still there.
    assert 'name="password"' in page

    settings.INSPECTOR_OIDC_ISSUER = ""
    page = (await browser.get("/accounts/login/")).content.decode()
    assert "Sign in with" not in page
    assert 'action="/accounts/oidc/start"' not in page
    assert 'name="password"' in page
    assert (await browser.post("/accounts/oidc/start")).status_code == 404
    assert (await browser.get("/accounts/oidc/complete?state=x")).status_code == 404


async def test_the_first_sign_in_makes_the_account_and_lands_signed_in(
    provider: RunningServer,
) -> None:
    browser = new_browser()
    landed = await sign_in(
        browser, provider, username="carol", email="carol@example.com", after="/model/"
    )
    assert landed.status_code == 302
    assert landed["Location"] == "/model/"
    assert await signed_in_as(browser) == "carol"

    user = await User.objects.aget(username="carol")
    assert user.email == "carol@example.com"
    assert not user.has_usable_password()
    identity = await OIDCIdentity.objects.aget(user=user)
    assert identity.issuer == provider.base_url
    # Like every account, it has a personal workspace.
    assert await Workspace.objects.filter(personal_of=user).aexists()
    # The code went back with its PKCE verifier, the client with its secret.
    last = provider_log(provider)[-1]
    assert last["issued"] is True
    assert last["code_verifier"] == "<present>"
    assert last["client_authentication"] == "client_secret_basic"


async def test_a_later_sign_in_reuses_the_account(provider: RunningServer) -> None:
    await sign_in(new_browser(), provider, username="dan", email="dan@example.com")
    again = new_browser()
    landed = await sign_in(again, provider, username="dan", email="dan@example.com")
    assert landed.status_code == 302
    assert landed["Location"] == "/"
    assert await signed_in_as(again) == "dan"
    assert await User.objects.filter(username__startswith="dan").acount() == 1
    assert await OIDCIdentity.objects.acount() == 1


async def test_an_identity_never_takes_over_a_password_account_of_the_same_name(
    provider: RunningServer,
) -> None:
    owner = await User.objects.acreate_user("erin", email="erin@example.com", password="x")
    browser = new_browser()
    await sign_in(browser, provider, username="erin", email="erin@example.com")
    assert await signed_in_as(browser) == "erin-2"
    identity = await OIDCIdentity.objects.select_related("user").aget()
    assert identity.user.pk != owner.pk


async def test_a_tampered_state_is_refused(provider: RunningServer) -> None:
    browser = new_browser()
    callback_url = await provider_answer(browser, provider, username="frank")
    parts = urlsplit(callback_url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query["state"] = query["state"][:-2] + "xx"
    tampered = urlunsplit(parts._replace(query=urlencode(query)))

    problem = refusal_text(await come_back(browser, tampered))
    assert "not started from this browser" in problem
    assert await signed_in_as(browser) is None
    assert not await User.objects.filter(username="frank").aexists()


async def test_an_answer_is_used_once(provider: RunningServer) -> None:
    browser = new_browser()
    callback_url = await provider_answer(browser, provider, username="gina")
    await come_back(browser, callback_url)
    assert await signed_in_as(browser) == "gina"

    other = new_browser()
    problem = refusal_text(await come_back(other, callback_url))
    assert "already used" in problem
    assert await signed_in_as(other) is None


async def test_an_answer_reaches_only_the_browser_that_began_it(provider: RunningServer) -> None:
    began = new_browser()
    callback_url = await provider_answer(began, provider, username="hal")
    problem = refusal_text(await come_back(new_browser(), callback_url))
    assert "not started from this browser" in problem
    assert not await User.objects.filter(username="hal").aexists()


@pytest.mark.parametrize(
    ("misbehave", "said"),
    [
        ("wrong-nonce", "its 'nonce' claim is wrong or missing"),
        ("wrong-audience", "its 'aud' claim is wrong or missing"),
        ("wrong-issuer", "its 'iss' claim is wrong or missing"),
        ("expired", "it has expired"),
        ("bad-signature", "its signature is not the provider's"),
        ("no-id-token", "answered without an ID token"),
        ("deny", "did not sign you in: the person did not sign in"),
    ],
)
async def test_a_provider_answer_that_fails_a_check_signs_nobody_in(
    provider: RunningServer, misbehave: str, said: str
) -> None:
    browser = new_browser()
    answered = await sign_in(browser, provider, username="ivan", misbehave=misbehave)
    problem = refusal_text(answered)
    assert said in problem
    assert PROVIDER_NAME in problem
    assert await signed_in_as(browser) is None
    assert not await User.objects.filter(username="ivan").aexists()


async def test_only_allowed_email_domains_sign_in(settings: Any, provider: RunningServer) -> None:
    settings.INSPECTOR_OIDC_ALLOWED_DOMAINS = ["example.com"]
    outsider = new_browser()
    problem = refusal_text(
        await sign_in(outsider, provider, username="judy", email="judy@elsewhere.org")
    )
    assert problem == (
        "Accounts of elsewhere.org may not sign in here; only accounts of example.com may."
    )
    assert await signed_in_as(outsider) is None

    unverified = new_browser()
    problem = refusal_text(
        await sign_in(
            unverified,
            provider,
            username="judy",
            email="judy@example.com",
            misbehave="unverified-email",
        )
    )
    assert "has not verified your email address judy@example.com" in problem
    assert not await User.objects.filter(username="judy").aexists()

    insider = new_browser()
    await sign_in(insider, provider, username="judy", email="judy@example.com")
    assert await signed_in_as(insider) == "judy"


async def test_an_email_known_only_to_userinfo_is_read_from_there(
    settings: Any, provider: RunningServer
) -> None:
    settings.INSPECTOR_OIDC_ALLOWED_DOMAINS = ["example.com"]
    browser = new_browser()
    await sign_in(
        browser,
        provider,
        username="kim",
        email="kim@example.com",
        misbehave="email-in-userinfo-only",
    )
    assert await signed_in_as(browser) == "kim"
    assert (await User.objects.aget(username="kim")).email == "kim@example.com"


async def test_signing_out_ends_the_sign_in(provider: RunningServer) -> None:
    browser = new_browser()
    await sign_in(browser, provider, username="leo")
    assert await signed_in_as(browser) == "leo"
    signed_out = await browser.post("/accounts/logout/")
    assert signed_out.status_code == 302
    assert signed_out["Location"] == "/accounts/login/"
    assert await signed_in_as(browser) is None


async def test_an_unreachable_provider_leaves_the_login_page_with_a_reason(
    settings: Any, closed_port: int
) -> None:
    settings.INSPECTOR_OIDC_ISSUER = f"http://127.0.0.1:{closed_port}"
    browser = new_browser()
    problem = refusal_text(await browser.post("/accounts/oidc/start"))
    assert problem.startswith(f"Sign-in with {PROVIDER_NAME} failed: ")
    assert await signed_in_as(browser) is None


async def test_a_discovery_document_of_another_issuer_is_refused(
    settings: Any, provider: RunningServer
) -> None:
    # The same server under another name (localhost): its document names 127.0.0.1.
    settings.INSPECTOR_OIDC_ISSUER = provider.base_url.replace("127.0.0.1", "localhost")
    problem = refusal_text(await new_browser().post("/accounts/oidc/start"))
    assert f"names the issuer '{provider.base_url}'" in problem


def test_the_provider_refuses_a_wrong_verifier_and_a_reused_code(
    provider: RunningServer,
) -> None:
    """The provider of these tests is strict, so that the tests above prove something."""
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    challenge_text = challenge.rstrip(b"=").decode()
    redirect_uri = INSPECTOR_ORIGIN + CALLBACK_PATH

    def code() -> str:
        query = {
            "client_id": CLIENT_ID,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "openid",
            "state": "s",
            "nonce": "n",
            "code_challenge": challenge_text,
            "code_challenge_method": "S256",
        }
        with httpx.Client() as at_provider:
            form = at_provider.get(provider.url("/authorize"), params=query)
            match = SIGN_IN_REQUEST.search(form.text)
            assert match, form.text
            answered = at_provider.post(
                provider.url("/authorize/decision"),
                data={"request": match.group(1), "username": "mia"},
            )
        return parse_qs(urlsplit(answered.headers["location"]).query)["code"][0]

    def redeem(code: str, code_verifier: str) -> httpx.Response:
        return httpx.post(
            provider.url("/token"),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            },
            auth=(CLIENT_ID, CLIENT_SECRET),
        )

    wrong = redeem(code(), "w" * 50)
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    issued = code()
    assert redeem(issued, verifier).status_code == 200
    reused = redeem(issued, verifier)
    assert reused.status_code == 400
    assert reused.json()["error_description"] == "unknown, used or expired code"
