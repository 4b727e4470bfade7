"""What the inbox refused, kept for the team diagnosing a peer (`/equipe/envois`): the last
`inbox_refusals.KEPT` refusals of requests that claimed a server's key.

Kept: a 4xx answered to a request naming a key id (a server, or someone posing as one: a bad
signature, an activity about another origin's objects, a malformed body). Not kept: requests
naming no key (anyone on the internet), 429 and 5xx (load, not a peer's mistake). At most
`PER_SECOND` are written a second, so a flood of refused requests costs a bounded number of
writes; the rest are only logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import InterlieuxError
from ..fetch import origin_of
from ..limits import claimed_key_id
from ..tables import inbox_refusals

if TYPE_CHECKING:
    from ..context import Node

log = logging.getLogger(__name__)

PER_SECOND = 5
TEXT_MAX = 500  # characters kept of a key id, an activity id, a reason

_written: dict[int, tuple[int, int]] = {}  # id(store) -> (the second, refusals written in it)


def worth_keeping(status: int, key_id: str | None) -> bool:
    """Whether a refusal says something about a peer (pure)."""
    return key_id is not None and 400 <= status < 500 and status != 429


def _within_budget(store_key: int, second: int) -> bool:
    last, used = _written.get(store_key, (second, 0))
    used = used if last == second else 0
    if used >= PER_SECOND:
        return False
    _written[store_key] = (second, used + 1)
    return True


async def remember(
    node: Node, headers: Mapping[str, str], activity: Any, error: InterlieuxError
) -> bool:
    """Keep this refusal if it is worth it and within the budget; whether it was kept."""
    key_id = claimed_key_id(headers)
    if key_id is None or not worth_keeping(error.status, key_id):
        return False
    now = time.time()
    if not _within_budget(id(node.store), int(now)):
        return False
    try:
        origin = origin_of(key_id)
    except ValueError:
        origin = "?"
    known = activity if isinstance(activity, dict) else {}
    activity_id = known.get("id") if isinstance(known.get("id"), str) else None
    kind = known.get("type") if isinstance(known.get("type"), str) else None
    try:
        await inbox_refusals.record(
            node.store.execute, now, error.status, origin[:TEXT_MAX], key_id[:TEXT_MAX],
            activity_id[:TEXT_MAX] if activity_id else None, kind[:TEXT_MAX] if kind else None,
            error.log[:TEXT_MAX],
        )  # fmt: skip
    except Exception:  # the sender still gets its refusal, not a 500 of ours
        log.exception("inbox refusal not recorded")
        return False
    return True
