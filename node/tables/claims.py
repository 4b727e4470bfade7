"""The `claims` and `claim_lines` tables: their schema, and every statement that reads or writes
them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from ..queues import DeliveryState
from ..sqlite import Connection

SCHEMA = """
-- Claims this place sent (direction 'sent', we are the visited place) or received ('received',
-- we are the home place). A claim id is applied once: the primary key is what makes a claim
-- that arrives twice, in the same Offer or in another, count once.
CREATE TABLE IF NOT EXISTS claims (
    id TEXT PRIMARY KEY,                   -- the tl:Claim id, minted by the visited place
    direction TEXT NOT NULL,               -- sent | received
    offer_id TEXT NOT NULL,                -- the Offer that carried it: what answers refer to
    peer TEXT NOT NULL,                    -- the other place
    period TEXT NOT NULL,                  -- YYYY-MM
    rate_cents INTEGER NOT NULL,
    currency TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    document TEXT NOT NULL,                -- the signed claim, kept to be checked again later
    created_at REAL NOT NULL,
    -- a sent claim waits for its answer; the delivery queue retries the Offer, and until an
    -- answer comes the team sees it as waiting ('claims list'), with no deadline of its own
    answered_at REAL
);

CREATE INDEX IF NOT EXISTS claims_peer ON claims(peer, period);

-- One line per visit claimed. On the sending side a visit is claimed once whatever became of
-- it (a refused line is corrected by hand in a new claim); on the receiving side an accepted
-- line is what refuses the same visit claimed again.
CREATE TABLE IF NOT EXISTS claim_lines (
    claim_id TEXT NOT NULL REFERENCES claims(id),
    visit_id TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    visited_at REAL NOT NULL,
    amount_cents INTEGER NOT NULL,
    credit_account TEXT,                   -- the home place's credit account the visit debits
    state TEXT NOT NULL DEFAULT 'pending', -- pending -> accepted | rejected
    reason TEXT,                           -- why it was rejected (a claim.REASONS_FR key)
    PRIMARY KEY (claim_id, visit_id)
);

CREATE INDEX IF NOT EXISTS claim_lines_visit ON claim_lines(visit_id, state);
"""


# A visit whose report (the Create of the tl:Visit) has not reached every recipient yet: the
# home place would refuse it as unknown, so it waits for a later claim. (Reads `visits`,
# `activities` and `deliveries`: whether a visit can be claimed yet is the claims' rule.)
_UNDELIVERED = (
    "SELECT 1 FROM activities a JOIN deliveries d ON d.activity_id = a.id"
    f" WHERE a.object_id = v.id AND a.type = 'Create' AND d.state = '{DeliveryState.PENDING}'"
)

Row = Any  # sqlite3.Row: read by column name


# --- the visited place's side ----------------------------------------------------------------


async def unclaimed_visits(db: Connection, start: float, end: float, place: str) -> list[Row]:
    """Our doors' visits of other places' members in [start, end) not in any claim we sent,
    whose report has reached the home place, by home place then time."""
    async with db.execute(
        "SELECT v.id, v.grant_id, v.issuer, v.member, v.visited_at FROM visits v"
        " WHERE v.local = 1 AND v.visited_at >= ? AND v.visited_at < ? AND v.issuer != ?"
        " AND NOT EXISTS (SELECT 1 FROM claim_lines l JOIN claims c ON c.id = l.claim_id"
        "   WHERE c.direction = 'sent' AND l.visit_id = v.id)"
        f" AND NOT EXISTS ({_UNDELIVERED})"
        " ORDER BY v.issuer, v.visited_at",
        (start, end, place),
    ) as cur:
        return list(await cur.fetchall())


async def count_unreported_visits(db: Connection, start: float, end: float) -> int:
    """Our doors' visits in [start, end) whose report is still on its way to the home place."""
    return await db.integer(
        "SELECT COUNT(*) FROM visits v WHERE v.local = 1 AND v.visited_at >= ?"
        f" AND v.visited_at < ? AND EXISTS ({_UNDELIVERED})",
        (start, end),
    )


async def add_sent(
    db: Connection,
    claim_id: str,
    offer_id: str,
    peer: str,
    period: str,
    rate_cents: int,
    currency: str,
    total_cents: int,
    document: str,
    created_at: float,
    lines: Iterable[tuple[str, str, float, int]],
) -> None:
    """A claim we sent, with its lines (visit, grant, visited_at, amount), all pending."""
    await db.execute(
        "INSERT INTO claims (id, direction, offer_id, peer, period, rate_cents, currency,"
        " total_cents, document, created_at) VALUES (?, 'sent', ?,?,?,?,?,?,?,?)",
        (claim_id, offer_id, peer, period, rate_cents, currency, total_cents, document,
         created_at),
    )  # fmt: skip
    await db.executemany(
        "INSERT INTO claim_lines (claim_id, visit_id, grant_id, visited_at,"
        " amount_cents) VALUES (?,?,?,?,?)",
        [(claim_id, *line) for line in lines],
    )


async def sent_by_offer(db: Connection, offer_id: str | None) -> Row | None:
    """(id, currency, peer) of the claim we sent in this Offer."""
    async with db.execute(
        "SELECT id, currency, peer FROM claims WHERE direction = 'sent' AND offer_id = ?",
        (offer_id,),
    ) as cur:
        return await cur.fetchone()


async def accept_line(db: Connection, claim_id: str, visit: str) -> int | None:
    """A pending line of ours accepted: its amount; None when it had already moved (a line
    moves once, so a second Accept of it books nothing)."""
    async with db.execute(
        "UPDATE claim_lines SET state = 'accepted' WHERE claim_id = ? AND visit_id = ?"
        " AND state = 'pending' RETURNING amount_cents",
        (claim_id, visit),
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row is not None else None


async def reject_line(db: Connection, claim_id: str, visit: str, reason: str) -> bool:
    """A pending line of ours refused; False when it had already moved."""
    cur = await db.execute(
        "UPDATE claim_lines SET state = 'rejected', reason = ? WHERE claim_id = ?"
        " AND visit_id = ? AND state = 'pending'",
        (reason, claim_id, visit),
    )
    return cur.rowcount > 0


async def mark_answered(db: Connection, claim_id: str, when: float) -> None:
    await db.execute("UPDATE claims SET answered_at = ? WHERE id = ?", (when, claim_id))


# --- the home place's side -------------------------------------------------------------------


async def document(db: Connection, claim_id: str) -> str | None:
    """The claim as first received or sent under this id (its JSON text), if any."""
    async with db.execute("SELECT document FROM claims WHERE id = ?", (claim_id,)) as cur:
        row = await cur.fetchone()
    return str(row[0]) if row is not None else None


async def accepted_visits(db: Connection, visit_ids: Sequence[str]) -> frozenset[str]:
    """Those of `visit_ids` already accepted in a claim we received."""
    marks = ",".join("?" * len(visit_ids)) or "NULL"
    async with db.execute(
        "SELECT l.visit_id FROM claim_lines l JOIN claims c ON c.id = l.claim_id"
        f" WHERE c.direction = 'received' AND l.state = 'accepted' AND l.visit_id IN ({marks})",
        list(visit_ids),
    ) as cur:
        return frozenset(r[0] for r in await cur.fetchall())


async def add_received(
    db: Connection,
    claim_id: str,
    offer_id: str,
    peer: str,
    period: str,
    rate_cents: int,
    currency: str,
    total_cents: int,
    document: str,
    when: float,
    lines: Iterable[tuple[str, str, float, int, str | None, str, str | None]],
) -> None:
    """A claim we received, with its lines (visit, grant, visited_at, amount, credit account,
    state, reason): answered at once, unless a line is held `pending` for the team."""
    lines = list(lines)
    answered = None if any(line[5] == "pending" for line in lines) else when
    await db.execute(
        "INSERT INTO claims (id, direction, offer_id, peer, period, rate_cents, currency,"
        " total_cents, document, created_at, answered_at)"
        " VALUES (?, 'received', ?,?,?,?,?,?,?,?,?)",
        (claim_id, offer_id, peer, period, rate_cents, currency, total_cents, document, when,
         answered),
    )  # fmt: skip
    await db.executemany(
        # OR IGNORE: a line sent twice in one claim keeps its first row (the check refuses
        # the copy; its verdict must not break the whole claim on the primary key).
        "INSERT OR IGNORE INTO claim_lines (claim_id, visit_id, grant_id, visited_at,"
        " amount_cents, credit_account, state, reason) VALUES (?,?,?,?,?,?,?,?)",
        [(claim_id, *line) for line in lines],
    )


async def received(db: Connection, claim_id: str) -> Row | None:
    """(id, offer_id, peer, period, currency) of a claim we received."""
    async with db.execute(
        "SELECT id, offer_id, peer, period, currency FROM claims"
        " WHERE id = ? AND direction = 'received'",
        (claim_id,),
    ) as cur:
        return await cur.fetchone()


async def held_lines(db: Connection, claim_id: str) -> list[Row]:
    """(visit_id, amount_cents, credit_account) of the lines of a claim we received that wait
    for the team, in the order of the visits."""
    async with db.execute(
        "SELECT l.visit_id, l.amount_cents, l.credit_account FROM claim_lines l"
        " JOIN claims c ON c.id = l.claim_id WHERE c.direction = 'received'"
        " AND l.claim_id = ? AND l.state = 'pending' ORDER BY l.visited_at, l.visit_id",
        (claim_id,),
    ) as cur:
        return list(await cur.fetchall())


async def decide_held_line(
    db: Connection, claim_id: str, visit: str, state: str, reason: str | None
) -> bool:
    """A held line of a claim we received moves to `state` (accepted | rejected); False when
    it had already moved (a line is decided once, however often the team's form is sent)."""
    cur = await db.execute(
        "UPDATE claim_lines SET state = ?, reason = ? WHERE claim_id = ? AND visit_id = ?"
        " AND state = 'pending' AND claim_id IN"
        " (SELECT id FROM claims WHERE direction = 'received')",
        (state, reason, claim_id, visit),
    )
    return cur.rowcount > 0


# --- listing ---------------------------------------------------------------------------------


async def every_claim(db: Connection) -> list[Row]:
    async with db.execute("SELECT * FROM claims ORDER BY created_at") as cur:
        return list(await cur.fetchall())


async def lines_of(db: Connection, claim_id: str) -> list[Row]:
    """(visit_id, state, reason) of each line of a claim."""
    async with db.execute(
        "SELECT visit_id, state, reason FROM claim_lines WHERE claim_id = ?", (claim_id,)
    ) as cur:
        return list(await cur.fetchall())


# --- the team's dashboard (issue 14) ---------------------------------------------------------


async def count_received_unanswered(db: Connection) -> int:
    """Claims received from peers with a line not yet accepted or rejected."""
    return await db.integer(
        "SELECT COUNT(DISTINCT c.id) FROM claims c JOIN claim_lines l ON l.claim_id = c.id"
        " WHERE c.direction = 'received' AND l.state = 'pending'"
    )


async def count_sent_unanswered(db: Connection) -> int:
    """Claims this place sent that their peer has not answered yet."""
    return await db.integer(
        "SELECT COUNT(*) FROM claims WHERE direction = 'sent' AND answered_at IS NULL"
    )


# --- the member's own data (issue 14: /moi pages, download, erasure) -----------------------


async def line_states(db: Connection, visit_ids: Sequence[str]) -> dict[str, str]:
    """visit id -> the state of its claim line (accepted wins over an earlier refusal)."""
    marks = ",".join("?" * len(visit_ids)) or "NULL"
    async with db.execute(
        f"SELECT visit_id, state FROM claim_lines WHERE visit_id IN ({marks})", list(visit_ids)
    ) as cur:
        found: dict[str, str] = {}
        for visit_id, state in await cur.fetchall():
            if found.get(visit_id) != "accepted":
                found[visit_id] = state
        return found


async def anonymize_visitor(db: Connection, member: str, marker: str) -> int:
    """The claims' documents (`tl:visitor` of their lines) name `marker` instead of an erased
    member. The JSON string is replaced whole, quotes included: no longer id is touched."""
    quoted, replacement = json.dumps(member), json.dumps(marker)
    cur = await db.execute(
        "UPDATE claims SET document = replace(document, ?, ?) WHERE instr(document, ?) > 0",
        (quoted, replacement, quoted),
    )
    return cur.rowcount


async def lines_in_full(db: Connection, claim_id: str) -> list[Row]:
    """Each line of a claim (visit_id, grant_id, visited_at, amount_cents, state, reason, and
    the visitor and door as the visit was recorded here, when it was), in the order of the
    visits: what the team's page shows."""
    async with db.execute(
        "SELECT l.visit_id, l.grant_id, l.visited_at, l.amount_cents, l.state, l.reason,"
        " v.member, v.door FROM claim_lines l LEFT JOIN visits v ON v.id = l.visit_id"
        " WHERE l.claim_id = ? ORDER BY l.visited_at, l.visit_id",
        (claim_id,),
    ) as cur:
        return list(await cur.fetchall())


async def latest(db: Connection, limit: int) -> list[Row]:
    """The latest `limit` claims, sent and received, the latest first."""
    async with db.execute("SELECT * FROM claims ORDER BY created_at DESC LIMIT ?", (limit,)) as cur:
        return list(await cur.fetchall())
