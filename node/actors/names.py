"""An actor's name as a page or a feed shows it (one rule everywhere)."""

from __future__ import annotations

from ..origin import origin_of
from ..sqlite import Connection
from ..tables import local_actors, remote_actors


async def display_name(db: Connection, actor_id: str) -> str:
    """A local actor's name (its handle when it has none), or a remote one's from its last
    fetched document (`name`, else `preferredUsername`); its server's host when the node knows
    nothing of it."""
    row = await local_actors.by_id(db, actor_id)
    if row is not None:
        return str(row["name"] or f"@{row['handle']}")
    document = await remote_actors.document(db, actor_id) or {}
    name = document.get("name") or document.get("preferredUsername")
    return str(name) if isinstance(name, str) and name else origin_of(actor_id).split("://")[-1]
