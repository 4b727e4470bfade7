"""The cache of remote actors: what a post to many followers reads of it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from node.actors.remote import MAX_AGE, Directory
from node.config import NodeConfig
from node.limits import Throttles
from node.store import Store
from node.tables import remote_actors


async def test_followers_inboxes_are_read_at_once_and_old_ones_fetched_again(
    tmp_path: Path,
) -> None:
    """`delivery_inboxes`, as a post to many followers uses it: one read for all of them; an actor
    cached longer ago than MAX_AGE is left out (the caller fetches it again), except inside a
    transaction, where the network must not be awaited and any cached copy serves."""
    config = NodeConfig(data_dir=tmp_path, base_url="http://127.0.0.1:9", name="Pop",
                        handle="pop")  # fmt: skip
    store = await Store(config.database).open()
    try:
        now = time.time()
        actors = {f"https://n{n}.example/users/u": now for n in range(3)}
        old = "https://vieux.example/users/u"
        actors[old] = now - MAX_AGE - 60
        async with store.write() as db:
            for actor, fetched in actors.items():
                await remote_actors.save(
                    db, actor_id=actor, inbox=f"{actor}/inbox",
                    shared_inbox="https://n0.example/inbox" if "//n0." in actor else None,
                    followers=None, key_id=f"{actor}#main-key", public_key_pem="",
                    document={}, fetched_at=fetched,
                )  # fmt: skip
        directory = Directory(store, httpx.AsyncClient(), _no_signer, Throttles())
        wanted = [*actors, "https://inconnu.example/users/u"]
        fresh = await directory.delivery_inboxes(wanted)
        assert set(fresh) == set(actors) - {old}
        assert fresh["https://n1.example/users/u"] == "https://n1.example/users/u/inbox"
        assert fresh["https://n0.example/users/u"] == "https://n0.example/inbox"  # the shared one
        async with store.write() as db:
            assert set(await directory.delivery_inboxes(wanted, db)) == set(actors)
    finally:
        await store.close()


async def _no_signer() -> Any:
    raise AssertionError("nothing is fetched here")
