"""The `deliveries` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

from ..queues import DeliveryState
from ..sqlite import Connection, GroupCommit

PENDING = DeliveryState.PENDING  # the state the worker reads: every row it sends is pending
QUEUE = "deliveries"  # what `Connection.added_to` names: the delivery worker's queue

SCHEMA = """
-- One row per (activity, target inbox): the durable delivery queue.
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    activity_id TEXT NOT NULL,
    inbox TEXT NOT NULL,
    signer TEXT NOT NULL,                -- handle of the local actor whose key signs the POST
    state TEXT NOT NULL DEFAULT 'pending', -- pending -> delivered | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    -- when to try next: exponential backoff with jitter, or the peer's Retry-After
    next_attempt_at REAL NOT NULL,
    -- a worker that took the row owns it until then; after a crash the lease runs out and the
    -- row is taken again, so nothing is lost (a peer may see a retry: ids make that harmless)
    locked_until REAL,
    last_error TEXT,                     -- why the last attempt failed, shown to the operator
    created_at REAL NOT NULL,
    finished_at REAL,
    UNIQUE (activity_id, inbox)
);

CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, next_attempt_at);
"""


async def enqueue(db: Connection, activity_id: str, inbox: str, signer: str, now: float) -> None:
    """One activity to one inbox, due at once; queued once per (activity, inbox)."""
    await db.execute(
        "INSERT OR IGNORE INTO deliveries (activity_id, inbox, signer, state,"
        " next_attempt_at, created_at) VALUES (?,?,?,?,?,?)",
        (activity_id, inbox, signer, PENDING, now, now),
    )
    db.added_to(QUEUE)


async def release_leases(db: Connection) -> None:
    """Every pending row free to be taken again (a crashed worker's rows are due at once)."""
    await db.execute("UPDATE deliveries SET locked_until = NULL WHERE state = ?", (PENDING,))


async def next_due(db: Connection, now: float) -> float | None:
    """When the earliest pending row not held by a worker is due; None when there is none."""
    async with db.execute(
        "SELECT MIN(next_attempt_at) AS due FROM deliveries WHERE state = ?"
        " AND (locked_until IS NULL OR locked_until < ?)",
        (PENDING, now),
    ) as cur:
        row = await cur.fetchone()
    return None if row is None or row["due"] is None else float(row["due"])


async def due(db: Connection, now: float, limit: int) -> list[sqlite3.Row]:
    """Up to `limit` pending rows due by `now` and held by no worker, the most overdue first."""
    async with db.execute(
        "SELECT * FROM deliveries WHERE state = ? AND next_attempt_at <= ?"
        " AND (locked_until IS NULL OR locked_until < ?) ORDER BY next_attempt_at LIMIT ?",
        (PENDING, now, now, limit),
    ) as cur:
        return await cur.fetchall()


async def lease(db: Connection, ids: list[int], until: float) -> None:
    """Rows a worker takes: no other takes them before `until`."""
    await db.executemany(
        "UPDATE deliveries SET locked_until = ? WHERE id = ?", [(until, i) for i in ids]
    )


async def mark_delivered(commit: GroupCommit, delivery_id: int, attempts: int, now: float) -> None:
    """One statement through the store's group commit (`Store.execute`): deliveries that
    finish together share a commit."""
    await commit(
        "UPDATE deliveries SET state = ?, attempts = ?, finished_at = ?,"
        " locked_until = NULL, last_error = NULL WHERE id = ?",
        (PENDING.to(DeliveryState.DELIVERED), attempts, now, delivery_id),
    )


async def mark_failed(
    db: Connection, delivery_id: int, attempts: int, now: float, reason: str
) -> None:
    """Given up on for good, with the reason the operator sees."""
    await db.execute(
        "UPDATE deliveries SET state = ?, attempts = ?, finished_at = ?,"
        " locked_until = NULL, last_error = ? WHERE id = ?",
        (PENDING.to(DeliveryState.FAILED), attempts, now, reason, delivery_id),
    )


async def retry_later(
    db: Connection, delivery_id: int, attempts: int, next_attempt_at: float, reason: str
) -> None:
    await db.execute(
        "UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?,"
        " locked_until = NULL, last_error = ? WHERE id = ?",
        (PENDING.to(PENDING), attempts, next_attempt_at, reason, delivery_id),
    )


async def for_operator(db: Connection, hidden: str | None) -> list[sqlite3.Row]:
    """Every row but those in state `hidden` (None: all), oldest first, with its activity's
    type."""
    async with db.execute(
        "SELECT d.*, a.type FROM deliveries d JOIN activities a ON a.id = d.activity_id "
        "WHERE ? IS NULL OR state != ? ORDER BY d.created_at",
        (hidden, hidden),
    ) as cur:
        return await cur.fetchall()


# --- held while their server is unavailable (node/outbox/availability.py) -------------------


async def hold(db: Connection, row_id: int, until: float, reason: str) -> None:
    """Not sent: due again at `until` (when it would be given up anyway), with the reason."""
    await db.execute(
        "UPDATE deliveries SET state = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
        (DeliveryState.PENDING.to(DeliveryState.PENDING), until, reason, row_id),
    )


async def end_unsent(db: Connection, row_id: int, now: float, reason: str) -> None:
    """Given up without an attempt: its server stayed unavailable for all of its time."""
    await db.execute(
        "UPDATE deliveries SET state = ?, finished_at = ?, locked_until = NULL, last_error = ?"
        " WHERE id = ?",
        (DeliveryState.PENDING.to(DeliveryState.FAILED), now, reason, row_id),
    )


async def release_origin(db: Connection, origin: str, now: float) -> int:
    """Every pending delivery to `origin` due now: its server answers again."""
    prefix = origin + "/"
    cursor = await db.execute(
        "UPDATE deliveries SET next_attempt_at = ?, last_error = NULL WHERE state = ?"
        " AND substr(inbox, 1, ?) = ? AND next_attempt_at > ?",
        (now, DeliveryState.PENDING, len(prefix), prefix, now),
    )
    if cursor.rowcount:
        db.added_to(QUEUE)
    return cursor.rowcount


# --- the team's dashboard (issue 14) ---------------------------------------------------------


async def count_failing(db: Connection) -> int:
    """Deliveries given up on, and those still pending after a failed attempt."""
    return await db.integer(
        "SELECT COUNT(*) FROM deliveries WHERE state = ? OR (state = ? AND last_error IS NOT NULL)",
        (DeliveryState.FAILED, PENDING),
    )


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def inboxes_of_signer(db: Connection, signer: str) -> list[str]:
    """Every inbox something signed by a local actor was sent to (whatever became of it):
    the servers that may hold their actor or objects."""
    async with db.execute(
        "SELECT DISTINCT inbox FROM deliveries WHERE signer = ? ORDER BY inbox", (signer,)
    ) as cur:
        return [str(r[0]) for r in await cur.fetchall()]


# --- the team's page of deliveries (node/web/team/deliveries.py) ----------------------------


async def unfinished_or_failed(db: Connection, limit: int) -> list[sqlite3.Row]:
    """Up to `limit` rows pending or given up on, with their activity's type: those that
    failed or wait the longest first (a page, not the whole queue of a busy node)."""
    async with db.execute(
        "SELECT d.id, d.inbox, d.state, d.attempts, d.next_attempt_at, d.last_error,"
        " d.created_at, d.finished_at, a.type FROM deliveries d"
        " JOIN activities a ON a.id = d.activity_id WHERE d.state != ?"
        " ORDER BY (d.last_error IS NULL), d.created_at LIMIT ?",
        (DeliveryState.DELIVERED, limit),
    ) as cur:
        return await cur.fetchall()


async def state_counts(db: Connection) -> dict[str, int]:
    """How many rows in each state."""
    async with db.execute("SELECT state, COUNT(*) FROM deliveries GROUP BY state") as cur:
        return {str(r[0]): int(r[1]) for r in await cur.fetchall()}


async def retry_now(db: Connection, delivery_id: int, now: float) -> bool:
    """A pending row due at once (the team's "retry now"); False when there is no pending row
    with that id (delivered or given up on: a final state)."""
    cur = await db.execute(
        "UPDATE deliveries SET state = ?, next_attempt_at = ?, locked_until = NULL"
        " WHERE id = ? AND state = ?",
        (PENDING.to(PENDING), now, delivery_id, PENDING),
    )
    if cur.rowcount:
        db.added_to(QUEUE)
    return cur.rowcount > 0


# --- what a place's team sends and must hear the answer to (issue 15) --------------------


async def enqueue_leased(
    db: Connection, activity_id: str, inbox: str, signer: str, now: float, until: float
) -> int:
    """One activity to one inbox that the caller sends itself at once (a vote, whose refusal
    its sender must hear): queued and held until `until`, so that the delivery worker sends
    it only if the caller never finishes. Returns the row's id."""
    await enqueue(db, activity_id, inbox, signer, now)
    await db.execute(
        "UPDATE deliveries SET locked_until = ? WHERE activity_id = ? AND inbox = ?",
        (until, activity_id, inbox),
    )
    return await db.integer(
        "SELECT id FROM deliveries WHERE activity_id = ? AND inbox = ?", (activity_id, inbox)
    )


async def by_id(db: Connection, delivery_id: int) -> sqlite3.Row | None:
    async with db.execute("SELECT * FROM deliveries WHERE id = ?", (delivery_id,)) as cur:
        row: sqlite3.Row | None = await cur.fetchone()
    return row
