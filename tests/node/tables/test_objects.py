"""The `objects` owner's guards: nobody changes another author's object, and a deleted object
stays deleted, whatever arrives after its tombstone."""

from __future__ import annotations

from typing import Any

from node.store import Store
from node.tables import objects

NOTE = "https://ailleurs.example/notes/1"
AUTHOR = "https://ailleurs.example/actors/ana"
INTRUDER = "https://ailleurs.example/actors/bob"


def note(content: str) -> dict[str, Any]:
    return {"id": NOTE, "type": "Note", "attributedTo": AUTHOR, "content": content}


async def test_an_update_from_another_author_changes_nothing(store: Store) -> None:
    async with store.write() as db:
        await objects.add_received(db, note("avant"), NOTE, "Note", AUTHOR, 1.0)
        await objects.update_received(db, note("détourné"), NOTE, "Note", INTRUDER, 2.0)
        await objects.update_received(db, note("après"), NOTE, "Note", AUTHOR, 3.0)
    assert await objects.document(store.reads, NOTE) == note("après")
    assert await objects.author(store.reads, NOTE) == AUTHOR


async def test_nothing_brings_a_tombstone_back(store: Store) -> None:
    tombstone = {"id": NOTE, "type": "Tombstone", "formerType": "Note"}
    async with store.write() as db:
        # Deleted before its Create arrived: the late Create and Update must not resurrect it.
        await objects.tombstone(db, NOTE, AUTHOR, tombstone, 1.0)
        await objects.add_received(db, note("tard"), NOTE, "Note", AUTHOR, 2.0)
        await objects.update_received(db, note("plus tard"), NOTE, "Note", AUTHOR, 3.0)
    assert await objects.document(store.reads, NOTE) == tombstone
    row = await objects.authored(store.reads, NOTE, AUTHOR)
    assert row is not None and row["deleted_at"] == 1.0


async def test_a_tombstone_from_another_author_changes_nothing(store: Store) -> None:
    async with store.write() as db:
        await objects.add_received(db, note("à moi"), NOTE, "Note", AUTHOR, 1.0)
        await objects.tombstone(db, NOTE, INTRUDER, {"id": NOTE, "type": "Tombstone"}, 2.0)
    assert await objects.document(store.reads, NOTE) == note("à moi")
    assert await objects.authored(store.reads, NOTE, INTRUDER) is None


async def updated_at(store: Store) -> float:
    async with store.reads.execute("SELECT updated_at FROM objects WHERE id = ?", (NOTE,)) as cur:
        row = await cur.fetchone()
    assert row is not None
    return float(row[0])


async def test_a_new_document_keeps_the_time_of_change_unless_given_one(store: Store) -> None:
    async with store.write() as db:
        await objects.add_local(db, note("v1"), "Note", AUTHOR, 1.0)
        await objects.set_document(db, NOTE, note("v2"), updated_at=None)
    assert await updated_at(store) == 1.0
    async with store.write() as db:
        await objects.set_document(db, NOTE, note("v3"), updated_at=5.0)
    assert await updated_at(store) == 5.0
    assert await objects.document(store.reads, NOTE) == note("v3")
