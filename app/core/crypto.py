"""AES-GCM encryption of personal data at rest; every token names its key so keys can rotate."""

import base64
import binascii
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.config import get_settings

KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# Used only outside production when DATA_ENCRYPTION_KEYS is empty (derived from SECRET_KEY).
LOCAL_KEY_ID = "local"
_NONCE_BYTES = 12
_KEY_SIZES = (16, 24, 32)


class KeyConfigurationError(RuntimeError):
    """DATA_ENCRYPTION_KEYS is missing, malformed, or lacks the key a token was written with."""


class DecryptionFailed(ValueError):
    """The token was altered, belongs to another field (AAD), or is not a token at all."""


@dataclass(frozen=True)
class Keyring:
    """The key new tokens are written with, and every key old tokens may still need."""

    current_id: str
    keys: Mapping[str, bytes]


def parse_keys(raw: str) -> dict[str, bytes]:
    """Parse `kid:base64,kid2:base64` (first = current); raise ValueError when malformed."""
    keys: dict[str, bytes] = {}
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        key_id, separator, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not separator or not KEY_ID_PATTERN.match(key_id):
            raise ValueError(
                "DATA_ENCRYPTION_KEYS entries must look like kid:base64key "
                "(kid: letters, digits, _ or -, at most 32)"
            )
        if key_id in keys:
            raise ValueError(f"DATA_ENCRYPTION_KEYS names key id {key_id!r} twice")
        try:
            key = base64.b64decode(
                _pad(encoded.strip().replace("-", "+").replace("_", "/")), validate=True
            )
        except (binascii.Error, ValueError):
            raise ValueError(f"DATA_ENCRYPTION_KEYS key {key_id!r} is not base64") from None
        if len(key) not in _KEY_SIZES:
            raise ValueError(
                f"DATA_ENCRYPTION_KEYS key {key_id!r} must be 16, 24 or 32 bytes (32 recommended)"
            )
        keys[key_id] = key
    return keys


def generate_key_entry(key_id: str) -> str:
    """A fresh `kid:base64` entry for DATA_ENCRYPTION_KEYS (256-bit key)."""
    if not KEY_ID_PATTERN.match(key_id):
        raise ValueError("key id: letters, digits, _ or -, at most 32")
    return f"{key_id}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


def keyring() -> Keyring:
    """The keyring for the current settings."""
    settings = get_settings()
    return _keyring(settings.data_encryption_keys, settings.secret_key, settings.environment)


@lru_cache(maxsize=8)
def _keyring(raw: str, secret_key: str, environment: str) -> Keyring:
    if raw.strip():
        try:
            keys = parse_keys(raw)
        except ValueError as exc:
            raise KeyConfigurationError(str(exc)) from None
        if keys:
            return Keyring(current_id=next(iter(keys)), keys=keys)
    if environment == "production":
        # Never derive from SECRET_KEY in production: rotating the session secret would
        # silently make every stored identity unreadable.
        raise KeyConfigurationError("DATA_ENCRYPTION_KEYS must be set when ENVIRONMENT=production")
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"xiaowei data encryption v1"
    ).derive(secret_key.encode())
    return Keyring(current_id=LOCAL_KEY_ID, keys={LOCAL_KEY_ID: derived})


def encrypt(plaintext: str, *, aad: str) -> str:
    """Encrypt with the current key; `aad` binds the token to its field (e.g. "ticket.name")."""
    ring = keyring()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(ring.keys[ring.current_id]).encrypt(
        nonce, plaintext.encode("utf-8"), aad.encode("utf-8")
    )
    body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
    return f"{ring.current_id}:{body}"


def decrypt(token: str, *, aad: str) -> str:
    """Decrypt a token written by encrypt() with any key still listed in the keyring."""
    key_id, separator, body = token.partition(":")
    if not separator or not body:
        raise DecryptionFailed("not an encrypted token")
    key = keyring().keys.get(key_id)
    if key is None:
        raise KeyConfigurationError(f"DATA_ENCRYPTION_KEYS lacks key id {key_id!r}")
    try:
        raw = base64.b64decode(_pad(body), altchars=b"-_", validate=True)
        plaintext = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], aad.encode())
    except (binascii.Error, ValueError, InvalidTag):
        raise DecryptionFailed("token altered or written for another field") from None
    return plaintext.decode("utf-8")


def key_id_of(token: str) -> str:
    """The id of the key a token was written with."""
    return token.partition(":")[0]


def needs_reencryption(token: str) -> bool:
    """True when the token was written with a key other than the current one (rotation)."""
    return key_id_of(token) != keyring().current_id


def _pad(encoded: str) -> str:
    return encoded + "=" * (-len(encoded) % 4)
