"""Following a place reads what it published before, from its outbox: only what its own
origin vouches for, public, oldest first, once."""

from __future__ import annotations

import json
from typing import Any

from node.agenda.backfill import pick
from node.cli import main as cli
from tests.node.conftest import PUBLIC, InProcessNode, StandIn

PLACE = "https://popcafe.example/actors/popcafe"


def create(n: int, kind: str = "Event", **extra: Any) -> dict[str, Any]:
    obj = {
        "id": f"https://popcafe.example/objects/{n}",
        "type": kind,
        "attributedTo": PLACE,
        "name": f"Événement {n}",
        "startTime": "2030-05-02T14:00:00+01:00",
        "location": {"type": "Place", "name": "PopCafé"},
        "to": [PUBLIC],
    }
    return {
        "id": f"https://popcafe.example/activities/{n}",
        "type": "Create",
        "actor": PLACE,
        "object": obj,
        "to": [PUBLIC],
        **extra,
    }


def test_pick_keeps_the_place_own_public_agenda_activities_oldest_first() -> None:
    newest, older = create(2), create(1)
    foreign = create(3)
    foreign["object"]["id"] = "https://elsewhere.example/objects/3"
    private = create(4, to=[f"{PLACE}/followers"])
    someone_else = {**create(5), "actor": "https://popcafe.example/actors/bob"}
    itself = {"id": "https://popcafe.example/activities/6", "type": "Delete", "actor": PLACE,
              "object": PLACE, "to": [PUBLIC]}  # fmt: skip
    like = {"id": "https://popcafe.example/activities/7", "type": "Like", "actor": PLACE,
            "object": "https://elsewhere.example/objects/1", "to": [PUBLIC]}  # fmt: skip
    image = create(8, kind="Image")
    need = create(9, kind="Need")
    need["object"]["type"] = ["Need", "Note"]
    deleted = {"id": "https://popcafe.example/activities/10", "type": "Delete", "actor": PLACE,
               "object": "https://popcafe.example/objects/1", "to": [PUBLIC]}  # fmt: skip
    items = [deleted, need, newest, older, foreign, private, someone_else, itself, like, image,
             "https://popcafe.example/activities/11", 42]  # fmt: skip
    assert [a["id"] for a in pick(items, PLACE)] == [older["id"], newest["id"], need["id"],
                                                     deleted["id"]]  # fmt: skip


def test_an_accepted_follow_reads_the_place_outbox_once(
    place: InProcessNode, stand_in: StandIn
) -> None:
    base = stand_in.base_url
    peer = stand_in.add_actor(
        "/actors/popcafe",
        type="Organization",
        name="PopCafé",
        outbox=f"{base}/actors/popcafe/outbox",
    )

    def published(n: int, **extra: Any) -> dict[str, Any]:
        activity = create(n, **extra)
        # The same shapes, on the stand-in's origin.
        return dict(json.loads(json.dumps(activity).replace("https://popcafe.example", base)))

    early = published(1)
    foreign = published(2)
    foreign["object"]["id"] = "https://elsewhere.example/objects/2"
    listed_by_id = published(3)
    stand_in.documents["/activities/3"] = {"@context": "https://www.w3.org/ns/activitystreams",
                                           **listed_by_id}  # fmt: skip
    stand_in.documents["/actors/popcafe/outbox"] = {
        "id": f"{base}/actors/popcafe/outbox", "type": "OrderedCollection", "totalItems": 3,
        "first": f"{base}/actors/popcafe/outbox?page=1",
    }  # fmt: skip
    stand_in.documents["/actors/popcafe/outbox?page=1"] = {
        "id": f"{base}/actors/popcafe/outbox?page=1", "type": "OrderedCollectionPage",
        "orderedItems": [listed_by_id["id"], foreign, early],
    }  # fmt: skip

    followed = place.client.post(
        "/actors/coroutine/outbox",
        json={"type": "Follow", "object": peer},
        headers={"authorization": f"Bearer {place.token('coroutine')}"},
    )
    assert followed.status_code == 201, followed.text
    follow_id = followed.json()["id"]
    stand_in.wait_received(lambda b: b["type"] == "Follow")
    accept = {"id": f"{peer}/accept/1", "type": "Accept", "actor": peer, "object": follow_id}
    assert place.post_signed("/inbox", accept, stand_in.key, f"{peer}#main-key").status_code == 202

    place.wait("SELECT 1 FROM backfills WHERE state = 'done'")
    place.wait("SELECT 1 FROM inbox_queue WHERE activity_id = ? AND state = 'applied'",
               (listed_by_id["id"],))  # fmt: skip
    stored = {r[0] for r in place.query("SELECT id FROM objects WHERE local = 0")}
    assert stored == {early["object"]["id"], listed_by_id["object"]["id"]}
    assert place.query("SELECT items FROM backfills") == [(2,)]
    shared = place.client.get("/network/agenda").json()["orderedItems"]
    assert {e["id"] for e in shared} == stored
    assert all(e["attributedTo"] == peer for e in shared)

    # The operator may read again (a follow older than this version): nothing is added twice.
    before = place.query("SELECT COUNT(*) FROM inbox_queue")[0][0]
    finished = place.query("SELECT finished_at FROM backfills")[0][0]
    assert cli(["agenda", "backfill", "--data", str(place.config.data_dir)]) == 0
    place.wait("SELECT 1 FROM backfills WHERE state = 'done' AND finished_at > ?", (finished,))
    assert place.query("SELECT COUNT(*) FROM inbox_queue")[0][0] == before
    assert len(place.client.get("/network/agenda").json()["orderedItems"]) == 2
