"""The `visit_reports` owner: the first hearing of a visit is kept, only for a visit the badges
kept as one of our members' (reported by the place it names), and read back by grant and time."""

from __future__ import annotations

from node.store import Store
from node.tables import visit_reports

A = "https://coroutine.example/actors/coroutine"
B = "https://popcafe.example/actors/popcafe"
C = "https://fabrik.example/actors/fabrik"


async def _visit(store: Store, visit: str, place: str, at: float, local: int = 0) -> None:
    async with store.write() as db:
        await db.execute(
            "INSERT INTO visits (id, grant_id, issuer, member, place, door, visited_at, local)"
            " VALUES (?, 'g1', ?, ?, ?, 'porte-rue', ?, ?)",
            (visit, A, f"{A}/alice", place, at, local),
        )


async def test_the_first_hearing_of_a_kept_visit_is_what_counts(store: Store) -> None:
    await _visit(store, "v1", B, 1000.0)
    await _visit(store, "ours", A, 1000.0, local=1)  # a tap at our own door
    async with store.write() as db:
        assert await visit_reports.record(db, "v1", B, 1010.0) is True
        assert await visit_reports.record(db, "v1", B, 9999.0) is False  # heard again
        assert await visit_reports.record(db, "v1", C, 1011.0) is False  # not C's visit
        assert await visit_reports.record(db, "ours", A, 1010.0) is False
        assert await visit_reports.record(db, "never-kept", B, 1010.0) is False
    assert await visit_reports.received_at(store.reads, ["v1", "ours", "x"]) == {"v1": 1010.0}
    assert await visit_reports.received_at(store.reads, []) == {}


async def test_reports_are_read_by_place_grant_and_tap_time(store: Store) -> None:
    for i, at in enumerate((100.0, 200.0, 300.0)):
        await _visit(store, f"v{i}", B, at)
        async with store.write() as db:
            await visit_reports.record(db, f"v{i}", B, at + 1)
    found = await visit_reports.around(store.reads, B, ["g1"], 150.0, 300.0)
    assert found == [("v1", B, "g1", 200.0, 201.0)]
    assert await visit_reports.around(store.reads, C, ["g1"], 0.0, 1000.0) == []
    assert await visit_reports.around(store.reads, B, [], 0.0, 1000.0) == []
