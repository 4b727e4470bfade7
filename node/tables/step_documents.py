"""The `step_documents` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import json
from typing import Any

from ..sqlite import Connection

SCHEMA = """
-- Each improvement step this node holds, as its home published it: the budget lines, the
-- contributors and the evaluation criteria every node's step page shows and every node's
-- evaluation summary reads. A step is final once published: the first copy stands (the
-- `steps` row beside it holds the parsed totals' fields).
CREATE TABLE IF NOT EXISTS step_documents (
    id TEXT PRIMARY KEY,                   -- the Step's id, on its home node
    document TEXT NOT NULL,                -- the Step as received (or fetched from its home)
    received_at REAL NOT NULL
);
"""


async def add(db: Connection, step_id: str, document: dict[str, Any], now: float) -> None:
    await db.execute(
        "INSERT OR IGNORE INTO step_documents (id, document, received_at) VALUES (?, ?, ?)",
        (step_id, json.dumps(document), now),
    )


async def get(db: Connection, step_id: str) -> dict[str, Any] | None:
    async with db.execute("SELECT document FROM step_documents WHERE id = ?", (step_id,)) as cur:
        row = await cur.fetchone()
    return json.loads(row[0]) if row else None
