"""The `follows` owner: an accepted follow stays accepted when its Follow comes again; an Undo
finds the follow by id or by followee; the collections page in the order follows were made."""

from __future__ import annotations

from node.store import Store
from node.tables import follows

PLACE = "https://ici.example/actors/lieu"
PEER = "https://ailleurs.example/actors/lieu"


async def test_a_follow_sent_again_stays_accepted(store: Store) -> None:
    async with store.write() as db:
        await follows.add(db, PEER, PLACE, f"{PEER}/follows/1", follows.PENDING, 1.0)
        await follows.accept(db, PEER, PLACE)
        await follows.add(db, PEER, PLACE, f"{PEER}/follows/2", follows.PENDING, 2.0)
    row = await follows.between(store.reads, PEER, PLACE)
    assert row is not None
    assert (row["activity_id"], row["state"]) == (f"{PEER}/follows/2", follows.ACCEPTED)
    assert await follows.request_of(store.reads, PLACE, f"{PEER}/follows/2") is not None
    assert await follows.accepted_follow_id(store.reads, PEER, PLACE) == f"{PEER}/follows/2"
    assert await follows.accepted_followers(store.reads, PLACE) == [PEER]
    assert await follows.accepted_followees(store.reads, PEER) == [PLACE]


async def test_a_pending_follow_is_in_no_collection(store: Store) -> None:
    async with store.write() as db:
        await follows.add(db, PEER, PLACE, f"{PEER}/follows/1", follows.PENDING, 1.0)
    assert await follows.count_followers(store.reads, PLACE) == 0
    assert await follows.accepted_follow_id(store.reads, PEER, PLACE) is None
    async with store.write() as db:
        await follows.remove(db, PEER, PLACE)  # rejected
    assert await follows.between(store.reads, PEER, PLACE) is None


async def test_undo_by_id_or_by_followee(store: Store) -> None:
    others = [f"https://p{i}.example/actors/lieu" for i in range(3)]
    async with store.write() as db:
        for i, other in enumerate(others):
            await follows.add(db, PLACE, other, f"{PLACE}/follows/{i}", follows.ACCEPTED, i)
        await follows.undo(db, PLACE, f"{PLACE}/follows/0", None)
        await follows.undo(db, PLACE, "https://ici.example/lost-id", others[1])
    assert await follows.accepted_followees(store.reads, PLACE) == [others[2]]


async def test_collections_page_oldest_first(store: Store) -> None:
    followers = [f"https://p{i}.example/actors/lieu" for i in range(5)]
    async with store.write() as db:
        for i, follower in reversed(list(enumerate(followers))):
            await follows.add(db, follower, PLACE, f"{follower}/f", follows.ACCEPTED, float(i))
        await follows.add(db, PLACE, PEER, f"{PLACE}/f", follows.ACCEPTED, 1.0)
    assert await follows.count_followers(store.reads, PLACE) == 5
    assert await follows.followers_page(store.reads, PLACE, 2, 1) == followers[1:3]
    assert await follows.count_following(store.reads, PLACE) == 1
    assert await follows.following_page(store.reads, PLACE, 10, 0) == [PEER]
    async with store.write() as db:
        await follows.forget_actor(db, PLACE)
    assert await follows.count_followers(store.reads, PLACE) == 0
    assert await follows.count_following(store.reads, PLACE) == 0


async def test_who_follows_an_actor_is_read_on_an_index(store: Store) -> None:
    # Asked for every received post and every fan-out: a scan of all follows would make each
    # of them as slow as the node has follows.
    statements: list[str] = []
    raw = store.reads._conn  # the sqlite3 connection: its plans are what this test is about
    raw.set_trace_callback(statements.append)
    try:
        await follows.followed_here(store.reads, PEER)
        await follows.accepted_followers(store.reads, PLACE)
        await follows.local_follower_handles(store.reads, PLACE)
    finally:
        raw.set_trace_callback(None)
    assert len(statements) == 3
    for sql in statements:
        plan = " / ".join(row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "follows_followee" in plan, (sql, plan)
