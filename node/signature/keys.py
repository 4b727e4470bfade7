"""The public keys that HTTP signatures are checked with, and how the checker asks for them.

Both signature schemes take the key lookup as a parameter: the pure checking never fetches,
and the node's directory (remote actors, cached) is one lookup among others (tests pass a dict).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from ..errors import SignatureError

# How far a signature's time (Date, or RFC 9421 `created`) may be from our clock: Mastodon
# allows one hour, and a place's Raspberry Pi without NTP drifts by minutes.
DEFAULT_MAX_SKEW = 3600.0

PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey
# Given a keyId and whether the cached copy just failed, return (owner actor id, public key).
KeyLookup = Callable[[str, bool], Awaitable[tuple[str, PublicKey]]]


def load_public_key(pem: str) -> PublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError as exc:
        raise SignatureError("public key is not a readable PEM") from exc
    if not isinstance(key, rsa.RSAPublicKey | ed25519.Ed25519PublicKey):
        raise SignatureError(f"unsupported public key type {type(key).__name__}")
    return key


def public_pem_of(key: PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
