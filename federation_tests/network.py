"""Real nodes as separate `interlieux serve` processes on loopback ports.

Used by the federation tests, the benchmarks and the demo: each place is created with the same
commands a place's team types (`interlieux init`, `member add`, `token`), then served by its own
uvicorn process, and spoken to over HTTP only.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx

T = TypeVar("T")
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
AS_JSON = "application/activity+json"

# Retries in seconds rather than minutes, so that a test sees a down peer come back.
FAST_RETRIES = {
    "INTERLIEUX_DELIVERY_BASE": "0.3",
    "INTERLIEUX_DELIVERY_CAP": "1.0",
    "INTERLIEUX_INBOX_RETRY": "1.0",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], T], timeout: float = 20.0, what: str = "condition") -> T:
    """Poll until `check` returns something truthy; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (httpx.HTTPError, sqlite3.Error, AssertionError) as exc:
            last = exc
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


class LocalPlace:
    """One node in its own data folder, served by its own process."""

    # Run the server in its own session, so that a terminal's Ctrl-C does not reach it.
    own_session = False

    def __init__(self, root: Path, handle: str, name: str, port: int | None = None) -> None:
        self.handle = handle
        self.name = name
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.data = root / handle
        self.log_path = root / f"{handle}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.tokens: dict[str, str] = {}
        self.env = {**os.environ, **FAST_RETRIES}

    # --- what a place's team types ---------------------------------------------------------
    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "node.cli", *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=60,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"interlieux {' '.join(args)} failed: {result.stderr}")
        return result

    def init(self) -> LocalPlace:
        self.cli(
            "init", "--data", str(self.data), "--base-url", self.base_url,
            "--name", self.name, "--handle", self.handle,
        )  # fmt: skip
        return self

    def add_member(self, handle: str, name: str, *extra: str) -> str:
        self.cli("member", "add", "--data", str(self.data), "--handle", handle, "--name", name,
                 *extra)  # fmt: skip
        return self.actor_id(handle)

    def token(self, handle: str | None = None) -> str:
        handle = handle or self.handle
        if handle not in self.tokens:
            out = self.cli("token", "--data", str(self.data), "--actor", handle).stdout
            self.tokens[handle] = out.strip().splitlines()[-1]
        return self.tokens[handle]

    # --- the process ---------------------------------------------------------------------
    def start(self, timeout: float = 20.0) -> LocalPlace:
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "node.cli", "serve", "--data", str(self.data)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                start_new_session=self.own_session,
            )
        wait_for(self._answers, timeout, f"{self.handle} to start (see {self.log_path})")
        return self

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"{self.handle} exited: {self.log_path.read_text()[-2000:]}")
        return httpx.get(f"{self.base_url}/.well-known/nodeinfo", timeout=1).status_code == 200

    def stop(self) -> None:
        """A clean stop, as Ctrl-C or a service manager would do it."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """kill -9: no chance to finish anything."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    # --- speaking to it ------------------------------------------------------------------
    def actor_id(self, handle: str | None = None) -> str:
        return f"{self.base_url}/actors/{handle or self.handle}"

    def post_outbox(self, document: dict[str, Any], handle: str | None = None) -> dict[str, Any]:
        handle = handle or self.handle
        response = httpx.post(
            f"{self.actor_id(handle)}/outbox",
            json=document,
            headers={"authorization": f"Bearer {self.token(handle)}"},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        assert response.headers["location"] == response.json()["id"]
        return dict(response.json())

    def collection(self, url: str, token_handle: str | None = None) -> list[Any]:
        """Every item of a paged collection, following `first` and `next`."""
        headers = {"accept": AS_JSON}
        if token_handle:
            headers["authorization"] = f"Bearer {self.token(token_handle)}"
        top = httpx.get(url, headers=headers, timeout=10).json()
        items: list[Any] = []
        page_url = top.get("first")
        while page_url:
            page = httpx.get(page_url, headers=headers, timeout=10).json()
            items.extend(page["orderedItems"])
            page_url = page.get("next")
        return items

    def inbox(self, handle: str | None = None) -> list[dict[str, Any]]:
        handle = handle or self.handle
        return self.collection(f"{self.actor_id(handle)}/inbox", token_handle=handle)

    def followers(self, handle: str | None = None) -> list[str]:
        return self.collection(f"{self.actor_id(handle)}/followers")

    def following(self, handle: str | None = None) -> list[str]:
        return self.collection(f"{self.actor_id(handle)}/following")

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Read the node's database directly (read-only), as an operator's tool would."""
        conn = sqlite3.connect(f"file:{self.data / 'interlieux.sqlite3'}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def private_key_pem(self, handle: str) -> str:
        return str(
            self.query("SELECT rsa_private_pem FROM local_actors WHERE handle = ?", (handle,))[0][0]
        )

    def deliveries(self) -> list[dict[str, Any]]:
        out = self.cli("deliveries", "--data", str(self.data), "--all", "--json").stdout
        return list(json.loads(out))


def note(place: LocalPlace, text: str, handle: str | None = None) -> dict[str, Any]:
    """A public note to the actor's followers, as a Mastodon client would post it."""
    return {
        "type": "Note",
        "content": text,
        "to": [PUBLIC],
        "cc": [f"{place.actor_id(handle)}/followers"],
    }
