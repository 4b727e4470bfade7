"""A GET signed the RFC 9421 way is recognised like a draft-cavage one (network fields)."""

from __future__ import annotations

import sqlite3

from node.signature import rfc9421

from ..conftest import InProcessNode, StandIn

AS_JSON = "application/activity+json"


def test_a_peer_signing_its_get_with_rfc9421_sees_network_fields(
    place: InProcessNode, stand_in: StandIn
) -> None:
    response = place.client.post(
        "/residents/alice/profile",
        json={"projects": {"value": ["Repair café"], "visibility": "network"}},
        headers={"authorization": f"Bearer {place.token('alice')}"},
    )
    assert response.status_code == 200, response.text
    actor = stand_in.add_actor("/actors/popcafe", type="Organization")
    key_id = f"{actor}#main-key"
    # The node knows the key once it has heard from the actor (it never fetches while serving).
    like = {"id": f"{actor}/likes/1", "type": "Like", "actor": actor,
            "object": place.actor_id("alice")}  # fmt: skip
    assert place.post_signed("/inbox", like, stand_in.key, key_id).status_code == 202
    with sqlite3.connect(place.config.database) as db:
        db.execute("INSERT INTO peers (actor_id, added_at) VALUES (?, 0)", (actor,))

    def get(headers: dict[str, str]) -> dict[str, object]:
        return dict(place.client.get("/actors/alice", headers=headers).json())

    url = f"{place.config.base_url}/actors/alice"
    signed = rfc9421.sign_request(
        "GET", url, key_id, stand_in.key, extra_headers={"accept": AS_JSON}
    )
    assert get(signed)["projects"] == ["Repair café"]
    # Signed for another URL: the public view, no error.
    elsewhere = rfc9421.sign_request(
        "GET", f"{url}/x", key_id, stand_in.key, extra_headers={"accept": AS_JSON}
    )
    assert "projects" not in get(elsewhere)
    assert "projects" not in get({"accept": AS_JSON})
