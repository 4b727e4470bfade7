"""The `matching_rules` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

from collections.abc import Iterable

from ..sqlite import Connection

SCHEMA = """
-- Funders' signed matching rules (tl:MatchingRule) whose proof this node checked, parsed: one
-- row per rule and step it matches, so that a step's rules are found by index. A rule is
-- final once published (a funder publishes another one); its first copy stands.
CREATE TABLE IF NOT EXISTS matching_rules (
    id TEXT NOT NULL,                      -- the rule's id, on the funder's node
    step TEXT NOT NULL,                    -- one of the steps it funds
    funder TEXT NOT NULL,                  -- attributedTo
    ratio TEXT NOT NULL,                   -- a decimal, as signed ("1", "0.5")
    cap_per_place_cents INTEGER,           -- NULL: no cap
    currency TEXT NOT NULL,
    until REAL,                            -- endTime (POSIX); NULL: no end
    published REAL NOT NULL,
    received_at REAL NOT NULL,
    PRIMARY KEY (id, step)
);

CREATE INDEX IF NOT EXISTS matching_rules_step ON matching_rules(step);
"""

# id, step, funder, ratio, cap_per_place_cents, currency, until, published
Row = tuple[str, str, str, str, int | None, str, float | None, float]


async def add(db: Connection, rows: Iterable[Row], now: float) -> bool:
    """Keep a rule (one row per step); a rule id seen before keeps its first rows (False)."""
    rows = list(rows)
    if not rows:
        return False
    async with db.execute("SELECT 1 FROM matching_rules WHERE id = ?", (rows[0][0],)) as cur:
        if await cur.fetchone() is not None:
            return False
    for row in rows:
        await db.execute(
            "INSERT OR IGNORE INTO matching_rules (id, step, funder, ratio, cap_per_place_cents,"
            " currency, until, published, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*row, now),
        )
    return True


async def for_step(db: Connection, step_id: str) -> list[Row]:
    """Every row of the rules that fund `step_id`, each with all its steps."""
    async with db.execute(
        "SELECT id, step, funder, ratio, cap_per_place_cents, currency, until, published"
        " FROM matching_rules WHERE id IN (SELECT id FROM matching_rules WHERE step = ?)",
        (step_id,),
    ) as cur:
        return [
            (r[0], r[1], r[2], r[3], r[4], r[5], r[6], float(r[7])) for r in await cur.fetchall()
        ]


async def every(db: Connection) -> list[Row]:
    """Every rule this node holds, one row per step it funds (the observatory's totals)."""
    async with db.execute(
        "SELECT id, step, funder, ratio, cap_per_place_cents, currency, until, published"
        " FROM matching_rules"
    ) as cur:
        return [
            (r[0], r[1], r[2], r[3], r[4], r[5], r[6], float(r[7])) for r in await cur.fetchall()
        ]
