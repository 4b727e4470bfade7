"""Joining a `restricted` event waits for the host, who answers through its outbox (or the
team's route or CLI); every change of the count is sent to followers as an Update."""

from __future__ import annotations

import contextlib
import io
from typing import Any

from node.cli import main as cli
from tests.node.agenda.test_events import event, join, post
from tests.node.conftest import InProcessNode, StandIn


def follow(stand_in: StandIn, place: InProcessNode) -> str:
    fan = stand_in.add_actor("/users/fan")
    activity = {"id": f"{fan}/follow/1", "type": "Follow", "actor": fan,
                "object": place.actor_id()}  # fmt: skip
    assert place.post_signed("/inbox", activity, stand_in.key, f"{fan}#main-key").status_code == 202
    stand_in.wait_received(lambda b: b["type"] == "Accept" and b["object"]["type"] == "Follow")
    return fan


def team(place: InProcessNode, handle: str = "coroutine") -> dict[str, str]:
    return {"authorization": f"Bearer {place.token(handle)}"}


def count_update(stand_in: StandIn, count: int) -> dict[str, Any]:
    return stand_in.wait_received(
        lambda b: b["type"] == "Update" and b["object"].get("participantCount") == count
    )


def test_a_restricted_event_join_waits_for_the_host_accept_through_the_outbox(
    place: InProcessNode, stand_in: StandIn
) -> None:
    follow(stand_in, place)
    event_id = post(place, event(joinMode="restricted", maximumAttendeeCapacity=2)).json()[
        "object"
    ]["id"]
    oid = event_id.rsplit("/", 1)[-1]
    mila = join(stand_in, place, "mila", event_id)
    place.wait("SELECT 1 FROM event_requests WHERE actor = ?", (mila,))
    # Recorded as pending, in the same transaction that would have made her a participant.
    assert place.query("SELECT COUNT(*) FROM event_participants")[0][0] == 0
    assert (
        place.client.get(f"/agenda/{oid}/requests", headers=team(place, "alice")).status_code == 403
    )
    pending = place.client.get(f"/agenda/{oid}/requests", headers=team(place)).json()["pending"]
    assert [(p["actor"], p["join"]) for p in pending] == [(mila, f"{mila}/join/1")]

    accepted = place.client.post(
        "/actors/coroutine/outbox",
        json={"type": "Accept", "object": f"{mila}/join/1"},
        headers=team(place),
    )
    assert accepted.status_code == 201, accepted.text
    answer = stand_in.wait_received(
        lambda b: b["type"] == "Accept" and b["object"]["type"] == "Join"
    )
    assert answer["object"] == {"id": f"{mila}/join/1", "type": "Join", "actor": mila,
                                "object": event_id}  # fmt: skip
    update = count_update(stand_in, 1)
    assert update["object"]["id"] == event_id
    assert update["object"]["remainingAttendeeCapacity"] == 1
    served = place.client.get(f"{event_id}", headers={"accept": "application/activity+json"})
    assert served.json()["participantCount"] == 1

    again = place.client.post(
        "/actors/coroutine/outbox",
        json={"type": "Accept", "object": f"{mila}/join/1"},
        headers=team(place),
    )
    assert again.status_code == 404 and "plus en attente" in again.json()["error"]

    # The team's route answers by participant; the reason reaches them.
    noe = join(stand_in, place, "noe", event_id)
    place.wait("SELECT 1 FROM event_requests WHERE actor = ?", (noe,))
    refused = place.client.post(
        f"/agenda/{oid}/reject", json={"actor": noe, "reason": "Atelier réservé aux résidents."},
        headers=team(place),
    )  # fmt: skip
    assert refused.status_code == 201, refused.text
    rejection = stand_in.wait_received(lambda b: b["type"] == "Reject")
    assert rejection["object"]["actor"] == noe
    assert rejection["content"] == "Atelier réservé aux résidents."
    assert place.query("SELECT COUNT(*) FROM event_requests")[0][0] == 0

    # A participant leaving changes the count: followers hear of it too.
    leave = {"id": f"{mila}/leave/1", "type": "Leave", "actor": mila, "object": event_id}
    assert place.post_signed("/inbox", leave, stand_in.key, f"{mila}#main-key").status_code == 202
    assert count_update(stand_in, 0)["object"]["remainingAttendeeCapacity"] == 2


def test_a_free_join_is_accepted_at_once_and_followers_get_the_new_count(
    place: InProcessNode, stand_in: StandIn
) -> None:
    follow(stand_in, place)
    event_id = post(place, event(maximumAttendeeCapacity=5)).json()["object"]["id"]
    join(stand_in, place, "mila", event_id)
    stand_in.wait_received(lambda b: b["type"] == "Accept" and b["object"]["type"] == "Join")
    update = count_update(stand_in, 1)
    assert update["object"]["remainingAttendeeCapacity"] == 4
    assert place.actor_id() + "/followers" in update["cc"]


def test_nobody_answers_a_join_that_is_not_theirs(place: InProcessNode, stand_in: StandIn) -> None:
    event_id = post(place, event(joinMode="restricted")).json()["object"]["id"]
    mila = join(stand_in, place, "mila", event_id)
    place.wait("SELECT 1 FROM event_requests WHERE actor = ?", (mila,))
    # Alice is a member, not the event's host.
    by_alice = place.client.post(
        "/actors/alice/outbox", json={"type": "Accept", "object": f"{mila}/join/1"},
        headers=team(place, "alice"),
    )  # fmt: skip
    assert by_alice.status_code == 404
    unknown = place.client.post(
        "/actors/coroutine/outbox", json={"type": "Accept", "object": f"{mila}/join/404"},
        headers=team(place),
    )  # fmt: skip
    assert unknown.status_code == 404
    assert place.query("SELECT COUNT(*) FROM event_participants")[0][0] == 0
    # The host may embed the Join, as Mobilizon does in its own Accept.
    embedded = {"id": f"{mila}/join/1", "type": "Join", "actor": mila, "object": event_id}
    accepted = post(place, {"type": "Accept", "object": embedded})
    assert accepted.status_code == 201, accepted.text
    assert place.query("SELECT actor FROM event_participants") == [(mila,)]


def test_the_team_answers_from_the_cli(place: InProcessNode, stand_in: StandIn) -> None:
    event_id = post(place, event(joinMode="restricted")).json()["object"]["id"]
    mila = join(stand_in, place, "mila", event_id)
    place.wait("SELECT 1 FROM event_requests WHERE actor = ?", (mila,))
    data = str(place.config.data_dir)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli(["agenda", "requests", "--data", data]) == 0
    assert mila in out.getvalue() and "Atelier soudure" in out.getvalue()
    with contextlib.redirect_stdout(out):
        assert cli(["agenda", "accept", "--data", data, "--join", f"{mila}/join/1"]) == 0
    answer = stand_in.wait_received(lambda b: b["type"] == "Accept")
    assert answer["object"]["id"] == f"{mila}/join/1"
    assert place.query("SELECT actor FROM event_participants") == [(mila,)]
    # Answered already: the command says so and sends nothing.
    assert cli(["agenda", "accept", "--data", data, "--join", f"{mila}/join/1"]) == 2


def test_the_host_update_keeps_the_counts_the_node_keeps(
    place: InProcessNode, stand_in: StandIn
) -> None:
    created = post(place, event(maximumAttendeeCapacity=2)).json()["object"]
    join(stand_in, place, "mila", created["id"])
    place.wait("SELECT 1 FROM event_participants")
    # The team's client sends its stale copy, with a larger room.
    stale = {**created, "maximumAttendeeCapacity": 3, "participantCount": 0}
    updated = post(place, {"type": "Update", "object": stale, "to": created["to"]})
    assert updated.status_code == 201, updated.text
    assert updated.json()["object"]["participantCount"] == 1
    served = place.client.get(created["id"], headers={"accept": "application/activity+json"})
    assert served.json()["participantCount"] == 1
    assert served.json()["remainingAttendeeCapacity"] == 2
