"""The `activities` owner: a received activity is kept once by id, a minted one is new."""

from __future__ import annotations

import sqlite3

import pytest

from node.store import Store
from node.tables import activities

LIKE = {"id": "https://ailleurs.example/likes/1", "type": "Like", "actor": "https://a.example/x"}


async def test_a_received_activity_keeps_its_first_copy(store: Store) -> None:
    async with store.write() as db:
        await activities.record(db, LIKE, "Like", LIKE["actor"], None, 1.0, local=False)
        await activities.record(
            db, {**LIKE, "summary": "rejoué"}, "Like", "", None, 2.0, local=False
        )
    assert await activities.document(store.reads, LIKE["id"]) == LIKE


async def test_a_minted_activity_id_is_never_reused(store: Store) -> None:
    async with store.write() as db:
        await activities.record(db, LIKE, "Like", LIKE["actor"], None, 1.0, local=True)
    with pytest.raises(sqlite3.IntegrityError):
        async with store.write() as db:
            await activities.record(db, LIKE, "Like", LIKE["actor"], None, 2.0, local=True)
    kept = await activities.local(store.reads, LIKE["id"])
    assert kept is not None and kept["actor"] == LIKE["actor"]
