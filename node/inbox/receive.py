"""POST to an inbox: size, signature, shape, authorization, store, 202.

Applying the activity is a separate step (`apply.py`), run by a worker from the stored row, so
that an activity answered 202 is never lost by a crash, and a duplicate id is applied once.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..activity import authorize, check_incoming, id_of, type_of
from ..errors import InterlieuxError, InvalidActivity, PayloadTooLarge, SignatureError
from ..fetch import origin_of
from ..limits import claimed_key_id
from ..queues import InboxState
from ..signature import authenticate

if TYPE_CHECKING:
    from ..context import Node

log = logging.getLogger(__name__)
MAX_BODY = 1_000_000


async def read_bounded(request: Request, limit: int = MAX_BODY) -> bytes:
    """Read the body, refusing before parsing anything once it passes `limit`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"body of {declared} bytes is over {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"body is over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def request_target(request: Request) -> str:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return target


async def receive(node: Node, request: Request, target_handle: str | None) -> Response:
    try:
        return await _receive(node, request, target_handle)
    except InterlieuxError as exc:
        log.info("inbox refused (%s): %s", exc.status, exc.log)
        return JSONResponse({"error": exc.log}, status_code=exc.status, headers=exc.headers)


async def _receive(node: Node, request: Request, target_handle: str | None) -> Response:
    headers = {k.lower(): v for k, v in request.headers.items()}
    claimed = claimed_key_id(headers)
    if claimed is not None:
        # An origin that used up its share is refused before its body is read or any
        # signature work is done; the share is charged below, once the signature holds.
        node.throttles.inbox_before(origin_of(claimed))
    body = await read_bounded(request)
    try:
        activity: Any = json.loads(body)
    except ValueError as exc:
        raise InvalidActivity(f"body is not JSON: {exc}") from exc
    check_incoming(activity)
    # draft-cavage signs the Host as the client addressed us (behind a proxy the proxy must
    # pass it through); RFC 9421 signs the whole URL, which is ours: our base URL, not the
    # scheme and host a proxy hands us.
    url = node.config.base_url + request_target(request)
    host = headers.get("host", "").lower()
    if "signature-input" not in headers and host != node.config.host.lower():
        # draft-cavage signs the Host as the client addressed it: a request signed for another
        # server (captured there, within its Date skew) must not be replayed here. Checked
        # first: such a request costs no key fetch.
        raise SignatureError(f"signed for host {headers.get('host')!r}, not {node.config.host}")
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
    if await node.availability.answered(origin_of(signer)):
        node.delivery.wake()  # what was held for it is due
    fresh = (
        await node.store.execute(
            "INSERT OR IGNORE INTO inbox_queue (activity_id, document, received_at, target,"
            " state) VALUES (?,?,?,?,?)",
            # The body as received: what was signed, kept byte for byte.
            (activity["id"], body.decode(), time.time(), target_handle, InboxState.NEW),
        )
        == 1
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
