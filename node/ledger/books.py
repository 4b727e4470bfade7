"""The double-entry books: booking balanced transactions once, and reading balances.

Every fact that moves money (an accepted claim line, a confirmed settlement, a credit sale) is
one transaction whose entries sum to zero per currency, booked inside the same SQLite
transaction as the fact itself, keyed by the fact's id so that it is booked once.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .. import spreadsheet
from ..errors import InterlieuxError
from ..sqlite import Connection
from ..store import Store
from ..tables import ledger
from ..timestamps import posix_to_operator
from .money import from_cents

PEER = "peer:"
CREDIT = "credit:"
INCOME = "income:visits"
EXPENSE = "expense:visits"
BANK = "bank"


class UnbalancedTransaction(InterlieuxError):
    """A transaction whose entries do not sum to zero: a bug, never booked."""


@dataclass(frozen=True)
class Entry:
    account: str
    amount_cents: int  # > 0 debit, < 0 credit
    currency: str
    reference: str | None = None


def check_balanced(entries: Iterable[Entry]) -> None:
    totals: dict[str, int] = defaultdict(int)
    for entry in entries:
        totals[entry.currency] += entry.amount_cents
    unbalanced = {c: t for c, t in totals.items() if t != 0}
    if unbalanced:
        raise UnbalancedTransaction(f"transaction does not balance: {unbalanced}")


async def book(db: Connection, source: str, kind: str, memo: str, entries: list[Entry]) -> bool:
    """Book a transaction once per `source`; False when it was already booked."""
    check_balanced(entries)
    entries = [e for e in entries if e.amount_cents != 0]
    if not entries:
        return False
    return await ledger.add_transaction(
        db, source, kind, memo, time.time(),
        [(e.account, e.amount_cents, e.currency, e.reference) for e in entries],
    )  # fmt: skip


@dataclass(frozen=True)
class Balance:
    peer: str
    cents: int
    currency: str


async def peer_balances(store: Store) -> list[Balance]:
    """What each peer owes this place (negative: what we owe it), per currency."""
    rows = await ledger.peer_balances(store.reads)
    return [Balance(r[0][len(PEER) :], int(r[2]), r[1]) for r in rows]


async def account_balance(db: Connection, account: str, currency: str) -> int:
    return await ledger.balance(db, account, currency)


CSV_HEADER = ["date", "transaction", "nature", "libellé", "compte", "débit", "crédit", "devise",
              "référence"]  # fmt: skip


def entries_csv(rows: Iterable[Any], account: str | None = None, bom: bool = True) -> str:
    """Ledger entries as the accountant's CSV (pure), the same from `interlieux ledger --csv`
    and from a peer's page: decimal commas, debit and credit in their own columns. `account`
    names the account of entries read for one account (their rows do not carry it)."""
    lines = []
    for r in rows:
        cents = int(r["amount_cents"])
        lines.append([
            posix_to_operator(r["booked_at"], "second", utc=True), r["txn"], r["kind"],
            str(r["memo"]), account if account is not None else str(r["account"]),
            from_cents(cents).replace(".", ",") if cents > 0 else "",
            from_cents(-cents).replace(".", ",") if cents < 0 else "",
            r["currency"], str(r["reference"] or ""),
        ])  # fmt: skip
    return spreadsheet.csv_text(CSV_HEADER, lines, bom=bom)
