"""Real nodes as separate `interlieux serve` processes on loopback ports.

Used by the federation tests, the benchmarks and the demo: each place is created with the same
commands a place's team types (`interlieux init`, `member add`, `token`), then served by its own
uvicorn process, and spoken to over HTTP only. `Network` builds a test module's places from a
short description (who the members are, who peers with or follows whom) and stops them together;
`conftest.py` hands it to the tests as the `network` fixture.
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
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from node.signature import sign_request

T = TypeVar("T")
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
AS_JSON = "application/activity+json"

# Retries in seconds rather than minutes, so that a test sees a down peer come back.
FAST_RETRIES = {
    "INTERLIEUX_DELIVERY_BASE": "0.3",
    "INTERLIEUX_DELIVERY_CAP": "1.0",
    "INTERLIEUX_INBOX_RETRY": "1.0",
}

# The cast of the tests: every place and member is known by the same name wherever it appears.
PLACE_NAMES = {
    "coroutine": "La Coroutine",
    "popcafe": "PopCafé",
    "fabrik": "La Fabrik",
    "inconnu": "Lieu Inconnu",
}
MEMBER_NAMES = {
    "alice": "Alice Martin",
    "bob": "Bob Durand",
    "chloe": "Chloé Petit",
    "zoe": "Zoé",
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

    def __init__(
        self, root: Path, handle: str, name: str, port: int | None = None,
        host: str = "127.0.0.1",
    ) -> None:  # fmt: skip
        self.handle = handle
        self.name = name
        self.port = port or free_port()
        # `host="localhost"` for passkeys: a WebAuthn relying party id cannot be an IP address.
        self.base_url = f"http://{host}:{self.port}"
        self.data = root / handle
        self.log_path = root / f"{handle}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.tokens: dict[str, str] = {}
        self.env = {**os.environ, **FAST_RETRIES}
        self.serve_args: list[str] = []  # more `interlieux serve` flags (limits, deadlines)

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
            command = [sys.executable, "-m", "node.cli", "serve", "--data", str(self.data)]
            self.process = subprocess.Popen(
                [*command, *self.serve_args],
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

    def private_key(self, handle: str | None = None) -> rsa.RSAPrivateKey:
        """The actor's RSA key, to sign as it by hand (and get things wrong on purpose)."""
        pem = self.private_key_pem(handle or self.handle).encode()
        key = serialization.load_pem_private_key(pem, password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key

    def follow(self, actor: str, handle: str | None = None) -> dict[str, Any]:
        """`handle` (the place itself by default) follows `actor`, an Interlieux actor; returns
        the Follow once `actor`'s node lists the follower (it has accepted)."""
        follow = self.post_outbox({"type": "Follow", "object": actor}, handle)
        follower = self.actor_id(handle)
        wait_for(
            lambda: follower in self.collection(f"{actor}/followers"),
            what=f"{actor} accepting {follower}",
        )
        return follow

    def sparql(self, query: str) -> list[dict[str, Any]]:
        """The bindings of a SELECT on the node's public SPARQL endpoint."""
        answer = httpx.get(f"{self.base_url}/sparql", params={"query": query}, timeout=10)
        assert answer.status_code == 200, answer.text
        return list(answer.json()["results"]["bindings"])

    def deliveries(self) -> list[dict[str, Any]]:
        out = self.cli("deliveries", "--data", str(self.data), "--all", "--json").stdout
        return list(json.loads(out))


def post_signed(sender: LocalPlace, to: LocalPlace, activity: dict[str, Any]) -> httpx.Response:
    """POST `activity` to `to`'s inbox signed with `sender`'s place key, as `sender`'s node
    signs a delivery: for what a test must send by hand (a forged object, a crafted one)."""
    body = json.dumps(activity).encode()
    url = f"{to.actor_id()}/inbox"
    headers = sign_request("POST", url, f"{sender.actor_id()}#main-key", sender.private_key(),
                           body=body,
                           extra_headers={"content-type": "application/activity+json"})  # fmt: skip
    return httpx.post(url, content=body, headers=headers, timeout=10)


def peer(a: LocalPlace, b: LocalPlace, visit_rate: str | None = None) -> None:
    """`a` and `b` add each other as peers, as both teams would (with an agreed rate per visit,
    in euros, when given), and follow each other: returns once both follows are accepted."""
    terms = ("--visit-rate", visit_rate, "--currency", "EUR") if visit_rate else ()
    for place, other in ((a, b), (b, a)):
        place.cli("peer", "add", "--data", str(place.data), "--actor", other.actor_id(), *terms)
    wait_for(lambda: b.actor_id() in a.followers(), what=f"{b.handle} following {a.handle}")
    wait_for(lambda: a.actor_id() in b.followers(), what=f"{a.handle} following {b.handle}")


@dataclass(frozen=True)
class Member:
    """A member to add to a place, when they need more than a handle (names are the cast's)."""

    handle: str
    manual_approval: bool = False  # follow requests wait for the member's Accept


Places = dict[str, LocalPlace]
Pair = tuple[LocalPlace, LocalPlace]


class Network:
    """The places of one test module, in one folder, created, started and then stopped together.

    Calling it creates and starts places; `stop` stops every place it ever started, in reverse
    order, each even if another fails to stop: the `network` fixture calls it at the end of the
    module, also when a test or the creation of the places failed halfway.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._stops = ExitStack()

    def __call__(
        self,
        places: Mapping[str, Sequence[str | Member]],
        *,
        peers: Iterable[tuple[str, str]] = (),
        visit_rate: str | None = None,
        follows: Iterable[tuple[str, str]] = (),
    ) -> Places:
        """Create `places` (handle → its members), start them all, then make each pair of
        `peers` peers (at `visit_rate`, if given) and have each place of `follows` follow the
        other (follower, followed); returns the places by handle."""
        created = {
            handle: LocalPlace(self.root, handle, PLACE_NAMES[handle]).init() for handle in places
        }
        for handle, members in places.items():
            for member in members:
                member = member if isinstance(member, Member) else Member(member)
                extra = ("--manual-approval",) if member.manual_approval else ()
                created[handle].add_member(member.handle, MEMBER_NAMES[member.handle], *extra)
        for place in created.values():
            self._stops.callback(place.stop)  # before starting: a half-started one is stopped too
            place.start()
        for a, b in peers:
            peer(created[a], created[b], visit_rate)
        for follower, followed in follows:
            created[follower].follow(created[followed].actor_id())
        return created

    def stop(self) -> None:
        self._stops.close()


def note(place: LocalPlace, text: str, handle: str | None = None) -> dict[str, Any]:
    """A public note to the actor's followers, as a Mastodon client would post it."""
    return {
        "type": "Note",
        "content": text,
        "to": [PUBLIC],
        "cc": [f"{place.actor_id(handle)}/followers"],
    }


def event(place: LocalPlace, *, to_followers: bool = True, **fields: Any) -> dict[str, Any]:
    """A public event at `place` (a repair café, 5 April 2030, 14 h to 18 h, unless `fields` say
    otherwise), cc its followers; with `to_followers` False, to Public alone, as teams often
    address it (the node then adds the followers itself)."""
    document: dict[str, Any] = {
        "type": "Event",
        "name": "Repair café",
        "startTime": "2030-04-05T14:00:00+02:00",
        "endTime": "2030-04-05T18:00:00+02:00",
        "location": {
            "type": "Place",
            "name": place.name,
            "address": {"type": "PostalAddress", "addressLocality": "Lille"},
        },
        "to": [PUBLIC],
    }
    if to_followers:
        document["cc"] = [f"{place.actor_id()}/followers"]
    return {**document, **fields}


def delete(place: LocalPlace, object_id: str) -> dict[str, Any]:
    """The Delete of one of the place's objects, to the same audience as `event`'s."""
    return {
        "type": "Delete",
        "object": object_id,
        "to": [PUBLIC],
        "cc": [f"{place.actor_id()}/followers"],
    }


def create_note(
    place: LocalPlace, handle: str, text: str, object_base: str | None = None
) -> dict[str, Any]:
    """A complete Create of a public note by `handle` of `place`, ids and all, to post straight
    to an inbox by hand; `object_base` puts the note's id on another origin."""
    author = place.actor_id(handle)
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{place.base_url}/activities/{uuid.uuid4()}",
        "type": "Create",
        "actor": author,
        "to": [PUBLIC],
        "object": {
            "id": f"{object_base or place.base_url}/objects/{uuid.uuid4()}",
            "type": "Note",
            "attributedTo": author,
            "content": text,
            "to": [PUBLIC],
        },
    }
