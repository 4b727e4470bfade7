"""The place's door policy (table `door_policy`): the rules its own doors apply to every grant.

Today one rule, `card_required`: a place that wants the card itself at its doors (a QR code can
be photographed and shown by anyone) refuses a grant presented without its card. The policy
reaches the doors in the trust bundle (`trust_bundle`), so that a reader applies it offline.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .. import tables
from ..store import Store


@dataclass(frozen=True)
class DoorPolicy:
    card_required: bool = False


async def load(store: Store) -> DoorPolicy:
    """The place's policy; the defaults until a team has set one."""
    rules = await tables.door_policy.get(store.reads)
    return DoorPolicy(card_required=rules.card_required) if rules else DoorPolicy()


async def set_card_required(store: Store, required: bool) -> DoorPolicy:
    async with store.write() as db:
        await tables.door_policy.set_card_required(db, required, time.time())
    return await load(store)
