"""The books in a real store: booked once per source, balanced, immutable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from node.ledger.books import Entry, UnbalancedTransaction, book, peer_balances
from node.store import Store

B = "https://popcafe.example/actors/popcafe"


async def test_a_fact_is_booked_once_and_entries_never_change(tmp_path: Path) -> None:
    store = await Store(tmp_path / "db.sqlite3").open()
    try:
        entries = [Entry("peer:" + B, 1000, "EUR"), Entry("income:visits", -1000, "EUR")]
        async with store.write() as db:
            assert await book(db, "accept:1", "claim", "", entries) is True
            assert await book(db, "accept:1", "claim", "", entries) is False
        balances = await peer_balances(store)
        assert [(b.peer, b.cents, b.currency) for b in balances] == [(B, 1000, "EUR")]
        with pytest.raises(UnbalancedTransaction):
            async with store.write() as db:
                await book(db, "x", "claim", "", [Entry("bank", 1, "EUR")])
        for sql in ("UPDATE ledger_entries SET amount_cents = 0", "DELETE FROM ledger_entries"):
            with pytest.raises(sqlite3.IntegrityError, match="immutable"):
                async with store.write() as db:
                    await db.execute(sql)
    finally:
        await store.close()
