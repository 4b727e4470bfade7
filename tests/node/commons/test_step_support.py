"""Supporting a step at one node: the place's Like of a step is signed and kept as a support,
taken back with an Undo; a peer place's signed Like is checked at the inbox (a forged one is
refused with its reason), kept and re-announced by the step's home, its Undo too; a
Mastodon user's favourite of the step, unsigned, stays an ordinary reaction."""

from __future__ import annotations

import json
import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from node.keys import ed25519_to_multibase
from node.ledger import proof
from tests.node.agenda.test_events import post
from tests.node.commons.test_steps import STEP, _run
from tests.node.conftest import PUBLIC, InProcessNode, StandIn
from tests.node.inbox.test_captured import load, send

AS = "https://www.w3.org/ns/activitystreams"


def step_of(place: InProcessNode, **more: Any) -> str:
    created = post(place, {**STEP, **more})
    assert created.status_code == 201, created.text
    return str(created.json()["object"]["id"])


def peer_place(stand_in: StandIn, handle: str = "fabrik") -> tuple[str, ed25519.Ed25519PrivateKey]:
    """A place on the stand-in, with the Ed25519 key its supports and evaluations carry."""
    key = ed25519.Ed25519PrivateKey.generate()
    actor = f"{stand_in.base_url}/actors/{handle}"
    stand_in.add_actor(f"/actors/{handle}", type="Organization", name=handle.capitalize(),
                       assertionMethod=[{
                           "id": f"{actor}#ed25519-key", "type": "Multikey", "controller": actor,
                           "publicKeyMultibase": ed25519_to_multibase(key.public_key()),
                       }])  # fmt: skip
    return actor, key


def signed_by(actor: str, key: ed25519.Ed25519PrivateKey, document: dict[str, Any]) -> Any:
    return proof.sign(document, key, f"{actor}#ed25519-key")


def like_of(actor: str, step: str, place: InProcessNode) -> dict[str, Any]:
    return {"@context": AS, "id": f"{actor}/likes/{uuid.uuid4()}", "type": "Like",
            "actor": actor, "object": step, "published": "2026-05-01T10:00:00Z",
            "to": [PUBLIC, place.actor_id()]}  # fmt: skip


def supporters(place: InProcessNode, step: str) -> list[str]:
    code, out = _run("step", "supporters", "--data", str(place.config.data_dir), step, "--json")
    assert code == 0, out
    return list(json.loads(out))


def announced(place: InProcessNode, kind: str) -> list[dict[str, Any]]:
    rows = place.query("SELECT document FROM activities WHERE type = 'Announce'")
    return [
        d["object"] for d in map(json.loads, (r[0] for r in rows)) if d["object"]["type"] == kind
    ]


def test_a_peers_signed_support_is_checked_kept_and_re_announced_then_undone(
    place: InProcessNode, stand_in: StandIn
) -> None:
    step = step_of(place)
    fabrik, key = peer_place(stand_in)
    key_id = f"{fabrik}#main-key"
    like = like_of(fabrik, step, place)
    forged = proof.sign(like, ed25519.Ed25519PrivateKey.generate(), f"{fabrik}#ed25519-key")
    answer = place.post_signed("/inbox", forged, stand_in.key, key_id)
    assert answer.status_code == 403 and "proof does not verify" in answer.json()["error"]
    assert supporters(place, step) == []

    signed = signed_by(fabrik, key, like)
    answer = place.post_signed("/inbox", signed, stand_in.key, key_id)
    assert answer.status_code == 202, answer.text
    place.wait("SELECT 1 FROM step_supports WHERE id = ? AND undone = 0", (like["id"],))
    assert supporters(place, step) == [fabrik]
    place.wait("SELECT 1 FROM activities WHERE type = 'Announce'")
    assert announced(place, "Like") == [signed]  # the place's signature and all

    undo = {"@context": AS, "id": f"{fabrik}/undos/{uuid.uuid4()}", "type": "Undo",
            "actor": fabrik, "object": {k: v for k, v in signed.items() if k != "@context"},
            "to": [PUBLIC, place.actor_id()]}  # fmt: skip
    unsigned = place.post_signed("/inbox", {**undo, "proof": signed["proof"]}, stand_in.key, key_id)
    assert unsigned.status_code == 403  # the Like's proof does not sign the Undo
    answer = place.post_signed("/inbox", signed_by(fabrik, key, undo), stand_in.key, key_id)
    assert answer.status_code == 202, answer.text
    place.wait("SELECT 1 FROM step_supports WHERE id = ? AND undone = 1", (like["id"],))
    assert supporters(place, step) == []
    place.wait("SELECT 1 FROM activities WHERE type = 'Announce' AND document LIKE '%Undo%'")
    assert [u["id"] for u in announced(place, "Undo")] == [undo["id"]]


def test_the_places_own_support_is_signed_and_taken_back_by_the_command(
    place: InProcessNode,
) -> None:
    step = step_of(place)
    data = str(place.config.data_dir)
    code, out = _run("step", "support", "--data", data, "--step", step)
    assert code == 0, out
    like_id = out.strip().splitlines()[-1]
    served = place.client.get(like_id, headers={"accept": "application/activity+json"}).json()
    actor = place.client.get(place.actor_id(), headers={"accept": "application/activity+json"})
    assert proof.verify(served, proof.assertion_key_finder(actor.json())).startswith(
        place.actor_id()
    )
    assert supporters(place, step) == [place.actor_id()]
    again = post(place, {"type": "Like", "object": step, "to": [PUBLIC]})
    assert again.status_code == 400 and "soutient déjà" in again.json()["error"]

    code, out = _run("step", "support", "--data", data, "--step", step, "--undo")
    assert code == 0 and "Soutien retiré" in out, out
    assert supporters(place, step) == []
    code, _ = _run("step", "support", "--data", data, "--step", step, "--undo")
    assert code == 2  # nothing to take back, said in French


def test_likes_that_are_no_place_support_stay_reactions(
    place: InProcessNode, stand_in: StandIn
) -> None:
    step = step_of(place)
    # A member's Like of the step: a reaction, not signed, not a support of the place.
    liked = post(place, {"type": "Like", "object": step, "to": [PUBLIC]}, "alice")
    assert liked.status_code == 201, liked.text
    assert "proof" not in liked.json()
    # A Mastodon user's favourite of the step's Note (captured, unsigned).
    favourite = load("mastodon/like.json", stand_in, place,
                     **{"http://localtesting.pleroma.lol/objects/eb92579d-3417-42a8-8652-2492c2d4f454":
                        step})  # fmt: skip
    assert send(place, stand_in, favourite).status_code == 202
    place.wait("SELECT 1 FROM reactions WHERE activity_id = ?", (favourite["id"],))
    assert place.query("SELECT * FROM step_supports") == []
    assert supporters(place, step) == []
