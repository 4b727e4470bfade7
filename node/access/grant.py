"""Access grants (the Badge Inter-Lieux): build, sign, read and verify. Pure functions.

A grant is a COSE_Sign1 (RFC 9052) over CWT claims (RFC 8392), signed with the home place's
Ed25519 key: small enough for an NTAG215's 504 bytes of user memory, verifiable at a door with
no network. Nothing personal is on it: the member is an actor URL on their home place, and the
card is bound by a salted hash of its UID, so a lost card's grant is useless on another card
and two grants of one card cannot be linked by their hashes.

Text form (QR codes): `BIL1:` + base45 of the bytes, as EU digital certificates do (base45
fits the QR alphanumeric mode).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import base45
import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from ..errors import InterlieuxError

TEXT_PREFIX = "BIL1:"
# What an NTAG215 holds: its capability container announces 496 bytes of data area; the NDEF
# message TLV header takes 4 (03 FF + 2-byte length) and the grant's NDEF record header 36
# (header, type length, 4-byte payload length, the 30-byte MIME type): 496 - 4 - 36 = 456.
MAX_BYTES = 456
COSE_SIGN1_TAG = 18
ALG_EDDSA = -8
# CWT claim keys (RFC 8392), and ours in the private-use range.
ISS, SUB, EXP, NBF, IAT, CTI = 1, 2, 4, 5, 6, 7
CARD, SCOPE, CREDIT = -70001, -70002, -70003
DEFAULT_SCOPE = "access"


class GrantError(InterlieuxError):
    """A grant that cannot be accepted; `reason` is the door's word for it."""

    status = 400

    def __init__(self, reason: str, log: str) -> None:
        super().__init__(log, fr=REASONS_FR.get(reason, log), en=REASONS_EN.get(reason, log))
        self.reason = reason


REASONS_FR = {
    "malformed": "Badge illisible : ce n'est pas un badge inter-lieux valide.",
    "unknown_issuer": "Badge d'un lieu que ce lieu ne reconnaît pas (pas dans ses pairs).",
    "bad_signature": "Signature du badge invalide : il a été modifié ou contrefait.",
    "expired": "Badge expiré : le lieu d'origine doit en délivrer un nouveau.",
    "not_yet_valid": "Badge pas encore valable.",
    "revoked": "Badge révoqué par son lieu d'origine.",
    "wrong_card": "Ce badge appartient à une autre carte.",
    "out_of_scope": "Ce badge ne donne pas accès à ce service.",
    "no_credit": "Crédit inter-lieux épuisé.",
    "no_bundle": "Lecteur pas encore prêt : il doit joindre son nœud une première fois.",
    "card_required": "Ce lieu demande la carte du badge : le QR code seul ne suffit pas ici.",
    "stale_bundle": "Lecteur sans nouvelles de son nœud depuis trop longtemps : il ne peut plus "
    "vérifier les révocations. Vérifiez sa connexion au réseau.",
}
REASONS_EN = {
    "malformed": "Unreadable badge: not a valid Badge Inter-Lieux.",
    "unknown_issuer": "Badge from a place this place does not recognise (not a peer).",
    "bad_signature": "Invalid badge signature: it was altered or forged.",
    "expired": "Expired badge: the home place must issue a new one.",
    "not_yet_valid": "Badge not valid yet.",
    "revoked": "Badge revoked by its home place.",
    "wrong_card": "This badge belongs to another card.",
    "out_of_scope": "This badge does not give access to this service.",
    "no_credit": "Inter-place credit exhausted.",
    "no_bundle": "Reader not ready: it must reach its node once first.",
    "card_required": "This place asks for the badge's card: a QR code alone is not enough here.",
    "stale_bundle": "The reader has had no news from its node for too long: it can no longer "
    "check revocations. Check its network connection.",
}


@dataclass(frozen=True)
class Grant:
    issuer: str  # the home place's actor id
    grant_id: str  # hex of the CWT id
    member: str  # the member's actor id
    card_hash: bytes | None
    not_before: int
    expires: int
    issued_at: int
    scope: str = DEFAULT_SCOPE
    credit_account: str | None = None
    kid: bytes = b""


def key_id(public_key: ed25519.Ed25519PublicKey) -> bytes:
    """A short key id: lets a door pick among an issuer's current and previous keys."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).digest()[:8]


def card_hash(grant_id: str, uid: bytes) -> bytes:
    return hashlib.sha256(bytes.fromhex(grant_id) + uid).digest()[:16]


def new_grant_id() -> str:
    return secrets.token_hex(16)


def issue(
    key: ed25519.Ed25519PrivateKey,
    issuer: str,
    member: str,
    card_uid: bytes | None,
    not_before: int,
    expires: int,
    scope: str = DEFAULT_SCOPE,
    credit_account: str | None = None,
    grant_id: str | None = None,
) -> tuple[str, bytes]:
    """Sign a grant; returns (grant id, COSE_Sign1 bytes)."""
    gid = grant_id or new_grant_id()
    claims: dict[int, object] = {
        ISS: issuer,
        SUB: member,
        EXP: expires,
        NBF: not_before,
        IAT: not_before,
        CTI: bytes.fromhex(gid),
        SCOPE: scope,
    }
    if card_uid is not None:
        claims[CARD] = card_hash(gid, card_uid)
    if credit_account is not None:
        claims[CREDIT] = credit_account
    protected = cbor2.dumps({1: ALG_EDDSA, 4: key_id(key.public_key())})
    payload = cbor2.dumps(claims)
    signature = key.sign(_sig_structure(protected, payload))
    encoded = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    if len(encoded) > MAX_BYTES:
        raise GrantError("malformed", f"grant of {len(encoded)} bytes does not fit a card")
    return gid, encoded


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def to_text(data: bytes) -> str:
    return TEXT_PREFIX + str(base45.b45encode(data).decode())


def from_text(text: str) -> bytes:
    text = text.strip()
    if not text.startswith(TEXT_PREFIX):
        raise GrantError("malformed", "grant text does not start with BIL1:")
    try:
        return bytes(base45.b45decode(text[len(TEXT_PREFIX) :]))
    except ValueError as exc:
        raise GrantError("malformed", f"grant text is not base45: {exc}") from exc


def read(data: bytes) -> tuple[Grant, bytes, bytes]:
    """Parse without verifying. Returns the grant, the signed bytes and the signature."""
    try:
        outer = cbor2.loads(data)
        if isinstance(outer, cbor2.CBORTag):
            if outer.tag != COSE_SIGN1_TAG:
                raise GrantError("malformed", f"CBOR tag {outer.tag} is not COSE_Sign1")
            outer = outer.value
        protected, _unprotected, payload, signature = outer
        header = cbor2.loads(protected)
        claims = cbor2.loads(payload)
    except GrantError:
        raise
    except (ValueError, TypeError, EOFError, cbor2.CBORDecodeError) as exc:
        raise GrantError("malformed", f"grant is not COSE_Sign1: {exc!r}") from exc
    if not isinstance(header, dict) or header.get(1) != ALG_EDDSA:
        raise GrantError("malformed", "grant is not signed with EdDSA")
    if not isinstance(claims, dict) or not isinstance(signature, bytes):
        raise GrantError("malformed", "grant claims are not a map")
    # Types checked before use: bytes(n) of an integer allocates n bytes, and a door must not
    # be made to allocate gigabytes by a 60-byte card.
    cti, kid = claims.get(CTI), header.get(4, b"")
    if not isinstance(cti, bytes) or len(cti) != 16:
        raise GrantError("malformed", "grant id is not 16 bytes")
    if not isinstance(kid, bytes) or len(kid) > 32:
        raise GrantError("malformed", "key id is not a short byte string")
    card = claims.get(CARD)
    if card is not None and (not isinstance(card, bytes) or len(card) != 16):
        raise GrantError("malformed", "card binding is not 16 bytes")
    for key in (ISS, SUB):
        if not isinstance(claims.get(key), str):
            raise GrantError("malformed", f"claim {key} is not text")
    for key in (NBF, EXP):
        if not isinstance(claims.get(key), int):
            raise GrantError("malformed", f"claim {key} is not a number")
    try:
        grant = Grant(
            issuer=str(claims[ISS]),
            grant_id=cti.hex(),
            member=str(claims[SUB]),
            card_hash=card,
            not_before=int(claims[NBF]),
            expires=int(claims[EXP]),
            issued_at=int(claims[IAT] if IAT in claims else claims[NBF]),
            scope=str(claims.get(SCOPE, DEFAULT_SCOPE)),
            credit_account=credit if isinstance(credit := claims.get(CREDIT), str) else None,
            kid=kid,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise GrantError("malformed", f"grant lacks a claim: {exc!r}") from exc
    return grant, _sig_structure(protected, payload), signature


def verify(data: bytes, keys: dict[bytes, ed25519.Ed25519PublicKey]) -> Grant:
    """Parse and check the signature against the issuer's keys (by kid). No time checks."""
    return check_signature(*read(data), keys)


def check_signature(
    grant: Grant, signed: bytes, signature: bytes, keys: dict[bytes, ed25519.Ed25519PublicKey]
) -> Grant:
    key = keys.get(grant.kid)
    if key is None:
        raise GrantError("bad_signature", f"no key {grant.kid.hex()} for {grant.issuer}")
    try:
        key.verify(signature, signed)
    except InvalidSignature as exc:
        raise GrantError("bad_signature", "grant signature does not verify") from exc
    return grant
