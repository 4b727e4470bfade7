"""Visits a peer cannot invent (issue 10), as the home place checks a claim: reported promptly
(within the report window after the tap), one paid visit per grant per place per stay, and a
claim id that comes back with other lines is a conflict. Pure rules; the federation test
`federation_tests/test_claim_rules.py` runs them between real nodes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from node.cli import main
from node.config import (
    NodeConfig,
)
from node.ledger import claim, exchange

A = "https://coroutine.example/actors/coroutine"
B = "https://popcafe.example/actors/popcafe"
ORIGIN = "https://popcafe.example"
PERIOD = "2025-05"
START, END = claim.period_bounds(PERIOD)
HOUR = 3600.0
RULES = claim.Rules(report_window=48 * HOUR, visit_spacing=4 * HOUR)
DAY_10 = START + 9 * 24 * HOUR


def _visit(i: int, at: float, reported: float | None, grant: str = "g1") -> claim.KnownVisit:
    return claim.KnownVisit(f"{ORIGIN}/visits/{i}", B, grant, at, reported)


def _check(visits: list[claim.KnownVisit], rules: claim.Rules = RULES, **over: Any) -> list[str]:
    """The reasons, line by line, for a claim of `visits` (each as the home place knows it)."""
    lines = [claim.Line(v.id, v.visited_at, v.grant, f"{A}/alice", 500) for v in visits]
    document = claim.build(f"{ORIGIN}/claims/1", B, A, PERIOD, 500, "EUR", lines, END)
    grants = {
        g: claim.KnownGrant(g, int(START), int(END), None, None) for g in {v.grant for v in visits}
    }
    facts: dict[str, Any] = dict(
        place=A, visits={v.id: v for v in visits}, grants=grants, claimed=frozenset(),
        agreed_rate_cents=500, agreed_currency="EUR", rules=rules,
    )  # fmt: skip
    facts.update(over)
    return [v.reason for v in claim.check(document, claim.Facts(**facts)).verdicts]


def test_a_visit_reported_at_tap_time_is_paid() -> None:
    assert _check([_visit(1, DAY_10, DAY_10 + 2)]) == ["ok"]


@pytest.mark.parametrize(
    ("reported", "reason"),
    [
        (DAY_10 + 48 * HOUR, "ok"),  # the window's last second
        (DAY_10 + 48 * HOUR + 1, "not_reported_promptly"),
        (DAY_10 + 20 * 24 * HOUR, "not_reported_promptly"),  # made up at the month's end
        (None, "not_reported_promptly"),  # never reported at tap time (or before the upgrade)
        (DAY_10 - claim.CLOCK_SKEW, "ok"),  # a door's clock a little ahead
        (DAY_10 - 2 * HOUR, "not_reported_promptly"),  # reported before it happened
    ],
)
def test_a_visit_is_paid_only_if_reported_within_the_window(
    reported: float | None, reason: str
) -> None:
    assert _check([_visit(1, DAY_10, reported)]) == [reason]
    assert reason == "ok" or (reason in claim.REASONS_FR and reason in claim.REASONS_EN)


def test_a_backdated_burst_of_forty_visits_is_refused() -> None:
    """Forty visits reported on the 30th, dated the 10th, a minute apart."""
    burst = [_visit(i, DAY_10 + 60 * i, START + 29 * 24 * HOUR) for i in range(40)]
    assert _check(burst) == ["not_reported_promptly"] * 40


def test_a_burst_reported_promptly_is_one_stay_and_earns_one_visit() -> None:
    burst = [_visit(i, DAY_10 + 60 * i, DAY_10 + 60 * i + 1) for i in range(40)]
    assert _check(burst) == ["ok"] + ["too_frequent"] * 39
    # With no spacing (0) every visit that holds is paid.
    assert _check(burst, claim.Rules(48 * HOUR, 0)) == ["ok"] * 40


def test_taps_closer_than_the_spacing_continue_the_stay() -> None:
    """9:00, 12:00 (3 h later: the same stay), 15:30 (3 h 30 after the last tap: still the
    same stay), then 20:00 (a new one); another grant, or the same grant at another place, is
    another stay."""
    taps = [0.0, 3 * HOUR, 6.5 * HOUR, 11 * HOUR]
    visits = [_visit(i, DAY_10 + t, DAY_10 + t + 5) for i, t in enumerate(taps)]
    assert _check(visits) == ["ok", "too_frequent", "too_frequent", "ok"]
    other = _visit(9, DAY_10 + 60, DAY_10 + 65, grant="g2")
    assert _check([visits[0], other]) == ["ok", "ok"]
    elsewhere = claim.KnownVisit(f"{ORIGIN}/visits/1", "https://fabrik.example/actors/f", "g1",
                                 DAY_10 + 60, DAY_10 + 65)  # fmt: skip
    assert claim.same_stay([visits[0], elsewhere], 4 * HOUR, lambda v: True) == frozenset()


def test_a_stay_started_before_the_claim_or_the_period_counts() -> None:
    """The tap that starts the stay was claimed last month (or is not in this claim): the
    home place still knows it, as a neighbour."""
    first_of_month = _visit(2, START + 600, START + 601)
    earlier = _visit(1, START - HOUR, START - HOUR + 1)
    assert _check([first_of_month], neighbours=(earlier,)) == ["too_frequent"]
    # A visit reported too late is evidence of nothing: it does not start a stay.
    late = _visit(1, START - HOUR, START + 30 * 24 * HOUR)
    assert _check([first_of_month], neighbours=(late,)) == ["ok"]


def test_a_claim_again_under_its_id_is_the_same_only_with_the_same_lines() -> None:
    lines = [claim.Line(f"{ORIGIN}/visits/{i}", DAY_10 + i, "g1", f"{A}/alice", 500)
             for i in range(3)]  # fmt: skip
    first = claim.build(f"{ORIGIN}/claims/1", B, A, PERIOD, 500, "EUR", lines, END)
    again = copy.deepcopy(first)
    again["tl:lines"].reverse()
    again["summary"] = "Réclamation envoyée de nouveau"
    again["proof"] = {"proofValue": "z…"}
    assert claim.same_claim(first, again)
    fewer = claim.build(f"{ORIGIN}/claims/1", B, A, PERIOD, 500, "EUR", lines[:2], END)
    assert not claim.same_claim(first, fewer)
    dearer = copy.deepcopy(first)
    dearer["tl:lines"][0]["tl:amount"] = "50.00"
    assert not claim.same_claim(first, dearer)
    other_month = {**first, "tl:period": "2025-06"}
    assert not claim.same_claim(first, other_month)
    assert "conflict" in claim.REASONS_FR and "conflict" in claim.REASONS_EN


def test_the_rules_come_from_the_node_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defaults in node.json's absence; `interlieux claims rules` shows and changes them."""
    data = str(tmp_path / "lieu")
    assert main(["init", "--data", data, "--base-url", "http://127.0.0.1:8401",
                 "--name", "La Coroutine", "--handle", "coroutine"]) == 0  # fmt: skip
    config = NodeConfig.load(Path(data))
    assert (config.claim_report_window_hours, config.claim_visit_spacing_hours) == (48.0, 4.0)
    assert exchange.rules(config) == claim.Rules(48 * HOUR, 4 * HOUR)
    capsys.readouterr()

    assert main(["claims", "rules", "--data", data]) == 0
    assert (
        "dans les 48 h après le badge ; un passage payé par badge et par lieu toutes les 4 h"
        in (capsys.readouterr().out)
    )
    assert main(["claims", "rules", "--data", data, "--report-window", "24",
                 "--visit-spacing", "0"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "24 h" in out and "sans limite" in out and "redémarrez" in out
    assert exchange.rules(NodeConfig.load(Path(data))) == claim.Rules(24 * HOUR, 0)

    assert main(["claims", "rules", "--data", data, "--visit-spacing", "-1"]) == 2
    assert "0 : sans limite" in capsys.readouterr().err
    assert main(["--lang", "en", "claims", "rules", "--data", data, "--report-window", "0.5"]) == 2
    assert "at least 1 hour" in capsys.readouterr().err
    assert NodeConfig.load(Path(data)).claim_report_window_hours == 24  # nothing saved
