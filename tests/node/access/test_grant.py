"""Grants and the door's decision: pure functions, every reason a door can give."""

from __future__ import annotations

import dataclasses
import json

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from node.access import grant as grants
from node.access.decision import TrustBundle, decide

HOME = "https://coroutine.example/actors/coroutine"
MEMBER = "https://coroutine.example/actors/alice"
VISITED = "https://popcafe.example/actors/popcafe"
UID = bytes.fromhex("04A224B2C31580")
NOW = 1_800_000_000


@pytest.fixture(scope="module")
def key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def bundle_for(
    key: ed25519.Ed25519PrivateKey, revoked: frozenset[tuple[str, str]] = frozenset()
) -> TrustBundle:
    public = key.public_key()
    return TrustBundle(place=VISITED, issuers={HOME: {grants.key_id(public): public}},
                       revoked=revoked)  # fmt: skip


def make(key: ed25519.Ed25519PrivateKey, **overrides: object) -> tuple[str, bytes]:
    args: dict[str, object] = dict(issuer=HOME, member=MEMBER, card_uid=UID,
                                   not_before=NOW - 10, expires=NOW + 86400)  # fmt: skip
    args.update(overrides)
    return grants.issue(key, **args)  # type: ignore[arg-type]


def test_a_grant_fits_an_ntag215_and_round_trips_through_text(
    key: ed25519.Ed25519PrivateKey,
) -> None:
    gid, data = make(key)
    assert len(data) < 500
    assert grants.to_text(data).startswith("BIL1:")
    assert grants.from_text(grants.to_text(data)) == data
    grant = grants.verify(data, {grants.key_id(key.public_key()): key.public_key()})
    assert (grant.issuer, grant.member, grant.grant_id) == (HOME, MEMBER, gid)
    # Nothing personal: no name, no e-mail, no raw UID on the card.
    assert UID not in data and b"Alice" not in data


def test_it_is_a_cose_sign1_with_eddsa(key: ed25519.Ed25519PrivateKey) -> None:
    _, data = make(key)
    outer = cbor2.loads(data)
    assert outer.tag == 18
    protected = cbor2.loads(outer.value[0])
    assert protected[1] == -8  # EdDSA
    claims = cbor2.loads(outer.value[2])
    assert claims[1] == HOME and claims[2] == MEMBER  # iss, sub


def test_the_card_hash_is_salted_by_the_grant(key: ed25519.Ed25519PrivateKey) -> None:
    a = grants.read(make(key)[1])[0]
    b = grants.read(make(key)[1])[0]
    assert a.card_hash != b.card_hash  # two grants of one card cannot be linked


@pytest.mark.parametrize(
    ("uid", "now", "reason"),
    [
        (UID, NOW, "ok"),
        (None, NOW, "ok"),  # a QR code shown without the card
        (bytes.fromhex("04FFEEDDCCBB80"), NOW, "wrong_card"),
        (UID, NOW + 86400, "expired"),
        (UID, NOW - 3600, "not_yet_valid"),
        (UID, NOW - 200, "ok"),  # within the clock skew a door is allowed
    ],
)
def test_decisions(
    key: ed25519.Ed25519PrivateKey, uid: bytes | None, now: int, reason: str
) -> None:
    _, data = make(key)
    decision = decide(data, uid, bundle_for(key), now)
    assert decision.reason == reason
    assert decision.accepted is (reason == "ok")


def test_revoked_unknown_forged_and_malformed(key: ed25519.Ed25519PrivateKey) -> None:
    gid, data = make(key)
    assert decide(data, UID, bundle_for(key, frozenset({(HOME, gid)})), NOW).reason == "revoked"
    other = ed25519.Ed25519PrivateKey.generate()
    assert decide(data, UID, bundle_for(other), NOW).reason == "bad_signature"
    stranger = grants.issue(other, "https://x.example/actors/x", MEMBER, UID, NOW, NOW + 99)[1]
    assert decide(stranger, UID, bundle_for(key), NOW).reason == "unknown_issuer"
    for junk in (
        b"",
        b"\x00\x01",
        cbor2.dumps([1, 2]),
        cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b"", b""])),
    ):
        assert decide(junk, UID, bundle_for(key), NOW).reason == "malformed"


def test_a_flipped_bit_anywhere_is_refused(key: ed25519.Ed25519PrivateKey) -> None:
    _, data = make(key)
    bundle = bundle_for(key)
    for i in range(0, len(data), 7):
        tampered = bytearray(data)
        tampered[i] ^= 0x01
        assert not decide(bytes(tampered), UID, bundle, NOW).accepted


def test_the_bundle_survives_json(key: ed25519.Ed25519PrivateKey) -> None:
    _, data = make(key)
    bundle = bundle_for(key, frozenset({(HOME, "aa" * 16)}))
    copy = TrustBundle.from_json(json.loads(bundle.dumps()))
    assert copy.revoked == bundle.revoked
    assert decide(data, UID, copy, NOW).accepted


def test_a_place_that_requires_the_card_refuses_a_qr_code_alone(
    key: ed25519.Ed25519PrivateKey,
) -> None:
    _, bound = make(key)
    _, unbound = make(key, card_uid=None)
    strict = dataclasses.replace(bundle_for(key), card_required=True)
    qr_only = decide(bound, None, strict, NOW)
    assert (qr_only.accepted, qr_only.reason) == (False, "card_required")
    assert qr_only.grant is not None  # the refusal names whose grant it was
    assert "QR code seul" in qr_only.to_json()["message"]
    with_card = decide(bound, UID, strict, NOW)
    assert (with_card.accepted, with_card.card_checked) == (True, True)
    assert decide(bound, bytes(7), strict, NOW).reason == "wrong_card"
    # A grant bound to no card proves no card, even tapped on one.
    assert decide(unbound, UID, strict, NOW).reason == "card_required"
    # The grant's own faults come first: a team hears "expired", not "bring the card".
    assert decide(bound, None, strict, NOW + 86400).reason == "expired"
    # Where no card is required, a QR code alone is accepted, the card unchecked.
    relaxed = decide(bound, None, bundle_for(key), NOW)
    assert (relaxed.accepted, relaxed.card_checked) == (True, False)


def test_the_card_requirement_travels_in_the_bundle(key: ed25519.Ed25519PrivateKey) -> None:
    _, data = make(key)
    strict = dataclasses.replace(bundle_for(key), card_required=True)
    copy = TrustBundle.from_json(json.loads(strict.dumps()))
    assert copy.card_required is True
    assert decide(data, None, copy, NOW).reason == "card_required"
    older = strict.to_json()
    del older["card_required"]  # a bundle from a node that predates the policy
    assert TrustBundle.from_json(older).card_required is False


def test_a_grant_too_large_for_an_ntag215_is_not_issued(key: ed25519.Ed25519PrivateKey) -> None:
    from reader import ndef

    # The largest grant that issue() lets out still fits the NTAG215's 496-byte data area.
    assert 4 + len(ndef.grant_message(bytes(grants.MAX_BYTES))) <= 496
    with pytest.raises(grants.GrantError):
        make(key, credit_account="x" * 300)


def test_a_credit_grant_is_refused_past_the_overdraft(key: ed25519.Ed25519PrivateKey) -> None:
    _, data = make(key, credit_account="mel")
    public = key.public_key()

    def bundle(remaining: int, overdraft: int) -> TrustBundle:
        return TrustBundle(
            place=VISITED, issuers={HOME: {grants.key_id(public): public}},
            credit={HOME: {"mel": (remaining, overdraft)}}, rates={HOME: 500},
        )  # fmt: skip

    assert decide(data, UID, bundle(500, 0), NOW).accepted
    assert decide(data, UID, bundle(0, 0), NOW).reason == "no_credit"
    assert decide(data, UID, bundle(0, 500), NOW).accepted  # within the overdraft
    assert decide(data, UID, bundle(-300, 500), NOW).reason == "no_credit"
    unknown = TrustBundle(place=VISITED, issuers={HOME: {grants.key_id(public): public}})
    assert decide(data, UID, unknown, NOW).accepted  # balance not known: the claim settles it
    copy = TrustBundle.from_json(json.loads(bundle(0, 0).dumps()))
    assert decide(data, UID, copy, NOW).reason == "no_credit"


@pytest.mark.parametrize(
    "claims",
    [
        {1: HOME, 2: "m", 4: 9, 5: 0, 7: 2**63},  # an integer where bytes belong: no bytes(n)
        {1: HOME, 2: "m", 4: 9, 5: 0, 7: 2**40},
        {1: HOME, 2: "m", 4: 9, 5: 0, 7: b"short"},
        {1: 5, 2: "m", 4: 9, 5: 0, 7: bytes(16)},
        {1: HOME, 2: "m", 4: "soon", 5: 0, 7: bytes(16)},
        {1: HOME, 2: "m", 4: 9, 5: 0, 7: bytes(16), -70001: 12},
    ],
)
def test_hostile_claims_are_malformed_not_a_crash(
    key: ed25519.Ed25519PrivateKey, claims: dict[int, object]
) -> None:
    protected = cbor2.dumps({1: -8, 4: grants.key_id(key.public_key())})
    payload = cbor2.dumps(claims)
    data = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, bytes(64)]))
    assert decide(data, UID, bundle_for(key), NOW).reason == "malformed"
