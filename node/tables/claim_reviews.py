"""The `claim_review_rules` and `claim_reviews` tables: their schema, and every statement that
reads or writes them.

A place may answer the claims it receives by hand (issue 14): the lines that pass the node's
checks then wait for its team, who confirms or disputes each. The rule is the place's, and may
differ for one peer; what the team decided, by whom and why, is kept beside the line."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..sqlite import Connection

SCHEMA = """
-- Whether the claims received are answered by hand (manual = 1) or by the node's checks alone
-- (0, the default when no row says otherwise). peer = '' is the place's rule; a row for a
-- peer's actor id overrides it for that peer. Read when a claim arrives: no restart needed.
CREATE TABLE IF NOT EXISTS claim_review_rules (
    peer TEXT PRIMARY KEY,
    manual INTEGER NOT NULL,
    changed_at REAL NOT NULL
);

-- A person's decision on a line of a claim: on the home place, the team member who confirmed
-- or disputed a line held for review (decided_by, their account handle) and, for a dispute,
-- the reason they gave; on the visited place, the words of the peer's team that disputed a
-- line of ours (decided_by NULL). The line's state itself stays in `claim_lines`.
CREATE TABLE IF NOT EXISTS claim_reviews (
    claim_id TEXT NOT NULL,
    visit_id TEXT NOT NULL,
    decision TEXT NOT NULL,                -- accepted | rejected
    note TEXT NOT NULL DEFAULT '',
    decided_by TEXT,
    decided_at REAL NOT NULL,
    PRIMARY KEY (claim_id, visit_id)
);
"""

PLACE = ""  # the `peer` of the place's own rule


# --- the rules -------------------------------------------------------------------------------


async def manual_for(db: Connection, peer: str) -> bool:
    """Whether claims from `peer` are answered by hand: its own rule, else the place's."""
    async with db.execute(
        # The peer's own row (peer = '' false: 0) sorts before the place's.
        "SELECT manual FROM claim_review_rules WHERE peer IN (?, ?) ORDER BY peer = ? LIMIT 1",
        (peer, PLACE, PLACE),
    ) as cur:
        row = await cur.fetchone()
    return bool(row[0]) if row is not None else False


async def rules(db: Connection) -> dict[str, bool]:
    """Every rule written: '' (the place's) and peers' overrides, actor id -> manual."""
    async with db.execute("SELECT peer, manual FROM claim_review_rules ORDER BY peer") as cur:
        return {str(r[0]): bool(r[1]) for r in await cur.fetchall()}


async def set_rule(db: Connection, peer: str, manual: bool | None) -> None:
    """The place's rule (peer '') or a peer's; None removes a peer's own rule (it then
    follows the place's)."""
    if manual is None:
        await db.execute("DELETE FROM claim_review_rules WHERE peer = ?", (peer,))
        return
    await db.execute(
        "INSERT INTO claim_review_rules (peer, manual, changed_at) VALUES (?, ?, ?)"
        " ON CONFLICT(peer) DO UPDATE SET manual = excluded.manual,"
        " changed_at = excluded.changed_at",
        (peer, int(manual), time.time()),
    )


# --- the decisions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    decision: str  # accepted | rejected
    note: str
    decided_by: str | None
    decided_at: float


async def record(
    db: Connection,
    claim_id: str,
    decisions: Iterable[tuple[str, str, str]],
    decided_by: str | None,
    when: float,
) -> None:
    """Decisions (visit, accepted | rejected, note) on lines of a claim; a line's first
    decision is kept (a line moves once)."""
    rows = [
        (claim_id, visit, decision, note, decided_by, when) for visit, decision, note in decisions
    ]
    await db.executemany(
        "INSERT OR IGNORE INTO claim_reviews (claim_id, visit_id, decision, note, decided_by,"
        " decided_at) VALUES (?,?,?,?,?,?)",
        rows,
    )


async def of_claim(db: Connection, claim_id: str) -> dict[str, Review]:
    """visit id -> the decision a person made on that line of the claim."""
    async with db.execute(
        "SELECT visit_id, decision, note, decided_by, decided_at FROM claim_reviews"
        " WHERE claim_id = ?",
        (claim_id,),
    ) as cur:
        rows: list[Any] = list(await cur.fetchall())
    return {str(r[0]): Review(str(r[1]), str(r[2]), r[3], float(r[4])) for r in rows}
