"""A local actor's activity to a local recipient: published, then applied again through the
inbox queue like any received one. Each side effect must happen once."""

from __future__ import annotations

import json

from .conftest import InProcessNode


def _post(place: InProcessNode, handle: str, activity: dict[str, object]) -> dict[str, object]:
    headers = {"authorization": f"Bearer {place.token(handle)}"}
    response = place.client.post(f"/actors/{handle}/outbox", json=activity, headers=headers)
    assert response.status_code == 201, response.text
    document: dict[str, object] = response.json()
    return document


def _applied(place: InProcessNode, activity_id: object) -> None:
    place.wait(
        "SELECT 1 FROM inbox_queue WHERE activity_id = ? AND state = 'applied'", (activity_id,)
    )


def test_a_member_following_their_place_is_accepted_once(place: InProcessNode) -> None:
    alice, coroutine = place.actor_id("alice"), place.actor_id()
    follow = _post(place, "alice", {"type": "Follow", "object": coroutine})
    _applied(place, follow["id"])
    accepts = place.wait("SELECT id FROM activities WHERE type = 'Accept' AND actor = ?",
                         (coroutine,))  # fmt: skip
    _applied(place, accepts[0][0])
    assert len(place.query("SELECT id FROM activities WHERE type = 'Accept'")) == 1
    assert place.query("SELECT follower, followee, activity_id, state FROM follows") == [
        (alice, coroutine, follow["id"], "accepted")
    ]


def test_a_deleted_note_keeps_its_first_tombstone(place: InProcessNode) -> None:
    coroutine = place.actor_id()
    created = _post(place, "alice", {"type": "Note", "content": "x", "to": [coroutine]})
    _applied(place, created["id"])
    note = created["object"]
    assert isinstance(note, dict)
    deleted = _post(place, "alice", {"type": "Delete", "object": note["id"], "to": [coroutine]})
    _applied(place, deleted["id"])
    (document,) = place.query("SELECT document FROM objects WHERE id = ?", (note["id"],))[0]
    tombstone = json.loads(document)
    assert tombstone == deleted["object"]
    assert tombstone["formerType"] == "Note"


def test_a_like_is_recorded_once_and_undone(place: InProcessNode) -> None:
    coroutine = place.actor_id()
    created = _post(place, "coroutine", {"type": "Note", "content": "x", "to": [coroutine]})
    note = created["object"]
    assert isinstance(note, dict)
    like = _post(place, "alice", {"type": "Like", "object": note["id"], "to": [coroutine]})
    _applied(place, like["id"])
    assert place.query("SELECT activity_id, type FROM reactions") == [(like["id"], "Like")]
    undo = _post(place, "alice", {"type": "Undo", "object": like["id"]})
    _applied(place, undo["id"])
    assert place.query("SELECT * FROM reactions") == []
