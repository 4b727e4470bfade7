"""Peers that fail: one down for days is marked unavailable and sent nothing until it answers
again; one that never answers frees its slot at the end of the lease; one that refuses our
signature (401) is tried once more, then given up with the reason."""

from __future__ import annotations

import contextlib
import io
import socket
import sqlite3
import threading
import uuid
from collections.abc import Iterator

import pytest

from node.cli import main as cli
from node.outbox.delivery import UNAUTHORIZED, Schedule

from ..conftest import InProcessNode, StandIn
from .test_delivery_worker import FAST, follower_on, post_note, posts_of

DAY = 86400.0


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def delivery(place: InProcessNode, activity_id: str) -> tuple[str, int, str | None, float]:
    rows = place.query(
        "SELECT state, attempts, last_error, next_attempt_at FROM deliveries WHERE activity_id = ?",
        (activity_id,),
    )
    assert len(rows) == 1
    return rows[0]


def operator_view(place: InProcessNode) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli(["deliveries", "--data", str(place.config.data_dir)]) in (0, None)
    return out.getvalue()


def test_a_peer_failing_on_seven_days_is_unavailable_until_it_answers(
    place: InProcessNode, stand_in: StandIn
) -> None:
    follower = follower_on(place, stand_in, Schedule(base=0.1, cap=0.3, max_age=30 * DAY))
    node = place.client.app.state.node  # type: ignore[attr-defined]
    clock = Clock(1_800_000_000.0)
    node.availability.clock = clock
    stand_in.status = 503
    created = post_note(place, "Tout le monde est en vacances")
    # Failures on seven distinct days, a few attempts each: unavailable on the seventh, not before.
    for day in range(1, 8):
        place.wait("SELECT 1 FROM origins WHERE failure_days = ?", (day,))
        if day < 7:
            assert not place.query("SELECT 1 FROM origins WHERE unavailable_since IS NOT NULL")
            clock.now += DAY
    rows = place.wait("SELECT unavailable_since FROM origins WHERE origin = ?"
                      " AND unavailable_since IS NOT NULL", (stand_in.base_url,))  # fmt: skip
    assert rows[0][0] == clock.now
    # Nothing more is sent: the delivery is held, with the reason the operator sees.
    rows = place.wait("SELECT attempts FROM deliveries WHERE activity_id = ?"
                      " AND last_error LIKE 'not sent:%'", (created["id"],))  # fmt: skip
    attempts = rows[0][0]
    assert posts_of(stand_in, created["id"]) == attempts
    state, _, _, due = delivery(place, created["id"])
    assert state == "pending"
    created_at = place.query("SELECT created_at FROM deliveries")[0][0]
    assert due == created_at + 30 * DAY  # held until its time runs out, not polled
    view = operator_view(place)
    assert f"{stand_in.base_url} unavailable since" in view
    assert f"serveur {stand_in.base_url}\tinjoignable depuis le" in view
    second = post_note(place, "Toujours personne ?")
    place.wait("SELECT 1 FROM deliveries WHERE activity_id = ? AND last_error LIKE 'not sent:%'",
               (second["id"],))  # fmt: skip
    assert posts_of(stand_in, second["id"]) == 0
    # The peer is back: a signed request of its own makes it available, and what was held
    # is delivered at once.
    stand_in.status = 202
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{stand_in.base_url}/follows/{uuid.uuid4()}",
        "type": "Follow",
        "actor": follower,
        "object": place.actor_id(),
    }
    assert place.post_signed("/inbox", follow, stand_in.key,
                             f"{follower}#main-key").status_code == 202  # fmt: skip
    for activity in (created, second):
        place.wait("SELECT 1 FROM deliveries WHERE activity_id = ? AND state = 'delivered'",
                   (activity["id"],))  # fmt: skip
    assert not place.query("SELECT 1 FROM origins")


def test_a_delivery_taken_or_refused_forgets_the_failures(
    place: InProcessNode, stand_in: StandIn
) -> None:
    follower_on(place, stand_in, FAST)
    stand_in.status = 503
    post_note(place, "Raté")
    place.wait("SELECT 1 FROM origins WHERE origin = ?", (stand_in.base_url,))
    stand_in.status = 403  # a refusal is an answer: the server is there
    place.wait("SELECT 1 FROM origins", expect=False)


def test_an_unavailable_peers_delivery_ends_unsent_when_its_time_runs_out(
    place: InProcessNode, stand_in: StandIn
) -> None:
    follower_on(place, stand_in, Schedule(base=0.1, cap=0.3, max_age=1.0))
    with sqlite3.connect(place.config.database) as db:
        db.execute(
            "INSERT INTO origins VALUES (?, 7, '2027-01-08', 0, 'peer answered 503', 1.0)",
            (stand_in.base_url,),
        )
    node = place.client.app.state.node  # type: ignore[attr-defined]
    place.client.portal.call(node.availability.load)  # as at start
    created = post_note(place, "Dans le vide")
    rows = place.wait("SELECT attempts, last_error FROM deliveries WHERE activity_id = ?"
                      " AND state = 'failed'", (created["id"],))  # fmt: skip
    assert rows[0][0] == 0
    assert rows[0][1].startswith(f"not sent: {stand_in.base_url} unavailable since")
    assert posts_of(stand_in, created["id"]) == 0


def test_a_refused_signature_is_tried_once_more_then_given_up(
    place: InProcessNode, stand_in: StandIn
) -> None:
    follower_on(place, stand_in, Schedule(base=0.1, cap=0.3, max_age=DAY, reauth=600.0))
    stand_in.status = 401
    created = post_note(place, "Qui suis-je ?")
    rows = place.wait("SELECT last_error, next_attempt_at FROM deliveries WHERE activity_id = ?"
                      " AND attempts = 1", (created["id"],))  # fmt: skip
    assert rows[0][0].startswith(UNAUTHORIZED)
    first_try = place.query("SELECT created_at FROM deliveries")[0][0]
    assert rows[0][1] >= first_try + 600 * 0.8  # later: the peer's key cache may run out
    assert posts_of(stand_in, created["id"]) == 2  # one attempt: RFC 9421, then cavage
    with sqlite3.connect(place.config.database) as db:  # ten minutes later
        db.execute("UPDATE deliveries SET next_attempt_at = 0")
    rows = place.wait("SELECT attempts, last_error FROM deliveries WHERE activity_id = ?"
                      " AND state = 'failed'", (created["id"],))  # fmt: skip
    assert rows[0][0] == 2
    assert rows[0][1].startswith(f"{UNAUTHORIZED} again")
    assert posts_of(stand_in, created["id"]) == 4
    assert "cannot check our key" in operator_view(place)


@pytest.fixture
def silent_peer() -> Iterator[str]:
    """A server that takes connections and requests and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                held.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_peer_that_never_answers_frees_its_slot_when_the_lease_ends(
    place: InProcessNode, stand_in: StandIn, silent_peer: str
) -> None:
    node = place.client.app.state.node  # type: ignore[attr-defined]
    node.delivery.concurrency = 1  # one slot: the silent peer holds it, or no one does
    node.delivery.lease = 1.0
    silent = stand_in.add_actor("/users/silent", endpoints={"sharedInbox": f"{silent_peer}/inbox"})
    follower_on(place, stand_in, FAST)  # ana, on the stand-in, who answers
    with sqlite3.connect(place.config.database) as db:
        db.execute("DELETE FROM follows")
        db.execute("INSERT INTO follows VALUES (?, ?, 'f2', 'accepted', 0)",
                   (silent, place.actor_id()))  # fmt: skip
    stuck = post_note(place, "Allô ?")
    place.wait("SELECT 1 FROM deliveries WHERE activity_id = ? AND locked_until IS NOT NULL",
               (stuck["id"],))  # fmt: skip
    with sqlite3.connect(place.config.database) as db:
        db.execute("INSERT INTO follows VALUES (?, ?, 'f', 'accepted', 0)",
                   (f"{stand_in.base_url}/users/ana", place.actor_id()))  # fmt: skip
    heard = post_note(place, "Quelqu'un ?")
    # The silent peer's attempt is cut within its lease and retried; the slot it held
    # serves the other peer meanwhile.
    rows = place.wait("SELECT attempts, last_error FROM deliveries WHERE activity_id = ?"
                      " AND attempts >= 1", (stuck["id"],))  # fmt: skip
    assert rows[0][1] == "no answer within 0.75 s"
    place.wait("SELECT 1 FROM deliveries WHERE activity_id = ? AND state = 'delivered'",
               (heard["id"],))  # fmt: skip
    state, _, _, _ = delivery(place, stuck["id"])
    assert state == "pending"
    assert len(node.delivery._in_flight) <= 1
