"""`/equipe/envois` (administrators): a delivery to a failing peer shows its last error and is
retried now from the page; a request the inbox refused shows with its reason; the refusals
kept are bounded."""

from __future__ import annotations

import json
import sqlite3

from cryptography.hazmat.primitives.asymmetric import rsa

from node.inbox.refusals import worth_keeping
from node.tables import inbox_refusals
from tests.node.conftest import InProcessNode, StandIn
from tests.node.web.session import HTML, sign_in_as
from tests.node.web.team.peering import add_peer, peer_place, words


def test_deliveries_are_the_administrators_only(place: InProcessNode) -> None:
    sign_in_as(place, "theo", "team")
    assert place.client.get("/equipe/envois", headers=HTML).status_code == 403
    assert place.client.post("/equipe/envois/relancer", data={"id": "1"}).status_code == 403


def test_a_failing_delivery_shows_its_error_and_is_retried_now(
    place: InProcessNode, stand_in: StandIn
) -> None:
    stand_in.status = 500
    peer = peer_place(stand_in)
    add_peer(place, peer)
    rows = place.wait("SELECT id, next_attempt_at FROM deliveries WHERE last_error IS NOT NULL"
                      " AND state = 'pending'")  # fmt: skip
    delivery_id, later = rows[0]
    csrf = sign_in_as(place, "ada", "admin")
    page = words(place.client.get("/equipe/envois", headers=HTML))
    assert f"{stand_in.base_url}/inbox" in page or f"{peer.actor}/inbox" in page
    assert "500" in page and "Réessayer maintenant" in page

    # Without the token: unchanged.
    assert place.client.post("/equipe/envois/relancer", data={"id": delivery_id}).status_code == 403
    assert place.query("SELECT next_attempt_at FROM deliveries WHERE id = ?",
                       (delivery_id,))[0][0] >= later  # fmt: skip

    tried = len(stand_in.received)
    answer = place.client.post("/equipe/envois/relancer", data={"csrf": csrf, "id": delivery_id},
                               follow_redirects=False)  # fmt: skip
    assert answer.headers["location"] == "/equipe/envois?fait=relance"
    stand_in.wait_received(lambda body: len(stand_in.received) > tried)
    assert "Envoi remis en file" in words(place.client.get(answer.headers["location"],
                                                         headers=HTML))  # fmt: skip


def test_retrying_a_delivery_that_is_not_pending_says_so(place: InProcessNode) -> None:
    csrf = sign_in_as(place, "ada", "admin")
    answer = place.client.post("/equipe/envois/relancer", data={"csrf": csrf, "id": "999"})
    assert answer.status_code == 404
    assert "plus en attente" in words(answer)


def test_a_request_the_inbox_refused_shows_with_its_reason(
    place: InProcessNode, stand_in: StandIn
) -> None:
    peer = peer_place(stand_in)
    add_peer(place, peer)
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    activity = {"@context": "https://www.w3.org/ns/activitystreams", "type": "Create",
                "id": f"{peer.actor}/activities/forged", "actor": peer.actor,
                "to": [place.actor_id()],
                "object": {"id": f"{peer.actor}/notes/1", "type": "Note",
                           "content": "x"}}  # fmt: skip
    answer = place.post_signed("/inbox", activity, forger, f"{peer.actor}#main-key")
    assert answer.status_code == 401
    sign_in_as(place, "ada", "admin")
    page = words(place.client.get("/equipe/envois", headers=HTML))
    assert f"{stand_in.base_url} Clé annoncée : {peer.actor}#main-key 401" in page
    assert f"Create {peer.actor}/activities/forged" in page
    assert place.query("SELECT status, type FROM inbox_refusals") == [(401, "Create")]


def test_unsigned_requests_and_load_answers_are_not_kept() -> None:
    assert worth_keeping(401, "https://b.example/actors/b#main-key")
    assert not worth_keeping(401, None)  # anyone on the internet
    assert not worth_keeping(429, "https://b.example/actors/b#main-key")
    assert not worth_keeping(503, "https://b.example/actors/b#main-key")


def test_only_the_latest_refusals_are_kept() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(inbox_refusals.SCHEMA)
    for n in range(inbox_refusals.KEPT + 20):
        db.execute("INSERT INTO inbox_refusals (refused_at, status, origin, key_id, reason)"
                   " VALUES (?, 401, 'https://b.example', 'k', ?)", (n, json.dumps(n)))  # fmt: skip
    assert db.execute("SELECT COUNT(*), MIN(refused_at) FROM inbox_refusals").fetchone() == (
        inbox_refusals.KEPT,
        20,
    )


def test_the_lists_narrow_to_one_server(place: InProcessNode, stand_in: StandIn) -> None:
    stand_in.status = 500
    peer = peer_place(stand_in)
    add_peer(place, peer)
    place.wait("SELECT 1 FROM deliveries WHERE last_error IS NOT NULL")
    sign_in_as(place, "ada", "admin")
    here = stand_in.base_url.removeprefix("http://")
    page = place.client.get(f"/equipe/envois?serveur={here}", headers=HTML)
    assert "Réessayer maintenant" in words(page) and f'value="{here}"' in page.text
    other = words(place.client.get("/equipe/envois?serveur=ailleurs.example", headers=HTML))
    assert "Aucun envoi en attente ni en échec." in other
