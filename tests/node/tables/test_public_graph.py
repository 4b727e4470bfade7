"""The public_graph table: each change numbered, read by the engine in (seq, id) order."""

from __future__ import annotations

import json
import sqlite3

from node.store import Store
from node.tables import public_graph

EVENT = "https://lieu.example/objects/1"
PLACE = "https://lieu.example/actors/lieu"


async def test_a_change_and_a_removal_each_come_with_a_new_number(store: Store) -> None:
    async with store.write() as db:
        await public_graph.put(
            db, EVENT, "Event", True, json.dumps({"id": EVENT, "name": "v1"}), PLACE
        )
    conn = sqlite3.connect(store.path)
    [first] = public_graph.changes_after(conn, 0, "", 10)
    assert first[0] == EVENT and first[4] == PLACE
    async with store.write() as db:
        await public_graph.put(db, EVENT, "Tombstone", True, None, None)
    [removed] = public_graph.changes_after(conn, first[2], first[0], 10)
    assert removed[1] is None and removed[2] > first[2]
    assert removed[4] == PLACE  # a removal keeps the graph the object was in
    assert await public_graph.documents(store.reads) == []
    assert await public_graph.types(store.reads) == []


async def test_a_dropped_place_is_read_whole_even_past_a_page(store: Store) -> None:
    async with store.write() as db:
        for n in range(5):
            doc = json.dumps({"id": f"{EVENT}{n}"})
            await public_graph.put(db, f"{EVENT}{n}", "Event", False, doc, PLACE)
    conn = sqlite3.connect(store.path)
    seq = public_graph.last_change(conn)
    async with store.write() as db:
        assert await public_graph.drop_graph(db, PLACE) == 5
    # All five share one change number: pages of two still see each once.
    seen: list[str] = []
    position = (seq, "")
    while page := public_graph.changes_after(conn, *position, 2):
        seen += [row[0] for row in page if row[1] is None]
        position = (page[-1][2], page[-1][0])
    assert seen == [f"{EVENT}{n}" for n in range(5)]
