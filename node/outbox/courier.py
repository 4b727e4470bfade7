"""The courier: posts deliveries to inboxes over persistent HTTP/1.1 connections.

A delivery is one POST whose answer we read for its status, a `Retry-After` and a short
reason. On a 2-core test machine, one POST of 1.5 kB with its answer cost 1.1 ms of CPU through
httpx (its client, httpcore's pool, anyio's streams and h11's pure-Python parser), the largest
share of a public post's fan-out after the signatures; 0.18 ms through aiohttp, which costs
10 MB more in every process; 0.09 ms through the courier, which writes the request as bytes on
an asyncio stream and reads the answer with httptools, the C parser uvicorn already loads
(each figure with the same small server in the same process). Fetches (GET, redirects,
documents) stay with httpx in `fetch.py`.

The rules of `fetch.py` hold here too, with its limits: a URL `check_url` takes; the address
connected to must be one `address_allowed` admits (names are resolved here, the connection is
made to the checked address, so a name cannot resolve differently in between); header fields
that cannot split the request; an answer is cut at
`MAX_BYTES` and must arrive whole within `TOTAL_SECONDS`; TLS with certifi's authorities (as
httpx) and the host name checked.

Connections are kept per server (scheme, host, port) after a complete answer that allows it,
at most `IDLE_CONNECTIONS` in all and for `IDLE_SECONDS`. A server may close an idle connection
just as we reuse it: a POST on a reused connection that got no answer byte at all is sent once
more on a new one. Our activities carry their own `id`, which servers deduplicate, so the rare
double is harmless, where a lost delivery would not be.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import ssl
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import certifi
import httptools

from ..errors import FetchError, UnsafeAddress
from ..fetch import (
    MAX_BYTES,
    TOTAL_SECONDS,
    USER_AGENT,
    allowed_addresses,
    check_url,
    connected_allowed,
)

log = logging.getLogger(__name__)
CONNECT_SECONDS = 5.0
IDLE_CONNECTIONS = 100
IDLE_SECONDS = 15.0
READ_SIZE = 65536

Server = tuple[str, str, int]  # (scheme, host, port)


class CourierError(Exception):
    """The POST did not get a whole answer: no connection, a reset, a time-out, a malformed or
    oversized answer. The delivery is retried later."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]  # names in lower case; a repeated field keeps its last value
    body: bytes


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = 0.0

    def usable(self, now: float) -> bool:
        return (
            not self.writer.is_closing()
            and not self.reader.at_eof()
            and now - self.idle_since < IDLE_SECONDS
        )

    def close(self) -> None:
        self.writer.close()


@dataclass
class _Reading:
    """httptools' callbacks: what the answer held so far."""

    max_bytes: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytearray = field(default_factory=bytearray)
    parser: httptools.HttpResponseParser | None = None
    headers_done: bool = False
    complete: bool = False
    keep_alive: bool = False
    too_large: bool = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1").strip()

    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_body(self, chunk: bytes) -> None:
        if len(self.body) + len(chunk) > self.max_bytes:
            self.too_large = True
        else:
            self.body += chunk

    def on_message_complete(self) -> None:
        # Asked now: once the message is over, the parser has forgotten its headers.
        self.keep_alive = self.parser is not None and self.parser.should_keep_alive()
        self.complete = True


_FIELD_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9a-z]+")  # a token (RFC 9110), lower case here
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e]*")  # no line break, no control, ASCII


def request_bytes(url: str, body: bytes, headers: Mapping[str, str]) -> bytes:
    """The POST as sent: our `Host` unless the signed headers carry it, then theirs."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    fields = {"host": parts.netloc, "user-agent": USER_AGENT, "connection": "keep-alive"}
    fields.update({k.lower(): v for k, v in headers.items()})
    fields["content-length"] = str(len(body))
    lines = [f"POST {target} HTTP/1.1"]
    for name, value in fields.items():
        if not _FIELD_NAME.fullmatch(name) or not _FIELD_VALUE.fullmatch(value):
            raise FetchError(f"refusing to send a malformed header {name!r}")
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Courier:
    def __init__(
        self,
        allow_loopback: bool,
        max_bytes: int = MAX_BYTES,
        total_seconds: float = TOTAL_SECONDS,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._allow_loopback = allow_loopback
        self._max_bytes = max_bytes
        self._total = total_seconds
        self._tls = tls
        # Most recently idle last: the oldest go first when there are too many.
        self._idle: OrderedDict[int, tuple[Server, _Connection]] = OrderedDict()

    def idle_connections(self) -> int:
        return len(self._idle)

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        """POST `body` to `url` and read the whole answer, within the bounds above; each
        answer is logged (as httpx logs its requests), for a team reading what went out."""
        answer = await self._post(url, body, headers)
        log.info("POST %s %d", url, answer.status)
        return answer

    async def _post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        server = _server_of(url)
        request = request_bytes(url, body, headers)
        try:
            async with asyncio.timeout(self._total):
                reused = self._take(server)
                if reused is not None:
                    answer = await self._exchange(server, reused, request, reused=True)
                    if answer is not None:
                        return answer
                fresh = await self._connect(server)
                answer = await self._exchange(server, fresh, request, reused=False)
                assert answer is not None  # a fresh connection raises instead
                return answer
        except TimeoutError as exc:
            raise CourierError(f"POST {url}: no whole answer within {self._total:g} s") from exc

    async def aclose(self) -> None:
        for _, connection in self._idle.values():
            connection.close()
        self._idle.clear()

    def _take(self, server: Server) -> _Connection | None:
        now = time.monotonic()
        for key in [k for k, (s, _) in reversed(self._idle.items()) if s == server]:
            _, connection = self._idle.pop(key)
            if connection.usable(now):
                return connection
            connection.close()
        return None

    def _keep(self, server: Server, connection: _Connection) -> None:
        now = time.monotonic()
        connection.idle_since = now
        self._idle[id(connection)] = (server, connection)
        while len(self._idle) > IDLE_CONNECTIONS:
            _, (_, oldest) = self._idle.popitem(last=False)
            oldest.close()
        # The oldest first: stop at the first one still fresh.
        while self._idle:
            key, (_, oldest) = next(iter(self._idle.items()))
            if oldest.usable(now):
                break
            del self._idle[key]
            oldest.close()

    async def _connect(self, server: Server) -> _Connection:
        scheme, host, port = server
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise CourierError(f"cannot resolve {host}: {exc}") from exc
        allowed = allowed_addresses(host, infos, self._allow_loopback)
        tls = self._tls_context() if scheme == "https" else None
        try:
            async with asyncio.timeout(CONNECT_SECONDS):
                reader, writer = await asyncio.open_connection(
                    str(allowed[0]), port, ssl=tls, server_hostname=host if tls else None
                )
        except (OSError, TimeoutError) as exc:
            raise CourierError(f"cannot connect to {host}:{port}: {exc!r}") from exc
        peer = writer.get_extra_info("peername")
        if not connected_allowed(peer, self._allow_loopback):
            writer.close()
            raise UnsafeAddress(f"connected to forbidden address {peer}")
        return _Connection(reader, writer)

    def _tls_context(self) -> ssl.SSLContext:
        # Made at the first https delivery: loading the authorities costs a few megabytes,
        # which a node that only ever posts on loopback (tests, the demo) never needs.
        if self._tls is None:
            self._tls = ssl.create_default_context(cafile=certifi.where())
        return self._tls

    async def _exchange(
        self, server: Server, connection: _Connection, request: bytes, reused: bool
    ) -> Answer | None:
        """Send and read one answer. None: a reused connection was found closed before any
        answer came, and the caller sends again on a new one."""
        reading = _Reading(self._max_bytes)
        parser = reading.parser = httptools.HttpResponseParser(reading)
        received = False
        try:
            connection.writer.write(request)
            await connection.writer.drain()
            while not reading.complete:
                chunk = await connection.reader.read(READ_SIZE)
                if not chunk:
                    break
                received = True
                parser.feed_data(chunk)
                if reading.too_large:
                    raise CourierError(f"answer over {self._max_bytes} bytes")
        except (ConnectionError, OSError) as exc:
            connection.close()
            if reused and not received:
                return None
            raise CourierError(f"connection to {server[1]} lost: {exc!r}") from exc
        except httptools.HttpParserError as exc:
            connection.close()
            raise CourierError(f"malformed answer from {server[1]}: {exc}") from exc
        except BaseException:
            connection.close()  # a time-out or a cancel: the connection's state is unknown
            raise
        if not reading.complete:
            connection.close()
            if not received and reused:
                return None
            if not _ends_at_close(reading):
                raise CourierError(f"{server[1]} closed the connection before its answer ended")
        elif reading.keep_alive:
            self._keep(server, connection)
        else:
            connection.close()
        return Answer(parser.get_status_code(), reading.headers, bytes(reading.body))


def _ends_at_close(reading: _Reading) -> bool:
    """An answer whose body runs until the server closes (no length, not chunked) is whole
    when the connection ends after its headers."""
    return (
        reading.headers_done
        and "content-length" not in reading.headers
        and "chunked" not in reading.headers.get("transfer-encoding", "").lower()
    )


def _server_of(url: str) -> Server:
    check_url(url)
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError(f"refusing to fetch {url!r}: bad port") from exc
    return parts.scheme, parts.hostname or "", port  # check_url: there is a host
