"""Outgoing HTTP that a hostile document cannot turn against the node or its network.

A remote actor chooses the URLs we fetch (its key id, its inbox, the objects it mentions), so
every fetch and delivery goes through here:

- only http(s), a bounded number of redirects, each one re-checked;
- a time-out, and a response size cap enforced while reading (a 10 GB "actor" is cut at 1 MB);
- the address actually connected to must be public: the check runs in the connection layer on
  the resolved address, so DNS rebinding (a name that resolves to a public address when checked
  and to 127.0.0.1 when connected) and IPv4-mapped IPv6 (::ffff:127.0.0.1) do not get through;
- fetched documents must be ActivityStreams and carry the `id` that was fetched, so that a
  server cannot pass off a document as another origin's.

A node whose own base URL is on loopback (development, tests) may reach loopback addresses, and
only those besides public ones.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import anyio
import httpcore
import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from . import __version__, knocking
from .errors import FetchError, InvalidActivity, UnsafeAddress
from .incoming import parse_json
from .knocking import Knocks
from .origin import origin_of as origin_of
from .origin import same_origin as same_origin
from .signature import sign_request

MAX_BYTES = 1_000_000
MAX_REDIRECTS = 3
TOTAL_SECONDS = 20.0
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# Idle connections kept for the next request to the same server, and for how long.
KEEPALIVE_CONNECTIONS = 20
KEEPALIVE_SECONDS = 5.0
USER_AGENT = f"Interlieux/{__version__}"
AS_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
AS_CONTENT_TYPE = "application/activity+json"
_AS_TYPES = ("application/activity+json", "application/ld+json")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


# Prefixes whose addresses carry an IPv4 address in their last 32 bits: a gateway on the way
# turns them into that IPv4 address, so that one is what must be public.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052, the well-known NAT64 prefix
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # RFC 4291's deprecated ::a.b.c.d
# RFC 8215's local-use NAT64 prefix translates to whatever the local network chooses.
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


def address_allowed(address: IPAddress, allow_loopback: bool) -> bool:
    """Public unicast addresses only; loopback too for a node that itself runs on loopback."""
    if address.is_loopback:
        return allow_loopback
    if isinstance(address, ipaddress.IPv6Address):
        if address in _LOCAL_NAT64:
            return False
        inner = _embedded_ipv4(address)
        if inner is not None:
            return address_allowed(inner, allow_loopback)
    # is_global, not "not is_private": shared address space (100.64.0.0/10, where some clouds
    # put their metadata service) and other special ranges are neither.
    return address.is_global and not address.is_multicast


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for on the way (mapped, 6to4, Teredo, NAT64,
    IPv4-compatible), if it stands for one: Python calls most of these `is_global` whatever
    they carry, so 64:ff9b::7f00:1 would otherwise reach 127.0.0.1 through a NAT64 gateway."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64 or address in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def allowed_addresses(host: str, infos: Iterable[Any], allow_loopback: bool) -> list[IPAddress]:
    """The addresses `host` resolved to (`getaddrinfo`'s answers) that may be connected to;
    UnsafeAddress when there is none. The connection is then made to one of these, not to
    the name, which could resolve elsewhere the second time."""
    candidates = [ipaddress.ip_address(info[4][0]) for info in infos]
    allowed = [a for a in candidates if address_allowed(a, allow_loopback)]
    if not allowed:
        raise UnsafeAddress(f"{host} resolves only to forbidden addresses {candidates}")
    return allowed


def connected_allowed(peer: Any, allow_loopback: bool) -> bool:
    """Whether the far end of a connection made (its `peername`) is an allowed address."""
    return peer is not None and address_allowed(ipaddress.ip_address(peer[0]), allow_loopback)


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves names itself and connects only to addresses that `address_allowed` admits."""

    def __init__(self, allow_loopback: bool) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_loopback = allow_loopback

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        allowed = allowed_addresses(host, infos, self._allow_loopback)
        stream = await self._inner.connect_tcp(
            str(allowed[0]), port, timeout, local_address, socket_options
        )
        peer = stream.get_extra_info("server_addr")
        if not connected_allowed(peer, self._allow_loopback):
            await stream.aclose()
            raise UnsafeAddress(f"connected to forbidden address {peer}")
        return stream

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class ResponseTooLarge(httpx.ReadError):
    """A response went over `MAX_BYTES`, or took longer than `TOTAL_SECONDS`, while read."""


class _BoundedTransport(httpx.AsyncBaseTransport):
    """Every response, whoever reads it (a fetch, a delivery's answer), is cut at `max_bytes`
    and must have arrived whole within `total` seconds: a peer answering a delivery with an
    endless body, or trickling a byte every few seconds under the per-read time-out, would
    otherwise hold a delivery slot and the memory it fills for as long as it likes."""

    def __init__(self, inner: httpx.AsyncBaseTransport, max_bytes: int, total: float) -> None:
        self._inner = inner
        self._max_bytes = max_bytes
        self._total = total

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        deadline = asyncio.get_running_loop().time() + self._total
        try:
            async with asyncio.timeout(self._total):
                response = await self._inner.handle_async_request(request)
        except TimeoutError as exc:
            raise ResponseTooLarge(f"no answer within {self._total} s", request=request) from exc
        inner = response.stream
        assert isinstance(inner, httpx.AsyncByteStream)
        response.stream = _BoundedStream(inner, self._max_bytes, deadline, request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class _BoundedStream(httpx.AsyncByteStream):
    def __init__(
        self, inner: httpx.AsyncByteStream, max_bytes: int, deadline: float, request: httpx.Request
    ) -> None:
        self._inner = inner
        self._max_bytes = max_bytes
        self._deadline = deadline
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        size = 0
        chunks = self._inner.__aiter__()
        loop = asyncio.get_running_loop()
        while True:
            remaining = self._deadline - loop.time()
            try:
                if remaining <= 0:
                    raise TimeoutError
                async with asyncio.timeout(remaining):
                    chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except TimeoutError as exc:
                raise ResponseTooLarge(
                    "response not read whole in time", request=self._request
                ) from exc
            size += len(chunk)
            if size > self._max_bytes:
                raise ResponseTooLarge(
                    f"response over {self._max_bytes} bytes", request=self._request
                )
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


def client(
    allow_loopback: bool, max_bytes: int = MAX_BYTES, total_seconds: float = TOTAL_SECONDS
) -> httpx.AsyncClient:
    """An httpx client whose every connection goes through the address guard, and every
    response through the size and time bounds."""
    transport = httpx.AsyncHTTPTransport(retries=0)
    # httpx does not expose the network backend; swapping the pool is the documented httpcore
    # way to choose one, and keeps httpx's request/response mapping.
    transport._pool = httpcore.AsyncConnectionPool(
        network_backend=_GuardedBackend(allow_loopback),
        max_connections=100,
        # httpx's own defaults, which a pool made by hand does not get: without them every
        # connection ever opened stays in the pool for good, and httpcore looks at each of
        # them (a readability check, a system call) at every request and every response.
        max_keepalive_connections=KEEPALIVE_CONNECTIONS,
        keepalive_expiry=KEEPALIVE_SECONDS,
        http2=False,
    )
    return httpx.AsyncClient(
        transport=_BoundedTransport(transport, max_bytes, total_seconds),
        timeout=TIMEOUT,
        follow_redirects=False,
        headers={"user-agent": USER_AGENT},
    )


_NOT_IN_URLS = re.compile(r"[^\x21-\x7e]")  # spaces, control characters, non-ASCII


def check_url(url: str) -> None:
    """An http(s) URL that can go on a request line as it is: one with a space, a control
    character or a line break would be refused by httpx, or split a request of the courier's
    in two (a URL with non-ASCII characters is sent percent-encoded by its publisher)."""
    found = _NOT_IN_URLS.search(url)
    if found:
        raise FetchError(f"refusing to fetch {url!r}: {found.group()!r} is not allowed in a URL")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"refusing to fetch {url!r}: only http(s) URLs")


Signer = tuple[str, rsa.RSAPrivateKey]  # (key id, private key)


async def fetch_document(
    http: httpx.AsyncClient, url: str, signer: Signer | None, knocks: Knocks | None = None
) -> dict[str, Any]:
    """GET an ActivityStreams document, signed, with every safety rule above.

    With `knocks`, the GET is signed with RFC 9421 first, again with draft-cavage if refused
    (see `knocking.py`); without, with draft-cavage alone."""
    start = url.split("#", 1)[0]
    current = start
    for _ in range(MAX_REDIRECTS + 1):
        check_url(current)
        body, response = await _signed_get(http, current, signer, knocks)
        if response.is_redirect:
            location = response.headers.get("location")
            if not location:
                raise FetchError(f"{current} redirects nowhere")
            current = urljoin(current, location)
            continue
        if response.status_code != 200:
            raise FetchError(f"GET {current} answered {response.status_code}")
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in _AS_TYPES:
            raise FetchError(f"GET {current} is {content_type or 'untyped'}, not ActivityStreams")
        try:
            # The inbox's reader: bounded depth (a deeply nested document raises
            # RecursionError in json.loads, which no caller expects).
            document = parse_json(body)
        except InvalidActivity as exc:
            raise FetchError(f"GET {current} is not usable JSON: {exc.log}") from exc
        if not isinstance(document, dict):
            raise FetchError(f"GET {current} is not a JSON object")
        # The id must be what we asked for (or where we were redirected on the same origin),
        # else any server could serve a document claiming another origin's id.
        doc_id = document.get("id")
        # ...and on the origin that actually served it: through an open redirect elsewhere,
        # a server could otherwise answer for an id on the redirecting site's origin.
        if doc_id not in (start, current) or not same_origin(str(doc_id), current):
            raise FetchError(f"GET {start} returned a document whose id is {doc_id!r}")
        return document
    raise FetchError(f"GET {start}: more than {MAX_REDIRECTS} redirects")


async def _signed_get(
    http: httpx.AsyncClient, url: str, signer: Signer | None, knocks: Knocks | None
) -> tuple[bytes, httpx.Response]:
    accept = {"accept": AS_ACCEPT}
    if signer is None:
        return await _bounded_get(http, url, accept)
    if knocks is None:
        headers = sign_request("GET", url, signer[0], signer[1], extra_headers=accept)
        return await _bounded_get(http, url, headers)
    key_id, private_key = signer

    def signed(scheme: knocking.Scheme) -> dict[str, str]:
        return knocking.sign(scheme, "GET", url, key_id, private_key, None, accept)

    async def send(headers: Mapping[str, str]) -> tuple[int, tuple[bytes, httpx.Response]]:
        body, response = await _bounded_get(http, url, dict(headers))
        return response.status_code, (body, response)

    return await knocking.knock(knocks, origin_of(url), signed, send)


async def _bounded_get(
    http: httpx.AsyncClient, url: str, headers: dict[str, str]
) -> tuple[bytes, httpx.Response]:
    """GET within the client's bounds (size, overall deadline: see `_BoundedTransport`)."""
    try:
        response = await http.get(url, headers=headers)
    except httpx.HTTPError as exc:
        raise FetchError(f"GET {url} failed: {exc}") from exc
    return response.content, response
