"""Outgoing fetches: which addresses are reachable, and what a fetched document must be."""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from node.errors import FetchError, UnsafeAddress
from node.fetch import (
    KEEPALIVE_CONNECTIONS,
    MAX_BYTES,
    TOTAL_SECONDS,
    ResponseTooLarge,
    address_allowed,
    client,
    fetch_document,
)


@pytest.mark.parametrize(
    ("address", "loopback_node", "allowed"),
    [
        ("93.184.216.34", False, True),
        ("2606:2800:220:1:248:1893:25c8:1946", False, True),
        ("127.0.0.1", False, False),
        ("127.0.0.1", True, True),
        ("::1", False, False),
        ("::ffff:127.0.0.1", False, False),  # IPv4-mapped loopback
        ("::ffff:10.0.0.1", True, False),  # IPv4-mapped private, even for a loopback node
        ("10.1.2.3", True, False),
        ("172.16.0.1", False, False),
        ("192.168.1.1", False, False),
        ("169.254.169.254", False, False),  # cloud metadata: link-local
        ("fe80::1", False, False),
        ("fc00::1", False, False),
        ("0.0.0.0", True, False),
        ("::", True, False),
        ("224.0.0.1", False, False),
        # IPv6 forms that carry an IPv4 address a gateway on the way turns them into.
        ("64:ff9b::7f00:1", True, True),  # NAT64 of 127.0.0.1: loopback, like it
        ("64:ff9b::a00:1", True, False),  # NAT64 of 10.0.0.1
        ("64:ff9b::a9fe:a9fe", False, False),  # NAT64 of 169.254.169.254
        ("64:ff9b::808:808", False, True),  # NAT64 of 8.8.8.8: public
        ("64:ff9b:1::808:808", False, False),  # local-use NAT64: the local network decides
        ("::a00:1", False, False),  # IPv4-compatible 10.0.0.1
        ("::c0a8:101", False, False),  # IPv4-compatible 192.168.1.1
        ("2002:a00:1::1", False, False),  # 6to4 of 10.0.0.1
    ],
)
def test_address_allowed(address: str, loopback_node: bool, allowed: bool) -> None:
    assert address_allowed(ipaddress.ip_address(address), loopback_node) is allowed


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {}
    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        status, headers, body = self.routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    as_json = {"content-type": "application/activity+json"}
    _Handler.routes = {
        "/actor": (200, as_json, json.dumps({"id": f"{base}/actor", "type": "Person"}).encode()),
        "/liar": (200, as_json, json.dumps({"id": "https://elsewhere.example/a"}).encode()),
        "/html": (200, {"content-type": "text/html"}, b"<html></html>"),
        "/huge": (200, as_json, b"[" + b" " * (MAX_BYTES + 10) + b"]"),
        # Past the C parser's recursion limit: json.loads raises RecursionError, not ValueError.
        "/deep": (200, as_json, b"[" * 5000 + b"]" * 5000),
        "/hop": (302, {"location": "/actor"}, b""),
        "/loop": (302, {"location": "/loop"}, b""),
        "/file": (302, {"location": "file:///etc/passwd"}, b""),
    }
    yield base
    httpd.shutdown()
    httpd.server_close()


async def test_a_valid_document_is_fetched(server: str) -> None:
    async with client(allow_loopback=True) as http:
        document = await fetch_document(http, f"{server}/actor", None)
    assert document["type"] == "Person"
    assert "application/activity+json" in _Handler.seen[-1]["accept"]


async def test_a_loopback_target_is_refused_for_a_public_node(server: str) -> None:
    async with client(allow_loopback=False) as http:
        with pytest.raises(UnsafeAddress):
            await fetch_document(http, f"{server}/actor", None)
        # By name too: the check is on the resolved address, not on the URL's text.
        with pytest.raises(UnsafeAddress):
            await fetch_document(http, server.replace("127.0.0.1", "localhost") + "/actor", None)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/liar", "whose id is"),
        ("/html", "not ActivityStreams"),
        ("/huge", "over"),
        ("/deep", "nested deeper"),
        ("/loop", "redirects"),
        ("/file", "only http"),
        ("/missing", "404"),
    ],
)
async def test_unacceptable_answers_are_refused(server: str, path: str, message: str) -> None:
    async with client(allow_loopback=True) as http:
        with pytest.raises(FetchError, match=message):
            await fetch_document(http, f"{server}{path}", None)


async def test_a_redirect_on_the_same_origin_is_followed(server: str) -> None:
    async with client(allow_loopback=True) as http:
        # /hop redirects to /actor, whose id is /actor: accepted as the redirect's target.
        document = await fetch_document(http, f"{server}/hop", None)
    assert document["id"].endswith("/actor")


async def test_non_http_schemes_are_refused() -> None:
    async with client(allow_loopback=True) as http:
        for url in ("file:///etc/passwd", "gopher://x/", "ftp://x/a"):
            with pytest.raises(FetchError, match="only http"):
                await fetch_document(http, url, None)


async def test_urls_that_cannot_go_on_a_request_line_are_refused(server: str) -> None:
    """Before any signing or connecting: a URL from a document is not trusted to be one."""
    async with client(allow_loopback=True) as http:
        for bad in (" /actor", "/act\x1for", "/actor\r\nx-a: 1", "/é", "/actor\x7f"):
            with pytest.raises(FetchError, match="is not allowed in a URL"):
                await fetch_document(http, f"{server}{bad}", None)


@pytest.mark.parametrize(
    "address",
    [
        "100.100.100.200",  # shared address space (a cloud metadata service lives there)
        "100.64.0.1",
        "2002:a00:1::1",  # 6to4 around 10.0.0.1
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo around 10.0.0.1
    ],
)
def test_special_ranges_and_wrapped_private_addresses_are_refused(address: str) -> None:
    assert not address_allowed(ipaddress.ip_address(address), allow_loopback=True)


class _Hostile(BaseHTTPRequestHandler):
    """A peer that answers a delivery with an endless body, or one byte every 0.2 s."""

    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(202 if self.command == "POST" else 200)
        self.send_header("content-type", "application/activity+json")
        if self.path == "/endless":
            self.send_header("content-length", str(200_000_000))
            self.end_headers()
            block = b" " * 65536
            try:
                for _ in range(200_000_000 // len(block)):
                    self.wfile.write(block)
            except OSError:  # the node hung up: that is the point
                return
        else:
            self.send_header("content-length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                return

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


async def test_a_200_mb_answer_to_a_post_is_cut_at_the_cap(hostile: str) -> None:
    async with client(allow_loopback=True) as http:
        started = time.monotonic()
        with pytest.raises(ResponseTooLarge, match=f"over {MAX_BYTES} bytes"):
            await http.post(f"{hostile}/endless", content=b"{}")
    assert time.monotonic() - started < TOTAL_SECONDS  # cut at the cap, not at the deadline


async def test_a_trickling_answer_is_cut_at_the_deadline(hostile: str) -> None:
    # Each byte comes well within the per-read time-out; only the overall deadline stops it.
    async with client(allow_loopback=True, total_seconds=1.0) as http:
        started = time.monotonic()
        with pytest.raises(ResponseTooLarge, match="in time"):
            await http.post(f"{hostile}/trickle", content=b"{}")
    assert time.monotonic() - started < 5


async def test_a_trickling_actor_fails_the_fetch_with_a_reason(hostile: str) -> None:
    async with client(allow_loopback=True, total_seconds=1.0) as http:
        with pytest.raises(FetchError, match="failed"):
            await fetch_document(http, f"{hostile}/trickle", None)


async def test_idle_connections_are_kept_within_the_bound() -> None:
    """A node that posted to many servers keeps at most KEEPALIVE_CONNECTIONS idle connections:
    the pool looks at each one at every request, so an unbounded pool slows every delivery."""

    class KeepAlive(_Handler):
        protocol_version = "HTTP/1.1"  # connections stay open after the answer

    count = KEEPALIVE_CONNECTIONS + 5
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), KeepAlive) for _ in range(count)]
    for httpd in servers:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    http = client(allow_loopback=True)
    try:
        for httpd in servers:
            answer = await http.get(f"http://127.0.0.1:{httpd.server_address[1]}/nothing")
            assert answer.status_code == 404
        pool = http._transport._inner._pool  # type: ignore[attr-defined]
        assert 0 < len(pool.connections) <= KEEPALIVE_CONNECTIONS
    finally:
        await http.aclose()
        for httpd in servers:
            httpd.shutdown()
            httpd.server_close()
