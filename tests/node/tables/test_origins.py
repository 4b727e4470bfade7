"""The `origins` owner: failures counted once per day, the threshold marks a server
unavailable, an answer forgets it; and the deliveries it holds are released by origin."""

from __future__ import annotations

from node.queues import DeliveryState
from node.store import Store
from node.tables import deliveries, origins

PEER = "https://ailleurs.example"


async def test_failures_count_once_a_day_up_to_the_threshold(store: Store) -> None:
    async with store.write() as db:
        for day, moment in (("2027-01-01", 1.0), ("2027-01-01", 2.0), ("2027-01-02", 3.0)):
            assert await origins.record_failure(db, PEER, day, moment, "503", 3) is None
        assert await origins.record_failure(db, PEER, "2027-01-03", 4.0, "timeout", 3) == 4.0
        # Still failing afterwards: the first moment it became unavailable is kept.
        assert await origins.record_failure(db, PEER, "2027-01-04", 5.0, "timeout", 3) == 4.0
    [row] = await origins.listing(store.reads)
    assert row["failure_days"] == 4 and row["first_failure_at"] == 1.0
    assert row["last_error"] == "timeout"
    assert await origins.failing(store.reads) == [(PEER, 4.0)]
    async with store.write() as db:
        await origins.forget(db, PEER)
    assert await origins.failing(store.reads) == []


async def test_release_makes_only_that_origins_pending_deliveries_due(store: Store) -> None:
    async with store.write() as db:
        for i, inbox in enumerate(
            (f"{PEER}/inbox", f"{PEER}/users/a/inbox", "https://ailleurs.example.org/inbox")
        ):
            await db.execute(
                "INSERT INTO deliveries (activity_id, inbox, signer, next_attempt_at, created_at)"
                " VALUES (?, ?, 'lieu', 500, 0)",
                (f"https://ici.example/activities/{i}", inbox),
            )
        await deliveries.hold(db, 1, 900.0, "not sent")
        await deliveries.end_unsent(db, 2, 10.0, "not sent")
        assert await deliveries.release_origin(db, PEER, 100.0) == 1  # the held one only
    async with store.reads.execute(
        "SELECT id, state, next_attempt_at, last_error FROM deliveries"
    ) as cur:
        rows = await cur.fetchall()
    assert [tuple(r) for r in rows] == [
        (1, DeliveryState.PENDING, 100.0, None),
        (2, DeliveryState.FAILED, 500, "not sent"),
        (3, DeliveryState.PENDING, 500, None),  # another origin, sharing a prefix
    ]
