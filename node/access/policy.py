"""The place's door policy (table `door_policy`): the rules its own doors apply to every grant.

`card_required`: a place that wants the card itself at its doors (a QR code can be photographed
and shown by anyone) refuses a grant presented without its card. `stale_own_members`: a door
cut off from its node for longer than its maximum bundle age refuses every grant
(`stale_bundle`), unless the place lets its own members in meanwhile. The policy
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
    # A door whose bundle is past its maximum age still lets the place's own members in.
    stale_own_members: bool = False


async def load(store: Store) -> DoorPolicy:
    """The place's policy; the defaults until a team has set one."""
    rules = await tables.door_policy.get(store.reads)
    if rules is None:
        return DoorPolicy()
    return DoorPolicy(card_required=rules.card_required, stale_own_members=rules.stale_own_members)


async def set_card_required(store: Store, required: bool) -> DoorPolicy:
    async with store.write() as db:
        await tables.door_policy.set_card_required(db, required, time.time())
    return await load(store)


async def set_stale_own_members(store: Store, allowed: bool) -> DoorPolicy:
    async with store.write() as db:
        await tables.door_policy.set_stale_own_members(db, allowed, time.time())
    return await load(store)
