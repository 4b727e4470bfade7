"""Multibase (base58btc, `z…`) and the Ed25519 multicodec, as FEP-521a `Multikey`s use them.

Written here on `based58` rather than imported from bovine: importing bovine pulls in aiohttp
and pydantic and cost 1.2 s on every `interlieux` command, for these few lines.
"""

from __future__ import annotations

import based58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

ED25519_PUB = b"\xed\x01"  # multicodec varint of ed25519-pub (0xed)


def encode(data: bytes) -> str:
    return "z" + based58.b58encode(data).decode()


def decode(text: str) -> bytes:
    if not text.startswith("z"):
        raise ValueError(f"not base58btc multibase: {text[:8]!r}")
    return bytes(based58.b58decode(text[1:].encode()))


def ed25519_to_multibase(key: ed25519.Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return encode(ED25519_PUB + raw)


def ed25519_from_multibase(text: str) -> ed25519.Ed25519PublicKey | None:
    """The Ed25519 key of a `publicKeyMultibase`, or None for anything else."""
    try:
        data = decode(text)
    except ValueError:
        return None
    if not data.startswith(ED25519_PUB) or len(data) != 34:
        return None
    return ed25519.Ed25519PublicKey.from_public_bytes(data[2:])
