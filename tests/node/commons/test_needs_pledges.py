"""Needs and pledges: shaped, readable on Mastodon as a French Note, listed, queryable."""

from __future__ import annotations

from tests.node.agenda.test_events import post
from tests.node.conftest import PUBLIC, InProcessNode

AS_JSON = "application/activity+json"


def test_a_need_is_a_readable_note_with_its_typed_fields(place: InProcessNode) -> None:
    need = {
        "type": "Need",
        "name": "Formateur impression 3D",
        "needKind": "skills",
        "quantity": 2,
        "due": "2030-06-30T00:00:00+02:00",
        "skill": ["sk:impression-3d"],
        "to": [PUBLIC],
    }
    created = post(place, need)
    assert created.status_code == 201, created.text
    served = place.client.get(created.json()["object"]["id"], headers={"accept": AS_JSON}).json()
    assert served["type"] == ["Need", "Note"]
    assert served["status"] == "open"
    assert "Besoin : Formateur impression 3D" in served["content"]
    assert "avant le 30 juin 2030" in served["content"] and "Impression 3D" in served["content"]
    assert place.client.get("/needs").json()["totalItems"] == 1
    query = """PREFIX tl: <https://w3id.org/interlieux/ns#>
    SELECT ?n WHERE { ?n a tl:Need ; tl:status tl:open ; tl:skill sk:impression-3d }"""
    rows = place.client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert len(rows) == 1


def test_a_need_status_changes_by_update(place: InProcessNode) -> None:
    need = {
        "type": "Need",
        "name": "Bénévoles",
        "needKind": "volunteers",
        "quantity": 5,
        "to": [PUBLIC],
    }
    obj_id = post(place, need).json()["object"]["id"]
    updated = post(
        place,
        {"type": "Update", "to": [PUBLIC], "object": {**need, "id": obj_id, "status": "partlyMet"}},
    )
    assert updated.status_code == 201, updated.text
    served = place.client.get(obj_id, headers={"accept": AS_JSON}).json()
    assert served["status"] == "partlyMet" and "en partie satisfait" in served["content"]


def test_a_pledge_round_trip_and_a_refused_one(place: InProcessNode) -> None:
    pledge = {
        "type": "Pledge",
        "amount": 500,
        "currency": "EUR",
        "funds": "https://commons.example/projets/navigateur",
        "due": "2030-12-31T00:00:00Z",
        "to": [PUBLIC],
    }
    created = post(place, pledge)
    assert created.status_code == 201, created.text
    assert "500 EUR" in created.json()["object"]["content"]
    assert place.client.get("/pledges").json()["totalItems"] == 1
    refused = post(place, {**pledge, "currency": "euros", "amount": "beaucoup"})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert "« currency »" in error and "ISO 4217" in error and "« amount »" in error


def test_the_needs_collection_pages_public_needs_newest_first(place: InProcessNode) -> None:
    followers = f"{place.config.base_url}/actors/coroutine/followers"
    for name, to in (("Bénévoles", PUBLIC), ("Réservé aux abonnés", followers), ("Tables", PUBLIC)):
        need = {"type": "Need", "name": name, "needKind": "volunteers", "quantity": 1, "to": [to]}
        assert post(place, need).status_code == 201
    assert place.client.get("/needs").json()["totalItems"] == 2
    listed = place.client.get("/needs?page=1").json()["orderedItems"]
    assert [n["name"] for n in listed] == ["Tables", "Bénévoles"]


def test_a_need_written_with_the_networks_prefix_is_checked_and_listed_as_one(
    place: InProcessNode,
) -> None:
    """`tl:Need` is `Need` in the network's context: same checks, same collection."""
    bare = {"type": "tl:Need", "name": "Une perceuse", "to": [PUBLIC]}
    assert post(place, bare).status_code == 400  # no needKind, no quantity: refused as a Need
    full = {**bare, "needKind": "equipment", "quantity": 1}
    assert post(place, full).status_code == 201
    assert place.client.get("/needs").json()["totalItems"] == 1
