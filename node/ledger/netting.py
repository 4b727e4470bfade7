"""Netting (pure): the transfers that settle a network's balances.

Each place's net position is what the others owe it in total. Greedy matching: the largest
debtor pays the largest creditor as much as both allow, until every position is zero. It
makes at most n-1 transfers for n places with a non-zero position; the true minimum is NP-hard
in general (it is a subset-sum partition), and greedy is what clearing houses start from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .books import Balance
from .money import from_cents


@dataclass(frozen=True)
class Transfer:
    payer: str
    payee: str
    cents: int
    currency: str

    def to_json(self) -> dict[str, str]:
        return {"from": self.payer, "to": self.payee, "amount": from_cents(self.cents),
                "currency": self.currency}  # fmt: skip


def positions(
    bilateral: Iterable[tuple[str, str, int, str]],
) -> dict[str, dict[str, int]]:
    """(place, peer, what peer owes place, currency) facts -> currency -> place -> net.

    A pair known from both sides is counted once (from the first side given)."""
    seen: set[tuple[str, str, str]] = set()
    net: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for place, peer, cents, currency in bilateral:
        pair = (min(place, peer), max(place, peer), currency)
        if pair in seen:
            continue
        seen.add(pair)
        net[currency][place] += cents
        net[currency][peer] -= cents
    return {c: dict(p) for c, p in net.items()}


def greedy(net: dict[str, int], currency: str) -> list[Transfer]:
    creditors = {p: c for p, c in net.items() if c > 0}
    debtors = {p: -c for p, c in net.items() if c < 0}
    transfers = []
    while creditors and debtors:
        payee = max(sorted(creditors), key=creditors.__getitem__)
        payer = max(sorted(debtors), key=debtors.__getitem__)
        amount = min(creditors[payee], debtors[payer])
        transfers.append(Transfer(payer, payee, amount, currency))
        for side, who in ((creditors, payee), (debtors, payer)):
            side[who] -= amount
            if side[who] == 0:
                del side[who]
    return transfers


def settle_all(
    place: str, balances: Iterable[Balance], shared: Iterable[tuple[str, str, int, str]] = ()
) -> list[Transfer]:
    """Our own balances, plus any bilateral balances peers shared with us."""
    facts = [(place, b.peer, b.cents, b.currency) for b in balances]
    transfers: list[Transfer] = []
    for currency, net in sorted(positions([*facts, *shared]).items()):
        transfers += greedy(net, currency)
    return transfers
