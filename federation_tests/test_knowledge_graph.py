"""The network's knowledge graph on a follower: what the places it follows published before the
follow, the places themselves and their residents, each in the place's named graph; kept
current by the places' Updates of themselves; a place unfollowed is dropped whole."""

from __future__ import annotations

import pytest

from .network import LocalPlace, Network, Places, event, wait_for

PREFIXES = """PREFIX as: <https://www.w3.org/ns/activitystreams#>
PREFIX schema: <http://schema.org/>
PREFIX tl: <https://w3id.org/interlieux/ns#>
PREFIX sk: <https://w3id.org/interlieux/skills#>
"""


@pytest.fixture(scope="module")
def places(network: Network) -> Places:
    """PopCafé (in Lille, with its address and geo) and La Fabrik (resident alice, a welder)
    publish before La Coroutine follows either of them. La Fabrik trusts La Coroutine as a
    peer: signed by La Coroutine, a GET of alice shows the fields she keeps for the network."""
    created = network({"coroutine": [], "popcafe": [], "fabrik": ["alice", "bob"]})
    popcafe, fabrik = created["popcafe"], created["fabrik"]
    popcafe.cli(
        "place", "--data", str(popcafe.data), "--street", "3 rue Gambetta",
        "--postal-code", "59000", "--city", "Lille",
        "--latitude", "50.6292", "--longitude", "3.0573",
        "--opening-hours", "Mo-Fr 09:00-18:00",
    )  # fmt: skip
    fabrik.cli(
        "profile", "--data", str(fabrik.data), "--handle", "alice",
        "--skill", "sk:soudure", "--availability", "jeudis matin",
        "--visibility", "skill=public", "--visibility", "availability=network",
    )  # fmt: skip
    fabrik.cli(
        "peer", "add", "--data", str(fabrik.data), "--actor", created["coroutine"].actor_id()
    )
    fabrik.post_outbox({"type": "Join", "object": fabrik.actor_id()}, "alice")
    wait_for(
        lambda: fabrik.query("SELECT 1 FROM residents WHERE state = 'pending'"),
        what="alice's Join waiting for La Fabrik's team",
    )
    fabrik.cli("resident", "accept", "--data", str(fabrik.data), "--handle", "alice")
    return created


def in_graph(place: LocalPlace, query: str) -> list[dict[str, str]]:
    """The SELECT's bindings on `place`'s /sparql, each as variable → value."""
    return [
        {name: term["value"] for name, term in row.items()}
        for row in place.sparql(PREFIXES + query)
    ]


def test_a_follower_backfills_the_place_its_event_and_its_address(places: Places) -> None:
    coroutine, popcafe = places["coroutine"], places["popcafe"]
    event_id = popcafe.post_outbox(event(popcafe, name="Soirée jeux"))["object"]["id"]
    coroutine.follow(popcafe.actor_id())

    rows = wait_for(
        lambda: in_graph(
            coroutine,
            "SELECT ?g ?name WHERE { GRAPH ?g { ?e a as:Event ; as:name ?name } }",
        ),
        what="popcafe's earlier event in coroutine's graph",
    )
    assert rows == [{"g": popcafe.actor_id(), "name": "Soirée jeux"}]
    assert in_graph(coroutine, "SELECT ?e WHERE { ?e a as:Event }") == [{"e": event_id}]

    # "Which places are in Lille, and where exactly": the place's own actor, as it serves it.
    place = wait_for(
        lambda: in_graph(
            coroutine,
            "SELECT ?g ?lieu ?nom ?ville ?lat ?horaires WHERE { GRAPH ?g {"
            " ?lieu schema:address ?adresse ; schema:geo ?geo ; as:name ?nom ;"
            " schema:openingHours ?horaires . ?adresse schema:addressLocality ?ville ."
            " ?geo as:latitude ?lat } }",
        ),
        what="popcafe's actor with its address in coroutine's graph",
    )
    assert place == [
        {
            "g": popcafe.actor_id(),
            "lieu": popcafe.actor_id(),
            "nom": "PopCafé",
            "ville": "Lille",
            "lat": "50.6292",
            "horaires": "Mo-Fr 09:00-18:00",
        }
    ]


def test_the_place_update_of_itself_reaches_the_follower_graph(places: Places) -> None:
    coroutine, popcafe = places["coroutine"], places["popcafe"]
    wait_for(
        lambda: popcafe.actor_id() in [r["lieu"] for r in in_graph(
            coroutine, "SELECT ?lieu WHERE { ?lieu schema:openingHours ?h }")],
        what="popcafe in coroutine's graph (the backfill)",
    )  # fmt: skip
    popcafe.cli("place", "--data", str(popcafe.data), "--opening-hours", "Sa 10:00-17:00")
    hours = f"SELECT ?h WHERE {{ <{popcafe.actor_id()}> schema:openingHours ?h }}"
    # The Update replaced the document: the old hours are gone, not added to.
    wait_for(
        lambda: in_graph(coroutine, hours) == [{"h": "Sa 10:00-17:00"}],
        what="popcafe's new opening hours, alone, in coroutine's graph",
    )


def test_a_skill_query_returns_a_resident_of_another_followed_place(places: Places) -> None:
    coroutine, fabrik = places["coroutine"], places["fabrik"]
    coroutine.follow(fabrik.actor_id())
    welders = wait_for(
        lambda: in_graph(
            coroutine,
            "SELECT ?g ?p ?nom ?lieu WHERE { GRAPH ?g {"
            " ?p tl:skill sk:soudure ; tl:residentOf ?lieu ; as:name ?nom } }",
        ),
        what="fabrik's welder in coroutine's graph",
    )
    assert welders == [
        {
            "g": fabrik.actor_id(),
            "p": fabrik.actor_id("alice"),
            "nom": "Alice Martin",
            "lieu": fabrik.actor_id(),
        }
    ]
    # A field alice keeps for the network of places never reaches a public graph.
    found = in_graph(coroutine, f"SELECT ?o WHERE {{ <{fabrik.actor_id('alice')}> ?p ?o }}")
    assert found and not any("jeudis" in r["o"] for r in found)


def test_a_resident_validated_after_the_follow_arrives_and_one_taken_off_leaves(
    places: Places,
) -> None:
    """La Fabrik's Add of a new resident to its residents collection makes the follower read
    its residents again; its Remove takes the resident out of the follower's graph."""
    coroutine, fabrik = places["coroutine"], places["fabrik"]
    coroutine.follow(fabrik.actor_id())
    printers = "SELECT ?p WHERE { ?p tl:skill sk:impression-3d ; tl:residentOf ?lieu }"
    wait_for(
        lambda: in_graph(coroutine, "SELECT ?p WHERE { ?p tl:skill sk:soudure }"),
        what="fabrik's residents in coroutine's graph (the backfill)",
    )
    assert in_graph(coroutine, printers) == []
    fabrik.cli(
        "profile", "--data", str(fabrik.data), "--handle", "bob",
        "--skill", "sk:impression-3d", "--visibility", "skill=public",
    )  # fmt: skip
    fabrik.cli("resident", "accept", "--data", str(fabrik.data), "--handle", "bob")
    wait_for(
        lambda: in_graph(coroutine, printers) == [{"p": fabrik.actor_id("bob")}],
        what="bob, validated after the follow, in coroutine's graph",
    )
    fabrik.cli("resident", "reject", "--data", str(fabrik.data), "--handle", "bob")
    wait_for(
        lambda: in_graph(coroutine, printers) == [],
        what="bob, taken off fabrik's residents, gone from coroutine's graph",
    )


def test_an_unfollowed_place_leaves_the_graph_whole(places: Places) -> None:
    coroutine, popcafe, fabrik = places["coroutine"], places["popcafe"], places["fabrik"]
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    wait_for(
        lambda: (
            {popcafe.actor_id(), fabrik.actor_id()} <= {r["g"] for r in in_graph(coroutine, graphs)}
        ),
        what="both followed places in coroutine's graph",
    )
    follow = coroutine.query(
        "SELECT activity_id FROM follows WHERE follower = ? AND followee = ?",
        (coroutine.actor_id(), popcafe.actor_id()),
    )[0][0]
    coroutine.post_outbox({"type": "Undo", "object": follow})
    wait_for(
        lambda: popcafe.actor_id() not in {r["g"] for r in in_graph(coroutine, graphs)},
        what="popcafe's graph dropped at coroutine",
    )
    assert in_graph(coroutine, "SELECT ?e WHERE { ?e a as:Event }") == []
    assert in_graph(coroutine, f"SELECT ?p WHERE {{ <{popcafe.actor_id()}> ?p ?o }}") == []
    # The other followed place stays.
    assert [r["p"] for r in in_graph(coroutine, "SELECT ?p WHERE { ?p tl:skill sk:soudure }")] == [
        fabrik.actor_id("alice")
    ]
