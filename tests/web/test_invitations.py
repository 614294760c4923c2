"""Hosted mode: invitations into a workspace, by a one-time link or by email. Accepting
one joins with its role; one that was used, has expired or was revoked is refused with
410, saying which; an email invitation is for the account with that address only; a
visitor who is signed out signs in, or makes an account, to accept."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from inspector.models import Invitation
from tests.servers.http_harness import free_port
from tests.web.teams import (
    SECRET_PATH,
    account,
    browser,
    hosted_mode,
    invite_link,
    members_heading,
    members_shown,
    new_team,
    text,
    words,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def hosted(settings: Any) -> None:
    hosted_mode(settings)


@pytest.fixture
async def alice() -> Any:
    """The admin of the team workspace "Platform"."""
    admin, _ = await account("alice")
    await new_team(admin, "Platform")
    return admin


async def test_a_link_accepted_by_a_second_account_makes_it_a_member_with_that_role(
    alice: Any,
) -> None:
    link = await invite_link(alice, role="viewer", expires_in="1h")
    bob, _ = await account("bob")
    offer = await bob.get(link)
    assert offer.status_code == 200
    page = words(offer)
    assert "Join Platform" in page
    assert "alice invites you to the workspace Platform as viewer." in page
    assert "Join as bob" in page

    joined = await bob.post(f"{link}accept")
    assert joined.status_code == 302
    assert joined["Location"] == "/workspace/members/"
    # bob acts in the team from now on, and everyone sees him with the role offered.
    assert await members_heading(bob) == "Members of Platform"
    assert await members_shown(alice) == {"alice": "admin", "bob": "viewer"}


async def test_the_link_holds_a_secret_of_which_only_a_digest_is_stored(alice: Any) -> None:
    link = await invite_link(alice)
    secret = link.split("/")[2]
    assert len(secret) >= 40
    stored = await Invitation.objects.aget()
    assert secret not in stored.token_digest
    assert len(stored.token_digest) == 64
    # Shown once: the members page, loaded again, lists the invitation without its link.
    page = text(await alice.get("/workspace/members/"))
    assert secret not in page
    assert "Anyone with the link" in page


async def test_a_used_link_is_refused(alice: Any) -> None:
    link = await invite_link(alice)
    bob, _ = await account("bob")
    assert (await bob.post(f"{link}accept")).status_code == 302
    carol, _ = await account("carol")
    for response in (await carol.get(link), await carol.post(f"{link}accept")):
        assert response.status_code == 410
        assert "has been used already" in text(response)
    assert await members_shown(alice) == {"alice": "admin", "bob": "member"}


async def test_an_expired_link_is_refused(alice: Any) -> None:
    link = await invite_link(alice, expires_in="1h")
    await Invitation.objects.aupdate(expires_at=timezone.now() - timedelta(seconds=1))
    bob, _ = await account("bob")
    for response in (await bob.get(link), await bob.post(f"{link}accept")):
        assert response.status_code == 410
        assert "has expired" in text(response)
    assert await members_shown(alice) == {"alice": "admin"}
    assert "Anyone with the link" not in text(await alice.get("/workspace/members/"))


async def test_a_revoked_link_is_refused(alice: Any) -> None:
    link = await invite_link(alice)
    page = text(await alice.get("/workspace/members/"))
    revoke = re.search(r'action="(/workspace/invitations/\d+/revoke)"', page)
    assert revoke
    assert (await alice.post(revoke.group(1))).status_code == 302
    assert "Anyone with the link" not in text(await alice.get("/workspace/members/"))
    bob, _ = await account("bob")
    for response in (await bob.get(link), await bob.post(f"{link}accept")):
        assert response.status_code == 410
        assert "was revoked" in text(response)


async def test_an_unknown_secret_is_not_found(alice: Any) -> None:
    assert (await browser().get("/invite/not-a-secret/")).status_code == 404


async def test_an_email_invitation_is_for_the_account_with_that_address(alice: Any) -> None:
    sent = await alice.post(
        "/workspace/invitations/email",
        {"email": "Dana@Example.com", "role": "member", "expires_in": "7d"},
    )
    assert sent.status_code == 200
    assert "Invitation sent to Dana@Example.com" in text(sent)
    assert "Dana@Example.com" in text(await alice.get("/workspace/members/"))
    [message] = mail.outbox
    assert message.to == ["Dana@Example.com"]
    assert "Platform" in message.subject
    found = SECRET_PATH.search(str(message.body))
    assert found, message.body
    link = found.group(1)

    eve, _ = await account("eve", email="eve@example.com")
    offer = text(await eve.get(link))
    assert "This invitation is for Dana@Example.com" in offer
    refused = await eve.post(f"{link}accept")
    assert refused.status_code == 403
    assert await members_heading(eve) == "Members of eve (personal)"

    dana, _ = await account("dana", email="dana@example.COM")
    assert (await dana.post(f"{link}accept")).status_code == 302
    assert await members_shown(alice) == {"alice": "admin", "dana": "member"}


async def test_the_accept_page_is_open_to_a_signed_out_visitor(alice: Any) -> None:
    link = await invite_link(alice)
    visitor = browser()
    offer = await visitor.get(link)
    assert offer.status_code == 200
    page = text(offer)
    assert f'href="/accounts/login/?next={link.replace("/", "%2F")}"' in page
    assert "Create account and join" in page
    # Accepting needs an account: a signed-out POST is sent to sign in.
    accepted = await visitor.post(f"{link}accept")
    assert accepted.status_code == 302
    assert accepted["Location"].startswith("/accounts/login/")


async def test_a_signed_out_visitor_signs_in_and_accepts(alice: Any) -> None:
    link = await invite_link(alice, role="admin")
    await account("bob")
    visitor = browser()
    signed_in = await visitor.post(
        "/accounts/login/", {"username": "bob", "password": "correct horse", "next": link}
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == link
    assert (await visitor.post(f"{link}accept")).status_code == 302
    assert await members_shown(visitor) == {"alice": "admin", "bob": "admin"}


async def test_a_teammate_gets_an_account_by_accepting(alice: Any) -> None:
    link = await invite_link(alice, role="member")
    visitor = browser()
    mismatch = await visitor.post(
        f"{link}join",
        {"username": "frank", "email": "", "password1": "a long passphrase", "password2": "other"},
    )
    assert mismatch.status_code == 422
    assert "The two passwords differ" in text(mismatch)
    taken = await visitor.post(
        f"{link}join",
        {"username": "ALICE", "password1": "a long passphrase", "password2": "a long passphrase"},
    )
    assert taken.status_code == 422
    assert "exists already" in text(taken)

    joined = await visitor.post(
        f"{link}join",
        {
            "username": "frank",
            "email": "frank@example.com",
            "password1": "a long passphrase",
            "password2": "a long passphrase",
        },
    )
    assert joined.status_code == 302
    assert joined["Location"] == "/workspace/members/"
    # Signed in at once, acting in the team; and the password signs in later too.
    assert await members_heading(visitor) == "Members of Platform"
    assert await members_shown(alice) == {"alice": "admin", "frank": "member"}
    later = browser()
    assert await later.alogin(username="frank", password="a long passphrase")
    # The link was used by joining.
    again = await browser().get(link)
    assert again.status_code == 410


async def test_an_account_made_from_an_email_invitation_takes_its_address(alice: Any) -> None:
    await alice.post(
        "/workspace/invitations/email",
        {"email": "gina@example.com", "role": "viewer", "expires_in": "1d"},
    )
    found = SECRET_PATH.search(str(mail.outbox[0].body))
    assert found
    link = found.group(1)
    visitor = browser()
    assert 'name="email"' not in text(await visitor.get(link))
    joined = await visitor.post(
        f"{link}join",
        {"username": "gina", "password1": "a long passphrase", "password2": "a long passphrase"},
    )
    assert joined.status_code == 302
    page = text(await alice.get("/workspace/members/"))
    assert "gina@example.com" in page
    assert await members_shown(alice) == {"alice": "admin", "gina": "viewer"}


async def test_no_account_is_made_for_an_invitation_that_cannot_be_accepted(alice: Any) -> None:
    link = await invite_link(alice)
    await Invitation.objects.aupdate(revoked_at=timezone.now())
    refused = await browser().post(
        f"{link}join",
        {"username": "henry", "password1": "a long passphrase", "password2": "a long passphrase"},
    )
    assert refused.status_code == 410
    assert not await browser().alogin(username="henry", password="a long passphrase")


async def test_an_invitation_the_mail_server_did_not_take_is_not_left_pending(
    alice: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_TIMEOUT = 5
    refused = await alice.post(
        "/workspace/invitations/email",
        {"email": "ivan@example.com", "role": "member", "expires_in": "1d"},
    )
    assert refused.status_code == 502
    page = words(refused)
    assert "could not be sent to ivan@example.com" in page
    assert "nothing is pending" in page
    # The address stays in the form, to try again or invite by link instead.
    assert 'value="ivan@example.com"' in text(refused)
    assert "ivan@example.com" not in words(await alice.get("/workspace/members/"))
    assert not await Invitation.objects.aexists()


async def test_a_member_opening_an_invitation_leaves_it_for_someone_else(alice: Any) -> None:
    link = await invite_link(alice, role="admin")
    offer = words(await alice.get(link))
    assert "You, alice, belong to Platform already" in offer
    assert "Join as alice" not in offer
    opened = await alice.post(f"{link}accept")
    assert opened.status_code == 302
    assert await members_shown(alice) == {"alice": "admin"}
    bob, _ = await account("bob")
    assert (await bob.post(f"{link}accept")).status_code == 302
    assert await members_shown(alice) == {"alice": "admin", "bob": "admin"}
