"""What a place's inbox refuses, each attack its own test, against real processes.

The sender is a real member of another real node (alice@popcafe): the test signs as her with
her key, read from her node's database, and posts by hand so that it can get things wrong.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from node.signature import sign_request

from .network import LocalPlace, Pair, create_note, wait_for


def post(
    inbox: str,
    body: bytes,
    key: rsa.RSAPrivateKey | None,
    key_id: str,
    now: datetime | None = None,
    tamper: dict[str, str] | None = None,
) -> httpx.Response:
    headers = {"content-type": "application/activity+json"}
    if key is not None:
        headers = sign_request("POST", inbox, key_id, key, body=body, extra_headers=headers,
                               now=now)  # fmt: skip
    headers.update(tamper or {})
    return httpx.post(inbox, content=body, headers=headers, timeout=10)


def post_as_alice(
    strangers: Pair, activity: dict[str, Any], now: datetime | None = None
) -> httpx.Response:
    """`activity` POSTed to coroutine's inbox, signed correctly by alice of popcafe."""
    coroutine, popcafe = strangers
    alice = f"{popcafe.actor_id('alice')}#main-key"
    body = json.dumps(activity).encode()
    return post(f"{coroutine.actor_id()}/inbox", body, popcafe.private_key("alice"), alice, now)


def stored(place: LocalPlace, activity_id: str) -> bool:
    return bool(place.query("SELECT 1 FROM inbox_queue WHERE activity_id = ?", (activity_id,)))


def addressed(activity: dict[str, Any], place: LocalPlace) -> dict[str, Any]:
    """The activity and its object addressed to `place` too: kept even from a stranger."""
    activity["cc"] = activity["object"]["cc"] = [place.actor_id()]
    return activity


def test_a_correctly_signed_activity_is_accepted(strangers: Pair) -> None:
    coroutine, popcafe = strangers
    activity = addressed(create_note(popcafe, "alice", "Bonjour"), coroutine)
    response = post_as_alice(strangers, activity)
    assert response.status_code == 202, response.text
    wait_for(lambda: coroutine.query(
        "SELECT 1 FROM objects WHERE id = ?", (activity["object"]["id"],)
    ), what="the note stored")  # fmt: skip


def test_a_strangers_public_create_is_answered_but_not_kept(strangers: Pair) -> None:
    """Public, correctly signed, but coroutine neither follows alice nor is addressed."""
    coroutine, popcafe = strangers
    activity = create_note(popcafe, "alice", "À qui veut l'entendre")
    response = post_as_alice(strangers, activity)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "ignored"
    assert not stored(coroutine, activity["id"])
    assert not coroutine.query("SELECT 1 FROM objects WHERE id = ?", (activity["object"]["id"],))


def test_included_nodes_are_refused(strangers: Pair) -> None:
    """`@included` would plant statements about coroutine's own place in its graph."""
    coroutine, popcafe = strangers
    activity = addressed(create_note(popcafe, "alice", "et au passage…"), coroutine)
    activity["object"]["@included"] = [
        {"id": coroutine.actor_id(), "type": "Organization", "name": "Lieu fermé"}
    ]
    response = post_as_alice(strangers, activity)
    assert response.status_code == 403
    assert "@included" in response.json()["error"]
    assert not stored(coroutine, activity["id"])


def test_a_foreign_entry_in_attributed_to_is_refused(strangers: Pair) -> None:
    """A list-valued `attributedTo` naming coroutine's place beside alice: false authorship."""
    coroutine, popcafe = strangers
    activity = addressed(create_note(popcafe, "alice", "co-signé"), coroutine)
    activity["object"]["attributedTo"] = [popcafe.actor_id("alice"), coroutine.actor_id()]
    response = post_as_alice(strangers, activity)
    assert response.status_code == 403
    assert coroutine.actor_id() in response.json()["error"]
    assert not stored(coroutine, activity["id"])


def test_unsigned_post_is_refused(strangers: Pair) -> None:
    coroutine, popcafe = strangers
    activity = create_note(popcafe, "alice", "sans signature")
    response = post(f"{coroutine.actor_id()}/inbox", json.dumps(activity).encode(), None, "")
    assert response.status_code == 401
    assert "not signed" in response.json()["error"]
    assert not stored(coroutine, activity["id"])


def test_forged_signature_is_refused(strangers: Pair) -> None:
    coroutine, popcafe = strangers
    activity = create_note(popcafe, "alice", "signé par un imposteur")
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = post(
        f"{coroutine.actor_id()}/inbox", json.dumps(activity).encode(), impostor,
        f"{popcafe.actor_id('alice')}#main-key",
    )  # fmt: skip
    assert response.status_code == 401
    assert "does not verify" in response.json()["error"]
    assert not stored(coroutine, activity["id"])


def test_replayed_request_is_applied_once(strangers: Pair) -> None:
    coroutine, popcafe = strangers
    like = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{popcafe.base_url}/activities/{uuid.uuid4()}",
        "type": "Like",
        "actor": popcafe.actor_id("alice"),
        "object": coroutine.actor_id(),
    }
    inbox = f"{coroutine.actor_id()}/inbox"
    body = json.dumps(like).encode()
    headers = sign_request(
        "POST", inbox, f"{popcafe.actor_id('alice')}#main-key",
        popcafe.private_key("alice"), body=body,
        extra_headers={"content-type": "application/activity+json"},
    )  # fmt: skip
    first = httpx.post(inbox, content=body, headers=headers)
    assert first.status_code == 202
    assert first.json()["status"] == "accepted"
    replay = httpx.post(inbox, content=body, headers=headers)  # byte for byte the same request
    assert replay.status_code == 202
    assert replay.json()["status"] == "duplicate"
    wait_for(lambda: coroutine.query("SELECT 1 FROM reactions WHERE activity_id = ?",
                                     (like["id"],)), what="the like applied")  # fmt: skip
    rows = coroutine.query("SELECT COUNT(*) FROM reactions WHERE actor = ? AND object_id = ?",
                           (popcafe.actor_id("alice"), coroutine.actor_id()))  # fmt: skip
    assert rows[0][0] == 1


def test_wrong_digest_is_refused(strangers: Pair) -> None:
    coroutine, popcafe = strangers
    activity = create_note(popcafe, "alice", "corps modifié en route")
    inbox = f"{coroutine.actor_id()}/inbox"
    signed_body = json.dumps(activity).encode()
    headers = sign_request(
        "POST", inbox, f"{popcafe.actor_id('alice')}#main-key", popcafe.private_key("alice"),
        body=signed_body, extra_headers={"content-type": "application/activity+json"},
    )  # fmt: skip
    activity["object"]["content"] = "contenu remplacé"
    response = httpx.post(inbox, content=json.dumps(activity).encode(), headers=headers)
    assert response.status_code == 401
    assert "Digest does not match" in response.json()["error"]
    assert not stored(coroutine, activity["id"])


def test_stale_date_is_refused(strangers: Pair) -> None:
    coroutine, popcafe = strangers
    activity = create_note(popcafe, "alice", "envoyé il y a deux heures")
    response = post_as_alice(strangers, activity, now=datetime.now(UTC) - timedelta(hours=2))
    assert response.status_code == 401
    assert "away from our clock" in response.json()["error"]
    assert not stored(coroutine, activity["id"])


def test_cross_origin_create_is_refused(strangers: Pair) -> None:
    """Alice signs correctly, but creates an object whose id is on coroutine's origin."""
    coroutine, popcafe = strangers
    activity = create_note(
        popcafe, "alice", "je parle au nom d'un autre", object_base=coroutine.base_url
    )
    response = post_as_alice(strangers, activity)
    assert response.status_code == 403
    assert "another origin" in response.json()["error"]
    assert not stored(coroutine, activity["id"])


def test_actor_other_than_the_signer_is_refused(strangers: Pair) -> None:
    coroutine, popcafe = strangers
    activity = create_note(popcafe, "alice", "au nom de la place")
    activity["actor"] = popcafe.actor_id()  # signed by alice, claims to be popcafe
    activity["object"]["attributedTo"] = popcafe.actor_id()
    response = post_as_alice(strangers, activity)
    assert response.status_code == 403
    assert not stored(coroutine, activity["id"])


def test_malformed_json_and_activities_get_400_with_a_reason(
    strangers: Pair,
) -> None:
    coroutine, popcafe = strangers
    inbox = f"{coroutine.actor_id()}/inbox"
    key_id = f"{popcafe.actor_id('alice')}#main-key"
    response = post(inbox, b"{not json", popcafe.private_key("alice"), key_id)
    assert response.status_code == 400
    assert "not JSON" in response.json()["error"]
    no_type = json.dumps({"id": f"{popcafe.base_url}/x", "actor": popcafe.actor_id("alice")})
    response = post(inbox, no_type.encode(), popcafe.private_key("alice"), key_id)
    assert response.status_code == 400
    assert "no type" in response.json()["error"]


def test_oversized_body_is_refused_before_parsing(strangers: Pair) -> None:
    coroutine, _ = strangers
    response = httpx.post(
        f"{coroutine.actor_id()}/inbox",
        content=b"x" * 1_000_001,
        headers={"content-type": "application/activity+json"},
    )
    assert response.status_code == 413
