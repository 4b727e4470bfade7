"""The `deliveries` owner: one row per (activity, inbox); a leased row is not taken again until
its lease runs out; a retried row is due later; a finished row leaves the queue."""

from __future__ import annotations

from node.queues import DeliveryState
from node.store import Store
from node.tables import activities, deliveries

ACTIVITY = "https://ici.example/activities/1"
INBOXES = ("https://a.example/inbox", "https://b.example/inbox", "https://c.example/inbox")


async def queued(store: Store) -> list[int]:
    async with store.write() as db:
        for inbox in (*INBOXES, INBOXES[0]):  # the first twice: queued once
            await deliveries.enqueue(db, ACTIVITY, inbox, "lieu", 10.0)
    rows = await deliveries.due(store.reads, 10.0, 10)
    assert [r["inbox"] for r in rows] == list(INBOXES)
    return [r["id"] for r in rows]


async def test_a_leased_row_waits_for_its_lease(store: Store) -> None:
    first, *others = await queued(store)
    async with store.write() as db:
        await deliveries.lease(db, [first], 100.0)
    assert [r["id"] for r in await deliveries.due(store.reads, 50.0, 10)] == others
    assert [r["id"] for r in await deliveries.due(store.reads, 101.0, 10)] == [first, *others]
    async with store.write() as db:
        await deliveries.lease(db, others, 100.0)
    assert await deliveries.next_due(store.reads, 50.0) is None  # all held
    async with store.write() as db:
        await deliveries.release_leases(db)  # a restart: ours again, due at once
    assert await deliveries.next_due(store.reads, 50.0) == 10.0


async def test_retried_later_and_finished_rows(store: Store) -> None:
    delivered, failed, retried = await queued(store)
    await deliveries.mark_delivered(store.execute, delivered, 1, 11.0)
    async with store.write() as db:
        await deliveries.mark_failed(db, failed, 1, 11.0, "refusé (403)")
        await deliveries.retry_later(db, retried, 1, 70.0, "le pair a répondu 503")
    assert await deliveries.due(store.reads, 69.0, 10) == []
    assert await deliveries.next_due(store.reads, 11.0) == 70.0
    [row] = await deliveries.due(store.reads, 70.0, 10)
    assert (row["id"], row["attempts"], row["last_error"]) == (retried, 1, "le pair a répondu 503")
    # The operator sees them all, or all but the delivered ones.
    async with store.write() as db:
        await activities.record(db, {"id": ACTIVITY}, "Create", "lieu", None, 10.0, local=True)
    shown = await deliveries.for_operator(store.reads, DeliveryState.DELIVERED)
    assert {(r["id"], r["state"]) for r in shown} == {
        (failed, DeliveryState.FAILED),
        (retried, DeliveryState.PENDING),
    }
    assert len(await deliveries.for_operator(store.reads, None)) == 3
