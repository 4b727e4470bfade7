"""The observatory's figures (pure): every pledge that counts and every match, each with its
funder and year, adding up to the step's totals to the cent; a cap reached in one year leaves
nothing to the next; totals per key; the CSV; the charts drawn without script. The page
itself, with real pledges, is in tests/node/web/team/test_steps.py."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from node.commons import observatory
from node.commons.cofinancing import MatchingRule, Pledge, Step, totals
from node.ledger.money import to_cents
from node.web import chart
from node.web.observatory import csv_text
from node.web.render import environment

PARIS = "Europe/Paris"
STEP = "https://a.example/objects/serveur"
OTHER = "https://a.example/objects/formation"
A, B = "https://a.example/actors/a", "https://b.example/actors/b"
REGION = "https://region.example/actors/region"


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(PARIS)).timestamp()


def rule(rule_id: str, funder: str, ratio: str, cap: int | None, *steps: str) -> MatchingRule:
    return MatchingRule(rule_id, funder, Decimal(ratio), cap, "EUR", frozenset(steps), None,
                        at("2025-01-01T00:00"))  # fmt: skip


PLEDGES = [
    Pledge("p1", B, STEP, 30_000, "EUR", at("2025-12-31T23:30")),  # 2025 in Paris, 2026 in UTC
    Pledge("p2", B, STEP, 40_000, "EUR", at("2026-03-01T10:00")),
    Pledge("p3", A, STEP, 20_000, "EUR", at("2026-04-01T10:00")),
    Pledge("p4", A, OTHER, 10_000, "EUR", at("2026-05-01T10:00")),
]
RULES = [rule("r1", A, "1", 50_000, STEP), rule("r2", REGION, "0.5", None, STEP, OTHER)]
STEPS = [Step(STEP, 200_000, "EUR"), Step(OTHER, 50_000, "EUR")]


def found() -> list[observatory.Contribution]:
    return observatory.contributions(STEPS, PLEDGES, RULES, observatory.year_in(PARIS))


def test_matches_are_dated_by_the_pledges_they_answer_and_a_cap_holds_across_years() -> None:
    matches = {(c.funder, c.place, c.step, c.year): c.cents for c in found() if c.kind == "match"}
    # A's 1:1 rule capped at 500 €: B's 300 € of 2025 matched in 2025, then only 200 € of
    # its 400 € of 2026; A's own pledge is not matched by A.
    assert matches[(A, B, STEP, 2025)] == 30_000
    assert matches[(A, B, STEP, 2026)] == 20_000
    assert (A, A, STEP, 2026) not in matches
    # The Région's 0.5 without a cap: on every place's pledges, on both steps.
    assert matches[(REGION, B, STEP, 2025)] == 15_000
    assert matches[(REGION, B, STEP, 2026)] == 20_000
    assert matches[(REGION, A, OTHER, 2026)] == 5_000


def test_the_figures_add_up_to_each_steps_totals_to_the_cent() -> None:
    contributions = found()
    for step in STEPS:
        expected = totals(step, PLEDGES, RULES, at("2026-06-01T00:00"))
        mine = [c for c in contributions if c.step == step.id]
        assert sum(c.cents for c in mine if c.kind == "pledge") == to_cents(expected["pledged"])
        assert sum(c.cents for c in mine if c.kind == "match") == to_cents(expected["matched"])


def test_totals_per_funder_and_per_year() -> None:
    per_funder = observatory.totals_by(found(), lambda c: c.funder)
    by_funder = {t.key: (t.pledged, t.matched) for t in per_funder}
    assert by_funder == {A: (30_000, 50_000), B: (70_000, 0), REGION: (0, 50_000)}
    years = [(t.key, t.pledged, t.matched) for t in observatory.by_year(found())]
    assert years == [(2025, 30_000, 45_000), (2026, 70_000, 55_000)]


def test_the_csv_reads_as_a_french_spreadsheet() -> None:
    text = csv_text(found(), {A: "La Coroutine", B: "PopCafé", STEP: "Serveur"})
    lines = text.splitlines()
    assert lines[0] == "année;financeur;type;commun (étape);lieu;montant;devise"
    assert "2025;La Coroutine;abondement;Serveur;PopCafé;300,00;EUR" in lines
    assert "2025;PopCafé;engagement;Serveur;PopCafé;300,00;EUR" in lines


def test_the_charts_are_svg_with_their_words() -> None:
    bars = [chart.Bar("2025", 30_000, 45_000, "2025 : 300 € promis, 450 € abondés"),
            chart.Bar("<2026>", 70_000, 0, "2026")]  # fmt: skip
    svg = chart.bars_svg(bars, "Par année", "les deux années")
    assert svg.startswith('<svg class="chart"') and 'role="img"' in svg
    assert 'aria-label="Par année : les deux années"' in svg
    assert "&lt;2026&gt;" in svg and "<2026>" not in svg
    # The largest bar (750 €) fills the width: 300 € pledged, then 450 € matched.
    assert 'width="128.0"' in svg and 'x="128.0" y="16" width="192.0"' in svg
    progress = chart.progress_svg(80_000, 50_000, 200_000, "1 300 € sur 2 000 €")
    assert 'width="128.0"' in progress and 'width="80.0"' in progress
    assert "style=" not in svg + progress  # colours are attributes: the CSP allows no style


def test_every_page_template_extends_the_base_and_has_one_h1() -> None:
    for name in ("observatory.html", "step.html", "governance/network.html",
                 "governance/decision.html", "governance/verification.html"):  # fmt: skip
        source = environment().loader.get_source(environment(), name)[0]  # type: ignore[union-attr]
        assert source.startswith('{% extends "base.html" %}')
        assert source.count("<h1") == 1
