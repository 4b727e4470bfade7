"""Co-financing: a step's totals from pledges and stacked matching rules, to the cent."""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld

from node.commons import cofinancing
from node.commons.cofinancing import MatchingRule, Pledge, Step
from node.errors import ConfigError
from node.timestamps import wire_to_posix
from vocab import loader, shapes
from vocab.context import DOCUMENT_CONTEXT, TL

NO_FETCH = {"documentLoader": loader.load_document}  # bundled contexts only
A = "https://coroutine.example/actors/coroutine"
B = "https://popcafe.example/actors/popcafe"
C = "https://tiers.example/actors/tiers"
FONDATION = "https://fondation.example/actors/fondation"
REGION = "https://region.example/actors/region"
STEP = "https://commons.example/steps/serveur"
T0 = wire_to_posix("2026-03-01T09:00:00Z")
NOW = T0 + 86400
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def _step(budget: str = "1500.00", closes: float | None = None) -> Step:
    return Step(STEP, int(Decimal(budget) * 100), "EUR", closes)


def _pledge(place: str, amount: str, n: int = 1, at: float = T0, **over: Any) -> Pledge:
    terms: dict[str, Any] = dict(
        id=f"{place}/pledges/{n}", place=place, step=STEP,
        amount_cents=int(Decimal(amount) * 100), currency="EUR", published=at,
    )  # fmt: skip
    terms.update(over)
    return Pledge(**terms)


def _rule(
    funder: str = FONDATION, ratio: str = "1", cap: str | None = "500.00", **over: Any
) -> MatchingRule:
    terms: dict[str, Any] = dict(
        rule_id=f"{funder}/rules/1", funder=funder, ratio=ratio, currency="EUR", steps=[STEP],
        published=T0 - 3600, cap_per_place=cap,
    )  # fmt: skip
    terms.update(over)
    return cofinancing.matching_rule(**terms)


def _by_place(totals: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {row["place"]: (row["pledged"], row["matched"]) for row in totals["by_place"]}


def test_issue_15_one_to_one_capped_at_500_per_place() -> None:
    totals = cofinancing.totals(_step(), [_pledge(B, "600.00"), _pledge(A, "200.00")],
                                [_rule()], NOW)  # fmt: skip
    assert totals == {
        "budget": "1500.00",
        "pledged": "800.00",
        "matched": "700.00",
        "by_place": [
            {"place": A, "pledged": "200.00", "matched": "200.00"},
            {"place": B, "pledged": "600.00", "matched": "500.00"},
        ],
        "state": "funded",
    }


def test_the_same_totals_whatever_the_order() -> None:
    pledges = [_pledge(B, "600.00"), _pledge(A, "200.00"), _pledge(B, "50.00", n=2),
               _pledge(C, "0.03", n=1), _pledge(C, "0.04", n=2)]  # fmt: skip
    rules = [_rule(), _rule(REGION, ratio="0.5", cap="100.00")]
    expected = cofinancing.totals(_step(), pledges, rules, NOW)
    for order in itertools.permutations(pledges):
        for rule_order in (rules, rules[::-1]):
            assert cofinancing.totals(_step(), order, rule_order, NOW) == expected
    rng = random.Random(7)
    places = [f"https://p{i}.example/actors/p" for i in range(37)]
    many = [_pledge(places[i % 37], f"{rng.randrange(1, 9999)}.{i % 100:02d}", n=i)
            for i in range(500)]  # fmt: skip
    first = cofinancing.totals(_step(), many, rules, NOW)
    rng.shuffle(many)
    assert cofinancing.totals(_step(), many, rules, NOW) == first


def test_several_funders_rules_stack_each_on_the_places_own_pledges() -> None:
    region = _rule(REGION, ratio="0.5", cap="100.00")
    totals = cofinancing.totals(_step("3000.00"), [_pledge(B, "600.00"), _pledge(A, "200.00")],
                                [_rule(), region], NOW)  # fmt: skip
    # B: 500 (capped) + 100 (0.5 × 600 = 300, capped at 100); A: 200 + 100.
    assert _by_place(totals) == {A: ("200.00", "300.00"), B: ("600.00", "600.00")}
    assert (totals["matched"], totals["state"]) == ("900.00", "open")
    uncapped = _rule(REGION, ratio="2", cap=None)
    assert _by_place(cofinancing.totals(_step(), [_pledge(A, "10.00")], [uncapped], NOW)) == {
        A: ("10.00", "20.00")
    }


def test_rounding_down_to_the_cent_once_per_place_and_rule() -> None:
    third = _rule(ratio="0.3333", cap=None)
    # 100.00 × 0.3333 = 33.33; 0.01 × 0.3333 = 0.003333 → 0.00, for the funder's benefit.
    assert _by_place(cofinancing.totals(_step(), [_pledge(A, "100.00")], [third], NOW))[A] == (
        "100.00", "33.33"
    )  # fmt: skip
    assert cofinancing.totals(_step(), [_pledge(A, "0.01")], [third], NOW)["matched"] == "0.00"
    # Three pledges of 0.01 at ratio 0.5: 0.015 → 0.01, the same as one pledge of 0.03,
    # however the place split its pledge (per pledge it would have been 0).
    half = _rule(ratio="0.5", cap=None)
    split = [_pledge(A, "0.01", n=i) for i in range(3)]
    assert cofinancing.totals(_step(), split, [half], NOW)["matched"] == "0.01"
    assert cofinancing.totals(_step(), [_pledge(A, "0.03")], [half], NOW)["matched"] == "0.01"


def test_what_a_rule_does_not_match() -> None:
    pledges = [_pledge(A, "100.00"), _pledge(FONDATION, "1000.00"),
               _pledge(B, "100.00", at=T0 + 7200)]  # fmt: skip
    other_step = _rule(steps=["https://commons.example/steps/autre"])
    other_currency = _rule(currency="CHF")
    ended = _rule(until=T0 + 3600)
    assert cofinancing.totals(_step(), pledges, [other_step, other_currency], NOW)["matched"] == (
        "0.00"
    )  # fmt: skip
    # The funder's own pledge counts as pledged, never matched by its own rule; B pledged
    # after the rule ended.
    assert _by_place(cofinancing.totals(_step(), pledges, [ended], NOW)) == {
        A: ("100.00", "100.00"), B: ("100.00", "0.00"), FONDATION: ("1000.00", "0.00"),
    }  # fmt: skip


def test_what_does_not_count_as_pledged() -> None:
    pledges = [
        _pledge(A, "100.00", step="https://commons.example/steps/autre"),
        _pledge(A, "100.00", n=2, currency="CHF"),
        _pledge(A, "0.00", n=3),
        _pledge(A, "-50.00", n=4),  # a negative pledge would take from others' totals
        _pledge(B, "100.00", at=T0 + 7200),  # after the step closed
        _pledge(C, "10.00"),
    ]
    totals = cofinancing.totals(_step(closes=T0 + 3600), pledges, [_rule()], T0 + 60)
    assert _by_place(totals) == {C: ("10.00", "10.00")}
    assert totals["state"] == "open"


def test_one_pledge_and_one_rule_per_id() -> None:
    first = _pledge(A, "100.00")
    updated = _pledge(A, "150.00", at=T0 + 60)
    for order in ([first, updated, first], [updated, first]):
        assert cofinancing.totals(_step(), order, [], NOW)["pledged"] == "150.00"
    same_second = [_pledge(A, "100.00"), _pledge(A, "120.00")]
    for order in (same_second, same_second[::-1]):
        assert cofinancing.totals(_step(), order, [], NOW)["pledged"] == "120.00"
    rule = _rule(cap="50.00")
    changed = _rule(cap="80.00", published=T0)
    for rules in ([rule, rule, changed], [changed, rule]):
        assert cofinancing.totals(_step(), [first], rules, NOW)["matched"] == "80.00"


@pytest.mark.parametrize(
    ("budget", "pledged", "state"),
    [
        ("1000.00", "400.00", "open"),
        ("1000.00", "500.00", "funded"),
        ("1000.00", "500.01", "overfunded"),
    ],
)
def test_the_state_compares_pledged_and_matched_with_the_budget(
    budget: str, pledged: str, state: str
) -> None:
    totals = cofinancing.totals(_step(budget), [_pledge(A, pledged)], [_rule(cap=None)], NOW)
    assert totals["state"] == state


def test_a_closed_step_is_closed_whatever_its_totals() -> None:
    step = _step("100.00", closes=T0 + 3600)
    assert cofinancing.totals(step, [_pledge(A, "100.00")], [], T0 + 3599)["state"] == "funded"
    assert cofinancing.totals(step, [_pledge(A, "100.00")], [], T0 + 3600)["state"] == "closed"
    assert cofinancing.totals(step, [], [], T0 + 3600)["pledged"] == "0.00"


# --- documents -------------------------------------------------------------------------------


def test_documents_read_back_to_the_same_values() -> None:
    pledge = {"id": f"{A}/pledges/1", "type": ["Pledge", "Note"], "attributedTo": A,
              "amount": 0.1, "currency": "EUR", "funds": {"id": STEP, "name": "Serveur"},
              "due": "2026-12-31T00:00:00Z", "published": "2026-03-01T09:00:00Z"}  # fmt: skip
    assert Pledge.from_json(pledge) == _pledge(A, "0.10")
    assert Pledge.from_json({**pledge, "amount": "600,00"}).amount_cents == 60000
    step = {
        "id": STEP,
        "type": "Step",
        "currency": "EUR",
        "endTime": "2026-06-30T00:00:00Z",
        "budget": [{"name": "Serveur", "amount": "1200.00"}, {"name": "Dév", "amount": 300}],
    }
    assert Step.from_json(step) == _step(closes=wire_to_posix("2026-06-30T00:00:00Z"))
    rule = _rule(until=T0 + 86400)
    document = json.loads(json.dumps(rule.to_json()))
    assert document["type"] == "MatchingRule" and document["capPerPlace"] == "500.00"
    assert document["matchRatio"] == "1" and document["funds"] == [STEP]
    assert MatchingRule.from_json(document) == rule
    assert MatchingRule.from_json({**document, "funds": STEP}) == rule
    uncapped = _rule(cap=None)
    assert "capPerPlace" not in uncapped.to_json()
    assert MatchingRule.from_json(uncapped.to_json()) == uncapped


@pytest.mark.parametrize(
    ("reader", "document"),
    [
        (Pledge.from_json, {"id": "p", "attributedTo": A, "funds": STEP, "amount": "1.001",
                            "currency": "EUR", "published": "2026-03-01T09:00:00Z"}),
        (Pledge.from_json, {"id": "p", "attributedTo": A, "funds": STEP, "amount": True,
                            "currency": "EUR", "published": "2026-03-01T09:00:00Z"}),
        (Pledge.from_json, {"id": "p", "attributedTo": A, "funds": STEP, "amount": "1"}),
        (Step.from_json, {"id": STEP, "currency": "EUR", "budget": []}),
        (Step.from_json, {"id": STEP, "currency": "EUR", "budget": [{"amount": "x"}]}),
        (MatchingRule.from_json, {**_rule().to_json(), "matchRatio": "0"}),
        (MatchingRule.from_json, {**_rule().to_json(), "matchRatio": "1e400"}),
        (MatchingRule.from_json, {**_rule().to_json(), "matchRatio": "NaN"}),
        (MatchingRule.from_json, {**_rule().to_json(), "funds": [3]}),
    ],
)  # fmt: skip
def test_a_malformed_document_does_not_read(reader: Any, document: dict[str, Any]) -> None:
    with pytest.raises((ValueError, KeyError, TypeError)):
        reader(document)


@pytest.mark.parametrize(
    ("over", "french"),
    [
        ({"ratio": "0"}, "nombre positif"),
        ({"ratio": "onze"}, "nombre positif"),
        ({"ratio": "11"}, "au plus 10"),
        ({"ratio": "0.33333"}, "4 décimales"),
        ({"cap": "0"}, "plafond par lieu doit être positif"),
        ({"cap": "cinq cents"}, "montant"),
        ({"steps": []}, "au moins une étape"),
        ({"until": T0 - 7200}, "fin de la règle"),
        ({"currency": "euros"}, "devise"),
    ],
)
def test_a_rule_a_funder_mistyped_is_refused_in_french(over: dict[str, Any], french: str) -> None:
    with pytest.raises(ConfigError) as exc:
        _rule(**over)
    assert french in exc.value.message("fr")


def test_a_ratio_may_use_a_french_comma() -> None:
    assert _rule(ratio="0,5").ratio == Decimal("0.5")


def test_the_documents_satisfy_their_shapes_and_expand_with_no_fetch() -> None:
    rule = _rule(until=T0 + 86400).to_json()
    assert shapes.check(rule, "MatchingRule") == []
    step = {"id": STEP, "type": "Step", "name": "Serveur partagé", "currency": "EUR",
            "budget": [{"name": "Serveur", "amount": "1200.00"}]}  # fmt: skip
    assert shapes.check(step, "Step") == []
    assert [v.path for v in shapes.check({**step, "budget": [{"name": "x"}]}, "Step")] == [
        "budget.amount"
    ]
    expanded = jsonld.expand({"@context": DOCUMENT_CONTEXT, **rule}, NO_FETCH)[0]
    assert expanded["@type"] == [f"{TL}MatchingRule"]
    assert expanded[f"{TL}matchRatio"] == [{"@value": "1", "@type": XSD_DECIMAL}]
    assert expanded[f"{TL}capPerPlace"] == [{"@value": "500.00", "@type": XSD_DECIMAL}]
    assert expanded[f"{TL}funds"] == [{"@value": STEP}]
    line = jsonld.expand({"@context": DOCUMENT_CONTEXT, **step}, NO_FETCH)[0][f"{TL}budget"][0]
    assert line[f"{TL}amount"] == [{"@value": "1200.00", "@type": XSD_DECIMAL}]


# --- properties ------------------------------------------------------------------------------

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None)
PLACES = [A, B, C, FONDATION, "https://d.example/actors/d"]
PLEDGES = st.lists(
    st.tuples(st.sampled_from(PLACES), st.integers(1, 100_000_00), st.integers(0, 10)),
    max_size=12,
)
RULES = st.lists(
    st.tuples(st.sampled_from(["1", "0.5", "2", "0.3333", "1.25"]),
              st.none() | st.integers(1, 1000_00), st.none() | st.integers(1, 10)),
    max_size=4,
)  # fmt: skip


def _made(pledges: list[tuple[str, int, int]], rules: list[tuple[str, int | None, int | None]]
          ) -> tuple[list[Pledge], list[MatchingRule]]:  # fmt: skip
    made = [_pledge(place, "0", n=n, at=T0 + 3600 * hour, amount_cents=cents)
            for n, (place, cents, hour) in enumerate(pledges)]  # fmt: skip
    matching = [
        _rule(f"https://f{i}.example/actors/f" if i else FONDATION, ratio=ratio,
              cap=None if cap is None else f"{cap / 100:.2f}",
              until=None if until is None else T0 + 3600 * until)
        for i, (ratio, cap, until) in enumerate(rules)
    ]  # fmt: skip
    return made, matching


@FUZZ
@given(PLEDGES, RULES, st.randoms(use_true_random=False))
def test_totals_hold_whatever_the_pledges_and_rules(
    pledges: list[tuple[str, int, int]],
    rules: list[tuple[str, int | None, int | None]],
    rng: random.Random,
) -> None:
    made, matching = _made(pledges, rules)
    totals = cofinancing.totals(_step(), made, matching, NOW)
    shuffled, rules_shuffled = made[:], matching[:]
    rng.shuffle(shuffled)
    rng.shuffle(rules_shuffled)
    assert cofinancing.totals(_step(), shuffled, rules_shuffled, NOW) == totals
    rows = totals["by_place"]
    assert sum(Decimal(r["matched"]) for r in rows) == Decimal(totals["matched"])
    assert sum(Decimal(r["pledged"]) for r in rows) == Decimal(totals["pledged"])
    for row in rows:
        # No place gets more than each rule's ratio of its pledges, nor more than its cap.
        bound = sum(
            min(rule.ratio * Decimal(row["pledged"]),
                Decimal(rule.cap_per_place_cents) / 100 if rule.cap_per_place_cents else
                Decimal("Infinity"))
            for rule in matching if rule.funder != row["place"]
        )  # fmt: skip
        assert Decimal(row["matched"]) <= bound


@FUZZ
@given(PLEDGES, RULES)
def test_a_pledge_split_in_two_matches_the_same(
    pledges: list[tuple[str, int, int]], rules: list[tuple[str, int | None, int | None]]
) -> None:
    made, matching = _made(pledges, rules)
    split = []
    for pledge in made:
        half = pledge.amount_cents // 2
        split.append(dataclasses.replace(pledge, amount_cents=pledge.amount_cents - half))
        if half:
            split.append(dataclasses.replace(pledge, id=f"{pledge.id}-b", amount_cents=half))
    assert cofinancing.totals(_step(), split, matching, NOW) == cofinancing.totals(
        _step(), made, matching, NOW
    )
