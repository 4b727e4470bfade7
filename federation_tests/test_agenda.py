"""Two places on loopback: an event reaches a follower's node, is seen in its SPARQL view, is
joined across nodes up to capacity, and leaves the peer's graph after a Delete."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .network import AS_JSON, PUBLIC, LocalPlace, wait_for

EVENTS = """PREFIX as: <https://www.w3.org/ns/activitystreams#>
SELECT ?e ?name WHERE { ?e a as:Event ; as:name ?name ; as:startTime ?start }"""


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LocalPlace]]:
    root: Path = tmp_path_factory.mktemp("agenda")
    coroutine = LocalPlace(root, "coroutine", "La Coroutine").init()
    popcafe = LocalPlace(root, "popcafe", "PopCafé").init()
    popcafe.add_member("bob", "Bob Durand")
    popcafe.add_member("chloe", "Chloé Petit")
    both = {"coroutine": coroutine, "popcafe": popcafe}
    for place in both.values():
        place.start()
    # PopCafé follows La Coroutine: it receives its public objects and can query them.
    popcafe.post_outbox({"type": "Follow", "object": coroutine.actor_id()})
    wait_for(lambda: popcafe.actor_id() in coroutine.followers(), what="follow accepted")
    yield both
    for place in both.values():
        place.stop()


def an_event(place: LocalPlace, **extra: Any) -> dict[str, Any]:
    return {
        "type": "Event",
        "name": "Repair café",
        "startTime": "2030-04-05T14:00:00+02:00",
        "endTime": "2030-04-05T18:00:00+02:00",
        "location": {
            "type": "Place",
            "name": place.name,
            "address": {"type": "PostalAddress", "addressLocality": "Lille"},
        },
        "to": [PUBLIC],
        "cc": [f"{place.actor_id()}/followers"],
        **extra,
    }


def sparql(place: LocalPlace, query: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{place.base_url}/sparql", params={"query": query}, timeout=10)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["results"]["bindings"])


def test_an_event_reaches_the_follower_and_its_sparql_view_until_deleted(
    places: dict[str, LocalPlace],
) -> None:
    coroutine, popcafe = places["coroutine"], places["popcafe"]
    created = coroutine.post_outbox(an_event(coroutine))
    event_id = created["object"]["id"]
    served = httpx.get(event_id, headers={"accept": AS_JSON}).json()
    assert served["type"] == "Event" and served["startTime"] == "2030-04-05T14:00:00+02:00"
    assert "SUMMARY:Repair café" in httpx.get(f"{coroutine.base_url}/agenda.ics").text
    wait_for(lambda: any(a["id"] == created["id"] for a in popcafe.inbox()), what="delivery")
    # The follower answers the network-wide question from its own copy.
    rows = wait_for(
        lambda: [r for r in sparql(popcafe, EVENTS) if r["e"]["value"] == event_id],
        what="the peer's event in popcafe's SPARQL view",
    )
    assert rows[0]["name"]["value"] == "Repair café"
    coroutine.post_outbox(
        {
            "type": "Delete",
            "object": event_id,
            "to": [PUBLIC],
            "cc": [f"{coroutine.actor_id()}/followers"],
        }
    )
    wait_for(
        lambda: all(r["e"]["value"] != event_id for r in sparql(popcafe, EVENTS)),
        what="the deleted event gone from popcafe's SPARQL view",
    )


def test_join_and_leave_across_nodes_with_capacity(places: dict[str, LocalPlace]) -> None:
    coroutine, popcafe = places["coroutine"], places["popcafe"]
    created = coroutine.post_outbox(
        an_event(coroutine, name="Atelier vélo", maximumAttendeeCapacity=1)
    )
    event_id = created["object"]["id"]
    # Both members' node knows the event (its place follows La Coroutine).
    wait_for(
        lambda: popcafe.query("SELECT 1 FROM objects WHERE id = ?", (event_id,)),
        what="event stored at popcafe",
    )
    join = popcafe.post_outbox({"type": "Join", "object": event_id}, "bob")
    answer = wait_for(
        lambda: [a for a in popcafe.inbox("bob") if a["type"] in ("Accept", "Reject")],
        what="an answer to bob's Join",
    )[0]
    assert answer["type"] == "Accept" and answer["object"]["id"] == join["id"]
    popcafe.post_outbox({"type": "Join", "object": event_id}, "chloe")
    refusal = wait_for(
        lambda: [a for a in popcafe.inbox("chloe") if a["type"] == "Reject"],
        what="chloé's Join rejected: the event is full",
    )[0]
    assert "complet" in refusal["content"]
    served = httpx.get(event_id, headers={"accept": AS_JSON}).json()
    assert served["participantCount"] == 1
    assert coroutine.collection(served["participants"]) == [popcafe.actor_id("bob")]

    popcafe.post_outbox({"type": "Leave", "object": event_id}, "bob")
    wait_for(lambda: coroutine.collection(served["participants"]) == [], what="bob left")
    popcafe.post_outbox({"type": "Join", "object": event_id}, "chloe")
    wait_for(
        lambda: coroutine.collection(served["participants"]) == [popcafe.actor_id("chloe")],
        what="chloé takes the freed place",
    )
