"""The store wakes a worker when a commit made work due in its queue, and only then."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from node.app import Node
from node.config import NodeConfig
from node.store import Store
from node.tables import backfills, deliveries, inbox_queue


async def test_a_commit_wakes_the_workers_of_the_queues_it_filled(tmp_path: Path) -> None:
    store = await Store(tmp_path / "node.sqlite3").open()
    woken: list[str] = []
    for queue in (deliveries.QUEUE, inbox_queue.QUEUE, backfills.QUEUE):
        store.wake_on_commit(queue, lambda queue=queue: woken.append(queue))  # type: ignore[misc]
    try:
        async with store.write() as db:
            await deliveries.enqueue(db, "https://a.example/1", "https://b.example/inbox",
                                     "alice", time.time())  # fmt: skip
            assert woken == []  # not before the rows are committed: the worker would miss them
        assert woken == [deliveries.QUEUE]
        with pytest.raises(RuntimeError):
            async with store.write() as db:
                await inbox_queue.enqueue_vouched(db, "https://a.example/2", "{}", time.time())
                raise RuntimeError("the transaction fails")
        assert woken == [deliveries.QUEUE]  # rolled back: nothing is due, nobody is woken
        async with store.write() as db:
            await backfills.request(db, "https://b.example/actors/place")
        async with store.write() as db:
            pass
        assert woken == [deliveries.QUEUE, backfills.QUEUE]
    finally:
        await store.close()


async def test_the_node_wires_each_queue_to_its_worker(tmp_path: Path) -> None:
    """No route wakes a worker by hand: what a route commits reaches the worker this way."""
    config = NodeConfig(data_dir=tmp_path, base_url="http://127.0.0.1:9", name="Pop",
                        handle="pop")  # fmt: skip
    node = Node(config)
    await node.store.open()
    try:
        workers = {deliveries.QUEUE: node.delivery, inbox_queue.QUEUE: node.inbox_worker,
                   backfills.QUEUE: node.backfill}  # fmt: skip
        async with node.store.write() as db:
            await deliveries.enqueue(db, "https://a.example/1", "https://b.example/inbox",
                                     "pop", time.time())  # fmt: skip
            await inbox_queue.enqueue_vouched(db, "https://a.example/2", "{}", time.time())
            await backfills.request(db, "https://b.example/actors/place")
        assert all(worker._wake.is_set() for worker in workers.values())
    finally:
        await node.store.close()
        await node.http.aclose()
