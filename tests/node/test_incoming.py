"""Incoming HTTP inside the app: the in-flight limit, bodies counted while read, the signed
Host for RFC 9421 and signed GETs, and the `serve` flags' defaults. What only a real server
shows (deadlines, half-open connections) is in federation_tests/test_incoming.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from node import server
from node.cli import _parser
from node.incoming import DEFAULT_MAX_IN_FLIGHT, MAX_BODY, InFlightLimit, read_bounded
from node.signature import rfc9421

from .conftest import InProcessNode, StandIn


async def test_requests_past_the_in_flight_limit_get_503_with_retry_after() -> None:
    release = asyncio.Event()
    inside = 0

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal inside
        inside += 1
        await release.wait()
        await PlainTextResponse("fini")(scope, receive, send)

    transport = httpx.ASGITransport(app=InFlightLimit(slow, limit=2))
    async with httpx.AsyncClient(transport=transport, base_url="http://lieu") as client:
        held = [asyncio.create_task(client.get("/")) for _ in range(2)]
        while inside < 2:
            await asyncio.sleep(0)
        busy = await client.get("/", headers={"accept-language": "en"})
        assert busy.status_code == 503
        assert busy.headers["retry-after"] == "1"
        assert "busy" in busy.json()["error"]
        release.set()
        assert [r.status_code for r in await asyncio.gather(*held)] == [200, 200]
        assert (await client.get("/")).status_code == 200  # the slots are free again


async def test_a_body_without_length_is_refused_once_it_passes_the_limit() -> None:
    """Chunked, no Content-Length: counted while read; the rest is never asked for."""
    pulled = 0

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await read_bounded(Request(scope, receive), limit=100_000)
            response: Response = PlainTextResponse("lu")
        except Exception as exc:
            response = PlainTextResponse(type(exc).__name__, status_code=413)
        await response(scope, receive, send)

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        while pulled < 10_000_000:
            pulled += 1
            yield b"x" * 10_000

    transport = httpx.ASGITransport(app=handler)
    async with httpx.AsyncClient(transport=transport, base_url="http://lieu") as client:
        answer = await client.post("/", content=endless())
    assert (answer.status_code, answer.text) == (413, "PayloadTooLarge")
    assert pulled * 10_000 <= 200_000  # stopped reading just past the limit


def test_an_rfc9421_post_signed_for_another_host_is_refused_without_a_key_fetch(
    place: InProcessNode, stand_in: StandIn
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    actor = stand_in.add_actor("/users/mallory")
    activity = {"id": f"{stand_in.base_url}/a/1", "type": "Like", "actor": actor,
                "object": place.actor_id()}  # fmt: skip
    body = json.dumps(activity).encode()
    headers = rfc9421.sign_request(
        "POST", "https://other.example/inbox", f"{actor}#main-key", key, body=body
    )
    assert headers["host"] == "other.example"
    answer = place.client.post("/inbox", content=body, headers=headers)
    assert answer.status_code == 401
    assert "'other.example', not 127.0.0.1:9" in answer.json()["error"]
    assert place.query("SELECT 1 FROM remote_actors WHERE id = ?", (actor,)) == []


def test_the_same_post_addressed_to_us_is_taken(place: InProcessNode, stand_in: StandIn) -> None:
    """The control: the Host check refuses only what was addressed elsewhere."""
    actor = stand_in.add_actor("/users/bob")
    activity = {"id": f"{stand_in.base_url}/a/2", "type": "Like", "actor": actor,
                "object": place.actor_id()}  # fmt: skip
    body = json.dumps(activity).encode()
    headers = rfc9421.sign_request(
        "POST", f"{place.config.base_url}/inbox", f"{actor}#main-key", stand_in.key, body=body
    )
    assert place.client.post("/inbox", content=body, headers=headers).status_code == 202


def test_the_signed_path_is_the_one_sent_still_percent_encoded(
    place: InProcessNode, stand_in: StandIn
) -> None:
    # The sender signs its request line as written; the router matches the decoded path
    # (alice's inbox), the signature is checked against the bytes that were sent.
    actor = stand_in.add_actor("/users/carol")
    activity = {"id": f"{stand_in.base_url}/a/3", "type": "Like", "actor": actor,
                "object": place.actor_id("alice")}  # fmt: skip
    body = json.dumps(activity).encode()
    sent = "/actors/%61lice/inbox?via=caf%C3%A9"
    headers = rfc9421.sign_request(
        "POST", f"{place.config.base_url}{sent}", f"{actor}#main-key", stand_in.key, body=body
    )
    answer = place.client.post(sent, content=body, headers=headers)
    assert answer.status_code == 202, answer.text


def test_serve_flags_default_to_the_documented_limits() -> None:
    args = _parser().parse_args(["serve", "--data", "/nowhere"])
    assert (args.header_timeout, args.body_timeout) == (10.0, 30.0)
    assert (args.max_connections, args.max_in_flight) == (1000, 64)
    assert server.ServeLimits() == server.ServeLimits(10.0, 30.0, 5, 32_768, 1000)
    assert (DEFAULT_MAX_IN_FLIGHT, MAX_BODY) == (64, 1_000_000)
    args = _parser().parse_args(["serve", "--data", "/x", "--header-timeout", "3",
                                 "--body-timeout", "4", "--max-in-flight", "8"])  # fmt: skip
    assert (args.header_timeout, args.body_timeout, args.max_in_flight) == (3.0, 4.0, 8)
