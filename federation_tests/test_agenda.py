"""Two places on loopback: an event reaches a follower's node, is seen in its SPARQL view, is
joined across nodes up to capacity, and leaves the peer's graph after a Delete; a restricted
event's Join waits for the host's Accept, whose new count reaches the followers; following a
place brings what it published before into the shared agenda."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from .network import AS_JSON, LocalPlace, Network, Places, delete, event, wait_for

EVENTS = """PREFIX as: <https://www.w3.org/ns/activitystreams#>
SELECT ?e ?name WHERE { ?e a as:Event ; as:name ?name ; as:startTime ?start }"""


@pytest.fixture(scope="module")
def places(network: Network) -> Places:
    """PopCafé follows La Coroutine: it receives its public objects and can query them."""
    return network(
        {"coroutine": [], "popcafe": ["bob", "chloe"]}, follows=[("popcafe", "coroutine")]
    )


def test_an_event_reaches_the_follower_and_its_sparql_view_until_deleted(
    places: Places,
) -> None:
    coroutine, popcafe = places["coroutine"], places["popcafe"]
    created = coroutine.post_outbox(event(coroutine))
    event_id = created["object"]["id"]
    served = httpx.get(event_id, headers={"accept": AS_JSON}).json()
    assert served["type"] == "Event" and served["startTime"] == "2030-04-05T14:00:00+02:00"
    assert "SUMMARY:Repair café" in httpx.get(f"{coroutine.base_url}/agenda.ics").text
    wait_for(lambda: any(a["id"] == created["id"] for a in popcafe.inbox()), what="delivery")
    # The follower answers the network-wide question from its own copy.
    rows = wait_for(
        lambda: [r for r in popcafe.sparql(EVENTS) if r["e"]["value"] == event_id],
        what="the peer's event in popcafe's SPARQL view",
    )
    assert rows[0]["name"]["value"] == "Repair café"
    coroutine.post_outbox(delete(coroutine, event_id))
    wait_for(
        lambda: all(r["e"]["value"] != event_id for r in popcafe.sparql(EVENTS)),
        what="the deleted event gone from popcafe's SPARQL view",
    )


def test_join_and_leave_across_nodes_with_capacity(places: Places) -> None:
    coroutine, popcafe = places["coroutine"], places["popcafe"]
    created = coroutine.post_outbox(
        event(coroutine, name="Atelier vélo", maximumAttendeeCapacity=1)
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


def network_agenda(place: LocalPlace) -> list[dict[str, Any]]:
    answer = httpx.get(f"{place.base_url}/network/agenda", headers={"accept": AS_JSON}, timeout=10)
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["type"] == "OrderedCollection" and "@context" in document
    return list(document["orderedItems"])


def test_a_restricted_join_is_accepted_through_the_outbox_and_followers_see_the_count(
    places: Places,
) -> None:
    coroutine, popcafe = places["coroutine"], places["popcafe"]
    created = coroutine.post_outbox(
        event(coroutine, name="Atelier soudure", joinMode="restricted", maximumAttendeeCapacity=8)
    )
    event_id = created["object"]["id"]
    requests_url = f"{coroutine.base_url}/agenda/{event_id.rsplit('/', 1)[-1]}/requests"
    team = {"authorization": f"Bearer {coroutine.token()}"}
    wait_for(
        lambda: [e for e in network_agenda(popcafe) if e["id"] == event_id],
        what="the event in popcafe's shared agenda",
    )
    join = popcafe.post_outbox({"type": "Join", "object": event_id}, "bob")
    pending = wait_for(
        lambda: httpx.get(requests_url, headers=team, timeout=10).json()["pending"],
        what="bob's Join waiting for La Coroutine's team",
    )
    assert [p["join"] for p in pending] == [join["id"]]
    served = httpx.get(event_id, headers={"accept": AS_JSON}).json()
    assert served["participantCount"] == 0  # pending is not taking part
    assert coroutine.collection(served["participants"]) == []

    accept = coroutine.post_outbox({"type": "Accept", "object": join["id"]})
    assert accept["object"]["id"] == join["id"] and accept["to"] == [popcafe.actor_id("bob")]
    wait_for(
        lambda: [
            a for a in popcafe.inbox("bob")
            if a["type"] == "Accept" and a["object"]["id"] == join["id"]
        ],
        what="bob hears his Join accepted",
    )  # fmt: skip
    # PopCafé follows La Coroutine: it receives the Update with the new count, as Mobilizon
    # sends it, and its copy of the event (its shared agenda) shows it.
    update = wait_for(
        lambda: [
            a for a in popcafe.inbox()
            if a["type"] == "Update" and a["object"]["id"] == event_id
            and a["object"].get("participantCount") == 1
        ],
        what="popcafe receives the Update of the participant count",
    )[0]  # fmt: skip
    assert update["object"]["remainingAttendeeCapacity"] == 7
    copy = wait_for(
        lambda: [
            e for e in network_agenda(popcafe)
            if e["id"] == event_id and e["participantCount"] == 1
        ],
        what="popcafe's copy of the event counts bob",
    )[0]  # fmt: skip
    assert copy["attributedTo"] == coroutine.actor_id()

    popcafe.post_outbox({"type": "Leave", "object": event_id}, "bob")
    wait_for(
        lambda: [
            e for e in network_agenda(popcafe)
            if e["id"] == event_id and e["participantCount"] == 0
        ],
        what="popcafe's copy of the event after bob left",
    )  # fmt: skip


def test_following_a_place_brings_what_it_published_before(
    places: Places,
) -> None:
    coroutine, popcafe = places["coroutine"], places["popcafe"]
    # PopCafé publishes before La Coroutine follows it: no delivery reaches La Coroutine.
    kept = popcafe.post_outbox(
        event(popcafe, name="Soirée jeux", startTime="2030-05-02T14:00:00+01:00",
                 endTime="2030-05-02T18:00:00+01:00")
    )["object"]["id"]  # fmt: skip
    gone = popcafe.post_outbox(event(popcafe, name="Annulé"))["object"]["id"]
    popcafe.post_outbox(delete(popcafe, gone))
    assert not coroutine.query("SELECT 1 FROM objects WHERE id = ?", (kept,))

    coroutine.follow(popcafe.actor_id())

    def events_in_calendar() -> dict[str, Any]:
        answer = httpx.get(f"{coroutine.base_url}/network/agenda.ics", timeout=10)
        assert answer.status_code == 200
        found = {str(e["uid"]): e for e in Calendar.from_ical(answer.content).walk("VEVENT")}
        return found if kept in found else {}

    calendar = wait_for(events_in_calendar, what="popcafe's earlier event in the shared calendar")
    item = calendar[kept]
    assert str(item["summary"]) == "[PopCafé] Soirée jeux"
    assert str(item["organizer"]) == popcafe.actor_id()
    assert "PopCafé" in str(item["location"])
    assert item.decoded("dtstart").astimezone(UTC) == datetime(2030, 5, 2, 13, tzinfo=UTC)
    # The deleted one stays deleted: the Delete in the outbox was read after its Create.
    assert gone not in calendar
    assert coroutine.query("SELECT type FROM objects WHERE id = ?", (gone,))[0][0] == "Tombstone"
    # La Coroutine's own events are in its shared agenda too, each attributed to its place.
    listed = {e["id"]: e["attributedTo"] for e in network_agenda(coroutine)}
    assert listed[kept] == popcafe.actor_id()
    assert coroutine.actor_id() in listed.values()
    atom = httpx.get(f"{coroutine.base_url}/network/agenda.atom", timeout=10).text
    assert "[PopCafé] Soirée jeux" in atom and f"<uri>{popcafe.actor_id()}</uri>" in atom
