"""The `public_graph` owner: every change gets a new change number, and triples computed from
an older document never land on a newer one."""

from __future__ import annotations

import json

from node.store import Store
from node.tables import public_graph

EVENT = "https://lieu.example/objects/1"


async def test_a_change_and_a_removal_each_come_with_a_new_number(store: Store) -> None:
    async with store.write() as db:
        await public_graph.put(db, EVENT, "Event", True, json.dumps({"id": EVENT, "name": "v1"}))
    [first] = await public_graph.changes_since(store.reads, 0)
    async with store.write() as db:
        await public_graph.put(db, EVENT, "Tombstone", True, None)
    [removed] = await public_graph.changes_since(store.reads, first["seq"])
    assert removed["seq"] > first["seq"] and removed["document"] is None
    assert await public_graph.documents(store.reads) == []
    assert await public_graph.types(store.reads) == []


async def test_triples_of_an_older_document_are_not_kept(store: Store) -> None:
    async with store.write() as db:
        await public_graph.put(db, EVENT, "Event", True, json.dumps({"id": EVENT, "name": "v1"}))
    [old] = await public_graph.unconverted(store.reads)
    async with store.write() as db:  # changed while the old one was being converted
        await public_graph.put(db, EVENT, "Event", True, json.dumps({"id": EVENT, "name": "v2"}))
    async with store.write() as db:
        await public_graph.set_triples(db, [("<old> <triples> <here> .", EVENT, old["seq"])])
    [pending] = await public_graph.unconverted(store.reads)
    assert json.loads(pending["document"])["name"] == "v2" and pending["seq"] > old["seq"]
    assert await public_graph.documents(store.reads, "Event") == [{"id": EVENT, "name": "v2"}]
