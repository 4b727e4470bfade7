"""The place's door policy (table `door_policy`): the rules its own doors apply to every grant.

Today one rule, `card_required`: a place that wants the card itself at its doors (a QR code can
be photographed and shown by anyone) refuses a grant presented without its card. The policy
reaches the doors in the trust bundle (`trust_bundle`), so that a reader applies it offline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..store import Store


@dataclass(frozen=True)
class DoorPolicy:
    card_required: bool = False


async def load(store: Store) -> DoorPolicy:
    """The place's policy; the defaults until a team has set one."""
    row = await store.one("SELECT card_required FROM door_policy WHERE id = 1")
    return DoorPolicy(card_required=bool(row["card_required"])) if row else DoorPolicy()


async def set_card_required(store: Store, required: bool) -> DoorPolicy:
    async with store.write() as db:
        await db.execute(
            "INSERT INTO door_policy (id, card_required, updated_at) VALUES (1, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET card_required = excluded.card_required,"
            " updated_at = excluded.updated_at",
            (int(required), time.time()),
        )
    return await load(store)
