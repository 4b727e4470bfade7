"""Visits a peer cannot invent (issue 10), between real nodes with the home place's default
rules: a visit is paid only if the visited place reported it within 48 h of the tap, one per
grant per place per 4 h, and a claim id sent again with other lines is answered with a
conflict."""

from __future__ import annotations

import copy
import json
import time
import uuid

import pytest

from node.access import grant as grants
from node.ledger.claim import period_of

from .badges import issue
from .conftest import VISIT_RATE
from .ledger_network import (
    activity,
    booked,
    checkin,
    forge_visit,
    lines,
    replay,
    report_visit,
    send_claims,
    settled,
)
from .network import LocalPlace, Network, Pair, wait_for

DAY = 86400.0


@pytest.fixture(scope="module")
def places(network: Network) -> Pair:
    """coroutine (member alice) and popcafe, peers at 5.00 EUR a visit; coroutine keeps the
    default rules (`interlieux claims rules` says them)."""
    created = network(
        {"coroutine": ["alice"], "popcafe": []},
        peers=[("coroutine", "popcafe")],
        visit_rate=VISIT_RATE,
    )
    home = created["coroutine"]
    rules = home.cli("claims", "rules", "--data", str(home.data)).stdout
    assert "dans les 48 h après le badge" in rules and "toutes les 4 h" in rules
    return home, created["popcafe"]


def _grant_id(text: str) -> str:
    return grants.read(grants.from_text(text))[0].grant_id


def _applied(place: LocalPlace, activity_id: str) -> None:
    wait_for(
        lambda: [r[0] for r in place.query(
            "SELECT state FROM inbox_queue WHERE activity_id = ?", (activity_id,))] == ["applied"],
        what=f"{activity_id} applied",
    )  # fmt: skip


def _conflicts(place: LocalPlace) -> list[dict[str, object]]:
    """The Rejects `place` sent that say `conflict`."""
    rows = place.query("SELECT document FROM activities WHERE type = 'Reject'")
    return [d for d in (json.loads(r[0]) for r in rows) if d.get("tl:reason") == "conflict"]


def test_a_backdated_burst_of_forty_visits_is_refused_in_a_claim(places: Pair) -> None:
    """popcafe makes up forty visits of alice three days ago, a minute apart, reports them to
    coroutine now and claims them: every line is refused, with its reason."""
    home, visited = places
    grant = issue(home)
    grant_id = _grant_id(grant)
    start = time.time() - 3 * DAY
    if period_of(start) != period_of(start + 40 * 60):
        start -= 3600  # a claim is for one month: keep the burst in one
    period = period_of(start)
    burst = []
    for i in range(40):
        visit = forge_visit(visited, home, grant_id, start + 60 * i)
        report_visit(visited, home, visit, grant, start + 60 * i)
        burst.append(visit)
    marks = ",".join("?" * len(burst))
    wait_for(
        lambda: home.query(f"SELECT COUNT(*) FROM visit_reports WHERE visit_id IN ({marks})",
                           tuple(burst))[0][0] == 40,
        what="the forty reports at the home place",
    )  # fmt: skip
    out = visited.cli("claims", "send", "--data", str(visited.data), "--period", period).stdout
    assert "40 passage(s), 200.00 EUR" in out

    wait_for(lambda: all(lines(visited, "sent")[v][0] == "rejected" for v in burst),
             what="the forty refusals at the visited place")  # fmt: skip
    sent = lines(visited, "sent")
    assert {sent[v] for v in burst} == {("rejected", "not_reported_promptly")}
    received = lines(home, "received")
    assert {received[v] for v in burst} == {("rejected", "not_reported_promptly")}
    assert booked(home, visited) == "0.00" and booked(visited, home) == "0.00"
    listing = visited.cli("claims", "list", "--data", str(visited.data)).stdout
    assert "passage non signalé à temps" in listing and "refusée" in listing
    english = visited.cli("--lang", "en", "claims", "list", "--data", str(visited.data)).stdout
    assert "visit not reported in time" in english


def test_taps_of_one_badge_within_four_hours_earn_one_visit(places: Pair) -> None:
    """Five real taps of alice's badge at popcafe's door in a minute: one stay, one visit."""
    home, visited = places
    grant = issue(home)
    taps = [checkin(home, visited, grant) for _ in range(5)]
    assert "5 passage(s), 25.00 EUR" in send_claims(visited)
    settled(home, visited, "5.00")
    sent = lines(visited, "sent")
    assert [sent[v] for v in taps] == [("accepted", None)] + [("rejected", "too_frequent")] * 4
    listing = visited.cli("claims", "list", "--data", str(visited.data)).stdout
    assert "passage trop rapproché" in listing and "acceptée en partie" in listing


def test_a_claim_id_sent_again_with_other_lines_is_answered_with_a_conflict(
    places: Pair,
) -> None:
    home, visited = places
    (offer_id,) = visited.query(
        "SELECT offer_id FROM claims WHERE direction = 'sent' ORDER BY created_at DESC LIMIT 1"
    )[0]
    offer = activity(visited, offer_id)
    before = booked(home, visited), booked(visited, home)

    # The same claim again, in another Offer: applied, and nothing answers or moves.
    same = {**copy.deepcopy(offer), "id": f"{visited.base_url}/activities/{uuid.uuid4()}"}
    replay(visited, home, same, times=1)
    _applied(home, same["id"])
    assert _conflicts(home) == []

    # Its id with a dearer first line: a conflict, answered to the visited place.
    other = {**copy.deepcopy(offer), "id": f"{visited.base_url}/activities/{uuid.uuid4()}"}
    other["object"]["tl:lines"][0]["tl:amount"] = "50.00"
    replay(visited, home, other, times=1)
    _applied(home, other["id"])
    (answer,) = _conflicts(home)
    assert answer["tl:claim"] == offer["object"]["id"]
    answered = answer["object"]
    assert isinstance(answered, dict) and answered["id"] == other["id"]
    assert (
        answer["summary"] == "réclamation déjà reçue sous le même identifiant avec d'autres lignes"
    )
    _applied(visited, str(answer["id"]))
    assert (booked(home, visited), booked(visited, home)) == before
    assert len(home.query("SELECT 1 FROM claims WHERE id = ?", (offer["object"]["id"],))) == 1
