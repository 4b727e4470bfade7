"""Incoming HTTP, at the server: how long a client may take to send its request, how large
its headers may be, how many connections are served, and how uvicorn is run with them.

uvicorn bounds none of this on its own. Measured with uvicorn 0.54 and httptools: a client
that sends its request line and headers one byte every second keeps its connection for as
long as it likes (uvicorn's keep-alive timer only runs between requests, and any byte stops
it), a connection that sends nothing is never closed, and a header line grows without limit
in the parser's buffer. `DeadlineProtocol` adds, per request:

- a header deadline, from the connection's opening or the first byte of a request to the end
  of its headers: past it, 408 and the connection is closed;
- a header size: past it, 431 and closed;
- a body deadline, from the end of the headers to the end of the body: past it, 408 if the
  app has not answered yet, and closed. The handler reading the body sees the client gone
  (`node.incoming.read_bounded` turns that into a 408 of its own, which nobody reads);
- a connection answered before its body ended (a 413) and then idle is closed at the header
  deadline: uvicorn's keep-alive timer, stopped by that body's bytes, would never close it.

Sizes of bodies are the app's (`node.incoming`): it knows which route takes how much.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)

HEADER_TIMEOUT = 10.0  # seconds for a request line and its headers: a peer sends them at once
BODY_TIMEOUT = 30.0  # seconds for a body of at most 1 MB: 270 kbit/s is enough
# The proxies trusted to say the visitor's address: the HTTPS proxy on the same machine. One in
# another container (docker/compose.yaml) is at an address of the project's network.
FORWARDED_ALLOW_IPS = "127.0.0.1"
KEEP_ALIVE = 5  # seconds an idle connection is kept between requests (uvicorn's default)
MAX_HEADER_BYTES = 32_768  # request line and headers: a signed POST sends about 2 KB
# Connections open at once past which uvicorn answers 503 (`limit_concurrency`). Half-open
# connections count: the header deadline is what frees them.
MAX_CONNECTIONS = 1000


@dataclass(frozen=True)
class ServeLimits:
    """What `interlieux serve` bounds, with its flags' defaults."""

    header_timeout: float = HEADER_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    keep_alive: int = KEEP_ALIVE
    max_header_bytes: int = MAX_HEADER_BYTES
    max_connections: int = MAX_CONNECTIONS


def _refusal(status: int, reason: str, text: str) -> bytes:
    body = text.encode()
    return (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode() + body


HEADERS_TOO_SLOW = _refusal(408, "Request Timeout", "En-têtes trop lents / headers took too long\n")
BODY_TOO_SLOW = _refusal(408, "Request Timeout", "Corps trop lent / body took too long\n")
HEADERS_TOO_LARGE = _refusal(
    431, "Request Header Fields Too Large", "En-têtes trop gros / headers too large\n"
)


class DeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the deadlines and the header size above. The parser
    callbacks it extends are httptools' (stable); each calls uvicorn's own first or last."""

    limits = ServeLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._in_headers = True  # the next bytes received are a request line and headers
        self._header_bytes = 0
        self._completed = False  # a request ended inside the chunk being parsed
        self._request_started = False

    def _arm(self, seconds: float, on_expiry: Any) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, on_expiry)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # A connection that never sends a byte is closed at the header deadline too.
        self._arm(self.limits.header_timeout, self._headers_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._completed = False
        super().data_received(data)
        if self._in_headers and not self._completed and not self.transport.is_closing():
            # In the headers before and after the whole chunk: all of it was headers. (A chunk
            # where a request ends and the next begins is not counted: the count then misses
            # at most one read, 256 KB, of the next request's headers.)
            self._header_bytes += len(data)
            if self._header_bytes > self.limits.max_header_bytes:
                self._refuse(HEADERS_TOO_LARGE)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._request_started = True
        self._arm(self.limits.header_timeout, self._headers_too_slow)

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._header_bytes = 0
        self._arm(self.limits.body_timeout, self._body_too_slow)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        self._in_headers = True
        self._completed = True
        self._request_started = False
        super().on_message_complete()
        if self.cycle is not None and self.cycle.response_complete:
            # Answered before its body ended (a 413): uvicorn's keep-alive timer ran from the
            # answer and the body's bytes stopped it, so the idle connection is bounded here.
            self._arm(self.limits.header_timeout, self._headers_too_slow)

    def _headers_too_slow(self) -> None:
        self._deadline = None
        if self._request_started:
            self._refuse(HEADERS_TOO_SLOW)
        elif not self.transport.is_closing():
            self.transport.close()  # nothing asked, nothing to answer

    def _body_too_slow(self) -> None:
        self._deadline = None
        cycle = self.cycle
        if cycle is not None and not cycle.response_started:
            # The app's handler is waiting for the body: it sees the client gone and its
            # answer, if any, goes nowhere.
            cycle.disconnected = True
            cycle.message_event.set()
            self._refuse(BODY_TOO_SLOW)
        elif not self.transport.is_closing():
            self.transport.close()

    def _refuse(self, response: bytes) -> None:
        if self.transport.is_closing():
            return
        log.info("%s: %s", self.client, response.split(b"\r\n", 1)[0].decode())
        self.transport.write(response)
        self.transport.close()


def protocol_with(limits: ServeLimits) -> type[DeadlineProtocol]:
    """A protocol class bound to `limits` (uvicorn builds one protocol per connection)."""
    return type("NodeProtocol", (DeadlineProtocol,), {"limits": limits})


GC_THRESHOLDS = (50_000, 20, 100)  # generations 0, 1, 2 (the defaults: 700, 10, 10)


def serve(
    app: ASGIApp, host: str, port: int, limits: ServeLimits,
    forwarded_allow_ips: str = FORWARDED_ALLOW_IPS,
) -> None:  # fmt: skip
    """Run the node. `forwarded_allow_ips`: the proxies whose X-Forwarded-For and
    X-Forwarded-Proto uvicorn believes, so that the per-address limits see the visitor's
    address, not the proxy's (any other sender's headers are ignored)."""
    # Each request allocates thousands of short-lived containers (parsed JSON, rows, scopes)
    # and frees nearly all of them by reference counting; at the default threshold (700) the
    # cycle collector still ran every few requests, walking what the imports made each time.
    # Frozen, those are never walked again; the larger threshold took 3 % off the inbox's
    # CPU per request (bench/inbox.py), and the memory after the bench stays in its bound.
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        http=protocol_with(limits),
        limit_concurrency=limits.max_connections,
        timeout_keep_alive=limits.keep_alive,
        log_level="warning",
        lifespan="on",
    )
