"""Settlements confirmed by the other side, netting, and the node's own monthly claims."""

from __future__ import annotations

import json
import time

from node.ledger.claim import period_bounds

from .badges import issue
from .ledger_network import booked, checkin, period, send_claims, settled
from .network import Pair, wait_for


def test_a_payment_confirmed_by_the_other_side_moves_both_balances(home_and_visited: Pair) -> None:
    home, visited = home_and_visited
    grant = issue(home)
    for _ in range(2):
        checkin(home, visited, grant)
    send_claims(visited)
    settled(home, visited, "10.00")

    netting = json.loads(home.cli("ledger", "--data", str(home.data), "--netting", "--json")
                         .stdout)  # fmt: skip
    assert netting == {"transfers": [{"from": home.actor_id(), "to": visited.actor_id(),
                                      "amount": "10.00", "currency": "EUR"}]}  # fmt: skip
    text = home.cli("ledger", "--data", str(home.data), "--netting").stdout
    assert "Virements proposés" in text and "10.00 EUR" in text

    out = home.cli("settle", "--data", str(home.data), "--peer", visited.actor_id(),
                   "--amount", "10.00", "--reference", "VIR-2025-001").stdout  # fmt: skip
    assert "déclaré" in out
    # Nothing moves until the payee's team has seen the money arrive and confirms.
    to_confirm = "SELECT id FROM settlements WHERE state = 'to_confirm'"
    waiting = wait_for(lambda: visited.query(to_confirm), what="the declaration")
    assert booked(visited, home) == "10.00"
    listing = visited.cli("settle", "--data", str(visited.data), "--list").stdout
    assert "à confirmer" in listing
    visited.cli("settle", "--data", str(visited.data), "--confirm", waiting[0][0])
    settled(home, visited, "0.00", cli=True)
    for place in home_and_visited:
        rows = place.query("SELECT state, reference FROM settlements")
        assert [(r[0], r[1]) for r in rows] == [("confirmed", "VIR-2025-001")]
    csv = visited.cli("ledger", "--data", str(visited.data), "--csv").stdout.splitlines()
    assert csv[0].startswith("date;transaction;nature")
    assert any("settlement" in line and "10,00" in line for line in csv)

    refused = home.cli("settle", "--data", str(home.data), "--peer", "http://127.0.0.1:9/x",
                       "--amount", "1", "--reference", "x", check=False)  # fmt: skip
    assert refused.returncode == 2 and "n'est pas un lieu pair" in refused.stderr


def test_the_node_sends_last_months_claims_itself_once(home_and_visited: Pair) -> None:
    home, visited = home_and_visited
    before = booked(visited, home)
    checkin(home, visited, issue(home))
    visited.stop()
    # Pretend the month is over: the clock of the scheduler is moved to next month.
    next_month = period_bounds(period())[1] + 86400
    visited.env["INTERLIEUX_CLAIMS_CLOCK_OFFSET"] = str(next_month - time.time())
    visited.env["INTERLIEUX_CLAIMS_POLL"] = "0.5"
    try:
        visited.start()
        after = f"{int(float(before)) + 5}.00"
        settled(home, visited, after)
        runs = wait_for(
            lambda: [r[0] for r in visited.query("SELECT period FROM claim_runs")
                     if r[0] == period()],
            what="the run noted",
        )  # fmt: skip
        claims = visited.query("SELECT COUNT(*) FROM claims")[0][0]
        visited.stop()
        visited.start()
        time.sleep(2)  # a few passes of the scheduler
        assert visited.query("SELECT COUNT(*) FROM claims")[0][0] == claims
        again = [r[0] for r in visited.query("SELECT period FROM claim_runs")]
        assert [p for p in again if p == period()] == runs
        settled(home, visited, after)
    finally:
        visited.stop()
        del visited.env["INTERLIEUX_CLAIMS_CLOCK_OFFSET"], visited.env["INTERLIEUX_CLAIMS_POLL"]
        visited.start()
