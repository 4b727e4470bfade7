"""The courier against real servers on loopback: what it sends, the answers it reads, the
connections it keeps, and the bounds and address rules it shares with `fetch.py`."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from node.errors import FetchError, UnsafeAddress
from node.outbox import courier
from node.outbox.courier import Courier, CourierError

ACCEPTED = b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n"


@dataclass
class Peer:
    """A server that records each request (head, body) and answers with `answer(n)`."""

    answer: Callable[[int], bytes] = lambda n: ACCEPTED
    requests: list[tuple[str, bytes]] = field(default_factory=list)
    connections: int = 0
    close_after_answer: bool = False
    hang_up_on: set[int] = field(default_factory=set)  # requests read and left unanswered
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                length = next(
                    int(line.split(":", 1)[1])
                    for line in head.split("\r\n")
                    if line.lower().startswith("content-length:")
                )
                self.requests.append((head, await reader.readexactly(length)))
                if len(self.requests) in self.hang_up_on:
                    break
                writer.write(self.answer(len(self.requests)))
                await writer.drain()
                if self.close_after_answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def serving(peer: Peer, tls: ssl.SSLContext | None = None) -> AsyncIterator[Peer]:
    server = await asyncio.start_server(peer.handle, "127.0.0.1", 0, ssl=tls)
    peer.port = server.sockets[0].getsockname()[1]
    try:
        yield peer
    finally:
        server.close()


async def test_posts_what_it_is_given_and_keeps_the_connection() -> None:
    async with serving(Peer()) as peer:
        post = Courier(allow_loopback=True)
        try:
            for n in range(3):
                answer = await post.post(
                    f"http://127.0.0.1:{peer.port}/inbox?x=1",
                    b'{"id": "%d"}' % n,
                    {"Content-Type": "application/activity+json", "signature": "sig"},
                )
                assert answer.status == 202
        finally:
            await post.aclose()
    assert peer.connections == 1
    head, body = peer.requests[2]
    assert head.startswith("POST /inbox?x=1 HTTP/1.1\r\n")
    assert f"host: 127.0.0.1:{peer.port}\r\n" in head
    assert "content-type: application/activity+json\r\n" in head
    assert "signature: sig\r\n" in head and "content-length: 11\r\n" in head
    assert body == b'{"id": "2"}'


async def test_reads_a_chunked_refusal_with_its_reason() -> None:
    refusal = (
        b"HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\nretry-after: 30\r\n"
        b"transfer-encoding: chunked\r\n\r\n"
        b'9\r\n{"error":\r\n9\r\n "blocked\r\n2\r\n"}\r\n0\r\n\r\n'
    )
    async with serving(Peer(answer=lambda n: refusal)) as peer:
        post = Courier(allow_loopback=True)
        try:
            answer = await post.post(f"http://127.0.0.1:{peer.port}/inbox", b"{}", {})
            assert (answer.status, answer.body) == (403, b'{"error": "blocked"}')
            assert answer.headers["retry-after"] == "30"
            assert post.idle_connections() == 1
        finally:
            await post.aclose()


async def test_an_answer_that_ends_when_the_server_closes_is_whole() -> None:
    ending = b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nfini"
    async with serving(Peer(answer=lambda n: ending, close_after_answer=True)) as peer:
        post = Courier(allow_loopback=True)
        try:
            for _ in range(2):
                answer = await post.post(f"http://127.0.0.1:{peer.port}/inbox", b"{}", {})
                assert (answer.status, answer.body) == (200, b"fini")
            assert post.idle_connections() == 0
        finally:
            await post.aclose()
    assert peer.connections == 2


async def test_a_connection_the_server_closed_while_idle_is_replaced_once() -> None:
    """The server answers and then hangs up, as one whose keep-alive ran out does: the next
    POST finds the kept connection dead before any answer, and goes out once on a new one."""
    async with serving(Peer(close_after_answer=True)) as peer:
        post = Courier(allow_loopback=True)
        try:
            await post.post(f"http://127.0.0.1:{peer.port}/inbox", b"1", {})
            await asyncio.sleep(0.05)  # the close reaches us while the connection is idle
            answer = await post.post(f"http://127.0.0.1:{peer.port}/inbox", b"2", {})
            assert answer.status == 202
        finally:
            await post.aclose()
    assert [body for _, body in peer.requests] == [b"1", b"2"]
    assert peer.connections == 2


async def test_a_kept_connection_dropped_under_a_request_sends_it_again() -> None:
    """The server takes the second request on the kept connection and hangs up without a
    byte of answer (it was closing as the request came): sent once more, on a new one."""
    async with serving(Peer(hang_up_on={2})) as peer:
        post = Courier(allow_loopback=True)
        try:
            await post.post(f"http://127.0.0.1:{peer.port}/inbox", b"1", {})
            answer = await post.post(f"http://127.0.0.1:{peer.port}/inbox", b"2", {})
            assert answer.status == 202
        finally:
            await post.aclose()
    assert [body for _, body in peer.requests] == [b"1", b"2", b"2"]
    assert peer.connections == 2


async def test_a_new_connection_dropped_under_a_request_is_an_error() -> None:
    """On a connection of its own, no answer means the server may have taken it: the queue
    retries later, with its backoff, rather than at once."""
    async with serving(Peer(hang_up_on={1})) as peer:
        with pytest.raises(CourierError, match="closed the connection before its answer"):
            await Courier(allow_loopback=True).post(f"http://127.0.0.1:{peer.port}/", b"1", {})
    assert len(peer.requests) == 1


async def test_idle_connections_are_kept_within_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(courier, "IDLE_CONNECTIONS", 3)
    peers = [Peer() for _ in range(5)]
    post = Courier(allow_loopback=True)
    try:
        for peer in peers:
            async with serving(peer):
                await post.post(f"http://127.0.0.1:{peer.port}/inbox", b"{}", {})
                assert post.idle_connections() <= 3
        assert post.idle_connections() == 3
    finally:
        await post.aclose()


async def test_an_endless_or_slow_answer_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    huge = b"HTTP/1.1 200 OK\r\ncontent-length: 5000\r\n\r\n" + b"x" * 5000
    async with serving(Peer(answer=lambda n: huge)) as peer:
        post = Courier(allow_loopback=True, max_bytes=1000)
        with pytest.raises(CourierError, match="over 1000 bytes"):
            await post.post(f"http://127.0.0.1:{peer.port}/inbox", b"{}", {})
        assert post.idle_connections() == 0
    trickle = b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nx"  # and never the rest
    async with serving(Peer(answer=lambda n: trickle)) as peer:
        post = Courier(allow_loopback=True, total_seconds=0.3)
        with pytest.raises(CourierError, match=r"within 0\.3 s"):
            await post.post(f"http://127.0.0.1:{peer.port}/inbox", b"{}", {})
        assert post.idle_connections() == 0


async def test_a_malformed_answer_is_an_error() -> None:
    async with serving(Peer(answer=lambda n: b"SMTP ready\r\n\r\n")) as peer:
        with pytest.raises(CourierError, match="malformed answer"):
            await Courier(allow_loopback=True).post(f"http://127.0.0.1:{peer.port}/", b"", {})


async def test_forbidden_addresses_and_urls_are_refused() -> None:
    async with serving(Peer()) as peer:
        post = Courier(allow_loopback=False)
        for host in ("127.0.0.1", "localhost", "[::ffff:127.0.0.1]"):
            with pytest.raises(UnsafeAddress):
                await post.post(f"http://{host}:{peer.port}/inbox", b"{}", {})
    assert peer.requests == []
    post = Courier(allow_loopback=True)
    for url in ("ftp://a.example/inbox", "http:///inbox", "http://a.example:99999/inbox",
                "http://a.example/in box", "http://a.example/inbox HTTP/1.1\r\nx-a: 1\r\n\r\n",
                "http://a.example/\x1f", "http://a.example/é"):  # fmt: skip
        with pytest.raises(FetchError, match="refusing to fetch"):
            await post.post(url, b"{}", {})
    for name, value in (("x-a", "1\r\nx-injected: 2"), ("x-a", "é"), ("x a", "1"), ("", "1")):
        with pytest.raises(FetchError, match="malformed header"):
            await post.post("http://127.0.0.1:9/inbox", b"{}", {name: value})


async def test_nobody_listening_is_an_error_to_retry() -> None:
    with pytest.raises(CourierError, match="cannot connect"):
        await Courier(allow_loopback=True).post("http://127.0.0.1:9/inbox", b"{}", {})


def _authority(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A certificate authority of our own and a server certificate for localhost: the
    server's TLS context, and a client's that trusts that authority alone."""
    now = datetime.datetime.now(datetime.UTC)

    def certificate(
        subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name, signer: object, ca: bool
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return builder.sign(signer, hashes.SHA256())  # type: ignore[arg-type]

    ca_key, server_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Interlieux test CA")])
    ca = certificate("Interlieux test CA", ca_key, ca_name, ca_key, ca=True)
    leaf = certificate("localhost", server_key, ca_name, ca_key, ca=False)
    (tmp_path / "server.pem").write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM)
        + server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(tmp_path / "server.pem")
    client = ssl.create_default_context(cadata=ca.public_bytes(serialization.Encoding.PEM).decode())
    return server, client


async def test_tls_is_verified(tmp_path: Path) -> None:
    server_tls, client_tls = _authority(tmp_path)
    async with serving(Peer(), tls=server_tls) as peer:
        trusted = Courier(allow_loopback=True, tls=client_tls)
        try:
            answer = await trusted.post(f"https://localhost:{peer.port}/inbox", b"{}", {})
            assert answer.status == 202
        finally:
            await trusted.aclose()
        # The usual authorities (certifi's) do not know ours: refused, not sent.
        with pytest.raises(CourierError, match="CERTIFICATE_VERIFY_FAILED"):
            await Courier(allow_loopback=True).post(f"https://localhost:{peer.port}/", b"", {})
    assert len(peer.requests) == 1
