"""A member publishes only in its own name: objects embedded in its Announce, Like, Add or
Update, and nodes nested in what it creates, never speak for the place or another member.
And blind recipients (`bto`, `bcc`) are delivered to but never shown."""

from __future__ import annotations

import time
from typing import Any

import pytest

from node.bounds import MAX_RECIPIENTS

from ..conftest import PUBLIC, InProcessNode, StandIn


def post(place: InProcessNode, handle: str, activity: dict[str, Any]) -> Any:
    headers = {"authorization": f"Bearer {place.token(handle)}"}
    return place.client.post(f"/actors/{handle}/outbox", json=activity, headers=headers)


def published(place: InProcessNode, handle: str, activity: dict[str, Any]) -> dict[str, Any]:
    response = post(place, handle, activity)
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()
    return document


def received_at(stand_in: StandIn, path: str, activity_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for at, body in list(stand_in.received):
            if at == path and body.get("id") == activity_id:
                return body
        time.sleep(0.05)
    raise AssertionError(f"nothing delivered to {path}; got {stand_in.received}")


def place_note(place: InProcessNode) -> dict[str, Any]:
    note: dict[str, Any] = published(
        place, "coroutine", {"type": "Note", "content": "Ouvert samedi", "to": [PUBLIC]}
    )["object"]
    return note


def test_an_announce_embedding_a_forged_place_object_is_refused(place: InProcessNode) -> None:
    note = place_note(place)
    forged = {**note, "content": "Fermé définitivement"}
    response = post(place, "alice", {"type": "Announce", "object": forged, "to": [PUBLIC]})
    assert response.status_code == 403
    assert "son identifiant" in response.json()["error"]  # the team is told what to do
    assert not place.query("SELECT 1 FROM activities WHERE type = 'Announce'")


@pytest.mark.parametrize("kind", ["Announce", "Like", "Add", "Update"])
def test_an_embedded_object_attributed_to_the_place_is_refused(
    place: InProcessNode, kind: str
) -> None:
    """Whatever its id (a new one, one of ours, none), an object a member embeds is never
    the place's."""
    obj = {"id": "https://elsewhere.example/notes/1", "type": "Note",
           "attributedTo": place.actor_id(), "content": "Le lieu dit…"}  # fmt: skip
    response = post(place, "alice", {"type": kind, "object": obj, "target": "x", "to": [PUBLIC]})
    assert response.status_code == 403
    assert not place.query("SELECT 1 FROM activities WHERE type = ?", (kind,))


def test_a_place_object_copied_under_the_members_name_is_refused(place: InProcessNode) -> None:
    note = place_note(place)
    stolen = {**note, "attributedTo": place.actor_id("alice")}
    response = post(place, "alice", {"type": "Announce", "object": stolen, "to": [PUBLIC]})
    assert response.status_code == 403


def test_a_node_of_ours_nested_in_a_new_note_is_refused(place: InProcessNode) -> None:
    note = place_note(place)
    response = post(place, "alice", {
        "type": "Note", "content": "voir aussi", "to": [PUBLIC],
        "tag": [{"id": note["id"], "type": "Note", "content": "Fermé définitivement"}],
    })  # fmt: skip
    assert response.status_code == 403


def test_a_members_own_object_may_be_embedded_and_others_named_by_id(
    place: InProcessNode,
) -> None:
    own = published(place, "alice", {"type": "Note", "content": "à moi", "to": [PUBLIC]})
    published(place, "alice", {"type": "Announce", "object": own["object"], "to": [PUBLIC]})
    note = place_note(place)
    published(place, "alice", {"type": "Announce", "object": note["id"], "to": [PUBLIC]})
    published(place, "alice", {"type": "Like", "object": note["id"], "to": [PUBLIC]})


def test_an_embedded_object_without_id_is_refused(place: InProcessNode) -> None:
    """Only a Create brings an object into being, with the id and author the node mints."""
    response = post(place, "alice", {
        "type": "Add", "object": {"type": "Note", "content": "épinglé"},
        "target": f"{place.actor_id('alice')}/featured", "to": [PUBLIC],
    })  # fmt: skip
    assert response.status_code == 400


def test_blind_recipients_get_it_but_nobody_sees_them(
    place: InProcessNode, stand_in: StandIn
) -> None:
    bob = stand_in.add_actor("/users/bob", endpoints={})  # its own inbox, no shared one
    carol = stand_in.add_actor("/users/carol")
    activity = published(place, "alice", {
        "type": "Note", "content": "Bonjour", "to": [PUBLIC], "bto": [bob], "bcc": [carol],
    })  # fmt: skip
    # Delivered to the blind recipient's own inbox, without them.
    delivered = received_at(stand_in, "/users/bob/inbox", activity["id"])
    assert {"bto", "bcc"}.isdisjoint(delivered)
    assert {"bto", "bcc"}.isdisjoint(delivered["object"])
    # Not in what the node answered, serves as the activity, or lists in its outbox.
    assert {"bto", "bcc"}.isdisjoint(activity)
    path = activity["id"].removeprefix(place.config.base_url)
    served = place.client.get(path).json()
    assert served["id"] == activity["id"]
    assert {"bto", "bcc"}.isdisjoint(served)
    page = place.client.get("/actors/alice/outbox?page=1").json()
    (item,) = [i for i in page["orderedItems"] if i["id"] == activity["id"]]
    assert {"bto", "bcc"}.isdisjoint(item)
    # Still kept, to address retries: the store has them.
    (document,) = place.query("SELECT document FROM activities WHERE id = ?", (activity["id"],))[0]
    assert bob in document and carol in document


def test_a_members_post_is_bounded_as_a_peers(place: InProcessNode) -> None:
    crowd = [f"https://x.example/users/{i}" for i in range(MAX_RECIPIENTS + 1)]
    response = post(place, "alice", {"type": "Note", "content": "à tous", "to": crowd})
    assert response.status_code == 400
    assert "destinataires" in response.json()["error"]
    assert not place.query("SELECT 1 FROM deliveries")
