"""Secrets of the console: the signing key, signed cookie values, CSRF tokens and password hashing.

* The signing key is ``DJ_CONSOLE_SESSION_SECRET`` or, when unset, 32 random bytes generated once and kept
  in ``<data_dir>/console_secret`` (mode 0600) so that every process and restart shares it. It is never
  logged.
* A cookie value is ``<value>.<HMAC-SHA256(key, purpose|value)>`` (base64url): a forged or altered cookie
  is refused before any database lookup. The purpose keeps a value signed for one use from being replayed
  as another.
* CSRF tokens are derived from the session id (HMAC), so they need no storage and die with the session.
* Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.settings import Settings

SECRET_FILE = "console_secret"  # noqa: S105 - a file name, not a secret
_HASHER = PasswordHasher()
# Verified when the login does not exist, so that a wrong login costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("dangjian-console-dummy-password")


def load_secret(settings: Settings) -> bytes:
    """The signing key (blocking file I/O: call it off the event loop)."""
    configured = settings.console_session_secret.get_secret_value()
    if configured:
        return configured.encode()
    path = settings.data_dir / SECRET_FILE
    if path.is_file():
        return path.read_bytes().strip()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32).encode()
    _write_private(path, value)
    return path.read_bytes().strip()  # another process may have won the race: use what is on disk


def _write_private(path: Path, value: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as fh:
        fh.write(value)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Signer:
    """HMAC-SHA256 signatures and derived tokens under one key."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def mac(self, purpose: str, value: str) -> str:
        return _b64(hmac.new(self._key, f"{purpose}|{value}".encode(), hashlib.sha256).digest())

    def sign(self, purpose: str, value: str) -> str:
        """``value.signature`` (``value`` must not contain a dot)."""
        return f"{value}.{self.mac(purpose, value)}"

    def unsign(self, purpose: str, signed: str | None) -> str | None:
        """The value when the signature is right, else None."""
        if not signed or "." not in signed:
            return None
        value, _, sig = signed.rpartition(".")
        if not value or not hmac.compare_digest(sig, self.mac(purpose, value)):
            return None
        return value

    def csrf_token(self, session_id: str) -> str:
        return self.mac("csrf", session_id)

    def check_csrf(self, session_id: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(token), self.csrf_token(session_id))


def new_token() -> str:
    """A random URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a session id or a sign-in link token."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """argon2id hash (CPU-heavy: call it off the event loop)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches (an empty or malformed hash never matches)."""
    target = password_hash or _DUMMY_HASH
    try:
        ok = _HASHER.verify(target, password)
    except (VerificationError, InvalidHashError):
        return False
    return ok and bool(password_hash)


def dummy_verify(password: str) -> None:
    """Spend the time of one verification (unknown login)."""
    verify_password("", password)
