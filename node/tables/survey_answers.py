"""The `survey_answers` table: its schema, and every statement that reads or writes it."""

from __future__ import annotations

import sqlite3

from ..sqlite import Connection

SCHEMA = """
-- Answers to surveys. At the survey's author: each answering place's answer, taken at its
-- arrival (an edit replaces the document; one answer per place and survey counts, its
-- latest). At the answering place (`own` 1): what our place answered, for editing it and
-- for prefilling the same questions of later surveys (nothing typed twice).
CREATE TABLE IF NOT EXISTS survey_answers (
    id TEXT PRIMARY KEY,                 -- the Answer object's id (on the answering node)
    survey TEXT NOT NULL,
    place TEXT NOT NULL,                 -- the answering place
    document TEXT NOT NULL,              -- JSON: the Answer as last sent
    published REAL NOT NULL,             -- its last edit
    own INTEGER NOT NULL,
    received_at REAL NOT NULL
);

CREATE INDEX IF NOT EXISTS survey_answers_survey ON survey_answers(survey, place);
CREATE INDEX IF NOT EXISTS survey_answers_own ON survey_answers(own, published);
"""


async def take(
    db: Connection, answer_id: str, survey: str, place: str, document: str, published: float,
    own: bool, now: float,
) -> None:  # fmt: skip
    """An answer, or its edit (same id): the document replaced, never its place."""
    await db.execute(
        "INSERT INTO survey_answers (id, survey, place, document, published, own, received_at)"
        " VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET document = excluded.document,"
        " published = excluded.published, received_at = excluded.received_at"
        " WHERE survey_answers.place = excluded.place",
        (answer_id, survey, place, document, published, int(own), now),
    )


async def find(db: Connection, answer_id: str) -> sqlite3.Row | None:
    async with db.execute("SELECT * FROM survey_answers WHERE id = ?", (answer_id,)) as cur:
        row: sqlite3.Row | None = await cur.fetchone()
        return row


async def of_survey(db: Connection, survey: str) -> list[sqlite3.Row]:
    """Every answer taken for `survey`, by place then last edit."""
    async with db.execute(
        "SELECT * FROM survey_answers WHERE survey = ? ORDER BY place, published, id", (survey,)
    ) as cur:
        return await cur.fetchall()


async def own_of(db: Connection, survey: str, place: str) -> sqlite3.Row | None:
    async with db.execute(
        "SELECT * FROM survey_answers WHERE survey = ? AND place = ? AND own = 1"
        " ORDER BY published DESC LIMIT 1",
        (survey, place),
    ) as cur:
        row: sqlite3.Row | None = await cur.fetchone()
        return row


async def own_history(db: Connection, place: str) -> list[sqlite3.Row]:
    """Our place's answers, oldest first: the later ones override for prefilling."""
    async with db.execute(
        "SELECT * FROM survey_answers WHERE own = 1 AND place = ? ORDER BY published, id",
        (place,),
    ) as cur:
        return await cur.fetchall()
