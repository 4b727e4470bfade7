"""What the team's page tests share: a place with an address (events happen there), rows a
test writes as a peer's answers would (a settlement to confirm, a claim received), and the
checks every page needs (who may open it)."""

from __future__ import annotations

import sqlite3
from typing import Any

from tests.node.conftest import InProcessNode
from tests.node.web.session import HTML, run, sign_in_as


def with_address(place: InProcessNode) -> None:
    run(
        "place",
        "--data",
        str(place.config.data_dir),
        "--street",
        "12 rue des Arts",
        "--postal-code",
        "59000",
        "--city",
        "Lille",
    )


def write(place: InProcessNode, sql: str, params: tuple[Any, ...] = ()) -> None:
    """A row as another part of the node would write it (a peer's settlement, a claim)."""
    conn = sqlite3.connect(place.config.database)
    try:
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def signed_out(place: InProcessNode) -> None:
    """The client forgets its session (as another browser would be)."""
    place.client.cookies.clear()


def status_of(place: InProcessNode, path: str) -> int:
    return place.client.get(path, headers=HTML, follow_redirects=False).status_code


def only_for(place: InProcessNode, paths: list[str], role: str, below: str) -> None:
    """Nobody signed in is sent to sign in; a member holding only `below` gets 403; a member
    holding `role` opens each page."""
    for path in paths:
        answer = place.client.get(path, headers=HTML, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/connexion?next=")
    sign_in_as(place, "bea", below)
    for path in paths:
        assert status_of(place, path) == 403, path
    signed_out(place)
    sign_in_as(place, "carl", role)
    for path in paths:
        assert status_of(place, path) == 200, path
