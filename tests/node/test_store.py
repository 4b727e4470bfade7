"""The store's transactions as the inbox worker uses them: a part that fails alone, and the
group commit of the inbox's enqueue."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from node.store import Store
from node.tables import inbox_items, inbox_queue


async def test_a_failed_savepoint_is_rolled_back_alone(tmp_path: Path) -> None:
    """The inbox worker applies a batch in one transaction, a savepoint per activity: one
    that fails leaves no trace, the others (before and after it) still commit."""
    store = await Store(tmp_path / "node.sqlite3").open()
    try:
        async with store.write() as db:
            async with db.savepoint("activity"):
                await inbox_items.add(db, "alice", "https://a.example/1", 1.0)
            with pytest.raises(RuntimeError):
                async with db.savepoint("activity"):
                    await inbox_items.add(db, "alice", "https://a.example/2", 2.0)
                    raise RuntimeError("a handler failed")
            async with db.savepoint("activity"):
                await inbox_items.add(db, "alice", "https://a.example/3", 3.0)
        async with store.reads.execute("SELECT activity_id FROM inbox_items ORDER BY 1") as cur:
            kept = [r[0] for r in await cur.fetchall()]
        assert kept == ["https://a.example/1", "https://a.example/3"]
    finally:
        await store.close()


async def test_received_activities_sharing_a_commit_are_queued_once_each(tmp_path: Path) -> None:
    store = await Store(tmp_path / "node.sqlite3").open()
    try:
        ids = [f"https://a.example/{i % 3}" for i in range(6)]  # each id sent twice
        fresh = await asyncio.gather(
            *(inbox_queue.enqueue(store.execute, i, "{}", 1.0, None) for i in ids)
        )
        assert fresh == [True, True, True, False, False, False]
        due = await inbox_queue.take_batch(store.reads, 2.0, 10)
        assert sorted(r["activity_id"] for r in due) == sorted(set(ids))
    finally:
        await store.close()
