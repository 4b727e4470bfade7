"""The `step_evaluations` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import json

from ..sqlite import Connection

SCHEMA = """
-- Places' evaluations of improvement steps (a `Review` signed by the place, one score per
-- criterion the step published), whose proof this node checked, parsed. All are kept: the
-- summary (`commons.evaluation.summary`, pure) counts each place's latest before the step's
-- close, so that every node holding the same rows shows the same averages.
CREATE TABLE IF NOT EXISTS step_evaluations (
    id TEXT PRIMARY KEY,                   -- the Review's id, on the evaluating place's node
    step TEXT NOT NULL,                    -- itemReviewed
    place TEXT NOT NULL,                   -- attributedTo
    published REAL NOT NULL,               -- the evaluation's own date, signed with it
    ratings TEXT NOT NULL,                 -- JSON [[criterion, score], …], in the signed order
    comment TEXT NOT NULL,                 -- reviewBody, '' without one
    received_at REAL NOT NULL
);

CREATE INDEX IF NOT EXISTS step_evaluations_step ON step_evaluations(step);
"""

# id, place, step, published, ratings, comment (as `commons.evaluation.Evaluation`)
Row = tuple[str, str, str, float, tuple[tuple[str, int], ...], str]


async def add(db: Connection, row: Row, now: float) -> bool:
    """Keep an evaluation; signed and final, so a second copy of an id changes nothing
    (False). A place evaluates again with a new one."""
    evaluation_id, place, step, published, ratings, comment = row
    cur = await db.execute(
        "INSERT OR IGNORE INTO step_evaluations (id, place, step, published, ratings, comment,"
        " received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (evaluation_id, place, step, published, json.dumps([list(r) for r in ratings],
                                                           ensure_ascii=False), comment, now),
    )  # fmt: skip
    return cur.rowcount > 0


async def for_step(db: Connection, step: str) -> list[Row]:
    async with db.execute(
        "SELECT id, place, step, published, ratings, comment FROM step_evaluations WHERE step = ?",
        (step,),
    ) as cur:
        return [
            (r[0], r[1], r[2], float(r[3]), tuple((str(c), int(s)) for c, s in json.loads(r[4])),
             r[5])
            for r in await cur.fetchall()
        ]  # fmt: skip
