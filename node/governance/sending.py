"""Activities a place's team sends to a network and must hear the answer to at once.

A vote, a proposal or a join request is stored and queued like every activity, then posted
by the command itself, so that a refusal (a vote after the close, from a place that is not a
member) is told to the team with the network's reason, not found days later in `deliveries`.
The queued row is held (`LEASE`) while the command posts: if the command dies, the delivery
worker sends it when the hold runs out; if the network's node does not answer, the row is
released to the worker, which retries it as any delivery.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from .. import knocking
from ..actors.local import LocalActor
from ..errors import FetchError
from ..fetch import AS_CONTENT_TYPE, origin_of
from ..outbox.delivery import LEASE, public_copy
from ..outbox.publish import prepare, record
from ..tables import deliveries

if TYPE_CHECKING:
    from ..context import Node


@dataclass(frozen=True)
class Answer:
    """What the network's node said: `status` None when it did not answer (queued)."""

    status: int | None
    error: str = ""

    @property
    def taken(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def refused(self) -> bool:
        return self.status is not None and 400 <= self.status < 500 and self.status not in (
            408, 429)  # fmt: skip


async def send_now(node: Node, actor: LocalActor, activity: dict[str, Any]) -> Answer:
    """Store `activity` and deliver it at once; to a local recipient (the network hosted on
    this node), its arrival is checked here as the inbox would (`routing.arrived`)."""
    out = await prepare(node, actor, activity)
    if out.local:
        await node.routing.arrived(node, out.activity)  # raises the refusal, as the inbox
    now = time.time()
    rows: list[tuple[int, str]] = []
    async with node.store.write() as db:
        await record(db, type(out)(out.actor, out.activity, (), out.local, out.new_object))
        for inbox in out.inboxes:
            row = await deliveries.enqueue_leased(
                db, out.activity["id"], inbox, actor.handle, now, now + LEASE
            )
            rows.append((row, inbox))
    node.inbox_worker.wake()
    answer = Answer(202)
    for row, inbox in rows:
        answer = await _post(node, actor, out.activity, row, inbox)
    return answer


async def _post(
    node: Node, actor: LocalActor, activity: dict[str, Any], row: int, inbox: str
) -> Answer:
    body = json.dumps(public_copy(activity)).encode()
    key = actor.keys.rsa_private

    def signed(scheme: knocking.Scheme) -> dict[str, str]:
        headers = {"content-type": AS_CONTENT_TYPE, "accept": AS_CONTENT_TYPE}
        return knocking.sign(scheme, "POST", inbox, actor.key_id, key, body, headers)

    async def send(headers: Mapping[str, str]) -> tuple[int, httpx.Response]:
        response = await node.http.post(inbox, content=body, headers=headers)
        return response.status_code, response

    now = time.time()
    try:
        response = await knocking.knock(knocking.Knocks(node.store), origin_of(inbox), signed, send)
    except (FetchError, httpx.HTTPError) as exc:
        async with node.store.write() as db:
            await deliveries.retry_later(db, row, 1, now, f"{type(exc).__name__}: {exc}")
        return Answer(None, str(exc))
    answer = Answer(response.status_code, _error_of(response))
    if answer.taken:
        await deliveries.mark_delivered(node.store.execute, row, 1, now)
        return answer
    async with node.store.write() as db:
        if answer.refused:
            await deliveries.mark_failed(db, row, 1, now, answer.error or str(answer.status))
        else:  # 5xx, 408, 429: the worker retries it
            await deliveries.retry_later(db, row, 1, now, f"peer answered {answer.status}")
            return Answer(None, answer.error)
    return answer


def _error_of(response: httpx.Response) -> str:
    try:
        found = response.json().get("error", "")
    except (ValueError, AttributeError):
        return ""
    return found if isinstance(found, str) else ""
