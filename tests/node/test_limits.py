"""The rate limits: the buckets on a clock the test turns, the node.json figures, and each edge
(the inbox per origin and per actor, key fetches, the outbox per token) answering 429 with
Retry-After on an in-process node."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from node.app import create_app
from node.cli import main as cli
from node.config import NodeConfig
from node.errors import ConfigError, RateLimited
from node.limits import Buckets, Limits, Rate, Throttles, claimed_key_id

from .conftest import PUBLIC, InProcessNode, StandIn


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_serves_its_burst_then_refills_at_its_rate() -> None:
    clock = Clock()
    bucket = Buckets(Rate(burst=3, per_minute=6), clock)  # one token every 10 s
    for _ in range(3):
        assert bucket.wait("a") == 0
        bucket.take("a")
    assert bucket.wait("a") == pytest.approx(10.0)
    assert bucket.wait("b") == 0  # another key has its own bucket
    clock.now += 5
    assert bucket.wait("a") == pytest.approx(5.0)
    clock.now += 5
    assert bucket.wait("a") == 0
    clock.now += 3600  # a long pause refills up to the burst, never past it
    for _ in range(3):
        bucket.take("a")
    assert bucket.wait("a") > 0


def test_a_burst_of_zero_turns_a_limit_off() -> None:
    bucket = Buckets(Rate(burst=0, per_minute=0), Clock())
    for _ in range(1000):
        assert bucket.wait("a") == 0
        bucket.take("a")


def test_buckets_are_bounded_in_number() -> None:
    clock = Clock()
    bucket = Buckets(Rate(burst=1, per_minute=1), clock, max_keys=100)
    for i in range(1000):
        bucket.take(f"https://minted.example/actors/{i}")
    assert len(bucket._levels) <= 100


def test_a_refused_request_is_charged_nothing() -> None:
    clock = Clock()
    limits = Limits(inbox_per_origin=Rate(10, 60), inbox_per_actor=Rate(2, 60))
    throttles = Throttles(limits, clock)
    actor = "https://big.example/users/loud"
    throttles.inbox_after(actor)
    throttles.inbox_after(actor)
    with pytest.raises(RateLimited) as refused:
        throttles.inbox_after(actor)
    assert refused.value.status == 429
    assert refused.value.headers == {"retry-after": "1"}
    # The origin paid for two requests, not three: its other actors have eight left.
    for _ in range(8):
        throttles.inbox_after(f"https://big.example/users/{uuid.uuid4()}")
    with pytest.raises(RateLimited):
        throttles.inbox_after("https://big.example/users/quiet")


def test_a_claimed_origin_is_looked_at_before_the_signature_never_charged() -> None:
    throttles = Throttles(Limits(inbox_per_origin=Rate(1, 1)), Clock())
    for _ in range(100):  # junk claiming to come from there costs the real server nothing
        throttles.inbox_before("https://mastodon.example")
    throttles.inbox_after("https://mastodon.example/users/ana")
    with pytest.raises(RateLimited) as refused:
        throttles.inbox_before("https://mastodon.example")
    assert int(refused.value.headers["retry-after"]) == 60
    throttles.inbox_before("https://other.example")


def test_key_fetches_are_limited_per_actor_and_per_origin() -> None:
    clock = Clock()
    throttles = Throttles(
        Limits(key_fetches_per_origin=Rate(3, 60), key_fetches_per_actor=Rate(2, 1)), clock
    )
    throttles.key_fetch("https://a.example/users/x#main-key")
    throttles.key_fetch("https://a.example/users/x#main-key")
    with pytest.raises(RateLimited):  # x's key, a third time within the minute
        throttles.key_fetch("https://a.example/users/x#main-key")
    throttles.key_fetch("https://a.example/users/y#main-key")
    with pytest.raises(RateLimited):  # a.example's third fetch was y's
        throttles.key_fetch("https://a.example/users/z#main-key")
    throttles.key_fetch("https://b.example/users/z#main-key")


def test_challenges_and_flows_kept_in_memory_are_limited_per_client_address() -> None:
    clock = Clock()
    throttles = Throttles(Limits(passkey_options_per_address=Rate(2, 1),
                                 home_signins_per_address=Rate(1, 1)), clock)  # fmt: skip
    throttles.passkey_options("192.0.2.1")
    throttles.passkey_options("192.0.2.1")
    with pytest.raises(RateLimited):
        throttles.passkey_options("192.0.2.1")
    throttles.passkey_options("192.0.2.2")  # another client is not held up
    throttles.home_signin_start("192.0.2.1")  # a bucket of its own
    with pytest.raises(RateLimited):
        throttles.home_signin_start("192.0.2.1")
    clock.now += 60
    throttles.home_signin_start("192.0.2.1")
    throttles.passkey_options("192.0.2.1")


def test_outstanding_fetches_per_origin_are_limited() -> None:
    throttles = Throttles(Limits(fetches_outstanding_per_origin=2), Clock())
    with (
        throttles.fetches.slot("https://slow.example"),
        throttles.fetches.slot("https://slow.example"),
    ):
        with pytest.raises(RateLimited) as refused:
            throttles.key_fetch("https://slow.example/users/x#main-key")
        assert refused.value.headers["retry-after"] == "10"
        throttles.key_fetch("https://fast.example/users/x#main-key")
    throttles.key_fetch("https://slow.example/users/x#main-key")


def test_the_claimed_key_id_is_read_from_either_scheme() -> None:
    cavage = {"signature": 'keyId="https://a.example/u#k",algorithm="rsa-sha256",signature="x"'}
    rfc = {"signature-input": 'sig1=("@method");created=1;keyid="https://b.example/u#k"'}
    assert claimed_key_id(cavage) == "https://a.example/u#k"
    assert claimed_key_id(rfc) == "https://b.example/u#k"
    assert claimed_key_id({}) is None


def test_node_json_changes_the_figures_and_refuses_what_it_cannot_take() -> None:
    limits = Limits.from_config(
        {"inbox_per_origin": {"burst": 600}, "fetches_outstanding_per_origin": 8}
    )
    assert limits.inbox_per_origin == Rate(600, 120)
    assert limits.fetches_outstanding_per_origin == 8
    assert limits.inbox_per_actor == Limits().inbox_per_actor
    for wrong in (
        {"inbox_per_orign": {"burst": 1}},
        {"inbox_per_origin": 300},
        {"inbox_per_origin": {"burst": "many"}},
        {"inbox_per_origin": {"per_minute": -1}},
        {"fetches_outstanding_per_origin": True},
    ):
        with pytest.raises(ConfigError):
            Limits.from_config(wrong)


# --- at the node's edges --------------------------------------------------------------------


def node_with_limits(tmp_path: Path, limits: dict[str, Any]) -> Iterator[InProcessNode]:
    data = tmp_path / "coroutine"
    base_url = "http://127.0.0.1:9"
    assert cli(["init", "--data", str(data), "--base-url", base_url, "--name", "La Coroutine",
                "--handle", "coroutine"]) == 0  # fmt: skip
    settings = json.loads((data / "node.json").read_text())
    assert "limits" not in settings  # a new node's file holds no limits: the defaults apply
    (data / "node.json").write_text(json.dumps({**settings, "limits": limits}))
    config = NodeConfig.load(data)
    with TestClient(create_app(config), base_url=base_url) as client:
        yield InProcessNode(config, client)


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[InProcessNode]:
    yield from node_with_limits(
        tmp_path,
        {
            "inbox_per_origin": {"burst": 5, "per_minute": 0.1},
            "inbox_per_actor": {"burst": 3, "per_minute": 0.1},
            "outbox_per_token": {"burst": 2, "per_minute": 0.1},
            "key_fetches_per_origin": {"burst": 4, "per_minute": 0.1},
        },
    )


def like(stand_in: StandIn, actor: str, place: InProcessNode) -> dict[str, Any]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{stand_in.base_url}/likes/{uuid.uuid4()}",
        "type": "Like",
        "actor": actor,
        "object": place.actor_id(),
        "to": [place.actor_id()],
    }


def test_the_inbox_limits_each_actor_then_its_origin(
    limited: InProcessNode, stand_in: StandIn
) -> None:
    ana, bea = stand_in.add_actor("/users/ana"), stand_in.add_actor("/users/bea")

    def send(actor: str) -> Any:
        return limited.post_signed("/inbox", like(stand_in, actor, limited), stand_in.key,
                                   f"{actor}#main-key")  # fmt: skip

    assert [send(ana).status_code for _ in range(3)] == [202, 202, 202]
    refused = send(ana)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 60  # 0.1 a minute: the next in 10 minutes
    # ana's refusal cost her origin nothing: bea has the origin's two left.
    assert [send(bea).status_code for _ in range(3)] == [202, 202, 429]


def test_key_fetches_for_unknown_key_ids_are_limited_per_origin(
    limited: InProcessNode, stand_in: StandIn
) -> None:
    statuses = []
    for i in range(5):
        actor = stand_in.add_actor(f"/users/new{i}")
        response = limited.post_signed("/inbox", like(stand_in, actor, limited), stand_in.key,
                                       f"{actor}#main-key")  # fmt: skip
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert int(response.headers["retry-after"]) > 0
            assert "key fetches" in response.json()["error"]
    # four key fetches, then the fifth unknown key id is refused before any GET
    assert statuses == [202, 202, 202, 202, 429]
    assert not limited.query(
        "SELECT 1 FROM remote_actors WHERE id = ?", (f"{stand_in.base_url}/users/new4",)
    )


def test_the_outbox_is_limited_per_token(limited: InProcessNode) -> None:
    first, second = limited.token("coroutine"), limited.token("coroutine")
    note = {"type": "Note", "content": "Bonjour", "to": [PUBLIC]}

    def post(token: str) -> Any:
        return limited.client.post("/actors/coroutine/outbox", json=note,
                                   headers={"authorization": f"Bearer {token}"})  # fmt: skip

    assert [post(first).status_code for _ in range(2)] == [201, 201]
    refused = post(first)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert "Trop de requêtes" in refused.json()["error"]
    assert post(second).status_code == 201  # another token, its own share
    # An unknown token is refused as before (401), and takes no bucket.
    assert post("il_nope").status_code == 401


def test_a_wave_of_deleted_accounts_costs_no_key_fetch(
    limited: InProcessNode, stand_in: StandIn
) -> None:
    """A server deleting accounts tells every server it knows, signed with keys no one can
    fetch any more: answered before any signature work, so the origin's budget is untouched."""
    for i in range(10):
        gone = f"{stand_in.base_url}/users/gone{i}"
        delete = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{gone}#delete",
            "type": "Delete",
            "actor": gone,
            "object": gone,
            "to": [PUBLIC],
        }
        response = limited.post_signed("/inbox", delete, stand_in.key, f"{gone}#main-key")
        assert response.status_code == 202
        assert response.json() == {"status": "ignored"}
    ana = stand_in.add_actor("/users/ana")
    response = limited.post_signed("/inbox", like(stand_in, ana, limited), stand_in.key,
                                   f"{ana}#main-key")  # fmt: skip
    assert response.status_code == 202
