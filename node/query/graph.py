"""The public graph: every public object the node holds, as RDF, kept in step with the store.

Writing (`sync`) happens inside the transaction that stores, changes or deletes an object: the
object's public document is turned into N-Triples (pyld, bundled contexts only) and kept in
`public_graph` with a new change number. Reading (`PublicGraph`) keeps an rdflib graph in
memory and, before each query, applies the rows changed since it last looked: so a query always
sees what is committed, from any process, and a Delete takes the triples away.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyld import jsonld
from rdflib import Graph
from rdflib.term import Node as RDFNode

import vocab.loader  # noqa: F401  (installs the bundled-only document loader)
from vocab.context import DOCUMENT_CONTEXT

from ..activity import type_of
from ..audience import is_public, shown
from ..bounds import CONVERSION_SECONDS, TooSlow, within
from ..ownership import foreign_statement
from ..sqlite import Connection
from ..store import Store
from ..tables import objects
from ..tables import public_graph as graph_table
from ..worker import Worker

log = logging.getLogger(__name__)
Triple = tuple[RDFNode, RDFNode, RDFNode]

PREFIXES = {
    "as": "https://www.w3.org/ns/activitystreams#",
    "tl": "https://w3id.org/interlieux/ns#",
    "sk": "https://w3id.org/interlieux/skills#",
    "schema": "http://schema.org/",
    "vf": "https://w3id.org/valueflows/ont/vf#",
    "mz": "https://joinmobilizon.org/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sec": "https://w3id.org/security#",
}


Dataset = dict[str, list[dict[str, Any]]]


def to_dataset(document: dict[str, Any]) -> Dataset:
    """The document's statements, as pyld's RDF dataset (graph name -> triples). A context that
    is not bundled is never fetched: the document is read against the network's own context
    instead, which knows the terms peers use. Unbounded: callers reading a document that
    others wrote run it `within` a deadline (`to_ntriples`, the inbox's ownership check)."""
    try:
        dataset: Dataset = jsonld.to_rdf(_with_context(document), {})
    except jsonld.JsonLdError as exc:
        log.info("reading %s with the network's context: %s", document.get("id"), exc)
        dataset = jsonld.to_rdf({**document, "@context": DOCUMENT_CONTEXT}, {})
    return dataset


def to_ntriples(document: dict[str, Any], received: bool = False) -> str:
    """The document's triples, read within `CONVERSION_SECONDS` (TooSlow past it). A
    `received` document must speak only of its own origin's subjects: one that states anything
    else (`ownership.foreign_statement`) raises NotOwned."""
    # Blind recipients are never shown: not in the public graph and its exports either.
    dataset = within(CONVERSION_SECONDS, lambda: to_dataset(shown(document)))
    if received:
        reason = foreign_statement(dataset, str(document.get("id")))
        if reason is not None:
            raise NotOwned(reason)
    return str(jsonld.JsonLdProcessor.to_nquads(dataset))


class NotOwned(Exception):
    """A received document whose triples speak of another origin's subjects."""


def _with_context(document: dict[str, Any]) -> dict[str, Any]:
    return document if "@context" in document else {"@context": DOCUMENT_CONTEXT, **document}


async def sync(
    db: Connection,
    object_id: str,
    document: dict[str, Any] | None,
    local: bool,
) -> None:
    """Put `document` in the public graph under `object_id`, or take it out when it is
    None, a Tombstone or not public (nothing private ever reaches the graph)."""
    keep = document is not None and type_of(document) != "Tombstone" and is_public(document)
    # Triples are computed when the graph is next read, not here: converting JSON-LD costs
    # milliseconds, and here it would be paid inside the inbox's transaction for every
    # object received, whether or not anyone ever queries.
    kind = type_of(document) or "Object" if document is not None else "Tombstone"
    await graph_table.put(
        db, object_id, kind, local, json.dumps(document, ensure_ascii=False) if keep else None
    )


async def sync_stored(db: Connection, object_id: str, context: Any = None) -> None:
    """Sync from the `objects` row as it now stands (after the core applied a change).

    A received object is stored without the `@context` of the activity that carried it:
    `context` gives it back, so that the peer's own terms are read as the peer meant them."""
    row = await objects.stored(db, object_id)
    if row is None:
        return
    document = json.loads(row["document"])
    if context is not None and "@context" not in document:
        document = {"@context": context, **document}
    await sync(db, object_id, document, bool(row["local"]))


class QueryTimeout(Exception):
    """A query ran past its time limit."""


class _TimedGraph(Graph):
    """A graph whose pattern lookups stop once the running query's deadline has passed: every
    SPARQL join in rdflib goes through `triples`, so a runaway query stops there."""

    deadline = float("inf")

    def triples(self, triple: Any) -> Iterator[Any]:  # type: ignore[override]
        deadline = self.deadline
        if time.monotonic() > deadline:
            raise QueryTimeout
        for n, found in enumerate(super().triples(triple)):
            if n % 256 == 255 and time.monotonic() > deadline:
                raise QueryTimeout
            yield found


class PublicGraph:
    """The in-memory copy of `public_graph` for one database file."""

    def __init__(self) -> None:
        self.graph = _TimedGraph()
        for prefix, iri in PREFIXES.items():
            self.graph.bind(prefix, iri)
        self.seq = 0
        self._owned: dict[str, list[Triple]] = {}
        self._refs: Counter[Triple] = Counter()
        # rdflib's memory store is not safe to change while a query reads it.
        self.lock = threading.Lock()

    async def refresh(self, store: Store) -> None:
        """Bring the copy up to date; conversion and parsing run off the event loop (10,000
        objects take seconds: the node must go on answering its inbox meanwhile). Objects the
        background worker has not converted yet are converted here."""
        rows = await graph_table.changes_since(store.reads, self.seq)
        if not rows:
            return
        pending = [r for r in rows if r["ntriples"] is None and r["document"] is not None]
        converted = {
            (object_id, seq): ntriples
            for ntriples, object_id, seq in await _convert(store, pending)
        }
        ready = [
            (r["id"], converted.get((r["id"], r["seq"]), r["ntriples"]), r["seq"]) for r in rows
        ]
        await asyncio.to_thread(self._apply, ready)

    def _apply(self, rows: list[tuple[str, str | None, int]]) -> None:
        with self.lock:
            for object_id, ntriples, seq in rows:
                self._replace(object_id, ntriples)
                self.seq = max(self.seq, seq)

    def _replace(self, object_id: str, ntriples: str | None) -> None:
        for triple in self._owned.pop(object_id, []):
            self._refs[triple] -= 1
            if self._refs[triple] <= 0:
                del self._refs[triple]
                self.graph.remove(triple)
        if not ntriples:
            return
        parsed = Graph().parse(data=ntriples, format="nt")
        owned = list(parsed)
        for triple in owned:
            if self._refs[triple] == 0:
                self.graph.add(triple)
            self._refs[triple] += 1
        self._owned[object_id] = owned


async def convert_pending(store: Store, limit: int = 0) -> int:
    """Compute the triples of public objects stored since the last conversion, in a thread,
    and keep them (one transaction for the lot). Returns how many were converted."""
    rows = await graph_table.unconverted(store.reads, limit)
    return len(await _convert(store, rows))


async def _convert(store: Store, rows: list[Any]) -> list[tuple[str, str, int]]:
    if not rows:
        return []
    converted = await asyncio.to_thread(
        lambda: [(_ntriples_or_none(r), r["id"], r["seq"]) for r in rows]
    )
    async with store.write() as db:
        # Guarded by seq: an object changed meanwhile keeps its newer, unconverted document.
        await graph_table.set_triples(db, converted)
    return converted


def _ntriples_or_none(row: Any) -> str:
    try:
        return to_ntriples(json.loads(row["document"]), received=not row["local"])
    except TooSlow as exc:
        # Kept out of the graph, once: an empty conversion is not tried again at every read.
        log.warning("%s left out of the public graph: %s", row["id"], exc.log)
        return ""
    except NotOwned as exc:
        # What the inbox's JSON checks could not see (a context's aliases resolved by the
        # conversion): the statements never reach the graph, its exports or /sparql.
        log.warning("%s left out of the public graph: it makes %s", row["id"], exc)
        return ""


class GraphWorker(Worker):
    """Converts newly stored public objects to triples soon after they arrive, outside the
    inbox's transaction, so that a query rarely has to wait for conversions."""

    name = "graph-worker"

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    async def _run(self) -> None:
        while True:
            try:
                done = await convert_pending(self.store, limit=200)
            except Exception:  # a bad document must not stop the worker; queries retry it
                log.exception("converting public objects failed")
                done = 0
            if not done:
                await asyncio.sleep(2.0)


_graphs: dict[Path, PublicGraph] = {}


def public_graph(store: Store) -> PublicGraph:
    """The process's graph for this store's file, made on first use."""
    return _graphs.setdefault(Path(store.path).resolve(), PublicGraph())
