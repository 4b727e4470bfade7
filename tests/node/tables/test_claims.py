"""The `claims` owner: a sent claim's line moves from pending once, and the home place finds
the visits it already accepted."""

from __future__ import annotations

import json

from node.store import Store
from node.tables import claims

A = "https://coroutine.example/actors/coroutine"
B = "https://popcafe.example/actors/popcafe"


async def test_a_line_moves_once(store: Store) -> None:
    async with store.write() as db:
        await claims.add_sent(db, "c1", "offer1", A, "2025-05", 500, "EUR", 1000, "{}", 1.0,
                              [("v1", "g1", 10.0, 500), ("v2", "g1", 20.0, 500)])  # fmt: skip
        assert (await claims.sent_by_offer(db, "offer1"))["id"] == "c1"
        assert await claims.accept_line(db, "c1", "v1") == 500
        assert await claims.accept_line(db, "c1", "v1") is None  # a second Accept
        await claims.reject_line(db, "c1", "v2", "too_frequent")
        await claims.reject_line(db, "c1", "v1", "unknown_visit")  # accepted stays accepted
        await claims.mark_answered(db, "c1", 2.0)
    lines = {r["visit_id"]: (r["state"], r["reason"]) for r in
             await claims.lines_of(store.reads, "c1")}  # fmt: skip
    assert lines == {"v1": ("accepted", None), "v2": ("rejected", "too_frequent")}
    [claim] = await claims.every_claim(store.reads)
    assert claim["answered_at"] == 2.0


async def test_the_home_place_knows_what_it_accepted_and_what_it_received(store: Store) -> None:
    document = {"id": "c2", "tl:lines": []}
    async with store.write() as db:
        await claims.add_received(
            db, "c2", "offer2", B, "2025-05", 500, "EUR", 1000, json.dumps(document), 3.0,
            [("v1", "g1", 10.0, 500, None, "accepted", None),
             ("v2", "g1", 20.0, 500, None, "rejected", "too_frequent")],
        )  # fmt: skip
    assert await claims.accepted_visits(store.reads, ["v1", "v2", "v3"]) == frozenset({"v1"})
    assert await claims.accepted_visits(store.reads, []) == frozenset()
    assert json.loads(await claims.document(store.reads, "c2") or "") == document
    assert await claims.document(store.reads, "c3") is None
