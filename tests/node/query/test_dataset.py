"""The Oxigraph store kept in step with `public_graph`: changes, shared statements, crashes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from node.query.dataset import KnowledgeGraph, TooLarge
from node.store import Store
from node.tables import public_graph
from vocab.context import PUBLIC

LILLE = "https://lille.example/actors/lieu"
LYON = "https://lyon.example/actors/lieu"
NAMES = "SELECT ?s ?name WHERE { ?s as:name ?name } ORDER BY ?s ?name"


async def put(store: Store, document: dict[str, Any] | None, object_id: str = "",
              graph: str = LILLE, local: bool = False) -> None:  # fmt: skip
    object_id = object_id or str(document and document["id"])
    async with store.write() as db:
        text = json.dumps({"to": [PUBLIC], **document}) if document else None
        await public_graph.put(db, object_id, "Object", local, text, graph)


def names(graph: KnowledgeGraph) -> list[tuple[str, str]]:
    body, _ = graph.ask(NAMES, "json", "turtle", 10**6)
    rows = json.loads(body)["results"]["bindings"]
    return [(r["s"]["value"], r["name"]["value"]) for r in rows]


@pytest.fixture
async def store(tmp_path: Path) -> Any:
    opened = await Store(tmp_path / "node.sqlite3").open()
    yield opened
    await opened.close()


@pytest.fixture
def graph(store: Store) -> Any:
    found = KnowledgeGraph(Path(store.path))
    yield found
    found.close()


async def test_an_update_replaces_and_a_removal_takes_out(
    store: Store, graph: KnowledgeGraph
) -> None:
    event = {"id": "https://lille.example/e/1", "type": "Event", "name": "Atelier"}
    await put(store, event)
    assert graph.catch_up() == 1
    assert names(graph) == [(event["id"], "Atelier")]
    await put(store, {**event, "name": "Atelier soudure"})
    graph.catch_up()
    assert names(graph) == [(event["id"], "Atelier soudure")]
    await put(store, None, event["id"])
    graph.catch_up()
    assert names(graph) == []
    assert graph.status()["objects"] == 0


async def test_what_another_object_states_too_stays(store: Store, graph: KnowledgeGraph) -> None:
    place = {"id": LILLE, "type": "Organization", "name": "La Fabrique"}
    event = {"id": "https://lille.example/e/1", "type": "Event", "name": "Atelier",
             "location": {"id": LILLE, "name": "La Fabrique"}}  # fmt: skip
    await put(store, place)
    await put(store, event)
    graph.catch_up()
    await put(store, None, event["id"])  # the event goes; the place's own name stays
    graph.catch_up()
    assert names(graph) == [(LILLE, "La Fabrique")]
    await put(store, event)
    await put(store, None, LILLE)  # the place's document goes; the event still names it
    graph.catch_up()
    assert (LILLE, "La Fabrique") in names(graph)


async def test_each_place_has_its_graph(store: Store, graph: KnowledgeGraph) -> None:
    await put(store, {"id": "https://lille.example/e/1", "type": "Event", "name": "A"})
    await put(store, {"id": "https://lyon.example/e/1", "type": "Event", "name": "B"}, graph=LYON)
    graph.catch_up()
    body, _ = graph.ask("SELECT ?g ?name WHERE { GRAPH ?g { ?s as:name ?name } } ORDER BY ?g",
                        "json", "turtle", 10**6)  # fmt: skip
    rows = [(r["g"]["value"], r["name"]["value"]) for r in json.loads(body)["results"]["bindings"]]
    assert rows == [(LILLE, "A"), (LYON, "B")]
    async with store.write() as db:
        await public_graph.drop_graph(db, LYON)
    graph.catch_up()
    assert graph.status()["graphs"] == [LILLE]


async def test_a_received_object_speaking_for_another_origin_stays_out(
    store: Store, graph: KnowledgeGraph
) -> None:
    forged = {"@context": ["https://www.w3.org/ns/activitystreams", {"ident": "@id"}],
              "id": "https://lille.example/e/2", "type": "Note",
              "location": {"ident": "https://lyon.example/p", "name": "faux"}}  # fmt: skip
    await put(store, forged)
    graph.catch_up()
    assert names(graph) == []
    own = {**forged, "id": "https://lille.example/e/3"}
    await put(store, own, local=True)  # the node's own documents are not checked
    graph.catch_up()
    assert ("https://lyon.example/p", "faux") in names(graph)


async def test_a_crash_before_the_bookkeeping_commits_loses_and_leaves_nothing(
    store: Store, graph: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = {"id": "https://lille.example/e/1", "type": "Event", "name": "v1",
             "location": {"type": "Place", "name": "Salle"}}  # fmt: skip
    await put(store, event)
    graph.catch_up()
    await put(store, {**event, "name": "v2", "location": {"type": "Place", "name": "Atelier"}})

    def crash(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("node.tables.graph_state.move_to", crash)
    with pytest.raises(KeyboardInterrupt):
        graph.catch_up()  # the store has the change; the bookkeeping does not
    monkeypatch.undo()
    graph.catch_up()
    assert sorted(name for _, name in names(graph)) == ["Atelier", "v2"]  # not "Salle", "v1"
    body, _ = graph.ask("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "json", "turtle", 10**6)
    fresh = KnowledgeGraph(Path(store.path), graph.directory.with_name("fresh.graph"))
    fresh.catch_up()
    again, _ = fresh.ask("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "json", "turtle", 10**6)
    assert json.loads(body) == json.loads(again)  # no quad of v1 left behind
    fresh.close()


async def test_an_answer_past_its_size_is_refused(store: Store, graph: KnowledgeGraph) -> None:
    for n in range(20):
        await put(store, {"id": f"https://lille.example/e/{n}", "type": "Event", "name": "x" * 50})
    graph.catch_up()
    with pytest.raises(TooLarge):
        graph.ask(NAMES, "json", "turtle", 500)
