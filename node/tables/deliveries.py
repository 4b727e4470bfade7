"""The `deliveries` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from ..queues import DeliveryState
from ..sqlite import Connection

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
    return cursor.rowcount
