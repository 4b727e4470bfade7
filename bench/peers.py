"""Simulated peer nodes for the fan-out bench: many small servers in one process, on loopback.

Each node listens on its own port (so it is its own origin, as a real server would be) and
serves the actor documents of its `per_node` followers, all with the node's shared inbox. It
answers 202 to every POST and records when it came (`time.perf_counter()`: CLOCK_MONOTONIC,
comparable across the processes of one machine), the path, and the activity's id and type.
The bench reads the records with `GET /_bench/received` on any of the ports.

A hand-written HTTP/1.1 reader rather than a framework: fifty uvicorn servers would cost more
CPU than the node being measured can spare on a 2-core machine, and all a peer does here is
serve a cached document or record a body. It reads `Content-Length` bodies only, which is what
httpx sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing as mp
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import httpx

AS_JSON = "application/activity+json"
MAX_BODY = 1 << 20  # a peer in a bench: anything larger is a bug, not a delivery


def actor_document(base_url: str, name: str, public_pem: str) -> dict[str, Any]:
    actor = f"{base_url}/users/{name}"
    return {
        "@context": [
            "https://www.w3.org/ns/activitystreams",
            "https://w3id.org/security/v1",
        ],
        "id": actor,
        "type": "Person",
        "preferredUsername": name,
        "inbox": f"{actor}/inbox",
        "outbox": f"{actor}/outbox",
        "followers": f"{actor}/followers",
        "endpoints": {"sharedInbox": f"{base_url}/inbox"},
        "publicKey": {"id": f"{actor}#main-key", "owner": actor, "publicKeyPem": public_pem},
    }


def _serve(nodes: int, per_node: int, public_pem: str, conn: Connection) -> None:
    """The child process: start every node, send the ports, serve until told to stop."""
    asyncio.run(_serve_async(nodes, per_node, public_pem, conn))


async def _serve_async(nodes: int, per_node: int, public_pem: str, conn: Connection) -> None:
    received: list[tuple[int, str, float, str | None, str | None]] = []
    documents: dict[tuple[int, str], bytes] = {}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        port = writer.get_extra_info("sockname")[1]
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
                    return  # the peer hung up, or this process is stopping
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                length = int(headers.get("content-length", "0"))
                if length > MAX_BODY:
                    return
                body = await reader.readexactly(length) if length else b""
                path, _, query = target.partition("?")
                status, payload = 404, b"{}"
                if method == "POST":
                    when = time.perf_counter()
                    try:
                        activity = json.loads(body)
                    except ValueError:
                        activity = {}
                    received.append((port, path, when, activity.get("id"), activity.get("type")))
                    status, payload = 202, b""
                elif path == "/_bench/received":  # ?since=N: the records from the N-th on
                    since = int(query.removeprefix("since=") or 0)
                    status, payload = 200, json.dumps(received[since:]).encode()
                elif (port, path) in documents:
                    status, payload = 200, documents[(port, path)]
                writer.write(
                    f"HTTP/1.1 {status} X\r\ncontent-type: {AS_JSON}\r\n"
                    f"content-length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        finally:
            writer.close()

    servers = [await asyncio.start_server(handle, "127.0.0.1", 0) for _ in range(nodes)]
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    for port in ports:
        base = f"http://127.0.0.1:{port}"
        for i in range(per_node):
            name = f"u{i:03d}"
            documents[(port, f"/users/{name}")] = json.dumps(
                actor_document(base, name, public_pem)
            ).encode()
    conn.send(ports)
    # The parent says when to stop (or dies, which closes the pipe).
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, _wait_for_parent, conn)
    for server in servers:
        server.close()


def _wait_for_parent(conn: Connection) -> None:
    with contextlib.suppress(EOFError):
        conn.recv()


@dataclass(frozen=True)
class Received:
    port: int
    path: str
    at: float  # time.perf_counter() in the peers' process
    activity_id: str | None
    type: str | None


class PeerNodes:
    """`nodes` simulated servers with `per_node` followers each, in one child process."""

    def __init__(self, nodes: int, per_node: int, public_pem: str) -> None:
        self.nodes = nodes
        self.per_node = per_node
        self.public_pem = public_pem
        self.ports: list[int] = []
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    def start(self) -> PeerNodes:
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        self._process = ctx.Process(
            target=_serve, args=(self.nodes, self.per_node, self.public_pem, child), daemon=True
        )
        self._process.start()
        if not parent.poll(60):
            raise RuntimeError("the simulated peer nodes did not start")
        self.ports = list(parent.recv())
        self._conn = parent
        return self

    def stop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):  # the child is gone already
                self._conn.send("stop")
        if self._process is not None:
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join()
        self._process = self._conn = None

    def actor_ids(self) -> list[str]:
        return [
            f"http://127.0.0.1:{port}/users/u{i:03d}"
            for port in self.ports
            for i in range(self.per_node)
        ]

    def received(self, since: int = 0) -> list[Received]:
        """What the peers were sent, in order of arrival, from the `since`-th record on."""
        response = httpx.get(
            f"http://127.0.0.1:{self.ports[0]}/_bench/received?since={since}", timeout=10
        )
        return [Received(*row) for row in response.json()]
