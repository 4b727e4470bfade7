"""Who may read a document: the one "public" rule, and its SQL form giving the same answers."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from node.audience import is_public, is_public_address
from node.tables.public import PUBLIC_SQL

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
FOLLOWERS = "https://lieu.example/actors/lieu/followers"

CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("full IRI in to", {"to": [PUBLIC]}, True),
    ("compacted as:Public", {"to": ["as:Public"]}, True),
    ("bare Public", {"to": ["Public"]}, True),
    ("cc only, as Mastodon's unlisted posts", {"to": [FOLLOWERS], "cc": [PUBLIC]}, True),
    ("a lone string, not a list", {"to": PUBLIC}, True),
    ("bto", {"bto": ["as:Public"]}, True),
    ("bcc", {"bcc": [PUBLIC]}, True),
    ("audience", {"audience": "Public"}, True),
    ("an embedded collection with its id", {"cc": [{"id": PUBLIC, "type": "Collection"}]}, True),
    ("followers only", {"to": [FOLLOWERS]}, False),
    ("no addressing", {}, False),
    ("null", {"to": None}, False),
    ("a look-alike ending in #Public", {"to": ["https://evil.example/#Public"]}, False),
    ("another case", {"to": ["as:public"]}, False),
    ("Public named outside the addressing", {"tag": [PUBLIC], "to": [FOLLOWERS]}, False),
]


@pytest.mark.parametrize(("document", "public"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_public_means_addressed_to_public_in_any_addressing_property(
    document: dict[str, Any], public: bool
) -> None:
    assert is_public(document) is public


@pytest.mark.parametrize(("document", "public"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_sql_form_agrees_with_the_python_rule(document: dict[str, Any], public: bool) -> None:
    db = sqlite3.connect(":memory:")
    # A `type` and a `value` column, as the tables it runs on have: the rule must not read them.
    db.execute("CREATE TABLE objects (type TEXT, value TEXT, document TEXT)")
    db.execute("INSERT INTO objects VALUES ('Note', ?, ?)", (PUBLIC, json.dumps(document)))
    (found,) = db.execute(f"SELECT COUNT(*) FROM objects WHERE {PUBLIC_SQL}").fetchone()
    assert found == int(public)


def test_each_spelling_of_public_is_an_address_of_it() -> None:
    assert all(map(is_public_address, [PUBLIC, "as:Public", "Public"]))
    assert not is_public_address(FOLLOWERS)
