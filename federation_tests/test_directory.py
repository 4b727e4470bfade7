"""Residents, needs and pledges between two places: validation before listing, private fields
that never leave the node, needs and pledges that reach a follower and its SPARQL view."""

from __future__ import annotations

import httpx
import pytest

from .network import AS_JSON, PUBLIC, Network, Places, wait_for


@pytest.fixture(scope="module")
def places(network: Network) -> Places:
    """popcafe follows fabrik, whose member alice becomes a resident."""
    return network({"fabrik": ["alice"], "popcafe": []}, follows=[("popcafe", "fabrik")])


def test_a_resident_is_listed_after_validation_and_private_fields_stay_home(
    places: Places,
) -> None:
    fabrik = places["fabrik"]
    fabrik.cli(
        "profile",
        "--data",
        str(fabrik.data),
        "--handle",
        "alice",
        "--skill",
        "sk:decoupe-laser",
        "--availability",
        "jeudis matin",
        "--visibility",
        "skill=public",
        "--visibility",
        "availability=private",
    )
    fabrik.post_outbox({"type": "Join", "object": fabrik.actor_id()}, "alice")
    wait_for(
        lambda: fabrik.query("SELECT 1 FROM residents WHERE state = 'pending'"),
        what="the Join waiting for validation",
    )
    actor = httpx.get(fabrik.actor_id(), headers={"accept": AS_JSON}).json()
    assert fabrik.collection(actor["residents"]) == []
    out = fabrik.cli("resident", "accept", "--data", str(fabrik.data), "--handle", "alice")
    assert "Résident validé" in out.stdout
    assert fabrik.collection(actor["residents"]) == [fabrik.actor_id("alice")]
    wait_for(
        lambda: any(a["type"] == "Accept" for a in fabrik.inbox("alice")),
        what="the place's Accept in alice's inbox",
    )
    faces = "".join(
        httpx.get(url, headers={"accept": AS_JSON}).text
        for url in (
            fabrik.actor_id("alice"),
            f"{fabrik.base_url}/data.ttl",
            f"{fabrik.base_url}/data.jsonld",
        )
    )
    assert "decoupe-laser" in faces and "jeudis" not in faces
    rows = fabrik.sparql(
        "PREFIX tl: <https://w3id.org/interlieux/ns#> "
        "SELECT ?p WHERE { ?p tl:skill sk:decoupe-laser ; tl:residentOf ?l }",
    )
    assert [r["p"]["value"] for r in rows] == [fabrik.actor_id("alice")]


def test_needs_and_pledges_reach_the_follower(places: Places) -> None:
    fabrik, popcafe = places["fabrik"], places["popcafe"]
    audience = {"to": [PUBLIC], "cc": [f"{fabrik.actor_id()}/followers"]}
    need = fabrik.post_outbox(
        {
            "type": "Need",
            "name": "Bénévoles pour le chantier",
            "needKind": "volunteers",
            "quantity": 4,
            "due": "2030-05-01T00:00:00+02:00",
            **audience,
        }
    )
    pledge = fabrik.post_outbox(
        {
            "type": "Pledge",
            "amount": 250,
            "currency": "EUR",
            "funds": "https://communs.example/navigateur",
            "due": "2030-12-31T00:00:00Z",
            **audience,
        }
    )
    for created in (need, pledge):
        wait_for(
            lambda c=created: any(a["id"] == c["id"] for a in popcafe.inbox()),
            what=f"{created['object']['type']} delivered",
        )
    query = """PREFIX tl: <https://w3id.org/interlieux/ns#>
    SELECT ?n ?q WHERE { ?n a tl:Need ; tl:quantity ?q ; tl:status tl:open }"""
    rows = wait_for(lambda: popcafe.sparql(query), what="the need in popcafe's view")
    assert rows[0]["n"]["value"] == need["object"]["id"] and float(rows[0]["q"]["value"]) == 4
    amounts = popcafe.sparql(
        "PREFIX tl: <https://w3id.org/interlieux/ns#> "
        "SELECT ?a WHERE { ?p a tl:Pledge ; tl:amount ?a }",
    )
    assert [float(r["a"]["value"]) for r in amounts] == [250.0]
    received = next(a for a in popcafe.inbox() if a["id"] == need["id"])["object"]
    assert "Note" in received["type"] and "Besoin : Bénévoles" in received["content"]
