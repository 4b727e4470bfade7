"""Slow and hostile clients against real `interlieux serve` processes (issue 10, incoming HTTP).

What is in the server (deadlines, connections) can only be seen over real sockets: each test
speaks raw HTTP/1.1 where a well-behaved client library would not misbehave on purpose.

- `coroutine` runs with short deadlines (headers 2 s, body 3 s): a client trickling its body
  or its headers is cut off with 408 long before it is done, and the node keeps serving;
- `fabrik` runs with the default deadlines: 200 connections that sent half a request and
  stall are still held open while a signed POST from popcafe's alice is answered 202;
- a body declared or sent over the limit is refused with 413 while it is being sent;
- JSON nested 30 000 deep is a 400.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from node.signature import sign_request

from .network import AS_JSON, MEMBER_NAMES, PLACE_NAMES, LocalPlace, create_note

HEADER_TIMEOUT, BODY_TIMEOUT = "2", "3"
HALF_OPEN = 200


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LocalPlace]]:
    root: Path = tmp_path_factory.mktemp("incoming")
    coroutine = LocalPlace(root, "coroutine", PLACE_NAMES["coroutine"]).init()
    coroutine.serve_args = ["--header-timeout", HEADER_TIMEOUT, "--body-timeout", BODY_TIMEOUT]
    fabrik = LocalPlace(root, "fabrik", PLACE_NAMES["fabrik"]).init()
    popcafe = LocalPlace(root, "popcafe", PLACE_NAMES["popcafe"]).init()
    popcafe.add_member("alice", MEMBER_NAMES["alice"])
    with ExitStack() as stops:
        for place in (coroutine, fabrik, popcafe):
            stops.callback(place.stop)
            place.start()
        yield {"coroutine": coroutine, "fabrik": fabrik, "popcafe": popcafe}


def _connect(place: LocalPlace) -> socket.socket:
    return socket.create_connection(("127.0.0.1", place.port), timeout=10)


def _head(place: LocalPlace, path: str, **headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{place.port}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _trickle(sock: socket.socket, data: bytes, pause: float) -> tuple[int, bytes]:
    """Send `data` one byte at a time, `pause` seconds apart, until the server answers or
    closes; returns how many bytes went out and what came back."""
    sock.settimeout(pause)
    for sent in range(len(data)):
        try:
            sock.sendall(data[sent : sent + 1])
            answer = sock.recv(4096)
        except TimeoutError:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return sent, b""
        return sent, answer
    return len(data), b""


def _rest(sock: socket.socket, answer: bytes) -> bytes:
    """Read the rest of a response whose first bytes are `answer` (it has a content-length)."""
    sock.settimeout(10)
    while b"\r\n\r\n" not in answer:
        answer += sock.recv(4096)
    head, _, body = answer.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += sock.recv(4096)
    return body


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def test_a_trickling_inbox_post_is_cut_at_the_body_deadline(
    places: dict[str, LocalPlace],
) -> None:
    coroutine = places["coroutine"]
    body = json.dumps({"type": "Follow", "pad": "x" * 2000}).encode()
    with _connect(coroutine) as sock:
        length = str(len(body))
        sock.sendall(_head(coroutine, "/inbox", content_type=AS_JSON, content_length=length))
        # One byte every 0.2 s: the whole body would take over 6 minutes.
        sent, answer = _trickle(sock, body, 0.2)
    assert _status(answer) == 408, answer
    assert sent < len(body)
    assert httpx.get(f"{coroutine.base_url}/.well-known/nodeinfo", timeout=10).status_code == 200


def test_trickling_headers_are_cut_at_the_header_deadline(places: dict[str, LocalPlace]) -> None:
    coroutine = places["coroutine"]
    head = _head(coroutine, "/inbox", content_type=AS_JSON, x_padding="y" * 2000)
    with _connect(coroutine) as sock:
        sent, answer = _trickle(sock, head, 0.2)
    assert _status(answer) == 408, answer
    assert sent < len(head)


def test_a_connection_that_sends_nothing_is_closed(places: dict[str, LocalPlace]) -> None:
    with _connect(places["coroutine"]) as sock:
        sock.settimeout(60)
        assert sock.recv(100) == b""  # closed by the server at the header deadline


def test_headers_over_their_size_are_refused(places: dict[str, LocalPlace]) -> None:
    coroutine = places["coroutine"]
    with _connect(coroutine) as sock:
        sock.sendall(_head(coroutine, "/inbox", x_padding="y" * 100_000)[:-4])
        answer = sock.recv(4096)
        assert _status(answer) == 431, answer
        assert b"headers too large" in _rest(sock, answer)


def test_half_open_connections_do_not_stop_a_signed_post(places: dict[str, LocalPlace]) -> None:
    fabrik, popcafe = places["fabrik"], places["popcafe"]
    partial = f"POST /inbox HTTP/1.1\r\nHost: 127.0.0.1:{fabrik.port}\r\nContent-Ty".encode()
    with contextlib.ExitStack() as held:
        stalled = [held.enter_context(_connect(fabrik)) for _ in range(HALF_OPEN)]
        for sock in stalled:
            sock.sendall(partial)
        activity = create_note(popcafe, "alice", "Malgré les connexions à moitié ouvertes")
        inbox = f"{fabrik.actor_id()}/inbox"
        body = json.dumps(activity).encode()
        headers = sign_request(
            "POST", inbox, f"{popcafe.actor_id('alice')}#main-key", popcafe.private_key("alice"),
            body=body, extra_headers={"content-type": AS_JSON},
        )  # fmt: skip
        response = httpx.post(inbox, content=body, headers=headers, timeout=30)
        assert response.status_code == 202, response.text
        # They were all still held while the POST was served (the header deadline, 10 s by
        # default, frees them later): nothing was answered or closed on them yet.
        for sock in stalled:
            sock.setblocking(False)
            with pytest.raises(BlockingIOError):
                sock.recv(100)


def test_a_declared_oversized_body_is_refused_before_it_is_sent(
    places: dict[str, LocalPlace],
) -> None:
    coroutine = places["coroutine"]
    with _connect(coroutine) as sock:
        sock.sendall(_head(coroutine, "/inbox", content_type=AS_JSON, content_length="200000000"))
        sock.sendall(b"{" + b" " * 65_535)  # 64 KB of the 200 MB announced
        answer = sock.recv(4096)
        assert _status(answer) == 413, answer
        assert b"1000000" in _rest(sock, answer)


def test_a_connection_answered_before_its_body_ended_is_not_held(
    places: dict[str, LocalPlace],
) -> None:
    """413 at once for 1.1 MB announced; the client sends them all the same, then idles: the
    server closes the connection, as for any idle one."""
    coroutine = places["coroutine"]
    with _connect(coroutine) as sock:
        sock.sendall(_head(coroutine, "/inbox", content_type=AS_JSON, content_length="1100000"))
        sock.sendall(b" " * 1_100_000)
        answer = sock.recv(4096)
        assert _status(answer) == 413, answer
        _rest(sock, answer)
        sock.settimeout(30)
        assert sock.recv(100) == b""


def test_an_oversized_chunked_body_is_refused_while_reading(
    places: dict[str, LocalPlace],
) -> None:
    """No Content-Length: the node counts while reading and answers 413 past 1 MB, while the
    client is still sending (it would send 200 MB)."""
    coroutine = places["coroutine"]
    chunk = b"%x\r\n%s\r\n" % (65_536, b" " * 65_536)
    with _connect(coroutine) as sock:
        sock.sendall(_head(coroutine, "/inbox", content_type=AS_JSON, transfer_encoding="chunked"))
        sock.settimeout(0.05)
        answer, sent = b"", 0
        while not answer and sent < 200_000_000:
            sock.sendall(chunk)
            sent += 65_536
            with contextlib.suppress(TimeoutError):
                answer = sock.recv(4096)
    assert _status(answer) == 413, answer
    assert sent < 4_000_000


@pytest.mark.parametrize("path", ["/inbox", "/actors/popcafe/outbox"])
def test_deep_nesting_is_a_400(places: dict[str, LocalPlace], path: str) -> None:
    popcafe = places["popcafe"]
    response = httpx.post(
        f"{popcafe.base_url}{path}",
        content=b"[" * 30_000 + b"]" * 30_000,
        headers={"content-type": AS_JSON, "authorization": f"Bearer {popcafe.token()}"},
        timeout=10,
    )
    assert response.status_code == 400, response.text
    assert "32" in response.json()["error"] or "imbriqué" in response.json()["error"]
