"""An actor's name as a page or a feed shows it (one rule everywhere)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..origin import origin_of
from ..sqlite import Connection
from ..tables import local_actors, remote_actors

# What an erased member's id becomes in the books and the taps (`people.erasure`): the records
# stay, the name goes.
ERASED_PREFIX = "urn:interlieux:erased:"
ERASED_NAME = "compte effacé"  # pages translate it (`web.i18n`)


def _remote_name(actor_id: str, document: dict[str, Any]) -> str:
    if actor_id.startswith(ERASED_PREFIX):
        return ERASED_NAME
    name = document.get("name") or document.get("preferredUsername")
    return str(name) if isinstance(name, str) and name else origin_of(actor_id).split("://")[-1]


async def names_of(db: Connection, ids: Iterable[str]) -> dict[str, str]:
    """Every actor of `ids` with its name (the rule of `display_name`), in one query on local
    actors and one on remote ones: a page lists rows, not one query each."""
    wanted = set(ids)
    local = await local_actors.names_among(db, wanted)
    names = {actor: str(name or f"@{handle}") for actor, (name, handle) in local.items()}
    rest = wanted - names.keys()
    documents = await remote_actors.documents_among(db, rest) if rest else {}
    names.update({actor: _remote_name(actor, documents.get(actor) or {}) for actor in rest})
    return names


async def display_name(db: Connection, actor_id: str) -> str:
    """A local actor's name (its handle when it has none), or a remote one's from its last
    fetched document (`name`, else `preferredUsername`); its server's host when the node knows
    nothing of it."""
    return (await names_of(db, [actor_id]))[actor_id]
