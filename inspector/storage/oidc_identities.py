"""Accounts that sign in through an OpenID Connect provider, found by (issuer, subject).

An identity is never matched to an existing account by email or username: whoever controls
an address at the provider would otherwise take over the password account that uses it.
"""

from __future__ import annotations

import re

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from inspector.models import OIDCIdentity

# What Django's username validator accepts; anything else becomes a dash.
USERNAME_UNSAFE = re.compile(r"[^\w.@+-]+")
USERNAME_MAX = 150
# Room left for "-<n>" when the name is taken.
SUFFIX_ROOM = 8


def account_for_identity(*, issuer: str, subject: str, preferred_name: str, email: str) -> User:
    """The account linked to the identity; the first sign-in makes it (with an unusable
    password: it signs in only through the provider) and links it."""
    found = _linked(issuer, subject)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            user = User.objects.create_user(_unused_username(preferred_name), email=email)
            OIDCIdentity.objects.create(issuer=issuer, subject=subject, user=user)
            return user
    except IntegrityError:
        # The same person's first sign-in finished in another request meanwhile.
        found = _linked(issuer, subject)
        if found is None:
            raise
        return found


def _linked(issuer: str, subject: str) -> User | None:
    identity = (
        OIDCIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    )
    if identity is None:
        return None
    identity.save(update_fields=["last_sign_in_at"])
    return identity.user


def _unused_username(wanted: str) -> str:
    base = USERNAME_UNSAFE.sub("-", wanted).strip("-")[: USERNAME_MAX - SUFFIX_ROOM] or "user"
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate
