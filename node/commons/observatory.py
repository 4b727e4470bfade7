"""The observatory: who financed what and when, from the pledges and matching rules a node
holds. Pure: the same rows give the same figures on every node.

Every amount is a `Contribution`: a pledge (its author pledged it to a step) or a match (a
funder's rule added it for a place's pledges). A step's matches are those of
`cofinancing.totals`, to the cent: the observatory only says who gave them and in which year.

A match is dated by the pledges it answers. Per rule and place, the match earned by the end of
a year is the rule applied to the place's pledges up to that year (`cofinancing.match`); the
year's share is that minus the share of the years before. The shares add up to the match
`totals` gives (the last year's cumulative match is the whole), and a cap reached in one year
leaves nothing to the next, as it should.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from .cofinancing import MatchingRule, Pledge, Step, counted_pledges, match
from .cofinancing import _one_per_id as one_per_id

PLEDGE = "pledge"
MATCH = "match"


@dataclass(frozen=True)
class Contribution:
    funder: str  # who gives: the pledging place, or the rule's funder
    kind: str  # pledge | match
    step: str
    place: str  # the place whose pledge it is (for a match: the place matched)
    year: int
    cents: int
    currency: str


@dataclass(frozen=True)
class Total:
    key: str | int  # a funder, a step, a place or a year
    currency: str
    pledged: int  # cents
    matched: int  # cents

    @property
    def total(self) -> int:
        return self.pledged + self.matched


def year_in(timezone: str) -> Callable[[float], int]:
    """The year of a POSIX time in the place's time zone (a pledge of 31 December 23:30 in
    Paris is of that year, not of the next in UTC)."""
    zone = ZoneInfo(timezone)
    return lambda posix: datetime.fromtimestamp(posix, UTC).astimezone(zone).year


def contributions(
    steps: Iterable[Step],
    pledges: Iterable[Pledge],
    rules: Iterable[MatchingRule],
    year_of: Callable[[float], int],
) -> list[Contribution]:
    """Every pledge that counts for a step, and every match, each with its year."""
    pledges = list(pledges)
    rules = one_per_id(rules)  # as `cofinancing.totals` keeps them
    out: list[Contribution] = []
    for step in sorted(steps, key=lambda s: s.id):
        counted = counted_pledges(step, pledges)
        out.extend(
            Contribution(p.place, PLEDGE, step.id, p.place, year_of(p.published),
                         p.amount_cents, p.currency)
            for p in counted
        )  # fmt: skip
        years = sorted({year_of(p.published) for p in counted})
        for rule in rules:
            before: dict[str, int] = {}
            for year in years:
                upto = match(rule, step, [p for p in counted if year_of(p.published) <= year])
                for place in sorted(upto):
                    share = upto[place] - before.get(place, 0)
                    if share > 0:
                        out.append(Contribution(rule.funder, MATCH, step.id, place, year, share,
                                                step.currency))  # fmt: skip
                before = upto
    return out


def totals_by(
    found: Iterable[Contribution], key: Callable[[Contribution], str | int]
) -> list[Total]:
    """Pledged and matched per `key` and currency, the largest total first (then by key)."""
    sums: dict[tuple[str | int, str], list[int]] = {}
    for c in found:
        pair = sums.setdefault((key(c), c.currency), [0, 0])
        pair[0 if c.kind == PLEDGE else 1] += c.cents
    rows = [Total(k, currency, p, m) for (k, currency), (p, m) in sums.items()]
    return sorted(rows, key=lambda t: (-t.total, str(t.key), t.currency))


def by_year(found: Iterable[Contribution]) -> list[Total]:
    """Per year, in the order of the years (a chart reads them left to right, or top down)."""
    return sorted(totals_by(found, lambda c: c.year), key=lambda t: (t.key, t.currency))
