"""Encryption at rest for secrets the inspector keeps (saved servers' env and headers).

Fernet (AES-128-CBC with HMAC-SHA256) from `cryptography`. The key comes from
`INSPECTOR_ENCRYPTION_KEY` when it is set: a comma-separated list of Fernet keys, the first
encrypts and all decrypt, so a key can be rotated without losing what the old one wrote.
Locally, without the variable, a key is generated once into the data directory, readable
by its owner only. Hosted mode requires the variable: several processes on several
machines must share the key, and it should not sit next to the database it protects.
"""

from __future__ import annotations

import contextlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_VARIABLE = "INSPECTOR_ENCRYPTION_KEY"
KEY_FILE_NAME = "encryption_key"


class UnreadableSecret(Exception):
    """A stored secret that the configured keys cannot decrypt (the key was changed)."""


def encrypt_json(value: Any) -> str:
    return _keyring().encrypt(json.dumps(value, ensure_ascii=False).encode()).decode("ascii")


def decrypt_json(token: str) -> Any:
    try:
        return json.loads(_keyring().decrypt(token.encode("ascii")))
    except (InvalidToken, UnicodeEncodeError, ValueError) as error:
        raise UnreadableSecret(
            f"A stored secret cannot be decrypted: was {KEY_VARIABLE} or the key file changed?"
        ) from error


def reset_key_cache() -> None:
    """Forget the loaded keys (tests, and a key rotated while running)."""
    _keyring.cache_clear()


@cache
def _keyring() -> MultiFernet:
    configured = os.environ.get(KEY_VARIABLE, "").strip()
    if configured:
        keys = [key.strip() for key in configured.split(",") if key.strip()]
    elif settings.MODE == "hosted":
        raise ImproperlyConfigured(
            f"Hosted mode keeps secrets encrypted with a key it must be given: set "
            f"{KEY_VARIABLE} (generate one with `python -c 'from cryptography.fernet import "
            f"Fernet; print(Fernet.generate_key().decode())'`)."
        )
    else:
        keys = [_key_from_file(Path(settings.DATA_DIR) / KEY_FILE_NAME)]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            f"{KEY_VARIABLE} must hold Fernet keys (32 url-safe base64-encoded bytes each)."
        ) from error


def _key_from_file(path: Path) -> str:
    """Read the key, creating it first if needed. It is never readable by anyone else,
    even for a moment, and never seen half-written: it is written under a private name
    and linked into place, so of two processes starting together one key wins."""
    if not path.exists():
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "w") as key_file:
                key_file.write(Fernet.generate_key().decode("ascii"))
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            draft.unlink(missing_ok=True)
    return path.read_text().strip()
