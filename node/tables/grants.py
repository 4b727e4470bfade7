"""The `grants` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

SCHEMA = """
-- Grants this place issued to its members. Only ids and bindings: the signed bytes are
-- the member's, on their card.
CREATE TABLE IF NOT EXISTS grants (
    grant_id TEXT PRIMARY KEY,
    member TEXT NOT NULL,                  -- actor id
    card_hash TEXT,
    not_before INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    scope TEXT NOT NULL,
    credit_account TEXT,
    issued_at REAL NOT NULL,
    revoked_at REAL
);

CREATE INDEX IF NOT EXISTS grants_member ON grants(member);
"""


# --- moved here from node/ledger (ledger-claims helper): what a claim's check reads ----------

from collections.abc import Sequence  # noqa: E402

from ..sqlite import Connection  # noqa: E402


async def terms(
    db: Connection, grant_ids: Sequence[str]
) -> list[tuple[str, int, int, float | None, str | None]]:
    """(grant_id, not_before, expires, revoked_at, credit_account) of those of ours."""
    marks = ",".join("?" * len(grant_ids)) or "NULL"
    async with db.execute(
        "SELECT grant_id, not_before, expires, revoked_at, credit_account FROM grants"
        f" WHERE grant_id IN ({marks})",
        list(grant_ids),
    ) as cur:
        return [(r[0], r[1], r[2], r[3], r[4]) for r in await cur.fetchall()]
