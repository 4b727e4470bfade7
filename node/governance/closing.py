"""The close of a network's proposals: the result published, the decision applied.

Crash-safe as the claim runs are: a proposal stays `open` in `decisions` until the one
transaction that stores its signed result, applies it (an admission, a rule) and queues its
announcements commits; a node stopped at the close closes it at its next start. Votes are
taken in a transaction that checks the proposal is still open (network._vote_arrived), so a
vote is in the result or was refused, never lost between the two.

The result is signed by the Group (`eddsa-jcs-2022`, its Ed25519 key): its `members` is the
membership at the close, dated by `published`, which `decision verify` takes from it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from vocab.context import DOCUMENT_CONTEXT

from ..actors import local
from ..config import tuning
from ..errors import FederationError
from ..ledger import proof
from ..outbox.publish import emit
from ..tables import decision_votes, decisions, network_members, networks
from ..worker import Worker
from . import decision, network
from .group import decisions_url

if TYPE_CHECKING:
    from ..context import Node

log = logging.getLogger(__name__)
# Seconds between two looks for proposals whose close has passed: one indexed read, so a
# close is published within a second of its time.
POLL = 1.0


def result_id(proposal_id: str) -> str:
    return f"{proposal_id}/result"


class DecisionCloser(Worker):
    name = "decision-closer"

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node
        self.poll = tuning("decisions_poll", POLL)

    async def _run(self) -> None:
        while True:
            try:
                await close_due(self.node)
            except Exception:  # the closer must outlive one bad pass
                log.exception("closing decisions failed")
            await asyncio.sleep(self.poll)


async def close_due(node: Node, now: float | None = None) -> list[str]:
    """Close every hosted proposal whose close has passed; the ids closed."""
    now = time.time() if now is None else now
    closed = []
    for row in await decisions.due(node.store.reads, now):
        if await close_one(node, str(row["id"])):
            closed.append(str(row["id"]))
    return closed


async def close_one(node: Node, decision_id: str) -> bool:
    row = await decisions.find(node.store.reads, decision_id)
    if row is None or row["state"] != "open":
        return False
    proposal = decision.Proposal.from_json(json.loads(row["proposal"]))
    if proposal.kind == "admit" and isinstance(proposal.subject, str):
        try:  # its actor cached, so that the announcements reach it (outside the transaction)
            await node.directory.get(proposal.subject)
        except FederationError as exc:
            log.info("admitted place %s not reachable now: %s", proposal.subject, exc.log)
    group = await local.by_id(node.store, proposal.network)
    if group is None:
        return False
    async with node.store.write() as db:
        now = time.time()
        ballots = []
        for vote in await decision_votes.of_decision(db, proposal.id):
            ballots.append(decision.parse_vote(json.loads(vote["document"])))
        members = await network_members.members(db, proposal.network)
        result = decision.result(result_id(proposal.id), proposal, ballots, members, now)
        # Signed as it is served (with its context), so that what anyone fetches verifies.
        result = {"@context": DOCUMENT_CONTEXT, **result}
        signed = proof.sign(result, group.keys.ed25519_private, group.ed25519_key_id)
        if not await decisions.close(db, proposal.id, signed, now):
            return False
        if signed["outcome"] == "adopted":
            await _apply(db, node, group, proposal)
        told = sorted(set(members) | set(await network_members.members(db, group.id)))
        await emit(db, node, group, {
            "type": "Add", "actor": group.id, "object": signed,
            "target": decisions_url(group.id), "to": told,
        })  # fmt: skip
    log.info("decision %s closed: %s", proposal.id, signed["outcome"])
    return True


async def _apply(db: Any, node: Node, group: local.LocalActor, proposal: decision.Proposal) -> None:
    """What an adopted decision changes, at the close, with no one to ask."""
    if proposal.kind == "admit" and isinstance(proposal.subject, str):
        if proposal.subject not in await network_members.members(db, group.id):
            await network.admitted(db, node, group, proposal.subject)
    elif proposal.kind == "rule" and isinstance(proposal.subject, dict):
        row = await networks.find(db, group.id)
        rules = json.loads(row["rules"]) if row else {}
        rules[str(proposal.subject["name"])] = proposal.subject["value"]
        await networks.set_rules(db, group.id, rules, time.time())
        await network.announce_rules(db, node, group,
                                     await network_members.members(db, group.id))  # fmt: skip
    # A step adopted is recorded in the result; the step itself lives with the commons.
