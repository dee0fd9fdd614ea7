"""Personal data at rest: AES-GCM encryption and a keyed hash (blind index), keys from SECRET_KEY.

Two independent keys are derived with HKDF-SHA256 from SECRET_KEY, one to encrypt and one for the
blind index, so knowing the index key says nothing about the ciphertexts. A ciphertext is a versioned
string, "v1:" + base64url(nonce || AES-GCM output), so the scheme can change without a data migration.
The blind index is HMAC-SHA256 of the value, in hex: equal values have equal indexes, which is what a
UNIQUE constraint and a lookup need, and the value cannot be read back from it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1"
_NONCE_BYTES = 12
_SALT = b"umkm-bot/personal-data"


class DecryptionError(Exception):
    """A ciphertext is malformed or was made with another key. Carries no plaintext."""


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=purpose).derive(secret.encode())


class Cipher:
    """Encrypts personal values (the NIK) and computes their blind index."""

    def __init__(self, secret_key: str) -> None:
        if not secret_key:
            raise ValueError("a secret key is required")
        self._aead = AESGCM(_derive(secret_key, b"encrypt:v1"))
        self._index_key = _derive(secret_key, b"blind-index:v1")

    def __repr__(self) -> str:
        return "Cipher(<keys hidden>)"

    def encrypt(self, plaintext: str, *, purpose: str = "nik") -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode(), purpose.encode())
        return f"{VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, token: str, *, purpose: str = "nik") -> str:
        version, _, body = token.partition(":")
        if version != VERSION or not body:
            raise DecryptionError("not a ciphertext of a known version")
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
            return self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], purpose.encode()).decode()
        except (InvalidTag, ValueError, UnicodeError):
            raise DecryptionError("the ciphertext cannot be decrypted with this key") from None

    def blind_index(self, value: str, *, purpose: str = "nik") -> str:
        message = f"{purpose}:{value}".encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()

    @staticmethod
    def is_ciphertext(value: object) -> bool:
        return isinstance(value, str) and value.startswith(f"{VERSION}:")
