"""Incoming HTTP, inside the app: request bodies read within a size, JSON within a depth, and
no more requests in flight than the node can hold.

Every route that reads a body reads it here (`read_bounded`, `read_json`): the size is checked
while reading, so a 200 MB body costs the node 1 MB at most, and a JSON document nested a
thousand deep is refused with 400 before any code walks it recursively. Deadlines for slow
clients are the server's business (`node/server.py`): they hold before the app sees a request.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .bounds import MAX_DEPTH
from .errors import InvalidActivity, PayloadTooLarge, RequestTimeout

MAX_BODY = 1_000_000  # bytes: an activity or an outbox post; nothing federated is larger
# Bytes of the small JSON requests a client or a door sends (a profile, an answer to a Join,
# a tap report).
MAX_CLIENT_JSON = 64_000
# JSON nesting: the one limit, also what `bounds.check_bounds` holds a received document to.
MAX_JSON_DEPTH = MAX_DEPTH
# Requests the app handles at once, past which it answers 503 with Retry-After: each one may
# hold a body of up to MAX_BODY and the store's writer, and a node serves one place.
DEFAULT_MAX_IN_FLIGHT = 64


def request_target(request: Request) -> str:
    """The path and query as the sender wrote them on its request line, which is what an HTTP
    signature covers: the path still percent-encoded as sent (`raw_path`; Starlette's
    `url.path` is decoded), then `?` and the query when there is one. Read from the ASGI
    scope, without building `request.url` for it on the inbox's hot path."""
    scope = request.scope
    raw_path: bytes | None = scope.get("raw_path")
    target = raw_path.decode("latin-1") if raw_path is not None else scope["path"]
    query: bytes = scope.get("query_string", b"")
    return f"{target}?{query.decode('latin-1')}" if query else target


async def read_bounded(request: Request, limit: int = MAX_BODY) -> bytes:
    """The body, refused with 413 as soon as it passes `limit` (declared or read so far)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit, f"declared {declared} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit, "read so far")
            chunks.append(chunk)
    except ClientDisconnect as exc:
        # The server cut a client that did not finish its body in time (or it left): nobody
        # reads the answer, but the handler must stop here rather than crash.
        raise RequestTimeout(
            "client did not finish its body",
            fr="Le corps de la requête n'est pas arrivé en entier à temps.",
            en="The request body did not arrive in full in time.",
        ) from exc
    return b"".join(chunks)


def _too_large(limit: int, what: str) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"body over {limit} bytes ({what})",
        fr=f"Corps de requête trop gros : {limit} octets au plus.",
        en=f"Request body too large: at most {limit} bytes.",
    )


def parse_json(body: bytes | str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON value of a body, or InvalidActivity (400) saying why not."""
    try:
        value = json.loads(body)
    except RecursionError:
        # The C parser gives up near the interpreter's recursion limit (about 1000 levels).
        raise _too_deep(max_depth) from None
    except ValueError as exc:
        raise InvalidActivity(
            f"body is not JSON: {exc}",
            fr=f"Le corps n'est pas du JSON lisible ({exc}).",
            en=f"The body is not readable JSON ({exc}).",
        ) from None
    if depth(value) > max_depth:
        raise _too_deep(max_depth)
    return value


def _too_deep(max_depth: int) -> InvalidActivity:
    return InvalidActivity(
        f"JSON nested deeper than {max_depth} levels",
        fr=f"JSON imbriqué sur plus de {max_depth} niveaux : refusé.",
        en=f"JSON nested deeper than {max_depth} levels: refused.",
    )


async def read_json(request: Request, limit: int = MAX_BODY) -> Any:
    return parse_json(await read_bounded(request, limit))


def depth(value: Any) -> int:
    """How deep arrays and objects nest (a scalar is 0), walked without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        stack.extend((child, level) for child in children)
    return deepest


class InFlightLimit:
    """ASGI middleware: at most `limit` HTTP requests in the app at once; the next ones are
    answered 503 with Retry-After at once, without reading their body."""

    def __init__(self, app: ASGIApp, limit: int = DEFAULT_MAX_IN_FLIGHT) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            english = Request(scope).headers.get("accept-language", "").lower().startswith("en")
            message = (
                "The node is busy: try again in a moment."
                if english
                else "Le nœud est occupé : réessayez dans un instant."
            )
            busy = JSONResponse({"error": message}, status_code=503, headers={"retry-after": "1"})
            await busy(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
