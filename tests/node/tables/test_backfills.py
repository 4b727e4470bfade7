"""The `backfills` owner: a failed read waits for its next attempt or is set aside, and asking
again starts it afresh."""

from __future__ import annotations

import time

from node.store import Store
from node.tables import backfills

PLACE = "https://ailleurs.example/actors/lieu"


async def test_a_failed_read_is_retried_later_then_set_aside(store: Store) -> None:
    async with store.write() as db:
        await backfills.request(db, PLACE)
    now = time.time()
    assert [r["actor"] for r in await backfills.due(store.reads, now)] == [PLACE]
    async with store.write() as db:
        await backfills.failed(db, PLACE, "injoignable", True, now + 60)
    assert await backfills.due(store.reads, now) == []
    [retried] = await backfills.due(store.reads, now + 61)
    assert retried["attempts"] == 1 and retried["last_error"] == "injoignable"
    async with store.write() as db:
        await backfills.failed(db, PLACE, "toujours injoignable", False, now + 180)
    assert await backfills.due(store.reads, now + 10_000) == []
    [row] = await backfills.listing(store.reads)
    assert row["state"] == "failed" and row["attempts"] == 2


async def test_asking_again_starts_afresh(store: Store) -> None:
    async with store.write() as db:
        await backfills.request(db, PLACE)
        await backfills.failed(db, PLACE, "injoignable", False, time.time() + 60)
        await backfills.request(db, PLACE)
    [row] = await backfills.due(store.reads, time.time())
    assert row["state"] == "new" and row["attempts"] == 0 and row["last_error"] is None
    async with store.write() as db:
        await backfills.done(db, PLACE, 7, 123.0)
    [row] = await backfills.listing(store.reads)
    assert (row["state"], row["items"], row["finished_at"]) == ("done", 7, 123.0)
