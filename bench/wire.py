"""Pre-encoded HTTP/1.1 requests sent on keep-alive sockets: the bench's load, at little cost.

An HTTP client library spends about a millisecond of CPU per request (httpx measured 1.1 ms
here), as much as the server it measures, on a machine whose two cores the clients share with
the server. The bench measures the server: its clients send bytes signed in advance and read
the status line, which costs tens of microseconds, so that the cores go to the server.

A server's answer is read to its end (Content-Length or chunked) before the next request goes
on that connection: each connection has one request in flight, as a delivering server's worker
does. Several connections per process run side by side through `selectors`.
"""

from __future__ import annotations

import selectors
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


def encode(url: str, headers: dict[str, str], body: bytes) -> bytes:
    """One POST to `url`, whole, as it goes on the wire (keep-alive)."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"POST {target} HTTP/1.1", f"host: {parts.netloc}"]
    lines += [f"{name}: {value}" for name, value in headers.items() if name.lower() != "host"]
    lines += [f"content-length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)  # seconds, one per request
    failures: list[str] = field(default_factory=list)  # one line per request not answered 202


def _complete(buffer: bytes) -> tuple[int, bytes] | None:
    """(status, body) once `buffer` holds a whole response, else None."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buffer[:end].decode("latin-1").lower()
    status = int(head[9:12])
    start = end + 4
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name == "content-length":
            size = int(value)
            return (status, buffer[start : start + size]) if len(buffer) >= start + size else None
        if name == "transfer-encoding" and "chunked" in value:
            return (status, buffer[start:]) if buffer.endswith(b"0\r\n\r\n") else None
    return status, b""


@dataclass
class _Connection:
    sock: socket.socket
    pending: bytes = b""
    received: bytes = b""
    sent_at: float = 0.0


def send_all(url: str, requests: list[bytes], connections: int, timeout: float) -> Outcome:
    """Send every request, `connections` at a time; each answer not 202 is a failure."""
    outcome = Outcome()
    queue = iter(requests)
    selector = selectors.DefaultSelector()
    open_: list[_Connection] = []

    def next_on(conn: _Connection) -> bool:
        request = next(queue, None)
        if request is None:
            selector.unregister(conn.sock)
            conn.sock.close()
            open_.remove(conn)
            return False
        conn.pending, conn.received, conn.sent_at = request, b"", time.perf_counter()
        selector.modify(conn.sock, selectors.EVENT_WRITE, conn)
        return True

    for _ in range(min(connections, len(requests))):
        sock = socket.create_connection(address(url), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        conn = _Connection(sock)
        open_.append(conn)
        selector.register(sock, selectors.EVENT_WRITE, conn)
        next_on(conn)
    deadline = time.monotonic() + timeout
    while open_:
        events = selector.select(timeout=1.0)
        if not events and time.monotonic() > deadline:
            raise TimeoutError(f"no answer for {timeout:.0f} s on {len(open_)} connections")
        for key, mask in events:
            conn = key.data
            if mask & selectors.EVENT_WRITE:
                conn.pending = conn.pending[conn.sock.send(conn.pending) :]
                if not conn.pending:
                    selector.modify(conn.sock, selectors.EVENT_READ, conn)
                continue
            chunk = conn.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed a keep-alive connection")
            conn.received += chunk
            answer = _complete(conn.received)
            if answer is None:
                continue
            outcome.latencies.append(time.perf_counter() - conn.sent_at)
            status, body = answer
            if status != 202:
                outcome.failures.append(f"{status} {body[:200].decode(errors='replace')}")
            deadline = time.monotonic() + timeout
            next_on(conn)
    selector.close()
    return outcome
