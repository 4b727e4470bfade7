"""The `inbox_queue` owner: a received id is queued once, even among requests sharing a commit;
a failed attempt waits for its next one or is set aside; an applied row leaves the queue."""

from __future__ import annotations

import asyncio

from node.queues import InboxState
from node.store import Store
from node.tables import inbox_queue

SENDER = "https://ailleurs.example/activities"


async def test_requests_sharing_a_commit_queue_each_id_once(store: Store) -> None:
    ids = [f"{SENDER}/{i % 3}" for i in range(6)]  # each id sent twice, all at once
    fresh = await asyncio.gather(
        *(inbox_queue.enqueue(store.execute, i, "{}", 1.0, None) for i in ids)
    )
    assert fresh == [True, True, True, False, False, False]
    batch = await inbox_queue.take_batch(store.reads, 2.0, 10)
    assert [r["activity_id"] for r in batch] == [f"{SENDER}/{i}" for i in range(3)]
    assert {r["state"] for r in batch} == {InboxState.NEW}


async def test_a_failed_attempt_waits_then_is_set_aside(store: Store) -> None:
    await inbox_queue.enqueue(store.execute, f"{SENDER}/1", "{}", 1.0, "alice")
    async with store.write() as db:
        await inbox_queue.attempt_failed(
            db, f"{SENDER}/1", "serveur occupé", retry=True, next_attempt_at=100.0
        )
    assert await inbox_queue.take_batch(store.reads, 99.0, 10) == []
    [row] = await inbox_queue.take_batch(store.reads, 100.0, 10)
    assert (row["attempts"], row["last_error"], row["target"]) == (1, "serveur occupé", "alice")
    async with store.write() as db:
        await inbox_queue.attempt_failed(
            db, f"{SENDER}/1", "clé illisible", retry=False, next_attempt_at=200.0
        )
    assert await inbox_queue.take_batch(store.reads, 10_000.0, 10) == []
    assert await inbox_queue.state_of(store.reads, f"{SENDER}/1") == InboxState.FAILED


async def test_an_applied_row_leaves_the_queue_and_is_not_queued_again(store: Store) -> None:
    async with store.write() as db:
        await inbox_queue.enqueue_vouched(db, f"{SENDER}/1", "{}", 1.0)
        assert await inbox_queue.mark_applied(db, f"{SENDER}/1")
        # Applied once: a second batch holding the same row finds nothing to do.
        assert not await inbox_queue.mark_applied(db, f"{SENDER}/1")
        await inbox_queue.enqueue_vouched(db, f"{SENDER}/1", "{}", 2.0)
    assert await inbox_queue.take_batch(store.reads, 10.0, 10) == []
    assert await inbox_queue.state_of(store.reads, f"{SENDER}/1") == InboxState.APPLIED
    assert not await inbox_queue.enqueue(store.execute, f"{SENDER}/1", "{}", 3.0, None)
