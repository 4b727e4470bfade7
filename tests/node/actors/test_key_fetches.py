"""Key fetches that the inbox makes for unknown key ids: shared by the requests that arrive
together, and limited per actor (429 with Retry-After past the limit)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from node.actors.remote import Directory
from node.errors import RateLimited
from node.keys import public_pem
from node.limits import Limits, Rate, Throttles
from node.store import Store

ACTOR = "https://mastodon.example/users/ana"
KEY_ID = f"{ACTOR}#main-key"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
DOCUMENT = {
    "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
    "id": ACTOR,
    "type": "Person",
    "inbox": f"{ACTOR}/inbox",
    "publicKey": {"id": KEY_ID, "owner": ACTOR, "publicKeyPem": public_pem(KEY.public_key())},
}


class Mastodon:
    """Ana's server, slow to answer, counting the GETs."""

    def __init__(self) -> None:
        self.gets = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.gets += 1
        await asyncio.sleep(0.2)
        return httpx.Response(200, content=json.dumps(DOCUMENT).encode(),
                              headers={"content-type": "application/activity+json"})  # fmt: skip


@contextlib.asynccontextmanager
async def directory(tmp_path: Path, limits: Limits, server: Mastodon) -> AsyncIterator[Directory]:
    async def signer() -> tuple[str, rsa.RSAPrivateKey]:
        return "https://coroutine.example/actors/coroutine#main-key", KEY

    store = await Store(tmp_path / "db.sqlite3").open()
    async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as http:
        try:
            yield Directory(store, http, signer, Throttles(limits))
        finally:
            await store.close()


def test_requests_signed_with_one_unknown_key_share_one_fetch(tmp_path: Path) -> None:
    server = Mastodon()
    limits = Limits(key_fetches_per_actor=Rate(1, 1))  # one fetch a minute for her key

    async def at_once() -> list[tuple[str, object]]:
        async with directory(tmp_path, limits, server) as ana:
            return await asyncio.gather(*(ana.key_lookup(KEY_ID, False) for _ in range(5)))

    results = asyncio.run(at_once())
    assert server.gets == 1
    assert [owner for owner, _ in results] == [ACTOR] * 5


@pytest.mark.parametrize("limit", [Rate(0, 0), Rate(1, 1)])
def test_a_fetch_past_the_limit_is_refused_with_429(tmp_path: Path, limit: Rate) -> None:
    server = Mastodon()

    async def fetched_again() -> object:
        async with directory(tmp_path, Limits(key_fetches_per_actor=limit), server) as ana:
            await ana.key_lookup(KEY_ID, False)
            try:  # again, as after a signature that failed with the cached key
                return await ana.key_lookup(KEY_ID, True)
            except RateLimited as exc:
                return exc

    second = asyncio.run(fetched_again())
    if limit.off:
        assert isinstance(second, tuple)
        assert server.gets == 2
    else:
        assert isinstance(second, RateLimited)
        assert int(second.headers["retry-after"]) == 60
        assert server.gets == 1
