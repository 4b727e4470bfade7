"""Activities a place's team sends to a network and must hear the answer to at once.

A vote, a proposal or a join request is published like every activity (`outbox.publish`: the
routes' checks and effects, stored and queued in one transaction), then posted by the command
itself through the delivery worker's own attempt (`outbox.delivery.deliver`), so that a
refusal (a vote after the close, from a place that is not a member) is told to the team with
the network's reason, not found days later in `deliveries`. The queued row is held (`LEASE`)
while the command posts: if the command dies, the delivery worker sends it when the hold runs
out; if the network's node does not answer, the row is left to the worker, which retries it
as any delivery.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import knocking
from ..actors.local import LocalActor
from ..bounds import check_bounds
from ..config import tuning
from ..errors import ConfigError
from ..outbox.delivery import LEASE, Outcome, Schedule, deliver
from ..outbox.publish import checked, commit
from ..tables import deliveries
from . import decision

if TYPE_CHECKING:
    from ..context import Node


@dataclass(frozen=True)
class Answer:
    """What the network's node said: `status` None when it did not answer (then queued, unless
    the delivery was given up at once: an address this node must not reach)."""

    status: int | None
    error: str = ""
    given_up: bool = False

    @property
    def taken(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def queued(self) -> bool:
        return self.status is None and not self.given_up

    @property
    def refused(self) -> bool:
        return self.status is not None and 400 <= self.status < 500 and self.status not in (
            408, 429)  # fmt: skip


async def send_now(node: Node, actor: LocalActor, activity: dict[str, Any]) -> Answer:
    """Publish `activity` as any local actor's (bounds, ownership, the routes' validators and
    publishing effects), then deliver it at once; to a local recipient (the network hosted on
    this node), its arrival is checked here as the inbox would (`routing.arrived`). The
    routes' publishing effects may complete `activity` in place (an Update's object)."""
    check_bounds(activity)
    out = await checked(node, actor, activity)
    if out.local:
        await node.routing.arrived(node, out.activity)  # raises the refusal, as the inbox
    lease = tuning("delivery_lease", LEASE)
    rows = await commit(node, out, lease_until=time.time() + lease)
    schedule, knocks = Schedule.from_environment(), knocking.Knocks(node.store)
    answer = Answer(202)
    for row_id in rows:
        row = await deliveries.by_id(node.store.reads, row_id)
        if row is not None:
            answer = _answer(await deliver(node, dict(row), schedule, knocks, lease))
    return answer


def _answer(outcome: Outcome) -> Answer:
    """The team's answer from one delivery's outcome: taken, refused with the peer's reason,
    or queued (None) when the delivery worker tries it again."""
    error = outcome.error
    if error is None:
        return Answer(outcome.status)
    reason = outcome.reason or error.log
    if outcome.status is None:
        return Answer(None, reason, given_up=not error.retry)
    if error.retry:
        return Answer(None, reason)
    return Answer(outcome.status, reason)


def refusal(answer: Answer) -> ConfigError:
    """What the team reads when the network did not take it and it is not queued either."""
    if answer.given_up:
        return ConfigError(
            f"the network cannot be reached: {answer.error}",
            fr=f"Le nœud du réseau est injoignable depuis ce nœud ({answer.error}) : rien n'a "
            "été envoyé ; vérifiez l'adresse du réseau.",
            en=f"The network's node cannot be reached from this node ({answer.error}): nothing "
            "was sent; check the network's address.",
        )
    return ConfigError(
        f"the network refused: {answer.status} {answer.error}",
        fr=f"Le réseau a refusé ({answer.status}) : {_french(answer.error)}",
        en=f"The network refused ({answer.status}): {answer.error or 'no reason given'}",
    )


def _french(error: str) -> str:
    """The network's reason, in French when it is one of a vote's refusals."""
    for reason, english in decision.REASONS_EN.items():
        if english in error:
            return decision.REASONS_FR[reason]
    return error or "sans raison donnée"
