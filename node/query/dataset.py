"""The node's knowledge graph on disk: an Oxigraph store kept in step with `public_graph`.

The store (RocksDB, in `<database>.graph/oxigraph/`) holds each place's data in a named graph
named by the place's actor id; queries read the union of them as their default graph. Its
bookkeeping (`tables.graph_state`, in `state.sqlite` beside it) says what each object put in and
how far the node's changes have been read. Applying a batch writes the store first and the
bookkeeping after: a crash between the two reads the same rows again, and since every quad an
object makes is the same at every reading (`convert`), that puts in and takes out the same
quads — nothing is lost or left behind.

Only one process opens a store (RocksDB locks it): the node's graph engine, or `interlieux graph
rebuild` while the node is stopped.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pyoxigraph import (
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    parse,
    serialize,
)

from vocab import skills

from ..config import graph_dir
from ..tables import graph_state
from ..tables import public_graph as graph_table
from . import convert
from .prefixes import PREFIXES

log = logging.getLogger(__name__)

SELECT_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "json-ld": RdfFormat.JSON_LD,
    "xml": RdfFormat.RDF_XML,
    "n-triples": RdfFormat.N_TRIPLES,
    "trig": RdfFormat.TRIG,
}
SKILLS_GRAPH = "https://w3id.org/interlieux/skills"
BATCH = 500  # rows read and applied at a time (one bookkeeping transaction each)
REBUILD_BATCH = 5000


class StoreBusy(Exception):
    """Another process has the store open (the node, while a CLI command wants it)."""


class TooLarge(Exception):
    """A result grew past the size it may have."""


class _Capped(io.BytesIO):
    """A binary buffer that refuses to grow past `limit` bytes (pyoxigraph writes into it)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.limit:
            raise TooLarge(f"more than {self.limit} bytes")
        return super().write(data)


def _key(quad: Quad) -> bytes:
    return hashlib.blake2b(str(quad).encode(), digest_size=16).digest()


def _borrowed(quad: Quad, object_id: str) -> bool:
    """A quad about another subject than the object stating it (and its blank nodes)."""
    subject = quad.subject
    return isinstance(subject, NamedNode) and subject.value != object_id


def _nquads(quads: list[Quad]) -> str:
    return "".join(f"{q} .\n" for q in quads)


class KnowledgeGraph:
    """The store and its bookkeeping, for one node database."""

    def __init__(self, database: Path, directory: Path | None = None) -> None:
        self.database = database
        self.directory = directory or graph_dir(database)
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            self.store = Store(str(self.directory / "oxigraph"))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreBusy(str(exc)) from exc
            raise
        self.state = graph_state.connect(self.directory / "state.sqlite")
        self._source: sqlite3.Connection | None = None
        self._applying = threading.Lock()
        self._load_skills()

    def _load_skills(self) -> None:
        """The skills nomenclature in a graph of its own, read again at each start (it comes
        with the code): queries can use its labels and `skos:broader`."""
        scheme = NamedNode(SKILLS_GRAPH)
        self.store.remove_graph(scheme)
        statements = parse(path=skills.TURTLE_FILE, format=RdfFormat.TURTLE)
        self.store.extend(Quad(q.subject, q.predicate, q.object, scheme) for q in statements)

    def close(self) -> None:
        self.store.flush()
        self.state.close()
        if self._source is not None:
            self._source.close()
        del self.store

    # -- keeping in step ------------------------------------------------------------------

    def _rows(self, seq: int, after: str, limit: int) -> list[tuple[Any, ...]]:
        if self._source is None:
            if not self.database.exists():
                return []
            # Read-only: the node's one writer stays the node.
            self._source = graph_table.reader(self.database)
        return graph_table.changes_after(self._source, seq, after, limit)

    def catch_up(self, batch: int = BATCH, most: int | None = None) -> int:
        """Apply the changes the node has committed since the last one applied (all of them,
        or about `most`); how many objects changed. One batch at a time holds the lock, so a
        query waits for one batch at most, not for a whole backlog."""
        done = 0
        while most is None or done < most:
            with self._applying:
                seq, after = graph_state.position(self.state)
                rows = self._rows(seq, after, batch)
                if not rows:
                    return done
                self._apply(rows)
            done += len(rows)
        return done

    def _apply(self, rows: list[tuple[Any, ...]], bulk: bool = False) -> None:
        sources: list[convert.Source] = []
        graphs: dict[str, str] = {}
        for object_id, document, _seq, local, graph in rows:
            graphs[object_id] = convert.graph_of(object_id, graph)
            if document is not None:
                sources.append(
                    convert.Source(object_id, json.loads(document), bool(local), graphs[object_id])
                )
        readings = convert.read(sources)
        before = graph_state.applied(self.state, graphs)
        removed: list[Quad] = []
        added: list[Quad] = []
        with self._transaction():
            for object_id in graphs:
                old = set(parse(before.get(object_id, ""), format=RdfFormat.N_QUADS))
                reading = readings.get(object_id)
                if reading is not None and reading.refused:
                    log.warning("%s left out of the public graph: %s", object_id, reading.refused)
                new = reading.quads if reading is not None else []
                fresh = set(new)
                for quad in old - fresh:
                    if self._still_stated(quad, object_id, _borrowed(quad, object_id)):
                        continue
                    removed.append(quad)
                for quad in fresh - old:
                    if _borrowed(quad, object_id):
                        graph_state.borrow(self.state, _key(quad), +1)
                    added.append(quad)
                graph_state.put_applied(self.state, object_id, graphs[object_id], _nquads(new))
            # The store first: if the process dies before the bookkeeping commits, these rows
            # are read again and the same quads go in and out.
            for quad in removed:
                self.store.remove(quad)
            if added and bulk:
                # Twice as fast, not atomic: for a rebuild, which starts again from nothing.
                self.store.bulk_extend(added)
            elif added:
                self.store.extend(added)
            last = rows[-1]
            graph_state.move_to(self.state, last[2], last[0])

    def _still_stated(self, quad: Quad, object_id: str, borrowed: bool) -> bool:
        """Whether another object still states `quad` once `object_id` no longer does."""
        key = _key(quad)
        if not borrowed:
            return graph_state.borrowed_count(self.state, key) > 0
        if graph_state.borrow(self.state, key, -1) > 0:
            return True
        # Nobody else borrows it: does its subject's own document state it?
        subject = str(getattr(quad.subject, "value", ""))
        own = graph_state.applied(self.state, [subject]).get(subject, "")
        return f"{quad} .\n" in own

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        try:
            yield
        except BaseException:
            self.state.rollback()
            raise
        self.state.commit()

    def rebuild(self) -> int:
        """Empty the store and read every public object again; how many objects."""
        done = 0
        with self._applying:
            self.store.clear()
            graph_state.clear(self.state)
            self.state.commit()
            while rows := self._rows(*graph_state.position(self.state), REBUILD_BATCH):
                self._apply(rows, bulk=True)
                done += len(rows)
        self.store.optimize()
        # On disk now, not in the write-ahead log: the next start opens it at once.
        self.store.flush()
        return done

    def status(self) -> dict[str, Any]:
        """What the store holds and how far behind the node's changes it is."""
        objects, borrowed = graph_state.counts(self.state)
        seq, after = graph_state.position(self.state)
        self._rows(seq, after, 0)  # opens the node's database if there is one
        latest = graph_table.last_change(self._source) if self._source is not None else seq
        # Oxigraph keeps a named graph's name once its last quad is gone: those with data.
        rows = self.store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(rows, QuerySolutions)
        graphs = [
            row["g"].value
            for row in rows
            if isinstance(row["g"], NamedNode) and row["g"].value != SKILLS_GRAPH
        ]
        return {
            "objects": objects,
            "borrowed_quads": borrowed,
            "graphs": sorted(graphs),
            "position": seq,
            "behind": max(latest - seq, 0),
        }

    # -- asking ---------------------------------------------------------------------------

    def ask(
        self, text: str, select_format: str, graph_format: str, limit: int
    ) -> tuple[bytes, str]:
        """Evaluate a read-only query (checked by `safety` before) over the union of the
        places' graphs; the serialized answer and its media type. TooLarge past `limit`
        bytes; SyntaxError if the query is malformed."""
        result = self.store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
        out = _Capped(limit)
        if isinstance(result, QueryBoolean | QuerySolutions):
            answer = SELECT_FORMATS[select_format]
            result.serialize(out, format=answer)
            return out.getvalue(), f"{answer.media_type}; charset=utf-8"
        graph = GRAPH_FORMATS[graph_format]
        serialize(result, out, format=graph, prefixes=PREFIXES)
        return out.getvalue(), f"{graph.media_type}; charset=utf-8"

    def export(self, graph_format: str) -> bytes:
        """Every place's public data as one graph (the skills nomenclature is the vocabulary's,
        served at /ns, not data)."""
        fmt = GRAPH_FORMATS[graph_format]
        out = _Capped(2**62)
        triples = self.store.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER (?g != <{SKILLS_GRAPH}>) }}"
        )
        assert isinstance(triples, QueryTriples)
        serialize(triples, out, format=fmt, prefixes=PREFIXES)
        return out.getvalue()
