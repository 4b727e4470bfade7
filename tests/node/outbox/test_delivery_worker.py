"""The delivery worker against a real (stand-in) peer that refuses, fails, or asks to wait."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from node.outbox.delivery import Schedule

from ..conftest import PUBLIC, InProcessNode, StandIn


def follower_on(place: InProcessNode, stand_in: StandIn, fast: Schedule) -> str:
    """A remote follower of the place, and retries in fractions of a second."""
    follower = stand_in.add_actor("/users/ana")
    place.client.app.state.node.delivery.schedule = fast  # type: ignore[attr-defined]
    # The follower's actor is cached as if it had signed its Follow.
    place.client.get("/actors/coroutine")  # the app is up
    with sqlite3.connect(place.config.database) as db:
        db.execute("INSERT INTO follows VALUES (?, ?, 'f', 'accepted', 0)",
                   (follower, place.actor_id()))  # fmt: skip
    return follower


def post_note(place: InProcessNode, text: str) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {place.token('coroutine')}"}
    note = {
        "type": "Note",
        "content": text,
        "to": [PUBLIC],
        "cc": [f"{place.actor_id()}/followers"],
    }
    response = place.client.post("/actors/coroutine/outbox", json=note, headers=headers)
    assert response.status_code == 201
    return dict(response.json())


def posts_of(stand_in: StandIn, activity_id: str) -> int:
    return sum(1 for _, body in stand_in.received if body.get("id") == activity_id)


FAST = Schedule(base=0.1, cap=0.3, max_age=60)


def test_a_refusal_is_not_retried_and_its_reason_is_kept(
    place: InProcessNode, stand_in: StandIn
) -> None:
    follower_on(place, stand_in, FAST)
    stand_in.status = 403
    created = post_note(place, "Refusé")
    rows = place.wait("SELECT state, last_error, attempts FROM deliveries WHERE activity_id = ?"
                      " AND state = 'failed'", (created["id"],))  # fmt: skip
    assert rows[0][1] == "peer refused with 403"
    assert rows[0][2] == 1
    time.sleep(0.5)  # several retry periods: still exactly one POST
    assert posts_of(stand_in, created["id"]) == 1


def test_a_failing_peer_is_retried_until_it_takes_it(
    place: InProcessNode, stand_in: StandIn
) -> None:
    follower_on(place, stand_in, FAST)
    stand_in.status = 503
    created = post_note(place, "Réessayé")
    place.wait("SELECT 1 FROM deliveries WHERE activity_id = ? AND attempts >= 3",
               (created["id"],))  # fmt: skip
    stand_in.status = 202
    rows = place.wait("SELECT attempts FROM deliveries WHERE activity_id = ?"
                      " AND state = 'delivered'", (created["id"],))  # fmt: skip
    assert rows[0][0] >= 4
    assert posts_of(stand_in, created["id"]) == rows[0][0]


def test_retry_after_is_honoured(place: InProcessNode, stand_in: StandIn) -> None:
    follower_on(place, stand_in, Schedule(base=0.1, cap=0.3, max_age=3600))
    stand_in.status, stand_in.retry_after = 429, "120"
    before = time.time()
    created = post_note(place, "Patience")
    rows = place.wait("SELECT next_attempt_at FROM deliveries WHERE activity_id = ?"
                      " AND attempts = 1", (created["id"],))  # fmt: skip
    assert rows[0][0] >= before + 119


def test_the_worker_gives_up_after_the_maximum_age_with_the_reason(
    place: InProcessNode, stand_in: StandIn
) -> None:
    follower_on(place, stand_in, Schedule(base=0.1, cap=0.2, max_age=1.0))
    stand_in.status = 500
    created = post_note(place, "Abandonné")
    rows = place.wait("SELECT last_error FROM deliveries WHERE activity_id = ?"
                      " AND state = 'failed'", (created["id"],))  # fmt: skip
    assert rows[0][0].startswith("gave up after")
    assert "500" in rows[0][0]
