"""What the pages ask `objects` for, in SQL and bounded: the next public events, the events of
a period, the shared agenda's, the categories, and the open needs by due date, a page at a time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from node.store import Store
from node.tables import follows, objects

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
HERE = "https://lieu.example"
PLACE = f"{HERE}/actors/lieu"
MEMBER = f"{HERE}/actors/ana"
PEER = "https://ailleurs.example/actors/popcafe"
STRANGER = "https://loin.example/actors/inconnu"
NOW = datetime(2030, 3, 14, 12, 0, tzinfo=UTC)


def at(hours: float) -> str:
    return (NOW + timedelta(hours=hours)).isoformat()


def event(name: str, start: str, end: str | None = None, **extra: Any) -> dict[str, Any]:
    document = {"id": f"{HERE}/objects/{name}", "type": "Event", "name": name,
                "startTime": start, "to": [PUBLIC], **extra}  # fmt: skip
    if end is not None:
        document["endTime"] = end
    return document


async def add(store: Store, document: dict[str, Any], author: str = PLACE, at: float = 1) -> None:
    async with store.write() as db:
        if author.startswith(HERE):
            await objects.add_local(db, document, document["type"], author, at)
        else:
            await objects.add_received(db, document, document["id"], document["type"], author, at)


def names(rows: list[Any]) -> list[str]:
    return [json.loads(row["document"])["name"] for row in rows]


async def test_the_next_events_are_the_public_ones_not_over_soonest_first(store: Store) -> None:
    for document in (
        event("demain", at(24), at(27)),
        # 10:00 in Paris is 09:00 UTC: before the 09:30 UTC one, whatever the text says.
        event("paris", "2030-03-16T10:00:00+01:00"),
        event("utc", "2030-03-16T09:30:00Z"),
        event("en cours", at(-2), at(1)),
        event("fini", at(-5), at(-4)),
        event("sans fin, commencé", at(-1)),  # no end: over once begun
        event("long, commencé il y a 40 jours", at(-40 * 24), at(24)),  # beyond the look-back
        event("abonnés", at(2), to=[f"{PLACE}/followers"]),
        event("illisible", "bientôt"),
        event("maintenant", "now"),  # SQLite's 'now' must not reach the index (nor fail)
    ):
        await add(store, document)
    await add(store, event("effacé", at(3)))
    async with store.write() as db:
        await objects.tombstone(db, f"{HERE}/objects/effacé", PLACE, {"type": "Tombstone"}, 2)
    await add(store, {**event("d'un pair", at(5)), "id": f"{PEER}/1"}, PEER)

    found = await objects.public_events_on(store.reads, NOW.isoformat(), None, 10)
    assert names(found) == ["en cours", "demain", "paris", "utc"]
    assert names(await objects.public_events_on(store.reads, NOW.isoformat(), None, 2)) == [
        "en cours", "demain",
    ]  # fmt: skip


async def test_a_period_holds_the_events_that_run_in_it(store: Store) -> None:
    for document in (
        event("avant", at(-30), at(-26)),
        event("à cheval", at(-26), at(-23)),
        event("dedans", at(-10), at(-9)),
        event("à la fin", at(0)),
        event("après", at(1)),
    ):
        await add(store, document)
    found = await objects.public_events_on(store.reads, at(-24), at(0), 10)
    assert names(found) == ["à cheval", "dedans"]


async def test_the_shared_agenda_adds_the_followed_places_events(store: Store) -> None:
    await add(store, event("ici", at(2)))
    await add(store, {**event("suivi", at(1)), "id": f"{PEER}/1"}, PEER)
    await add(store, {**event("pas suivi", at(3)), "id": f"{STRANGER}/1"}, STRANGER)
    await add(store, {**event("en attente", at(4)), "id": f"{STRANGER}/2"}, STRANGER)
    async with store.write() as db:
        await follows.add(db, PLACE, PEER, f"{PLACE}/follows/1", follows.ACCEPTED, 1)
        await follows.add(db, PLACE, STRANGER, f"{PLACE}/follows/2", follows.PENDING, 1)
    found = await objects.public_events_on(store.reads, NOW.isoformat(), None, 10, PLACE)
    assert names(found) == ["suivi", "ici"]
    assert [row["attributed_to"] for row in found] == [PEER, PLACE]
    assert names(await objects.public_events_on(store.reads, NOW.isoformat(), None, 10)) == ["ici"]


async def test_the_shared_agendas_filters_are_its_places_and_categories(store: Store) -> None:
    await add(store, event("ici", at(2), category="games"))
    await add(store, event("ici aussi", at(3), category="games"))
    await add(store, event("ici encore", at(4)))
    await add(store, {**event("suivi", at(1), category="REPAIR"), "id": f"{PEER}/1"}, PEER)
    await add(store, {**event("pas suivi", at(3), category="secret"), "id": f"{STRANGER}/1"},
              STRANGER)  # fmt: skip
    async with store.write() as db:
        await follows.add(db, PLACE, PEER, f"{PLACE}/follows/1", follows.ACCEPTED, 1)
    found = await objects.public_event_authors_and_categories(
        store.reads, NOW.isoformat(), 10, PLACE
    )
    pairs = sorted((row["attributed_to"], row["category"] or "") for row in found)
    assert pairs == [(PEER, "REPAIR"), (PLACE, ""), (PLACE, "games")]


async def test_the_categories_are_those_of_public_events_each_once(store: Store) -> None:
    await add(store, event("a", at(1), category="WORKSHOP"))
    await add(store, event("b", at(-9000), category="WORKSHOP"))  # long past: still offered
    await add(store, event("c", at(2), category="games"))
    await add(store, event("d", at(3)))
    await add(store, event("e", at(4), category="secret", to=[f"{PLACE}/followers"]))
    found = await objects.public_event_categories(store.reads)
    assert sorted(found) == ["WORKSHOP", "games"]


def need(name: str, **extra: Any) -> dict[str, Any]:
    return {"id": f"{HERE}/objects/{name}", "type": "Need", "name": name, "to": [PUBLIC],
            **extra}  # fmt: skip


async def test_open_needs_soonest_due_first_a_page_at_a_time(store: Store) -> None:
    for n, document in enumerate((
        need("sans date"),
        need("juin", due="2030-06-01T00:00:00+02:00"),
        need("mai", due="2030-05-01", status="partlyMet"),
        need("avril", due="2030-04-01T00:00:00Z", status="open"),
        need("satisfait", due="2030-01-01", status="met"),
        need("abonnés", due="2030-01-01", to=[f"{PLACE}/followers"]),
        need("sans date, plus tard"),
    )):  # fmt: skip
        await add(store, document, at=n)
    await add(store, need("d'Ana", due="2030-02-01"), MEMBER)
    reads = store.reads
    asked = ("open", "partlyMet")
    every = await objects.open_public_needs(reads, asked, 10, author=PLACE)
    assert names(every) == ["avril", "mai", "juin", "sans date", "sans date, plus tard"]
    second = await objects.open_public_needs(reads, asked, 2, 2, author=PLACE)
    assert names(second) == ["juin", "sans date"]
    # The place's page: any local author's open ones (not partly met).
    assert names(await objects.open_public_needs(reads, ("open",), 3)) == ["d'Ana", "avril", "juin"]


async def test_the_network_needs_are_the_other_authors_and_followed_places(store: Store) -> None:
    await add(store, need("du lieu", due="2030-01-01"))
    await add(store, need("d'Ana", due="2030-03-01"), MEMBER)
    await add(store, {**need("du pair", due="2030-02-01"), "id": f"{PEER}/2"}, PEER)
    await add(store, {**need("d'un inconnu"), "id": f"{STRANGER}/3"}, STRANGER)
    async with store.write() as db:
        await follows.add(db, PLACE, PEER, f"{PLACE}/follows/1", follows.ACCEPTED, 1)
    found = await objects.open_public_needs(store.reads, ("open",), 10, network_of=PLACE)
    assert names(found) == ["du pair", "d'Ana"]
