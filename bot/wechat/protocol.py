"""The callback protocol's pure parts: signatures and the safe-mode (AES) envelope.

Signature: ``sha1("".join(sorted([token, timestamp, nonce])))``; in safe mode the message signature adds the
``Encrypt`` value to the sorted list. Safe mode: the 43-character EncodingAESKey is base64 (without its
``=``) of a 32-byte AES-256 key; CBC with IV = key[:16]; PKCS#7 padding to a 32-byte block; the plaintext is
``random(16) + len(xml) as 4 bytes big-endian + xml + app_id``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16


class CryptoError(ValueError):
    """The encrypted envelope could not be opened (bad key, padding, length or app id)."""


def sign(*parts: str) -> str:
    """The WeChat signature of ``parts``: SHA-1 hex of the sorted parts concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()  # noqa: S324 - WeChat's choice


def check_signature(expected: str, *parts: str) -> bool:
    """Constant-time comparison of ``expected`` with the signature of ``parts``."""
    return hmac.compare_digest(sign(*parts).encode("ascii"), expected.encode("utf-8", "replace"))


def decode_aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key from the 43-character EncodingAESKey."""
    if len(encoding_aes_key) != 43:
        raise ValueError("EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error as exc:
        raise ValueError("EncodingAESKey is not base64") from exc
    if len(key) != 32:
        raise ValueError("EncodingAESKey must decode to 32 bytes")
    return key


class AESCipher:
    """Safe-mode envelope for one account (key + app id)."""

    def __init__(self, encoding_aes_key: str, app_id: str) -> None:
        self._key = decode_aes_key(encoding_aes_key)
        self._app_id = app_id.encode("utf-8")

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(self, xml: str, *, random_prefix: bytes | None = None) -> str:
        """Encrypt ``xml`` for WeChat; returns base64 text. ``random_prefix`` is for known-answer tests."""
        prefix = os.urandom(16) if random_prefix is None else random_prefix
        if len(prefix) != 16:
            raise ValueError("random prefix must be 16 bytes")
        body = xml.encode("utf-8")
        plain = prefix + struct.pack(">I", len(body)) + body + self._app_id
        pad = _BLOCK - len(plain) % _BLOCK
        plain += bytes([pad]) * pad
        enc = self._cipher().encryptor()
        return base64.b64encode(enc.update(plain) + enc.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        """Open a base64 ``Encrypt`` value; raises :class:`CryptoError` on any inconsistency."""
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CryptoError("Encrypt is not base64") from exc
        if not data or len(data) % 16:
            raise CryptoError("ciphertext length is not a multiple of the AES block")
        dec = self._cipher().decryptor()
        plain = dec.update(data) + dec.finalize()
        pad = plain[-1]
        if not 1 <= pad <= _BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise CryptoError("bad padding")
        content = plain[16:-pad]
        if len(content) < 4:
            raise CryptoError("envelope too short")
        (length,) = struct.unpack(">I", content[:4])
        if length > len(content) - 4:
            raise CryptoError("length field exceeds envelope")
        xml, app_id = content[4 : 4 + length], content[4 + length :]
        if not hmac.compare_digest(app_id, self._app_id):
            raise CryptoError("app id mismatch")
        try:
            return xml.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CryptoError("plaintext is not UTF-8") from exc
