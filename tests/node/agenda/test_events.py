"""Events through the outbox: checked, completed, served, listed in the feeds and in SPARQL,
joined with capacity by remote actors (signed by a stand-in server)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from tests.node.conftest import PUBLIC, InProcessNode, StandIn

AS_JSON = "application/activity+json"


def event(**extra: Any) -> dict[str, Any]:
    return {
        "type": "Event",
        "name": "Atelier soudure",
        "content": "<p>Initiation à la soudure à l'étain.</p>",
        "startTime": "2030-03-14T18:00:00+01:00",
        "endTime": "2030-03-14T20:00:00+01:00",
        "location": {
            "type": "Place",
            "name": "La Coroutine",
            "address": {
                "type": "PostalAddress",
                "streetAddress": "12 rue des Arts",
                "postalCode": "59000",
                "addressLocality": "Lille",
            },
        },
        "to": [PUBLIC],
        **extra,
    }


def post(place: InProcessNode, body: dict[str, Any], handle: str = "coroutine") -> Any:
    return place.client.post(
        f"/actors/{handle}/outbox",
        json=body,
        headers={"authorization": f"Bearer {place.token(handle)}"},
    )


def test_an_event_is_served_at_its_id_with_a_french_summary(place: InProcessNode) -> None:
    created = post(place, event(maximumAttendeeCapacity=12))
    assert created.status_code == 201, created.text
    obj_id = created.json()["object"]["id"]
    served = place.client.get(obj_id, headers={"accept": AS_JSON}).json()
    assert served["type"] == "Event"
    assert served["startTime"] == "2030-03-14T18:00:00+01:00"
    assert served["location"]["address"]["addressLocality"] == "Lille"
    # What Mastodon shows under the name: the day and place, in French.
    assert served["summary"].startswith("jeudi 14 mars 2030, 18 h – 20 h · La Coroutine")
    assert "12 places" in served["summary"]
    assert served["joinMode"] == "free" and served["timezone"] == "Europe/Paris"
    assert served["remainingAttendeeCapacity"] == 12
    assert served["url"] == obj_id


def test_an_event_without_start_time_is_refused_and_nothing_is_stored(
    place: InProcessNode,
) -> None:
    body = event()
    del body["startTime"]
    refused = post(place, body)
    assert refused.status_code == 400
    assert "« startTime » manque" in refused.json()["error"]
    assert place.query("SELECT COUNT(*) FROM objects")[0][0] == 0
    assert place.query("SELECT COUNT(*) FROM deliveries")[0][0] == 0
    english = place.client.post(
        "/actors/coroutine/outbox",
        json=body,
        headers={"authorization": f"Bearer {place.token('coroutine')}", "accept-language": "en"},
    )
    assert "'startTime' is missing" in english.json()["error"]


def test_the_place_address_stands_in_for_a_missing_location(place: InProcessNode) -> None:
    body = event()
    del body["location"]
    assert post(place, body).status_code == 400  # no address known yet: said so
    from node.cli import main as cli

    assert (
        cli(
            [
                "place",
                "--data",
                str(place.config.data_dir),
                "--street",
                "3 rue Solférino",
                "--postal-code",
                "59000",
                "--city",
                "Lille",
                "--latitude",
                "50.63",
                "--longitude",
                "3.06",
            ]
        )
        == 0
    )
    created = post(place, body)
    assert created.status_code == 201, created.text
    assert created.json()["object"]["location"]["address"]["streetAddress"] == "3 rue Solférino"


def test_feeds_list_the_event(place: InProcessNode) -> None:
    post(place, event())
    ics = place.client.get("/agenda.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    assert "SUMMARY:Atelier soudure" in ics.text
    assert "LOCATION:La Coroutine\\, 12 rue des Arts\\, 59000 Lille" in ics.text
    assert "DTSTART;TZID=" in ics.text or "DTSTART:20300314T170000Z" in ics.text
    atom = place.client.get("/agenda.atom")
    assert atom.headers["content-type"].startswith("application/atom+xml")
    assert "<title>Atelier soudure</title>" in atom.text
    assert "jeudi 14 mars 2030" in atom.text
    # What a feed reader needs (RFC 4287): in the Atom namespace, the feed and each entry
    # with an id, a title and a date-time it was updated; the feed links to itself.
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ElementTree.fromstring(atom.content)
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert feed.find("a:link[@rel='self']", ns) is not None
    (entry,) = feed.findall("a:entry", ns)
    for holder in (feed, entry):
        for part in ("id", "title", "updated"):
            assert holder.findtext(f"a:{part}", namespaces=ns)
        datetime.fromisoformat(holder.findtext("a:updated", namespaces=ns) or "")
    agenda = place.client.get("/agenda?page=1").json()
    assert [e["name"] for e in agenda["orderedItems"]] == ["Atelier soudure"]


def join(stand_in: StandIn, place: InProcessNode, who: str, event_id: str) -> str:
    actor = stand_in.add_actor(f"/users/{who}")
    activity = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}/join/1",
        "type": "Join",
        "actor": actor,
        "object": event_id,
    }
    response = place.post_signed("/inbox", activity, stand_in.key, f"{actor}#main-key")
    assert response.status_code == 202, response.text
    return actor


def test_joins_are_accepted_up_to_capacity_then_rejected(
    place: InProcessNode, stand_in: StandIn
) -> None:
    event_id = post(place, event(maximumAttendeeCapacity=1)).json()["object"]["id"]
    first = join(stand_in, place, "mila", event_id)
    accept = stand_in.wait_received(lambda b: b["type"] == "Accept")
    assert accept["object"]["type"] == "Join" and accept["object"]["actor"] == first
    second = join(stand_in, place, "noe", event_id)
    reject = stand_in.wait_received(lambda b: b["type"] == "Reject")
    assert reject["object"]["actor"] == second and "complet" in reject["content"]
    served = place.client.get(event_id, headers={"accept": AS_JSON}).json()
    assert served["participantCount"] == 1 and served["remainingAttendeeCapacity"] == 0
    listed = place.client.get(f"{served['participants']}?page=1").json()["orderedItems"]
    assert listed == [first]
    leave = {"id": f"{first}/leave/1", "type": "Leave", "actor": first, "object": event_id}
    assert place.post_signed("/inbox", leave, stand_in.key, f"{first}#main-key").status_code == 202
    place.wait("SELECT 1 FROM event_participants", expect=False)
    served = place.client.get(event_id, headers={"accept": AS_JSON}).json()
    assert served["participantCount"] == 0 and served["remainingAttendeeCapacity"] == 1


def test_a_captured_mobilizon_join_is_understood(place: InProcessNode, stand_in: StandIn) -> None:
    from pathlib import Path

    captured = json.loads(
        (Path(__file__).parents[2] / "data/captured/mobilizon/join.json").read_text()
    )
    event_id = post(place, event()).json()["object"]["id"]
    actor = stand_in.add_actor("/@tcit")
    captured.update(id=f"{stand_in.base_url}/join/event/1", actor=actor, object=event_id)
    response = place.post_signed("/inbox", captured, stand_in.key, f"{actor}#main-key")
    assert response.status_code == 202
    accept = stand_in.wait_received(lambda b: b["type"] == "Accept")
    assert accept["object"]["id"] == captured["id"]


def test_an_event_served_to_anyone_is_listed_too_whatever_the_spelling_of_public(
    place: InProcessNode,
) -> None:
    # Unlisted in Mastodon's sense (Public in cc) and compacted: public all the same, so the
    # collection lists what the node serves one by one (it once looked for `#Public` in `to`).
    created = post(place, event(to=[place.actor_id("coroutine") + "/followers"], cc=["as:Public"]))
    assert created.status_code == 201, created.text
    obj_id = created.json()["object"]["id"]
    assert place.client.get(obj_id, headers={"accept": AS_JSON}).status_code == 200
    assert place.client.get("/agenda").json()["totalItems"] == 1
    assert "Atelier soudure" in place.client.get("/agenda.ics").text
