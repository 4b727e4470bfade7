"""What a signed stranger may write: only what its own origin owns, and only if we listen.

Each test posts a correctly signed activity from the stand-in server (whose actor the node
fetches to verify the signature) to the place's inbox, in-process, and looks at the answer and
at what the node kept.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from node.bounds import MAX_TAGS

from ..conftest import PUBLIC, InProcessNode, StandIn
from .test_captured import CAPTURED, follow, load, send


def create(stand_in: StandIn, place: InProcessNode, **note: Any) -> dict[str, Any]:
    """A public Create of a note by the stand-in's bob, addressed to our place (so kept)."""
    bob = stand_in.add_actor("/users/bob")
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{bob}/activities/{uuid.uuid4()}",
        "type": "Create",
        "actor": bob,
        "to": [PUBLIC],
        "cc": [place.actor_id()],
        "object": {
            "id": f"{bob}/notes/{uuid.uuid4()}",
            "type": "Note",
            "attributedTo": bob,
            "content": "Bonjour",
            "to": [PUBLIC],
            "cc": [place.actor_id()],
            **note,
        },
    }


def post(place: InProcessNode, stand_in: StandIn, activity: dict[str, Any]) -> Any:
    return send(place, stand_in, activity, "/inbox")


def refused(place: InProcessNode, activity: dict[str, Any]) -> bool:
    """Nothing of it was queued, nor stored."""
    queued = place.query("SELECT 1 FROM inbox_queue WHERE activity_id = ?", (activity["id"],))
    stored = place.query("SELECT 1 FROM objects WHERE id = ?", (activity["object"]["id"],))
    return not queued and not stored


def test_a_note_addressed_to_us_is_kept(place: InProcessNode, stand_in: StandIn) -> None:
    activity = create(stand_in, place)
    response = post(place, stand_in, activity)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "accepted"
    place.wait("SELECT 1 FROM objects WHERE id = ?", (activity["object"]["id"],))


def test_included_nodes_are_refused(place: InProcessNode, stand_in: StandIn) -> None:
    victim = f"{place.config.base_url}/objects/1"
    activity = create(stand_in, place, **{"@included": [{"id": victim, "content": "faux"}]})
    response = post(place, stand_in, activity)
    assert response.status_code == 403
    assert "@included" in response.json()["error"]
    assert refused(place, activity)


@pytest.mark.parametrize(
    "authors",
    [
        lambda bob, place: [bob, place],  # a list naming our own place
        lambda bob, place: [bob, "https://elsewhere.example/users/carol"],
        lambda bob, place: [bob, {"id": place, "type": "Organization"}],
    ],
)
def test_a_foreign_attribution_in_a_list_is_refused(
    place: InProcessNode, stand_in: StandIn, authors: Any
) -> None:
    activity = create(stand_in, place)
    activity["object"]["attributedTo"] = authors(activity["actor"], place.actor_id())
    response = post(place, stand_in, activity)
    assert response.status_code == 403
    assert "attributed to" in response.json()["error"]
    assert refused(place, activity)


def test_several_authors_of_the_senders_origin_are_kept(
    place: InProcessNode, stand_in: StandIn
) -> None:
    """A video by a person and its channel (PeerTube): both of the sender's origin."""
    activity = create(stand_in, place)
    channel = stand_in.add_actor("/channels/bob_channel")
    activity["object"]["attributedTo"] = [activity["actor"], {"id": channel, "type": "Group"}]
    assert post(place, stand_in, activity).status_code == 202
    place.wait("SELECT 1 FROM objects WHERE id = ?", (activity["object"]["id"],))


def test_an_embedded_node_of_another_origin_is_refused(
    place: InProcessNode, stand_in: StandIn
) -> None:
    """Mobilizon's captured Create as it is: its event's address is a node of another host,
    which the sender would be describing."""
    activity = load("mobilizon/create_event.json", stand_in, place)
    follow(place, activity)
    response = post(place, stand_in, activity)
    assert response.status_code == 403
    assert "https://event1.tcit.fr/address/" in response.json()["error"]
    assert refused(place, activity)


@pytest.mark.parametrize(
    ("context", "extra", "reason"),
    [
        # A term aliasing a keyword that brings in other subjects.
        ({"inc": "@included"}, {"inc": {"id": "{victim}", "content": "faux"}}, "@included"),
        ({"rev": "@reverse"}, {"rev": {"attributedTo": "{victim}"}}, "@reverse"),
        ({"by": {"@reverse": "as:attributedTo"}}, {"by": "{victim}"}, "@reverse"),
        ({"g": {"@id": "as:g", "@container": "@graph"}}, {"g": {"content": "x"}}, "@graph"),
        # Names the JSON walk would not read for what they are: an id under another name, an
        # attribution under another name (the public graph's conversion checks again).
        ({"ident": "@id"}, {"tag": [{"ident": "{victim}", "name": "faux"}]}, "@id"),
        ({"by": {"@id": "as:attributedTo", "@type": "@id"}}, {"by": "{victim}"}, "attributedTo"),
    ],
)
def test_context_tricks_that_speak_of_other_subjects_are_refused(
    place: InProcessNode, stand_in: StandIn, context: Any, extra: Any, reason: str
) -> None:
    victim = f"{place.config.base_url}/objects/1"
    extra = json.loads(json.dumps(extra).replace("{victim}", victim))
    activity = create(stand_in, place, **extra)
    activity["@context"] = ["https://www.w3.org/ns/activitystreams", context]
    response = post(place, stand_in, activity)
    assert response.status_code == 403, response.text
    assert reason in response.json()["error"]
    assert refused(place, activity)


def test_a_strangers_public_create_is_answered_but_not_kept(
    place: InProcessNode, stand_in: StandIn
) -> None:
    activity = create(stand_in, place)
    activity["cc"] = activity["object"]["cc"] = []  # public, addressed to nobody of ours
    response = post(place, stand_in, activity)
    assert response.status_code == 202
    assert response.json()["status"] == "ignored"
    assert refused(place, activity)
    # Once the place follows its author, the same post is kept.
    follow(place, activity)
    assert post(place, stand_in, activity).json()["status"] == "accepted"
    place.wait("SELECT 1 FROM objects WHERE id = ?", (activity["object"]["id"],))


def test_a_strangers_like_of_our_note_is_kept(place: InProcessNode, stand_in: StandIn) -> None:
    bob = stand_in.add_actor("/users/bob")
    like = {"id": f"{bob}/likes/1", "type": "Like", "actor": bob,
            "object": f"{place.config.base_url}/objects/1"}  # fmt: skip
    assert post(place, stand_in, like).json()["status"] == "accepted"


def test_too_many_tags_are_refused(place: InProcessNode, stand_in: StandIn) -> None:
    tags = [{"type": "Hashtag", "name": f"#t{i}"} for i in range(MAX_TAGS + 1)]
    activity = create(stand_in, place, tag=tags)
    response = post(place, stand_in, activity)
    assert response.status_code == 400
    assert "tag" in response.json()["error"]
    assert refused(place, activity)


def slow_context(terms: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A context whose every term carries its own scoped context, and properties using them
    in turn: pyld processes a scoped context again at every use. 220 KB take pyld some 20 s."""
    context = {
        f"p{i}": {"@id": f"https://x.example/p{i}",
                  "@context": {f"q{j}": f"https://x.example/q{j}" for j in range(terms)}}
        for i in range(terms)
    }  # fmt: skip
    uses = {
        f"p{i}": [{f"q{j}": {f"p{(i + 1) % terms}": {"q1": "v"}} for j in range(terms)}]
        for i in range(terms)
    }
    return context, uses


def test_an_object_slow_to_read_does_not_hold_the_graph_back(
    place: InProcessNode, stand_in: StandIn
) -> None:
    """The inbox reads JSON only. The graph engine, which reads objects as JSON-LD, does not
    let scoped contexts make a reading grow past linear (pyld took 20 s on 60 such terms,
    Oxigraph 2 s, and 200 never ended): the object is read against the network's context,
    and left out for the 30,000 statements it still makes. What comes after it is read."""
    context, uses = slow_context(100)
    activity = create(stand_in, place, content="illisible", **uses)
    activity["@context"] = ["https://www.w3.org/ns/activitystreams", context]
    assert post(place, stand_in, activity).status_code == 202
    after = create(stand_in, place, content="lisible")
    assert post(place, stand_in, after).status_code == 202
    place.wait("SELECT 1 FROM objects WHERE id = ?", (after["object"]["id"],))
    query = "SELECT ?c WHERE { ?o as:content ?c }"
    answer = place.client.get("/sparql", params={"query": query}).json()
    assert [row["c"]["value"] for row in answer["results"]["bindings"]] == ["lisible"]


def test_captured_payloads_carry_no_subject_keyword() -> None:
    """The refusal is narrow: no real server's payload we hold uses these keywords."""
    for path in sorted(CAPTURED.rglob("*.json")):
        assert not {"@included", "@reverse", "@graph", "@nest"} & set(
            _keys(json.loads(path.read_text()))
        ), path


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(k for v in value.values() for k in _keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []
