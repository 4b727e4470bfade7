"""An actor's two key pairs: RSA-2048 for HTTP signatures, Ed25519 for object signatures.

RSA because Mastodon and most of the fediverse only verify `rsa-sha256`; Ed25519 (published as a
FEP-521a `Multikey`) because grants and claims must be small and fast to verify at a door.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from .multibase import ed25519_from_multibase, ed25519_to_multibase


@dataclass(frozen=True)
class KeyPair:
    rsa_private_pem: str
    ed25519_private_pem: str

    @property
    def rsa_private(self) -> rsa.RSAPrivateKey:
        return _rsa_private(self.rsa_private_pem)

    @property
    def ed25519_private(self) -> ed25519.Ed25519PrivateKey:
        return _ed25519_private(self.ed25519_private_pem)

    @property
    def rsa_public_pem(self) -> str:
        return _rsa_public_pem(self.rsa_private_pem)

    @property
    def ed25519_multibase(self) -> str:
        return ed25519_to_multibase(self.ed25519_private.public_key())


# Loading an RSA private key checks it (cryptography validates the primes): about 40 ms, paid
# on every signature and every actor document served until these caches were added. A node
# holds a few keys (its place, its members, retired ones): each is parsed once per process.
@functools.lru_cache(maxsize=512)
def _rsa_private(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


@functools.lru_cache(maxsize=512)
def _rsa_public_pem(private: str) -> str:
    return public_pem(_rsa_private(private).public_key())


@functools.lru_cache(maxsize=512)
def _ed25519_private(pem: str) -> ed25519.Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, ed25519.Ed25519PrivateKey)
    return key


def generate() -> KeyPair:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ed_key = ed25519.Ed25519PrivateKey.generate()
    return KeyPair(rsa_private_pem=private_pem(rsa_key), ed25519_private_pem=private_pem(ed_key))


def private_pem(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_pem(key: rsa.RSAPublicKey | ed25519.Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def assertion_methods(actor_document: dict[str, Any]) -> dict[str, ed25519.Ed25519PublicKey]:
    """The Ed25519 keys an actor publishes for object signatures (FEP-521a
    `assertionMethod`), by verification method id; only those the actor controls."""
    actor_id = actor_document.get("id")
    methods = actor_document.get("assertionMethod") or []
    found: dict[str, ed25519.Ed25519PublicKey] = {}
    for method in methods if isinstance(methods, list) else [methods]:
        if not isinstance(method, dict) or method.get("type") != "Multikey":
            continue
        if method.get("controller", actor_id) != actor_id:
            continue  # a key is the actor's only if the actor controls it
        key = ed25519_from_multibase(str(method.get("publicKeyMultibase")))
        if key is not None and isinstance(method.get("id"), str):
            found[method["id"]] = key
    return found
