"""The writer's transactions as the inbox worker uses them: a part that fails alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from node.sqlite import in_lists
from node.store import Store
from node.tables import inbox_items


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


def test_ids_are_bound_in_groups_that_fit_one_in_list() -> None:
    ids = [f"https://a.example/{n:04d}" for n in range(1_201)] + ["https://a.example/0000"]
    groups = list(in_lists(ids))
    assert [len(group) for group, _ in groups] == [500, 500, 201]  # each id once
    assert all(marks == ",".join("?" * len(group)) for group, marks in groups)
    assert sorted(set(ids)) == [i for group, _ in groups for i in group]
    assert list(in_lists([])) == []
