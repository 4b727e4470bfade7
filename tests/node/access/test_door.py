"""A door's trust, from the node's side: its scoped token, its enrolment, the sealed bundle, the
signed tap reports; and the home place's check of a visit's door proof."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from node.access import grant as grants
from node.access.decision import BundleError, Decision, TrustBundle, seal, unseal
from node.access.door import (
    BAD_SIGNATURE,
    MISMATCH,
    NOT_ENDORSED,
    check_visit,
    endorsement,
    sign_report,
)
from node.access.tap import TapReport
from node.cli import main as cli
from node.multibase import ed25519_from_multibase, ed25519_to_multibase

from ..conftest import InProcessNode

UID = bytes.fromhex("04A224B2C31580")


def run_cli(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli(list(args)) == 0
    return out.getvalue()


def door_token(place: InProcessNode) -> str:
    data = str(place.config.data_dir)
    out = run_cli("token", "--data", data, "--actor", place.config.handle, "--scope", "door")
    assert "Jeton de porte" in out
    return out.strip().splitlines()[-1]


def issue(place: InProcessNode, member: str) -> bytes:
    out = run_cli("badge", "issue", "--data", str(place.config.data_dir), "--member", member,
                  "--card-uid", UID.hex())  # fmt: skip
    return grants.from_text(out.strip().splitlines()[-1])


def enrol(place: InProcessNode, token: str, key: ed25519.Ed25519PrivateKey) -> dict[str, Any]:
    response = place.client.post(
        "/access/doors",
        json={"door": "entree", "key": ed25519_to_multibase(key.public_key())},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def report(grant: bytes, door: str = "entree") -> TapReport:
    return TapReport.of(Decision(True, "ok"), grant, UID, door, time.time())


def test_a_door_token_reads_the_sealed_bundle_and_nothing_else(place: InProcessNode) -> None:
    token = door_token(place)
    key = ed25519.Ed25519PrivateKey.generate()
    place_key = ed25519_from_multibase(enrol(place, token, key)["key"])
    assert place_key is not None
    auth = {"authorization": f"Bearer {token}"}

    sealed = place.client.get("/access/bundle", headers=auth).json()
    bundle = unseal(sealed, place_key)
    assert bundle.place == place.actor_id() and time.time() - bundle.generated_at < 60
    assert bundle.doors == {"entree": ed25519_to_multibase(key.public_key())}
    assert not bundle.stale_own_members  # the default: all refused when stale

    # The outbox is the account's, not the door's: 403, said in French.
    refused = place.client.post(
        f"/actors/{place.config.handle}/outbox",
        json={"type": "Note", "content": "depuis la porte"},
        headers={**auth, "accept-language": "fr"},
    )
    assert refused.status_code == 403
    assert "jeton est celui d'une porte" in refused.json()["error"]
    # The ledger's balances too.
    assert place.client.get("/ledger/balances", headers=auth).status_code == 403
    # A token of scope `all` still does everything it did.
    full = place.token(place.config.handle)
    assert place.client.get(
        "/access/bundle", headers={"authorization": f"Bearer {full}"}
    ).is_success


def test_the_policy_travels_in_the_bundle(place: InProcessNode) -> None:
    run_cli("badge", "policy", "--data", str(place.config.data_dir), "--stale-own-members", "oui")
    token = door_token(place)
    place_key = ed25519_from_multibase(
        enrol(place, token, ed25519.Ed25519PrivateKey.generate())["key"]
    )
    assert place_key is not None
    sealed = place.client.get("/access/bundle", headers={"authorization": f"Bearer {token}"})
    assert unseal(sealed.json(), place_key).stale_own_members


def test_a_door_key_is_bound_to_its_token_once(place: InProcessNode) -> None:
    token = door_token(place)
    key = ed25519.Ed25519PrivateKey.generate()
    first = enrol(place, token, key)
    assert enrol(place, token, key) == first  # the same reader again: the same answer
    other = place.client.post(
        "/access/doors",
        json={"door": "entree", "key": ed25519_to_multibase(
            ed25519.Ed25519PrivateKey.generate().public_key())},
        headers={"authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert other.status_code == 403 and "--scope door" in other.json()["error"]
    # The place publishes its door's key for its peers.
    actor = place.client.get(f"/actors/{place.config.handle}").json()
    published = [k["publicKeyMultibase"] for k in actor["tl:doorKeys"]]
    assert published == [ed25519_to_multibase(key.public_key())]


def test_a_tap_report_needs_the_enrolled_doors_signature(place: InProcessNode) -> None:
    token = door_token(place)
    key = ed25519.Ed25519PrivateKey.generate()
    auth = {"authorization": f"Bearer {token}"}
    grant = issue(place, "alice")

    def post(tap: TapReport) -> int:
        return place.client.post("/access/taps", json=tap.to_json(), headers=auth).status_code

    unenrolled = sign_report(report(grant), key)
    assert post(unenrolled) == 403  # no door enrolled with this token yet
    enrol(place, token, key)

    forger = ed25519.Ed25519PrivateKey.generate()
    assert post(sign_report(report(grant), forger)) == 403  # another key
    tampered = sign_report(report(grant), key)
    tampered = dataclasses.replace(tampered, decided_at=tampered.decided_at - 86400)
    assert post(tampered) == 403  # backdated after signing
    assert post(report(grant)) == 403  # unsigned
    assert post(sign_report(report(grant, door="cuisine"), key)) == 403  # another door's name
    refused = place.query("SELECT COUNT(*) FROM taps")[0][0]
    assert refused == 0

    good = sign_report(report(grant), key)
    assert post(good) == 201
    visit = place.query("SELECT id FROM visits WHERE report_id = ?", (good.report_id,))
    assert visit


# --- the home place's check (pure) ---------------------------------------------------------

PLACE = "https://popcafe.example/actors/popcafe"
HOME = "https://coroutine.example/actors/coroutine"


def visit_of(tap: TapReport, proof: dict[str, str] | None) -> dict[str, Any]:
    grant = grants.read(tap.grant)[0]
    visit: dict[str, Any] = {
        "type": "tl:Visit", "tl:grant": grant.grant_id, "tl:visitor": grant.member,
        "tl:door": tap.door, "tl:tapReport": tap.to_json(),
    }  # fmt: skip
    if proof is not None:
        visit["tl:doorEndorsement"] = proof
    return visit


def test_the_home_place_checks_the_door_and_the_places_word_for_it() -> None:
    place_key = ed25519.Ed25519PrivateKey.generate()
    place_keys = {PLACE + "#ed25519-key": place_key.public_key()}
    home_key = ed25519.Ed25519PrivateKey.generate()
    _, grant = grants.issue(home_key, HOME, HOME + "/alice", UID, 0, 4_000_000_000)
    door_key = ed25519.Ed25519PrivateKey.generate()
    door_mb = ed25519_to_multibase(door_key.public_key())
    tap = sign_report(report(grant), door_key)
    proof = endorsement(PLACE, "entree", door_mb, place_key)

    assert check_visit(visit_of(tap, proof), PLACE, place_keys) is None
    # At a desk, the place signs itself: no endorsement needed.
    assert check_visit(visit_of(sign_report(report(grant), place_key), None), PLACE,
                       place_keys) is None  # fmt: skip
    # A door the place never vouched for, or vouched for under another name.
    stray = ed25519.Ed25519PrivateKey.generate()
    assert check_visit(visit_of(sign_report(report(grant), stray), proof), PLACE,
                       place_keys) == NOT_ENDORSED  # fmt: skip
    other_door = endorsement(PLACE, "cuisine", door_mb, place_key)
    assert check_visit(visit_of(tap, other_door), PLACE, place_keys) == NOT_ENDORSED
    # The report altered after the door signed it (a backdated visit).
    moved = dataclasses.replace(tap, decided_at=tap.decided_at - 4 * 86400)
    assert check_visit(visit_of(moved, proof), PLACE, place_keys) == BAD_SIGNATURE
    # A visit that says another member than the signed report.
    visit = visit_of(tap, proof) | {"tl:visitor": HOME + "/bob"}
    assert check_visit(visit, PLACE, place_keys) == MISMATCH


def test_a_bundle_unsealed_with_another_key_is_refused() -> None:
    bundle = TrustBundle(PLACE, {}, generated_at=time.time())
    sealed = seal(bundle, ed25519.Ed25519PrivateKey.generate())
    with pytest.raises(BundleError) as refused:
        unseal(sealed, ed25519.Ed25519PrivateKey.generate().public_key())
    assert "Paquet de confiance refusé" in refused.value.message("fr")
