"""Co-financing of an improvement step: pledges, funders' matching rules, totals. Pure.

Places and partners pledge to a step (`Pledge`); a funder publishes a `MatchingRule` for the
steps it chooses ("1 € per 1 €, up to 500 € per place", seed 003). Every node computes a step's
totals with `totals` from the signed pledges and rules it holds, so that all agree to the cent
whatever order the pledges arrived in:

- a pledge counts for a step when it funds the step, is in the step's currency, is positive and
  was published no later than the step's close; one pledge id counts once (its latest version);
- a rule matches a pledge when the step is among its steps, the currencies agree, the pledge
  was published no later than the rule's `until`, and the pledge is not the funder's own;
- per rule and per place: matched = ratio × the place's matched pledges, **rounded down to the
  cent** (a funder never pays more than its ratio promises, and rounding once per place rather
  than per pledge makes the answer independent of how a place split its pledges), then capped
  at the rule's cap per place;
- rules stack: a place's match is the sum over rules, each computed on the place's own pledges,
  never on another rule's match;
- the state: `closed` once the step has closed; otherwise, comparing pledged + matched with the
  budget, `open` below it, `funded` at it exactly, `overfunded` above it.

A funder's total envelope is not capped here: a cap on the sum of all places would make the
answer depend on which pledge came first (see issue 15's note on caps under concurrent pledges).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from ..activity import id_of
from ..errors import ConfigError
from ..ledger.money import check_currency, from_cents, to_cents
from ..timestamps import posix_to_wire, wire_to_posix

MATCHING_RULE = "MatchingRule"
STEP = "Step"
MAX_RATIO = Decimal(10)  # a funder adds at most 10 € per euro pledged: beyond is a typo
RATIO_PLACES = Decimal("0.0001")  # "0.3333" is a ratio a funder may write; more is noise


# --- documents -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """An improvement step of a commons, with its budget (the sum of its lines)."""

    id: str
    budget_cents: int
    currency: str
    closes: float | None = None  # after it, pledges no longer count and the step is closed

    @classmethod
    def from_json(cls, data: Any) -> Step:
        """Raises ValueError, KeyError or TypeError on a malformed step."""
        lines = data["budget"]
        if not isinstance(lines, list) or not lines:
            raise ValueError("budget is not a list of lines")
        closes = data.get("endTime")
        return cls(
            id=_text(data["id"]),
            budget_cents=sum(_cents(line["amount"]) for line in lines),
            currency=_text(data["currency"]),
            closes=wire_to_posix(_text(closes)) if closes is not None else None,
        )


@dataclass(frozen=True)
class Pledge:
    id: str
    place: str  # who pledged: a place or a partner
    step: str
    amount_cents: int
    currency: str
    published: float

    @classmethod
    def from_json(cls, data: Any) -> Pledge:
        """Raises ValueError, KeyError or TypeError on a malformed pledge."""
        return cls(
            id=_text(data["id"]),
            place=_text(id_of(data["attributedTo"])),
            step=_text(id_of(data["funds"])),
            amount_cents=_cents(data["amount"]),
            currency=_text(data["currency"]),
            published=wire_to_posix(_text(data["published"])),
        )


@dataclass(frozen=True)
class MatchingRule:
    id: str
    funder: str
    ratio: Decimal  # euros added per euro pledged
    cap_per_place_cents: int | None  # None: no cap
    currency: str
    steps: frozenset[str]
    until: float | None  # pledges published after it are not matched; None: no end
    published: float

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "id": self.id,
            "type": MATCHING_RULE,
            "attributedTo": self.funder,
            "matchRatio": str(self.ratio),
            "currency": self.currency,
            "funds": sorted(self.steps),
            "published": posix_to_wire(self.published),
        }
        if self.cap_per_place_cents is not None:
            document["capPerPlace"] = from_cents(self.cap_per_place_cents)
        if self.until is not None:
            document["endTime"] = posix_to_wire(self.until)
        return document

    @classmethod
    def from_json(cls, data: Any) -> MatchingRule:
        """Raises ValueError, KeyError or TypeError on a malformed rule."""
        steps = data["funds"]
        steps = steps if isinstance(steps, list) else [steps]
        cap = data.get("capPerPlace")
        until = data.get("endTime")
        return cls(
            id=_text(data["id"]),
            funder=_text(id_of(data["attributedTo"])),
            ratio=_ratio(data["matchRatio"]),
            cap_per_place_cents=_cents(cap) if cap is not None else None,
            currency=_text(data["currency"]),
            steps=frozenset(_text(id_of(s)) for s in steps),
            until=wire_to_posix(_text(until)) if until is not None else None,
            published=wire_to_posix(_text(data["published"])),
        )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string")
    return value


def _cents(value: Any) -> int:
    # A JSON number is read through its text: 0.1 stays 10 cents, never 0.1000000000000000055.
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"{value!r} is not an amount")
    try:
        return to_cents(str(value))
    except ConfigError as exc:
        raise ValueError(exc.log) from exc


def _ratio(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"{value!r} is not a ratio")
    try:
        ratio = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(f"ratio {value!r} is not a number") from exc
    if not ratio.is_finite() or not 0 < ratio <= MAX_RATIO or ratio != ratio.quantize(RATIO_PLACES):
        raise ValueError(f"ratio {value!r} is not in (0, {MAX_RATIO}] with 4 decimals at most")
    return ratio


def matching_rule(
    rule_id: str,
    funder: str,
    ratio: str,
    currency: str,
    steps: Iterable[str],
    published: float,
    cap_per_place: str | None = None,
    until: float | None = None,
) -> MatchingRule:
    """A funder's rule, from what its team typed (`interlieux fund create`). Raises ConfigError."""
    try:
        checked_ratio = _ratio(ratio)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            str(exc),
            fr=f"Le ratio « {ratio} » doit être un nombre positif d'au plus {MAX_RATIO} "
            "(par exemple 1 pour 1 € par euro promis), avec 4 décimales au plus.",
            en=f"The ratio '{ratio}' must be a positive number of at most {MAX_RATIO} "
            "(for example 1 for 1 € per euro pledged), with 4 decimals at most.",
        ) from exc
    cap = to_cents(cap_per_place) if cap_per_place is not None else None
    if cap is not None and cap <= 0:
        raise ConfigError(
            f"cap per place {cap_per_place!r} is not positive",
            fr="Le plafond par lieu doit être positif (ou absent : pas de plafond).",
            en="The cap per place must be positive (or absent: no cap).",
        )
    chosen = frozenset(steps)
    if not chosen:
        raise ConfigError(
            "a matching rule without a step",
            fr="Indiquez au moins une étape que la règle abonde.",
            en="Name at least one step the rule matches.",
        )
    if until is not None and until <= published:
        raise ConfigError(
            "the rule ends before it starts",
            fr="La fin de la règle doit être dans le futur.",
            en="The rule's end must be in the future.",
        )
    return MatchingRule(
        rule_id, funder, checked_ratio, cap, check_currency(currency), chosen, until, published
    )


# --- totals ------------------------------------------------------------------------------------


def counted_pledges(step: Step, pledges: Iterable[Pledge]) -> list[Pledge]:
    """The pledges that count for the step, one per id, sorted (by place, then id)."""
    latest: dict[str, Pledge] = {}
    for pledge in pledges:
        if pledge.step != step.id or pledge.currency != step.currency:
            continue
        if pledge.amount_cents <= 0:
            continue
        if step.closes is not None and pledge.published > step.closes:
            continue
        # One id seen twice (a pledge and its Update): the later version, and of two versions
        # of the same second the larger amount, so that every node keeps the same one.
        known = latest.get(pledge.id)
        if known is None or _rank(pledge) > _rank(known):
            latest[pledge.id] = pledge
    return sorted(latest.values(), key=lambda p: (p.place, p.id))


def _rank(pledge: Pledge) -> tuple[float, int, str]:
    return pledge.published, pledge.amount_cents, pledge.place


def match(rule: MatchingRule, step: Step, pledges: Iterable[Pledge]) -> dict[str, int]:
    """What one rule adds for each place, in cents (places it adds nothing for are absent)."""
    if step.id not in rule.steps or rule.currency != step.currency:
        return {}
    eligible: dict[str, int] = {}
    for pledge in pledges:
        if pledge.place == rule.funder:
            continue  # a funder does not match itself
        if rule.until is not None and pledge.published > rule.until:
            continue
        eligible[pledge.place] = eligible.get(pledge.place, 0) + pledge.amount_cents
    matched: dict[str, int] = {}
    for place, cents in eligible.items():
        amount = int((rule.ratio * cents).to_integral_value(rounding=ROUND_DOWN))
        if rule.cap_per_place_cents is not None:
            amount = min(amount, rule.cap_per_place_cents)
        if amount > 0:
            matched[place] = amount
    return matched


def state(step: Step, total_cents: int, now: float) -> str:
    if step.closes is not None and now >= step.closes:
        return "closed"
    if total_cents < step.budget_cents:
        return "open"
    return "funded" if total_cents == step.budget_cents else "overfunded"


def _one_per_id(rules: Iterable[MatchingRule]) -> list[MatchingRule]:
    """One rule per id (a rule and its Update): the later, and of two of the same second the
    one whose document sorts last, so that every node keeps the same one."""
    chosen: dict[str, tuple[float, str, MatchingRule]] = {}
    for rule in rules:
        rank = (rule.published, json.dumps(rule.to_json(), sort_keys=True), rule)
        if rule.id not in chosen or rank[:2] > chosen[rule.id][:2]:
            chosen[rule.id] = rank
    return [chosen[key][2] for key in sorted(chosen)]


def totals(
    step: Step, pledges: Iterable[Pledge], rules: Iterable[MatchingRule], now: float
) -> dict[str, Any]:
    """What `interlieux step totals URL --json` prints; the same on every node."""
    counted = counted_pledges(step, pledges)
    pledged: dict[str, int] = {}
    for pledge in counted:
        pledged[pledge.place] = pledged.get(pledge.place, 0) + pledge.amount_cents
    matched: dict[str, int] = dict.fromkeys(pledged, 0)
    for rule in _one_per_id(rules):
        for place, cents in match(rule, step, counted).items():
            matched[place] += cents
    total_pledged = sum(pledged.values())
    total_matched = sum(matched.values())
    return {
        "budget": from_cents(step.budget_cents),
        "pledged": from_cents(total_pledged),
        "matched": from_cents(total_matched),
        "by_place": [
            {
                "place": place,
                "pledged": from_cents(pledged[place]),
                "matched": from_cents(matched[place]),
            }
            for place in sorted(pledged)
        ],
        "state": state(step, total_pledged + total_matched, now),
    }
