"""Fan-out: one public post of a place reaches 1,000 followers on 50 servers as 50 POSTs.

The followers live on simulated peer nodes (`peers.py`) and follow the place the real way: each
sends a signed `Follow` to the place's inbox, the place fetches the follower's actor document
(and key) from its node, applies the Follow and delivers an `Accept`. Then the place posts one
public note through its outbox (C2S, as a client would) and the bench times how long until the
last of the 50 servers received it, against what the 50 RSA signatures alone take.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from federation_tests.network import LocalPlace, note, wait_for
from node.signature import sign_request

from .peers import AS_JSON, PeerNodes

FOLLOW_CONCURRENCY = 8  # Follow POSTs in flight: a few busy servers, not a flood
SETUP_TIMEOUT = 300.0  # seconds for the follows to be applied and their Accepts delivered
FANOUT_TIMEOUT = 60.0  # seconds for the post to reach every node
SIGN_ROUNDS = 5  # the 50 signatures are timed this many times; the fastest counts
POSTS = 5  # posts fanned out one after the other; the median counts


@dataclass(frozen=True)
class FollowSetup:
    followers: int  # accepted follows of the place, read from its database
    posted: float  # seconds from the first Follow POST to the last 202
    accepted: float  # … to the last follow accepted in the place's database
    delivered: float  # … to the last Accept delivered (no delivery pending)
    accepts_received: int  # Accepts the peers received
    server_cpu: float = 0.0  # seconds of the place's process during the setup (set by caller)


@dataclass(frozen=True)
class Fanout:
    nodes: int
    posts: int  # POSTs of the post the peers received (one per node when coalesced)
    to_shared_inbox: int  # of which to a node's shared inbox
    outbox_answer: float  # seconds until the outbox answered 201
    first: float  # seconds from the outbox POST to the first delivery received
    last: float  # … to the last
    signatures: float  # seconds that `nodes` RSA-2048 signatures take, measured here


def follow_all(place: LocalPlace, peers: PeerNodes, key: rsa.RSAPrivateKey) -> FollowSetup:
    """Every simulated follower follows the place through its inbox; wait for all Accepts."""
    run_id = uuid.uuid4().hex[:8]
    followee = place.actor_id()
    inbox = f"{followee}/inbox"
    since = len(peers.received())
    requests: list[tuple[bytes, dict[str, str]]] = []
    for actor in peers.actor_ids():
        body = json.dumps(
            {
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": f"{actor}/follows/{run_id}",
                "type": "Follow",
                "actor": actor,
                "object": followee,
            }
        ).encode()
        headers = sign_request(
            "POST", inbox, f"{actor}#main-key", key, body=body,
            extra_headers={"content-type": AS_JSON},
        )  # fmt: skip
        requests.append((body, headers))

    started = time.perf_counter()
    refused = asyncio.run(_post_all(inbox, requests))
    posted = time.perf_counter() - started
    if refused:
        raise RuntimeError(f"{len(refused)} Follows refused, first: {refused[0]}")

    def accepted() -> bool:
        row = place.query(
            "SELECT count(*) FROM follows WHERE followee = ? AND state = 'accepted'", (followee,)
        )[0]
        return int(row[0]) >= len(requests)

    wait_for(accepted, SETUP_TIMEOUT, "the follows accepted")
    all_accepted = time.perf_counter() - started

    def delivered() -> bool:
        row = place.query("SELECT count(*) FROM deliveries WHERE state = 'pending'")[0]
        return int(row[0]) == 0

    wait_for(delivered, SETUP_TIMEOUT, "the Accepts delivered")
    all_delivered = time.perf_counter() - started
    accepts = sum(r.type == "Accept" for r in peers.received(since))
    count = place.query(
        "SELECT count(*) FROM follows WHERE followee = ? AND state = 'accepted'", (followee,)
    )[0][0]
    return FollowSetup(int(count), posted, all_accepted, all_delivered, accepts)


async def _post_all(url: str, requests: list[tuple[bytes, dict[str, str]]]) -> list[str]:
    limit = asyncio.Semaphore(FOLLOW_CONCURRENCY)
    refused: list[str] = []
    async with httpx.AsyncClient(timeout=30) as http:

        async def post(body: bytes, headers: dict[str, str]) -> None:
            async with limit:
                response = await http.post(url, content=body, headers=headers)
            if response.status_code != 202:
                refused.append(f"{response.status_code} {response.text[:200]}")

        await asyncio.gather(*(post(body, headers) for body, headers in requests))
    return refused


def sign_time(key: rsa.RSAPrivateKey, count: int) -> float:
    """Seconds for `count` RSA-2048 PKCS#1 v1.5 SHA-256 signatures of a signature base of the
    size the node signs; the fastest of a few rounds (noise only ever adds time)."""
    text = b"x" * 400
    best = float("inf")
    for _ in range(SIGN_ROUNDS):
        start = time.perf_counter()
        for i in range(count):
            key.sign(text + str(i).encode(), padding.PKCS1v15(), hashes.SHA256())
        best = min(best, time.perf_counter() - start)
    return best


def fan_out(
    place: LocalPlace, peers: PeerNodes, place_key: rsa.RSAPrivateKey, posts: int = POSTS
) -> list[Fanout]:
    """`posts` public notes from the place's outbox, one after the other; for each, the time
    until every node has received it."""
    signatures = sign_time(place_key, peers.nodes)
    # Before the clock: the bearer token (from the CLI), and a client connected to the place.
    # A client made at the POST would count its own start (an SSL context: 25-50 ms here).
    headers = {"authorization": f"Bearer {place.token()}"}
    with httpx.Client(timeout=30) as client:
        client.get(place.actor_id()).raise_for_status()
        return [_one_post(place, peers, client, headers, signatures) for _ in range(posts)]


def _one_post(
    place: LocalPlace,
    peers: PeerNodes,
    client: httpx.Client,
    headers: dict[str, str],
    signatures: float,
) -> Fanout:
    since = len(peers.received())
    text = f"Fan-out {uuid.uuid4().hex[:8]}: portes ouvertes samedi, venez nombreux !"
    started = time.perf_counter()
    response = client.post(f"{place.actor_id()}/outbox", json=note(place, text), headers=headers)
    answered = time.perf_counter() - started
    if response.status_code != 201:
        raise RuntimeError(f"the outbox refused the post: {response.status_code} {response.text}")
    activity_id = response.json()["id"]

    def arrived() -> list[float] | None:
        times = [r.at for r in peers.received(since) if r.activity_id == activity_id]
        return times if len(times) >= peers.nodes else None

    wait_for(arrived, FANOUT_TIMEOUT, f"the post delivered to {peers.nodes} nodes")
    time.sleep(0.5)  # any POST beyond one per node would arrive about now: count them too
    mine = [r for r in peers.received(since) if r.activity_id == activity_id]
    times = sorted(r.at for r in mine)
    return Fanout(
        nodes=len({r.port for r in mine}),
        posts=len(mine),
        to_shared_inbox=sum(r.path == "/inbox" for r in mine),
        outbox_answer=answered,
        first=times[0] - started,
        last=times[peers.nodes - 1] - started,
        signatures=signatures,
    )
