"""POST to an inbox: size, shape and bounds, signature, authorization, ownership (the sender
speaks only of its own origin's subjects: `node.ownership`), relevance (kept only from actors
we follow or that address us: `relevance.py`), store, 202.

Applying the activity is a separate step (`apply.py`), run by a worker from the stored row, so
that an activity answered 202 is never lost by a crash, and a duplicate id is applied once.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import ownership
from ..activity import authorize, check_incoming, id_of, type_of
from ..bounds import check_bounds
from ..errors import InterlieuxError
from ..fetch import origin_of
from ..incoming import parse_json, read_bounded, request_target
from ..limits import claimed_key_id
from ..signature import authenticate
from ..tables import inbox_queue
from . import refusals, relevance

if TYPE_CHECKING:
    from ..context import Node

log = logging.getLogger(__name__)


async def receive(node: Node, request: Request, target_handle: str | None) -> Response:
    try:
        return await _receive(node, request, target_handle)
    except InterlieuxError as exc:
        log.info("inbox refused (%s): %s", exc.status, exc.log)
        headers = {k.lower(): v for k, v in request.headers.items()}
        await refusals.remember(node, headers, getattr(request.state, "inbox_activity", None), exc)
        return JSONResponse({"error": exc.log}, status_code=exc.status, headers=exc.headers)


async def _receive(node: Node, request: Request, target_handle: str | None) -> Response:
    headers = {k.lower(): v for k, v in request.headers.items()}
    claimed = claimed_key_id(headers)
    if claimed is not None:
        # An origin that used up its share is refused before its body is read or any
        # signature work is done; the share is charged below, once the signature holds.
        node.throttles.inbox_before(origin_of(claimed))
    body = await read_bounded(request)
    activity: Any = parse_json(body)
    request.state.inbox_activity = activity  # what a refusal below is about (refusals.py)
    check_incoming(activity)
    check_bounds(activity)
    # RFC 9421 signs the whole URL, which is ours: our base URL, not the scheme and host a
    # proxy hands us. `authenticate` first checks that the Host is ours (no key fetch else).
    url = node.config.base_url + request_target(request)
    if _is_self_delete_of_unknown(activity) and not await node.directory.cached(
        str(id_of(activity["actor"]))
    ):
        # A deleted account's server announces the deletion to every server it knows, signed
        # with a key nobody can fetch any more; we never knew it, so there is nothing to do.
        # Answered before the signature (as Mastodon does): such a wave costs no key fetch,
        # takes nothing from the origin's limits, and the sender does not retry for days.
        return JSONResponse({"status": "ignored"}, status_code=202)
    _, signer = await authenticate(request.method, url, headers, body, node.directory.key_lookup)
    authorize(activity, signer)
    node.throttles.inbox_after(signer)
    await node.availability.answered(origin_of(signer))  # what was held for it is due
    ownership.check_received(activity, signer)
    if not await relevance.kept(node, activity):
        # Answered like an accepted one: see relevance.py for why it is not refused.
        log.info("inbox ignored %s from %s: not followed, not addressed", activity["id"], signer)
        return JSONResponse({"status": "ignored"}, status_code=202)
    # What a domain must check while the sender waits (a signed pledge's proof): a refusal
    # is answered now, with its reason, rather than dropped later in silence.
    await node.routing.arrived(node, activity)
    # The body as received: what was signed, kept byte for byte.
    fresh = await inbox_queue.enqueue(
        node.store.execute, activity["id"], body.decode(), time.time(), target_handle
    )
    if not fresh:
        # A retry or a replay: the first copy was accepted; this one changes nothing.
        return JSONResponse({"status": "duplicate"}, status_code=202)
    node.inbox_worker.wake()
    return JSONResponse({"status": "accepted"}, status_code=202)


def _is_self_delete_of_unknown(activity: dict[str, Any]) -> bool:
    return type_of(activity) == "Delete" and id_of(activity.get("object")) == id_of(
        activity.get("actor")
    )
