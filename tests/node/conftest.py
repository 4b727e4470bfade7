"""A node served in-process (starlette TestClient), and a stand-in remote server on loopback.

The stand-in serves actor documents and records what the node delivers to it, so that a
captured payload from Mastodon or Mobilizon can be replayed end to end: signed by the test,
verified by the node against the key it fetches from the stand-in, applied, answered.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.testclient import TestClient

from node.app import create_app
from node.cli import main as cli
from node.config import NodeConfig
from node.keys import public_pem
from node.signature import sign_request

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@dataclass
class StandIn:
    """A remote server: GET serves `documents` by path, POST records into `received`."""

    base_url: str = ""
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    status: int = 202
    retry_after: str | None = None
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def add_actor(self, path: str, **extra: Any) -> str:
        actor_id = f"{self.base_url}{path}"
        self.documents[path] = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": actor_id,
            "type": "Person",
            "preferredUsername": path.rsplit("/", 1)[-1],
            "inbox": f"{actor_id}/inbox",
            "followers": f"{actor_id}/followers",
            "endpoints": {"sharedInbox": f"{self.base_url}/inbox"},
            "publicKey": {
                "id": f"{actor_id}#main-key",
                "owner": actor_id,
                "publicKeyPem": public_pem(self.key.public_key()),
            },
            **extra,
        }
        return actor_id

    def wait_received(self, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for _, body in list(self.received):
                if match(body):
                    return body
            time.sleep(0.05)
        raise AssertionError(f"nothing matching was delivered; got {self.received}")


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    peer = StandIn()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            document = peer.documents.get(self.path.split("#")[0])
            body = json.dumps(document).encode() if document else b"{}"
            self.send_response(200 if document else 404)
            self.send_header("content-type", "application/activity+json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            peer.received.append((self.path, json.loads(self.rfile.read(length))))
            self.send_response(peer.status)
            if peer.retry_after:
                self.send_header("retry-after", peer.retry_after)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    peer.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield peer
    httpd.shutdown()
    httpd.server_close()


@dataclass
class InProcessNode:
    config: NodeConfig
    client: TestClient

    def actor_id(self, handle: str | None = None) -> str:
        return self.config.actor_id(handle or self.config.handle)

    def token(self, handle: str) -> str:
        import contextlib
        import io

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert cli(["token", "--data", str(self.config.data_dir), "--actor", handle]) == 0
        return out.getvalue().strip().splitlines()[-1]

    def post_signed(
        self, path: str, activity: dict[str, Any], key: rsa.RSAPrivateKey, key_id: str
    ) -> httpx.Response:
        body = json.dumps(activity).encode()
        headers = sign_request(
            "POST", f"{self.config.base_url}{path}", key_id, key, body=body,
            extra_headers={"content-type": "application/activity+json"},
        )  # fmt: skip
        return self.client.post(path, content=body, headers=headers)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        import sqlite3

        conn = sqlite3.connect(self.config.database)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def wait(self, sql: str, params: tuple[Any, ...] = (), expect: bool = True) -> list[Any]:
        """Poll the database until the query returns rows (or none, with expect=False)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            rows = self.query(sql, params)
            if bool(rows) == expect:
                return rows
            time.sleep(0.05)
        raise AssertionError(f"timed out: {sql} {params} (expected rows: {expect})")


# The port is never listened on: requests reach the app in-process.
BASE_URL = "http://127.0.0.1:9"


def new_place(tmp_path: Path) -> NodeConfig:
    """La Coroutine's data folder, made by the CLI, with its member alice."""
    data = tmp_path / "coroutine"
    assert cli(["init", "--data", str(data), "--base-url", BASE_URL, "--name", "La Coroutine",
                "--handle", "coroutine"]) == 0  # fmt: skip
    assert cli(["member", "add", "--data", str(data), "--handle", "alice", "--name", "Alice"]) == 0
    return NodeConfig.load(data)


@pytest.fixture
def place(tmp_path: Path) -> Iterator[InProcessNode]:
    config = new_place(tmp_path)
    with TestClient(create_app(config), base_url=BASE_URL) as client:
        yield InProcessNode(config, client)
