"""Object proofs (FEP-8b32, Data Integrity `eddsa-jcs-2022`): sign and verify. Pure functions.

A claim carries its own signature, so that it can be checked later by anyone holding the
visited place's actor document (an accountant, an arbitrating network), not only by the node
that received it over a signed HTTP request.

    proofValue = multibase(base58btc, Ed25519(sha256(JCS(proof options)) || sha256(JCS(doc))))

where `doc` is the document without its `proof` and `proof options` the proof without its
`proofValue` (W3C vc-di-eddsa, section 3.3).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

import jcs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from .. import multibase
from ..errors import SignatureError
from ..keys import assertion_methods
from ..timestamps import datetime_to_wire, now_to_wire

CRYPTOSUITE = "eddsa-jcs-2022"
KeyFinder = Callable[[str], ed25519.Ed25519PublicKey | None]


def _hash_data(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    return bytes(
        hashlib.sha256(jcs.canonicalize(options)).digest()
        + hashlib.sha256(jcs.canonicalize(unsigned)).digest()
    )


def sign(
    document: dict[str, Any],
    key: ed25519.Ed25519PrivateKey,
    verification_method: str,
    created: datetime | None = None,
) -> dict[str, Any]:
    """A copy of `document` with a `proof` added."""
    options: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
        "created": datetime_to_wire(created) if created else now_to_wire(),
    }
    if "@context" in document:
        options["@context"] = document["@context"]
    signature = key.sign(_hash_data(document, options))
    return {**document, "proof": {**options, "proofValue": multibase.encode(signature)}}


def verify(document: dict[str, Any], find_key: KeyFinder) -> str:
    """Check the document's proof; returns the verification method. Raises SignatureError."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise SignatureError("document has no proof")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise SignatureError(f"proof is not a {CRYPTOSUITE} DataIntegrityProof")
    if proof.get("proofPurpose") != "assertionMethod":
        raise SignatureError("proof purpose is not assertionMethod")
    method = str(proof.get("verificationMethod", ""))
    key = find_key(method)
    if key is None:
        raise SignatureError(f"no assertion key {method}")
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    try:
        signature = multibase.decode(str(proof.get("proofValue", "")))
    except (ValueError, IndexError) as exc:
        raise SignatureError("proofValue is not base58btc multibase") from exc
    try:
        key.verify(signature, _hash_data(document, options))
    except InvalidSignature as exc:
        raise SignatureError("object proof does not verify") from exc
    return method


def assertion_key_finder(actor_document: dict[str, Any]) -> KeyFinder:
    """Keys the actor controls, by verification method id (FEP-521a `assertionMethod`)."""
    return assertion_methods(actor_document).get
