"""The graph engine's own bookkeeping, in `state.sqlite` beside its Oxigraph store (not in the
node's database: only the engine process writes it). Synchronous, plain sqlite3: the engine
runs no event loop.

It records what the store holds for each object, so that a change removes exactly the quads the
object put in before, and how many objects state each quad about another subject (an event
that embeds its place's name says what the place's own document says too), so that one
object's change never removes what another still states.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from ..sqlite import in_lists

SCHEMA = """
-- What the Oxigraph store holds for each object: its named graph and its quads (N-Quads).
CREATE TABLE IF NOT EXISTS applied (
    id TEXT PRIMARY KEY,
    graph TEXT NOT NULL,
    nquads TEXT NOT NULL
);

-- Quads about a subject other than the object stating them (the key is a hash of the quad):
-- how many objects state each.
CREATE TABLE IF NOT EXISTS borrowed (
    quad BLOB PRIMARY KEY,
    objects INTEGER NOT NULL
) WITHOUT ROWID;

-- How far the store has read the node's `public_graph` changes: (seq, id) of the last row.
CREATE TABLE IF NOT EXISTS position (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    seq INTEGER NOT NULL,
    id TEXT NOT NULL
);
"""


def connect(path: Path) -> sqlite3.Connection:
    """The bookkeeping file, made if missing (the engine uses it from several threads, one
    at a time: `dataset` holds its lock)."""
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.executescript(SCHEMA)
    conn.commit()
    return conn


def position(conn: sqlite3.Connection) -> tuple[int, str]:
    row = conn.execute("SELECT seq, id FROM position").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, "")


def move_to(conn: sqlite3.Connection, seq: int, object_id: str) -> None:
    conn.execute(
        "INSERT INTO position (one, seq, id) VALUES (1, ?, ?)"
        " ON CONFLICT(one) DO UPDATE SET seq = excluded.seq, id = excluded.id",
        (seq, object_id),
    )


def applied(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, str]:
    """The N-Quads the store holds for each of `ids` that it holds anything for."""
    found: dict[str, str] = {}
    for group, marks in in_lists(ids):
        for object_id, nquads in conn.execute(
            f"SELECT id, nquads FROM applied WHERE id IN ({marks})", group
        ):
            found[object_id] = nquads
    return found


def put_applied(conn: sqlite3.Connection, object_id: str, graph: str, nquads: str) -> None:
    if nquads:
        conn.execute(
            "INSERT INTO applied (id, graph, nquads) VALUES (?, ?, ?) ON CONFLICT(id)"
            " DO UPDATE SET graph = excluded.graph, nquads = excluded.nquads",
            (object_id, graph, nquads),
        )
    else:
        conn.execute("DELETE FROM applied WHERE id = ?", (object_id,))


def borrowed_count(conn: sqlite3.Connection, quad: bytes) -> int:
    row = conn.execute("SELECT objects FROM borrowed WHERE quad = ?", (quad,)).fetchone()
    return int(row[0]) if row else 0


def borrow(conn: sqlite3.Connection, quad: bytes, change: int) -> int:
    """Add `change` (+1 or -1) to the quad's count; the new count (a row at 0 goes)."""
    conn.execute(
        "INSERT INTO borrowed (quad, objects) VALUES (?, ?)"
        " ON CONFLICT(quad) DO UPDATE SET objects = objects + excluded.objects",
        (quad, change),
    )
    count = borrowed_count(conn, quad)
    if count <= 0:
        conn.execute("DELETE FROM borrowed WHERE quad = ?", (quad,))
    return count


def counts(conn: sqlite3.Connection) -> tuple[int, int]:
    """(objects held, borrowed quads counted), for `interlieux graph status`."""
    objects = conn.execute("SELECT COUNT(*) FROM applied").fetchone()[0]
    borrowed = conn.execute("SELECT COUNT(*) FROM borrowed").fetchone()[0]
    return int(objects), int(borrowed)


def clear(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM applied")
    conn.execute("DELETE FROM borrowed")
    conn.execute("DELETE FROM position")
