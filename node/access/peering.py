"""Which places are peers, and on what terms: a bilateral agreement, or a network both places
belong to.

A member place of a network honours the badges of every other member place, at the network's
visit rate (its `visitRate` rule, node/governance/rules.py): the network's members are the
place's peers without anyone typing `peer add`, and both sides of a claim agree on its rate
because both hold the same rules. A bilateral agreement (`peer add --visit-rate`) always wins:
no network's terms replace it, and it stays when either place leaves the network.

    networks, as their Groups announced them ─► network_terms (pure) ─► reconcile: `peers`

`reconcile` runs in the transaction that changes what the node holds of a network (a member
added or removed, the rules changed, our place leaving), so that the peers follow at once: a
claim built after an adopted rate is at the new rate, a claim already sent keeps its own. It
fetches nothing (an inbox transaction must not wait on the network): the actor documents of
the places it adds, with their badge keys, are fetched after it by `PeerKeys`, and the doors'
trust bundle honours their badges from then on.

A place that two networks share with ours: the terms of the first network by id, so that
both places pick the same (they hold the same networks).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..config import tuning
from ..errors import InterlieuxError
from ..governance.rules import visit_terms
from ..sqlite import Connection
from ..tables import networks, peers
from ..worker import Worker

if TYPE_CHECKING:
    from ..context import Node

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Network:
    """A network our place belongs to, as its Group last announced it."""

    id: str
    members: tuple[str, ...]
    rules: Mapping[str, Any]


@dataclass(frozen=True)
class Terms:
    network: str  # the Group whose rules set them
    visit_rate: str  # decimal text, as the rules say it
    currency: str


def network_terms(place: str, member_of: Iterable[Network]) -> dict[str, Terms]:
    """Every other place of the networks `place` belongs to, with the terms it has with it:
    the first network by id that says a visit rate (pure)."""
    found: dict[str, Terms] = {}
    for network in sorted(member_of, key=lambda n: n.id):
        terms = visit_terms(network.rules)
        if terms is None:
            continue  # rules not announced yet: no terms to claim with
        for member in network.members:
            if member != place and member not in found:
                found[member] = Terms(network.id, *terms)
    return found


def networks_of(rows: Iterable[Any]) -> list[Network]:
    """The networks our place is a member of, from `networks` rows."""
    out = []
    for row in rows:
        if row["place_state"] != "member":
            continue
        members = json.loads(row["members"])
        rules = json.loads(row["rules"])
        if isinstance(members, list) and isinstance(rules, dict):
            out.append(Network(str(row["id"]), tuple(str(m) for m in members), rules))
    return out


@dataclass(frozen=True)
class Changes:
    added: list[str] = field(default_factory=list)  # new peers, or new terms
    removed: list[str] = field(default_factory=list)


async def reconcile(db: Connection, place: str) -> Changes:
    """Bring the peers a network made to what the networks say: add the members, follow the
    rules' terms, drop the places no shared network holds any more. Bilateral peers are left
    as agreed."""
    wanted = network_terms(place, networks_of(await networks.every_network(db)))
    now = time.time()
    changes = Changes()
    for actor, terms in wanted.items():
        if await peers.add_from_network(
            db, actor, terms.visit_rate, terms.currency, terms.network, now
        ):
            changes.added.append(actor)
    for peer in await peers.from_networks(db):
        if peer.actor_id not in wanted and await peers.remove_from_network(db, peer.actor_id):
            changes.removed.append(peer.actor_id)
    return changes


# --- the keys of the places a network brought ----------------------------------------------


# Seconds between two looks for peers without keys: one indexed read, so that a place just
# admitted is honoured at the doors within a second or two.
POLL = 1.0
# The first retry after a failed fetch, doubled at each failure up to the cap: a member
# place's server down for a while is tried again, without being asked every few seconds.
RETRY_FIRST = 30.0
RETRY_CAP = 3600.0


@dataclass
class _Backoff:
    attempts: int = 0
    next_at: float = 0.0


class PeerKeys(Worker):
    """Fetches the actor documents (with their badge keys) of the peers that have none here:
    the places a network brought, added in the inbox's transaction. At its start it also
    reconciles the network's peers once, for a node that held networks before it made them
    peers (an upgrade). The state is the `peers` row without a cached document: a restart
    resumes; the retry schedule alone is in memory (a restart tries again at once)."""

    name = "peer-keys"

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node
        self.poll = tuning("peer_keys_poll", POLL)
        self._backoff: dict[str, _Backoff] = {}

    async def _run(self) -> None:
        try:
            async with self.node.store.write() as db:
                await reconcile(db, self.node.config.place_id)
        except Exception:  # the keys are still fetched for the peers there are
            log.exception("reconciling the networks' peers failed")
        while True:
            try:
                await self.fetch_missing()
            except Exception:  # the worker must outlive one bad pass
                log.exception("fetching peers' keys failed")
            await asyncio.sleep(self.poll)

    async def fetch_missing(self, now: float | None = None) -> list[str]:
        """One pass: fetch the due documents; the actors now known."""
        now = time.time() if now is None else now
        missing = await peers.without_keys(self.node.store.reads)
        for gone in set(self._backoff) - set(missing):
            del self._backoff[gone]
        known = []
        for actor in missing:
            backoff = self._backoff.setdefault(actor, _Backoff())
            if backoff.next_at > now or self.node.config.is_local(actor):
                continue
            try:
                await self.node.directory.get(actor)
            except InterlieuxError as exc:  # unreachable, not an actor, no key
                backoff.attempts += 1
                backoff.next_at = now + min(RETRY_CAP, RETRY_FIRST * 2 ** (backoff.attempts - 1))
                log.info("keys of peer %s not fetched (%d): %s", actor, backoff.attempts, exc.log)
                continue
            del self._backoff[actor]
            known.append(actor)
        return known
