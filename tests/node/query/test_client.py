"""The graph engine process seen from the node: killed at a deadline, restarted, never left
holding the store."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from node.query.client import EngineFailed, GraphEngine, QueryTimeout
from node.store import Store
from node.tables import public_graph

CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?c ?f ?i ?l"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a as:Note }"


@pytest.fixture
async def store(tmp_path: Path) -> Any:
    opened = await Store(tmp_path / "node.sqlite3").open()
    async with opened.write() as db:
        for n in range(20):
            doc = {"id": f"https://a.example/n/{n}", "type": "Note", "content": "x",
                   "to": ["https://www.w3.org/ns/activitystreams#Public"]}  # fmt: skip
            await public_graph.put(
                db, doc["id"], "Note", True, json.dumps(doc), "https://a.example/"
            )
    yield opened
    await opened.close()


def count(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def ask(engine: GraphEngine, query: str, timeout: float) -> Any:
    return engine.request(
        "ask", timeout, query=query, select_format="json", graph_format="turtle", max_bytes=10**7
    )


async def test_a_query_past_its_deadline_kills_the_engine_and_the_next_one_answers(
    store: Store,
) -> None:
    engine = GraphEngine(Path(store.path))
    try:
        with pytest.raises(QueryTimeout):
            await ask(engine, CROSS, 1.0)
        assert count((await ask(engine, COUNT, 30)).body) == 20
    finally:
        await engine.stop()


async def test_an_innocent_query_caught_in_a_restart_is_asked_again(store: Store) -> None:
    engine = GraphEngine(Path(store.path))
    try:
        quads = count((await ask(engine, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", 30)).body)
        # Counted, not listed: a few seconds of work, still running when the other is killed.
        slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
                "VALUES ?k { 1 2 3 4 5 } }")  # fmt: skip
        hostile = asyncio.create_task(ask(engine, CROSS, 1.0))
        innocent = asyncio.create_task(ask(engine, slow, 120))
        with pytest.raises(QueryTimeout):
            await hostile
        assert count((await innocent).body) == 5 * quads**3
        assert engine.starts == 2  # answered by the engine started again for it
    finally:
        await engine.stop()


async def test_the_engine_leaves_at_once_when_the_node_goes_even_mid_query(store: Store) -> None:
    first = GraphEngine(Path(store.path))
    await first.start()
    running = asyncio.create_task(ask(first, CROSS, 600))
    await asyncio.sleep(0.5)  # the query is running in the engine
    await first.stop()  # closes its input, as a node that stops or dies does
    with pytest.raises(EngineFailed):  # the request dies with the engine, twice over
        await running
    second = GraphEngine(Path(store.path))  # the store's lock is free again
    try:
        assert count((await ask(second, COUNT, 30)).body) == 20
    finally:
        await second.stop()
