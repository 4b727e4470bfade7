"""Improvement steps and matched co-financing across real nodes (issue 15, acceptance): a step
at A, a funder's 1:1 rule capped at 500 € per place published by C, pledges by B and A; every
node computes the same totals from the signed pledges and rules it holds."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from node.ledger import proof

from .network import PUBLIC, LocalPlace, Network, Places, post_signed, wait_for


@pytest.fixture(scope="module")
def places(network: Network) -> Places:
    """A (coroutine) hosts the steps; B (popcafe) and C (fabrik) follow A only; inconnu
    follows A later, and reads what it published before."""
    return network(
        {"coroutine": [], "popcafe": [], "fabrik": [], "inconnu": []},
        follows=[("popcafe", "coroutine"), ("fabrik", "coroutine")],
    )


def _last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


def _step(place: LocalPlace, title: str, *lines: str) -> str:
    args = [f"--line={line}" for line in lines]
    out = place.cli("step", "create", "--data", str(place.data), "--title", title, *args,
                    "--currency", "EUR", "--contributor", "Atelier Soudure").stdout  # fmt: skip
    return _last_line(out)


def _count(place: LocalPlace, table: str, step: str) -> int:
    return int(place.query(f"SELECT count(*) FROM {table} WHERE step = ?", (step,))[0][0])


def _holds(place: LocalPlace, step: str, pledges: int, rules: int) -> bool:
    return _count(place, "step_pledges", step) == pledges and (
        _count(place, "matching_rules", step) == rules
    )


def _totals(place: LocalPlace, step: str) -> str:
    return place.cli("step", "totals", "--data", str(place.data), step, "--json").stdout


def _rule(funder: LocalPlace, step: str) -> str:
    out = funder.cli("fund", "create", "--data", str(funder.data), "--ratio", "1",
                     "--cap-per-place", "500.00", "--currency", "EUR",
                     "--step", step).stdout  # fmt: skip
    return _last_line(out)


def test_a_matched_step_has_the_same_totals_at_every_node(places: Places) -> None:
    a, b, c = places["coroutine"], places["popcafe"], places["fabrik"]
    step = _step(a, "Serveur partagé", "Serveur=1200.00", "Installation=300.00")
    for place in (b, c):
        wait_for(lambda p=place: p.query("SELECT 1 FROM steps WHERE id = ?", (step,)),  # type: ignore[misc]
                 what=f"{place.handle} receiving the step")  # fmt: skip

    _rule(c, step)
    wait_for(lambda: _holds(a, step, 0, 1), what="A keeping C's rule")
    b.cli("pledge", "--data", str(b.data), "--step", step, "--amount", "600.00")
    a.cli("pledge", "--data", str(a.data), "--step", step, "--amount", "200")
    for place in (a, b, c):
        # B and C follow only A: they get C's rule and B's pledge back from A's Announce.
        wait_for(lambda p=place: _holds(p, step, 2, 1),  # type: ignore[misc]
                 what=f"{place.handle} holding both pledges and the rule")  # fmt: skip

    printed = {place.handle: _totals(place, step) for place in (a, b, c)}
    assert printed["popcafe"] == printed["coroutine"] == printed["fabrik"]
    totals = json.loads(printed["coroutine"])
    assert totals == {
        "budget": "1500.00",
        "pledged": "800.00",
        "matched": "700.00",
        "by_place": sorted(
            [
                {"place": b.actor_id(), "pledged": "600.00", "matched": "500.00"},
                {"place": a.actor_id(), "pledged": "200.00", "matched": "200.00"},
            ],
            key=lambda line: line["place"],
        ),
        "state": "funded",
    }
    readable = a.cli("step", "totals", "--data", str(a.data), step).stdout
    assert "« Serveur partagé » (financée)" in readable and "abondé 700.00" in readable

    # A place that follows A afterwards reads A's outbox: the step, A's own pledge, and A's
    # Announces of B's pledge and C's rule, each checked against its author's key.
    late = places["inconnu"]
    late.follow(a.actor_id())
    wait_for(lambda: late.query("SELECT 1 FROM steps WHERE id = ?", (step,)), what="the step")
    wait_for(lambda: _holds(late, step, 2, 1), what="inconnu backfilling the pledges and rule")
    assert _totals(late, step) == printed["coroutine"]


def test_concurrent_pledges_at_the_home_node_stay_within_the_cap(places: Places) -> None:
    """Four pledges of 150 € by B posted at once, arriving at A in whatever order: B's match
    is capped at 500 € at every node, because the cap applies to the sum of B's rows."""
    a, b, c = places["coroutine"], places["popcafe"], places["fabrik"]
    step = _step(a, "Atelier mobile", "Remorque=2500.00")
    wait_for(lambda: b.query("SELECT 1 FROM steps WHERE id = ?", (step,)), what="B: the step")
    wait_for(lambda: c.query("SELECT 1 FROM steps WHERE id = ?", (step,)), what="C: the step")
    _rule(c, step)
    wait_for(lambda: _holds(a, step, 0, 1), what="A keeping C's rule")

    pledge = {"type": "Pledge", "funds": step, "amount": "150.00", "currency": "EUR",
              "to": [PUBLIC]}  # fmt: skip
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def post() -> None:
        try:
            start.wait()
            b.post_outbox(pledge)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for place in (a, b, c):
        wait_for(lambda p=place: _holds(p, step, 4, 1),  # type: ignore[misc]
                 what=f"{place.handle} holding the four pledges")  # fmt: skip
    printed = {place.handle: _totals(place, step) for place in (a, b, c)}
    assert printed["popcafe"] == printed["coroutine"] == printed["fabrik"]
    totals = json.loads(printed["coroutine"])
    assert totals["by_place"] == [{"place": b.actor_id(), "pledged": "600.00", "matched": "500.00"}]
    assert (totals["pledged"], totals["matched"], totals["state"]) == ("600.00", "500.00", "open")


def test_a_forged_pledge_is_refused_with_its_reason(places: Places) -> None:
    a, b = places["coroutine"], places["popcafe"]
    step = a.query("SELECT id FROM steps ORDER BY received_at LIMIT 1")[0][0]
    before = _totals(a, step)
    pledge = {
        "id": f"{b.base_url}/objects/{uuid.uuid4()}",
        "type": "Pledge",
        "attributedTo": b.actor_id(),
        "funds": step,
        "amount": "5000.00",
        "currency": "EUR",
        "published": "2026-01-01T00:00:00Z",
        "to": [PUBLIC, a.actor_id()],
    }
    create = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{b.base_url}/activities/{uuid.uuid4()}",
        "type": "Create",
        "actor": b.actor_id(),
        "to": [PUBLIC, a.actor_id()],
        "object": pledge,
    }
    # The request is B's (its HTTP signature holds); the pledge's proof is another key's,
    # claiming to be B's.
    forged = proof.sign(pledge, ed25519.Ed25519PrivateKey.generate(), f"{b.actor_id()}#ed25519-key")
    answer = post_signed(b, a, {**create, "object": forged})
    assert answer.status_code == 403, answer.text
    assert "proof does not verify" in answer.json()["error"]

    unsigned = post_signed(b, a, {**create, "id": f"{b.base_url}/activities/{uuid.uuid4()}"})
    assert unsigned.status_code == 403 and "no proof" in unsigned.json()["error"]
    assert not a.query("SELECT 1 FROM step_pledges WHERE id = ?", (pledge["id"],))
    assert _totals(a, step) == before
