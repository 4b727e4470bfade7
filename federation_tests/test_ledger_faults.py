"""Claims through faults: a home place down, a visited place restarted, a claim or an answer
delivered twice, a node killed (kill -9) while applying a claim or its answer. In each case both
ledgers end in agreement and nothing is counted twice."""

from __future__ import annotations

import json
import uuid

import pytest

from .badges import issue
from .ledger_network import activity, booked, checkin, replay, send_claims, settled
from .network import LocalPlace, Pair, wait_for


@pytest.fixture(scope="module")
def grant(home_and_visited: Pair) -> str:
    """alice's grant from her home place, tapped at the visited place in every test."""
    return issue(home_and_visited[0])


def _applied(place: LocalPlace, activity_id: str) -> None:
    wait_for(
        lambda: place.query(
            "SELECT state FROM inbox_queue WHERE activity_id = ?", (activity_id,)
        )[0][0] == "applied",
        what=f"{activity_id} applied",
    )  # fmt: skip


def _plus(amount: str, cents: int) -> str:
    total = round(float(amount) * 100) + cents
    return f"{total // 100}.{total % 100:02d}"


def test_home_place_down_when_the_claim_is_sent(home_and_visited: Pair, grant: str) -> None:
    home, visited = home_and_visited
    before = booked(visited, home)
    checkin(home, visited, grant)
    home.stop()
    try:
        send_claims(visited)
        wait_for(
            lambda: visited.query("SELECT 1 FROM deliveries d JOIN activities a ON"
                                  " a.id = d.activity_id WHERE a.type = 'Offer'"
                                  " AND d.state = 'pending' AND d.attempts > 0"),
            what="the claim's delivery to fail while the home place is down",
        )  # fmt: skip
    finally:
        home.start()
    settled(home, visited, _plus(before, 500))


def test_visited_place_restarted_right_after_sending(home_and_visited: Pair, grant: str) -> None:
    home, visited = home_and_visited
    before = booked(visited, home)
    checkin(home, visited, grant)
    visited.stop()  # the claim is stored and queued by the CLI: no server is running
    send_claims(visited)
    visited.start()
    settled(home, visited, _plus(before, 500))
    visited.kill()  # and kill -9 with the answer possibly in flight
    visited.start()
    settled(home, visited, _plus(before, 500))


def test_a_claim_and_its_answer_delivered_twice_count_once(
    home_and_visited: Pair, grant: str
) -> None:
    home, visited = home_and_visited
    before = booked(visited, home)
    checkin(home, visited, grant)
    send_claims(visited)
    after = _plus(before, 500)
    settled(home, visited, after)
    offer_id = visited.query(
        "SELECT offer_id FROM claims WHERE direction = 'sent' ORDER BY created_at DESC LIMIT 1"
    )[0][0]
    offer = activity(visited, offer_id)
    assert replay(visited, home, offer) == ["duplicate", "duplicate"]
    # The same claim in a new Offer (a confused sender): the claim id is applied once.
    again = {**offer, "id": f"{visited.base_url}/activities/{uuid.uuid4()}"}
    assert replay(visited, home, again) == ["accepted", "duplicate"]
    _applied(home, again["id"])
    accept_id = home.query(
        "SELECT id FROM activities WHERE type = 'Accept' AND json_extract(document,"
        " '$.object.id') = ?", (offer_id,),
    )[0][0]  # fmt: skip
    accept = activity(home, accept_id)
    assert replay(home, visited, accept) == ["duplicate", "duplicate"]
    accept_again = {**accept, "id": f"{home.base_url}/activities/{uuid.uuid4()}"}
    assert replay(home, visited, accept_again) == ["accepted", "duplicate"]
    _applied(visited, accept_again["id"])
    settled(home, visited, after)
    answers = home.query("SELECT COUNT(*) FROM activities WHERE type IN ('Accept', 'Reject')"
                         " AND json_extract(document, '$.object.object.id') = ?",
                         (offer["object"]["id"],))[0][0]  # fmt: skip
    assert answers == 1  # the copy was not answered again


@pytest.mark.parametrize(
    ("fault", "victim"),
    [("kill-while-applying-claim", "home"), ("kill-while-applying-answer", "visited")],
)
def test_a_node_killed_while_applying_ends_in_agreement(
    home_and_visited: Pair, grant: str, fault: str, victim: str
) -> None:
    home, visited = home_and_visited
    place = home if victim == "home" else visited
    before = booked(visited, home)
    checkin(home, visited, grant)
    place.stop()
    place.env["INTERLIEUX_FAULT"] = fault
    place.start()
    try:
        send_claims(visited)
        process = place.process
        assert process is not None
        wait_for(lambda: process.poll() is not None, what=f"{victim} to be killed ({fault})")
        assert process.returncode == -9
        assert booked(visited, home) == before  # the killed transaction left nothing
    finally:
        place.stop()
        del place.env["INTERLIEUX_FAULT"]
        place.start()
    settled(home, visited, _plus(before, 500))
    entries = visited.query("SELECT COUNT(*) FROM ledger_entries WHERE account = 'income:visits'"
                            " GROUP BY reference HAVING COUNT(*) > 1")  # fmt: skip
    assert entries == []  # no visit booked twice


def test_replayed_offer_document_is_the_signed_claim(home_and_visited: Pair) -> None:
    """What was replayed above carries its own proof: anyone can check it later."""
    _, visited = home_and_visited
    row = visited.query("SELECT document FROM claims WHERE direction = 'sent' LIMIT 1")[0][0]
    claim = json.loads(row)
    assert claim["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert claim["proof"]["verificationMethod"] == f"{visited.actor_id()}#ed25519-key"
