"""Multikey encoding: what FEP-521a documents and did:key use for Ed25519."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ed25519

from node import multibase


def test_ed25519_keys_round_trip_with_the_multikey_prefix() -> None:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    encoded = multibase.ed25519_to_multibase(key)
    assert encoded.startswith("z6Mk")  # base58btc of the ed25519-pub multicodec (0xed 0x01)
    decoded = multibase.ed25519_from_multibase(encoded)
    assert decoded is not None and decoded.public_bytes_raw() == key.public_bytes_raw()


def test_other_keys_and_junk_are_not_ed25519() -> None:
    assert multibase.ed25519_from_multibase("not multibase") is None
    assert multibase.ed25519_from_multibase("z0OIl") is None  # not in the base58 alphabet
    assert multibase.ed25519_from_multibase(multibase.encode(b"\x12\x05" + bytes(32))) is None
