"""Followed places in the public graph: the place's actor and its residents read when the
Follow is accepted, kept current by their Updates of themselves, taken out by their Deletes,
and the place's whole graph dropped when it turns our place down."""

from __future__ import annotations

from typing import Any

from node.agenda.backfill import MAX_RESIDENTS, resident_ids
from node.query.places import belongs_to, public_actor
from tests.node.conftest import PUBLIC, InProcessNode, StandIn

SOUDURE = "https://w3id.org/interlieux/skills#soudure"
CONTEXT = [
    "https://www.w3.org/ns/activitystreams",
    "https://w3id.org/security/v1",
    "https://w3id.org/interlieux/ns",
]
WELDERS = """PREFIX tl: <https://w3id.org/interlieux/ns#>
SELECT ?g ?p WHERE { GRAPH ?g { ?p tl:skill sk:soudure } }"""


def test_an_actor_is_kept_public_without_its_keys_and_belongs_to_its_place() -> None:
    place = "https://fabrik.example/actors/fabrik"
    alice = {"id": "https://fabrik.example/actors/alice", "type": "Person",
             "publicKey": {"id": "https://fabrik.example/actors/alice#main-key"},
             "residentOf": place}  # fmt: skip
    kept = public_actor(alice, context="https://www.w3.org/ns/activitystreams")
    assert kept["to"] == [PUBLIC] and "publicKey" not in kept
    assert kept["@context"] == "https://www.w3.org/ns/activitystreams"
    assert belongs_to(alice, place) and belongs_to({"id": place}, place)
    assert not belongs_to({**alice, "residentOf": "https://else.example/actors/x"}, place)
    listed = [alice["id"], {"id": alice["id"]}, "https://else.example/actors/eve", place, 3]
    assert resident_ids(listed, place) == [alice["id"]]
    many = [f"https://fabrik.example/actors/m{n}" for n in range(MAX_RESIDENTS + 5)]
    assert len(resident_ids(many, place)) == MAX_RESIDENTS


def graph_row(place: InProcessNode, object_id: str) -> tuple[Any, ...] | None:
    rows = place.query("SELECT document, graph FROM public_graph WHERE id = ?", (object_id,))
    return tuple(rows[0]) if rows else None


def test_a_followed_place_and_its_residents_enter_its_graph_and_leave_it(
    place: InProcessNode, stand_in: StandIn
) -> None:
    base = stand_in.base_url
    peer = stand_in.add_actor(
        "/actors/fabrik", type="Organization", name="La Fabrik",
        outbox=f"{base}/actors/fabrik/outbox", residents=f"{base}/residents",
        address={"type": "PostalAddress", "addressLocality": "Roubaix"},
    )  # fmt: skip
    stand_in.documents["/actors/fabrik"]["@context"] = CONTEXT
    alice = stand_in.add_actor("/actors/alice", name="Alice", residentOf=peer, skill=[SOUDURE])
    stand_in.documents["/actors/alice"]["@context"] = CONTEXT
    # Listed, on the place's origin, but not saying it is the place's resident: left out.
    mallory = stand_in.add_actor("/actors/mallory", skill=[SOUDURE])
    stand_in.documents["/actors/fabrik/outbox"] = {
        "id": f"{base}/actors/fabrik/outbox", "type": "OrderedCollection", "orderedItems": [],
    }  # fmt: skip
    stand_in.documents["/residents"] = {
        "id": f"{base}/residents", "type": "OrderedCollection", "totalItems": 3,
        "first": f"{base}/residents?page=1",
    }  # fmt: skip
    stand_in.documents["/residents?page=1"] = {
        "id": f"{base}/residents?page=1", "type": "OrderedCollectionPage",
        "orderedItems": [alice, mallory, "https://elsewhere.example/actors/eve"],
    }  # fmt: skip

    followed = place.client.post(
        "/actors/coroutine/outbox",
        json={"type": "Follow", "object": peer},
        headers={"authorization": f"Bearer {place.token('coroutine')}"},
    )
    follow_id = followed.json()["id"]
    stand_in.wait_received(lambda b: b["type"] == "Follow")
    accept = {"id": f"{peer}/accept/1", "type": "Accept", "actor": peer, "object": follow_id}
    assert place.post_signed("/inbox", accept, stand_in.key, f"{peer}#main-key").status_code == 202
    place.wait("SELECT 1 FROM backfills WHERE state = 'done'")

    kept = {r[0]: r[1] for r in place.query("SELECT id, graph FROM public_graph"
                                            " WHERE document IS NOT NULL")}  # fmt: skip
    assert kept == {peer: peer, alice: peer}
    answer = place.client.get("/sparql", params={"query": WELDERS}).json()
    assert [(r["g"]["value"], r["p"]["value"]) for r in answer["results"]["bindings"]] == [
        (peer, alice)
    ]

    # The place's Update of itself replaces its document in the graph.
    renamed = {k: v for k, v in stand_in.documents["/actors/fabrik"].items() if k != "@context"}
    renamed["name"] = "La Fabrik de Roubaix"
    update = {"@context": CONTEXT, "id": f"{peer}/update/1", "type": "Update", "actor": peer,
              "object": renamed, "to": [PUBLIC]}  # fmt: skip
    assert place.post_signed("/inbox", update, stand_in.key, f"{peer}#main-key").status_code == 202
    place.wait("SELECT 1 FROM public_graph WHERE id = ? AND document LIKE ?",
               (peer, "%Fabrik de Roubaix%"))  # fmt: skip

    # A resident's Delete of itself takes it out; the place stays.
    gone = {"id": f"{alice}/delete/1", "type": "Delete", "actor": alice, "object": alice,
            "to": [PUBLIC]}  # fmt: skip
    assert place.post_signed("/inbox", gone, stand_in.key, f"{alice}#main-key").status_code == 202
    place.wait("SELECT 1 FROM public_graph WHERE id = ? AND document IS NULL", (alice,))
    still = graph_row(place, peer)
    assert still is not None and still[0] is not None

    # The place withdraws its Accept: its whole graph is dropped.
    reject = {"id": f"{peer}/reject/1", "type": "Reject", "actor": peer, "object": follow_id}
    assert place.post_signed("/inbox", reject, stand_in.key, f"{peer}#main-key").status_code == 202
    place.wait("SELECT 1 FROM public_graph WHERE id = ? AND document IS NULL", (peer,))
    assert place.query("SELECT 1 FROM public_graph WHERE document IS NOT NULL") == []
