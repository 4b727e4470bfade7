"""The `event_requests` owner: a host answers a Join found among the pending requests or the
participants, by the Join's id or by the event and the actor."""

from __future__ import annotations

from node.store import Store
from node.tables import event_participants, event_requests, objects

EVENT = "https://lieu.example/objects/atelier"
HOST = "https://lieu.example/actors/lieu"
ANA = "https://ailleurs.example/actors/ana"
BOB = "https://ailleurs.example/actors/bob"


async def _event(store: Store) -> None:
    document = {"id": EVENT, "type": "Event", "name": "Atelier soudure"}
    async with store.write() as db:
        await objects.add_local(db, document, "Event", HOST, 1.0)


async def test_a_join_is_found_pending_or_accepted(store: Store) -> None:
    await _event(store)
    async with store.write() as db:
        await event_requests.ask(db, EVENT, ANA, f"{ANA}/join/1", "Je viens avec un ami")
        await event_requests.withdraw(db, EVENT, BOB)  # nothing waiting: nothing happens
        await event_participants.join(db, EVENT, BOB, f"{BOB}/join/1")
    [waiting] = await event_requests.pending(store.reads)
    assert (waiting["actor"], waiting["name"]) == (ANA, "Atelier soudure")
    assert await event_requests.is_pending(store.reads, EVENT, ANA, f"{ANA}/join/1")
    assert await event_requests.join_of(store.reads, EVENT, BOB) == f"{BOB}/join/1"
    found = await event_requests.answerable(store.reads, f"{ANA}/join/1", None, None)
    assert found == (f"{ANA}/join/1", HOST)
    assert await event_requests.answerable(store.reads, None, EVENT, BOB) == (f"{BOB}/join/1", HOST)
    assert await event_requests.answerable(store.reads, None, EVENT, "https://x.example/c") is None


async def test_a_second_join_replaces_the_first_and_a_withdrawn_one_is_gone(store: Store) -> None:
    await _event(store)
    async with store.write() as db:
        await event_requests.ask(db, EVENT, ANA, f"{ANA}/join/1", None)
        await event_requests.ask(db, EVENT, ANA, f"{ANA}/join/2", "finalement")
    [waiting] = await event_requests.pending(store.reads, EVENT)
    assert (waiting["join_id"], waiting["message"]) == (f"{ANA}/join/2", "finalement")
    async with store.write() as db:
        assert await event_requests.withdraw(db, EVENT, ANA)
        assert not await event_requests.withdraw(db, EVENT, ANA)
    assert await event_requests.pending(store.reads) == []
