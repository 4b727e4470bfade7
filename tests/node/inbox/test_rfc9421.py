"""The inbox takes POSTs signed the RFC 9421 way only (Fedify, Mastodon ≥ 4.5), with the
sender's RSA key or its Ed25519 Multikey, and refuses them with a reason when they fall short."""

from __future__ import annotations

import json
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import ed25519

from node.multibase import ed25519_to_multibase
from node.signature import rfc9421

from ..conftest import InProcessNode, StandIn

ED_KEY = ed25519.Ed25519PrivateKey.generate()


def _actor(stand_in: StandIn) -> str:
    actor = stand_in.add_actor(
        "/users/fedi",
        assertionMethod=[
            {
                "id": f"{stand_in.base_url}/users/fedi#ed25519-key",
                "type": "Multikey",
                "controller": f"{stand_in.base_url}/users/fedi",
                "publicKeyMultibase": ed25519_to_multibase(ED_KEY.public_key()),
            }
        ],
    )
    return actor


def _follow(place: InProcessNode, actor: str) -> dict[str, Any]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}#follows/1",
        "type": "Follow",
        "actor": actor,
        "object": place.actor_id(),
    }


def _post(
    place: InProcessNode, activity: dict[str, Any], key: Any, key_id: str, **kwargs: Any
) -> httpx.Response:
    path = "/actors/coroutine/inbox"
    body = json.dumps(activity).encode()
    headers = rfc9421.sign_request(
        "POST", f"{place.config.base_url}{path}", key_id, key, body=body,
        extra_headers={"content-type": "application/activity+json"}, **kwargs,
    )  # fmt: skip
    assert "signature-input" in headers and "digest" not in headers  # RFC 9421 only
    return place.client.post(path, content=body, headers=headers)


def test_a_follow_signed_with_rfc9421_rsa_only_is_accepted_and_applied(
    place: InProcessNode, stand_in: StandIn
) -> None:
    actor = _actor(stand_in)
    response = _post(place, _follow(place, actor), stand_in.key, f"{actor}#main-key")
    assert response.status_code == 202, response.text
    place.wait("SELECT 1 FROM follows WHERE follower = ? AND state = 'accepted'", (actor,))
    assert stand_in.wait_received(lambda b: b.get("type") == "Accept")["actor"] == place.actor_id()


def test_a_follow_signed_with_the_senders_ed25519_multikey_is_accepted(
    place: InProcessNode, stand_in: StandIn
) -> None:
    actor = _actor(stand_in)
    response = _post(place, _follow(place, actor), ED_KEY, f"{actor}#ed25519-key")
    assert response.status_code == 202, response.text
    place.wait("SELECT 1 FROM follows WHERE follower = ? AND state = 'accepted'", (actor,))


def test_a_signature_without_target_uri_is_refused_with_a_reason(
    place: InProcessNode, stand_in: StandIn
) -> None:
    actor = _actor(stand_in)
    response = _post(
        place, _follow(place, actor), stand_in.key, f"{actor}#main-key",
        components=("@method", "@authority", "@path", "content-digest"),
    )  # fmt: skip
    assert response.status_code == 401
    assert "@target-uri" in response.json()["error"]


def test_a_body_changed_under_the_signature_is_refused(
    place: InProcessNode, stand_in: StandIn
) -> None:
    actor = _actor(stand_in)
    path = "/actors/coroutine/inbox"
    body = json.dumps(_follow(place, actor)).encode()
    headers = rfc9421.sign_request(
        "POST", f"{place.config.base_url}{path}", f"{actor}#main-key", stand_in.key, body=body
    )
    response = place.client.post(path, content=body.replace(b"Follow", b"Block"), headers=headers)
    assert response.status_code == 401
    assert "Content-Digest" in response.json()["error"]


def test_the_signer_must_be_the_activitys_actor(place: InProcessNode, stand_in: StandIn) -> None:
    actor = _actor(stand_in)
    other = stand_in.add_actor("/users/other")
    response = _post(place, _follow(place, other), stand_in.key, f"{actor}#main-key")
    assert response.status_code in (401, 403)
    assert place.query("SELECT 1 FROM follows WHERE follower = ?", (other,)) == []
