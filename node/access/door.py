"""A door's own key (pure): its signature on each tap report, and the check of a visit.

Each door makes an Ed25519 key when it is enrolled (`reader/`), and its node binds the public
half to the door's token, once. The door signs every tap report: the node takes only reports
signed by the key of the token they come with, so a token copied off a door is not enough to
report visits (which other places pay for).

A visit sent to the member's home place carries the signed report and the place's endorsement
of the door's key (the place's own Ed25519 signature of "this key is my door N"). The home place
checks both with `check_visit`, from the visited place's published assertion keys alone, which
it already holds: no fetch, and no race with the publication of a door enrolled a minute ago.
A desk without a reader (`interlieux checkin`) signs with the place's own key: no endorsement.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import replace
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from ..multibase import ed25519_from_multibase, ed25519_to_multibase
from . import grant as grants
from .tap import TapReport

# Reasons a visit's door proof is refused at the home place (logged, and the visit not kept).
NO_PROOF = "no_door_proof"
BAD_SIGNATURE = "bad_door_signature"
NOT_ENDORSED = "door_not_endorsed"
MISMATCH = "report_mismatch"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _canonical(value: dict[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def statement(report: TapReport) -> bytes:
    """The bytes a door signs: the report's fields, signature aside, in one canonical form."""
    return _canonical(report.unsigned_json())


def sign_report(report: TapReport, key: ed25519.Ed25519PrivateKey) -> TapReport:
    signed = replace(report, door_key=ed25519_to_multibase(key.public_key()))
    return replace(signed, door_signature=_b64(key.sign(statement(signed))))


def report_signed_by(report: TapReport, door_key: str | None) -> bool:
    """Whether the report carries a valid signature by `door_key` (multibase)."""
    if door_key is None or report.door_key != door_key or report.door_signature is None:
        return False
    key = ed25519_from_multibase(door_key)
    if key is None:
        return False
    try:
        key.verify(_unb64(report.door_signature), statement(report))
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def endorsement(
    place_id: str, door: str, door_key: str, place_key: ed25519.Ed25519PrivateKey
) -> dict[str, str]:
    """The place's word that `door_key` is its door `door` (Ed25519 signatures are
    deterministic: the same endorsement each time, nothing to store)."""
    signed = _canonical({"place": place_id, "door": door, "key": door_key})
    return {"door": door, "key": door_key, "signature": _b64(place_key.sign(signed))}


def _endorsed(
    place_id: str,
    proof: Any,
    report: TapReport,
    place_keys: dict[str, ed25519.Ed25519PublicKey],
) -> bool:
    if not isinstance(proof, dict) or proof.get("key") != report.door_key:
        return False
    if proof.get("door") != report.door:
        return False  # one door's key does not sign for another door of the place
    signed = _canonical({"place": place_id, "door": report.door, "key": report.door_key})
    try:
        signature = _unb64(str(proof.get("signature")))
    except (ValueError, binascii.Error):
        return False
    for key in place_keys.values():
        try:
            key.verify(signature, signed)
            return True
        except InvalidSignature:
            continue
    return False


def check_visit(
    visit: dict[str, Any], place_id: str, place_keys: dict[str, ed25519.Ed25519PublicKey]
) -> str | None:
    """Why a tl:Visit reported by the place `place_id` is not one of its doors' (a reason
    word), or None when it is: its tap report is signed by a door key the place endorsed (or
    by the place's own key, at a desk), and says what the visit says. `place_keys`: the
    place's published assertion keys (`keys.assertion_methods` of its actor document)."""
    data = visit.get("tl:tapReport")
    if not isinstance(data, dict):
        return NO_PROOF
    try:
        report = TapReport.from_json(data)
        grant = grants.read(report.grant)[0]
    except (KeyError, TypeError, ValueError, grants.GrantError):
        return MISMATCH
    if not report_signed_by(report, report.door_key):
        return BAD_SIGNATURE
    own = {ed25519_to_multibase(key) for key in place_keys.values()}
    if report.door_key not in own and not _endorsed(
        place_id, visit.get("tl:doorEndorsement"), report, place_keys
    ):
        return NOT_ENDORSED
    if not report.accepted or (grant.grant_id, grant.member, report.door) != (
        visit.get("tl:grant"),
        visit.get("tl:visitor"),
        visit.get("tl:door"),
    ):
        return MISMATCH
    return None
