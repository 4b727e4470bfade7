"""The `origins` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from ..sqlite import Connection

SCHEMA = """
-- Servers our deliveries keep failing to reach (node/outbox/availability.py). A row exists
-- only while an origin is failing: its first answer deletes it, so a healthy network keeps
-- this table empty and a delivery that succeeds costs no write here.
CREATE TABLE IF NOT EXISTS origins (
    origin TEXT PRIMARY KEY,        -- scheme://host[:port]: a server, not an inbox
    -- how many distinct UTC days saw a failed attempt since its last answer (Mastodon counts
    -- the same way: a server down for a week is dead for now, one down an hour a day is not
    -- until seven such days have passed without a single answer)
    failure_days INTEGER NOT NULL,
    last_failure_day TEXT NOT NULL, -- YYYY-MM-DD (UTC) of the last failure counted
    first_failure_at REAL NOT NULL,
    last_error TEXT NOT NULL,       -- the last failure's reason, shown to the operator
    -- set once failure_days reaches the threshold: nothing is sent to it any more until it
    -- answers (a signed request from it, or a delivery in flight that succeeds)
    unavailable_since REAL
);
"""


async def failing(db: Connection) -> list[tuple[str, float | None]]:
    """(origin, unavailable since or None) of every failing origin."""
    async with db.execute("SELECT origin, unavailable_since FROM origins") as cur:
        return [(str(r[0]), r[1]) for r in await cur.fetchall()]


async def record_failure(
    db: Connection, origin: str, day: str, now: float, reason: str, threshold: int
) -> float | None:
    """Count `day` once for `origin`; when its days reach `threshold`, mark it unavailable.
    Returns since when it is unavailable (None: not, or not yet)."""
    await db.execute(
        "INSERT INTO origins (origin, failure_days, last_failure_day, first_failure_at,"
        " last_error) VALUES (?, 1, ?, ?, ?)"
        " ON CONFLICT(origin) DO UPDATE SET"
        " failure_days = failure_days + (last_failure_day != excluded.last_failure_day),"
        " last_failure_day = excluded.last_failure_day, last_error = excluded.last_error",
        (origin, day, now, reason),
    )
    await db.execute(
        "UPDATE origins SET unavailable_since = ? WHERE origin = ? AND failure_days >= ?"
        " AND unavailable_since IS NULL",
        (now, origin, threshold),
    )
    async with db.execute(
        "SELECT unavailable_since FROM origins WHERE origin = ?", (origin,)
    ) as cur:
        row = await cur.fetchone()
    return None if row is None else row[0]


async def forget(db: Connection, origin: str) -> None:
    """The origin answered: it is counted as failing no more."""
    await db.execute("DELETE FROM origins WHERE origin = ?", (origin,))


async def listing(db: Connection) -> list[dict[str, object]]:
    """Every failing origin, for the operator (most failure days first)."""
    async with db.execute(
        "SELECT origin, failure_days, first_failure_at, last_error, unavailable_since"
        " FROM origins ORDER BY failure_days DESC, origin"
    ) as cur:
        return [dict(row) for row in await cur.fetchall()]
