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


def _temporary_files() -> list[str]:
    """The SQLite temporary files this process holds open (made, then unlinked at once)."""
    fds = Path("/proc/self/fd")
    targets = []
    for fd in fds.iterdir():
        try:
            targets.append(str(fd.readlink()))
        except OSError:  # the descriptor of the listing itself, closed by now
            continue
    return [t for t in targets if "etilqs_" in t]


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="reads /proc (Linux)")
async def test_a_savepoint_keeps_its_undo_pages_in_memory(tmp_path: Path) -> None:
    # One savepoint per applied activity: a temporary file written for each was a third of
    # the inbox worker's SQLite time.
    store = await Store(tmp_path / "node.sqlite3").open()
    try:
        async with store.write() as db:
            for batch in range(3):
                async with db.savepoint("activity"):
                    for i in range(300):  # past the 64 KiB SQLite keeps in memory anyway
                        long_id = f"https://a.example/{batch}/{i}/{'x' * 1000}"
                        await inbox_items.add(db, "alice", long_id, 1.0)
                    assert _temporary_files() == []
        assert await store.reads.integer("SELECT COUNT(*) FROM inbox_items") == 900
    finally:
        await store.close()


def test_ids_are_bound_in_groups_that_fit_one_in_list() -> None:
    ids = [f"https://a.example/{n:04d}" for n in range(1_201)] + ["https://a.example/0000"]
    groups = list(in_lists(ids))
    assert [len(group) for group, _ in groups] == [500, 500, 201]  # each id once
    assert all(marks == ",".join("?" * len(group)) for group, marks in groups)
    assert sorted(set(ids)) == [i for group, _ in groups for i in group]
    assert list(in_lists([])) == []
