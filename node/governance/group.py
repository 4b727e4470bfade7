"""What a network's `Group` actor document shows beyond an actor's: its members' collection
and its rules (the low part of the governance domain, read when the actor is served)."""

from __future__ import annotations

import json
from typing import Any

from ..sqlite import Connection
from ..tables import networks

GROUP = "Group"


def members_url(network: str) -> str:
    return f"{network}/members"


def decisions_url(network: str) -> str:
    return f"{network}/decisions"


async def group_extras(db: Connection, network: str) -> dict[str, Any]:
    row = await networks.find(db, network)
    rules = json.loads(row["rules"]) if row else {}
    return {"members": members_url(network), "rules": rules}
