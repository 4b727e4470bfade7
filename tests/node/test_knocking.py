"""Double-knocking: the decisions (pure), the table that remembers them, and `knock` itself."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from node import knocking
from node.knocking import CAVAGE, REMEMBER, RFC9421, Knocks, first_scheme, knock, to_remember
from node.store import Store

NOW = 1_800_000_000.0


def test_rfc9421_first_unless_cavage_was_taken_lately() -> None:
    assert first_scheme(None, NOW) == RFC9421
    assert first_scheme((CAVAGE, NOW - 3600), NOW) == CAVAGE
    assert first_scheme((RFC9421, NOW - 3600), NOW) == RFC9421
    # Forgotten after REMEMBER: a peer that upgrades is offered the RFC again.
    assert first_scheme((CAVAGE, NOW - REMEMBER - 1), NOW) == RFC9421


@pytest.mark.parametrize(
    ("status", "again"),
    [(401, True), (400, True), (500, True), (202, False), (403, False), (404, False),
     (410, False), (429, False), (502, False), (503, False)],
)  # fmt: skip
def test_which_refusals_knock_again(status: int, again: bool) -> None:
    assert knocking.knock_again(status) is again


def test_what_is_remembered() -> None:
    assert to_remember(RFC9421, 202, None, None) is None  # the default costs no write
    assert to_remember(RFC9421, 401, 202, None) == CAVAGE
    assert to_remember(RFC9421, 401, 401, None) is None  # neither worked: nothing learnt
    assert to_remember(CAVAGE, 401, 202, CAVAGE) == RFC9421  # the peer dropped cavage
    assert to_remember(RFC9421, 202, None, CAVAGE) == RFC9421  # upgraded since
    assert to_remember(CAVAGE, 202, None, CAVAGE) is None


class Peer:
    """Takes one scheme only; records what it was sent."""

    def __init__(self, takes: str, refusal: int = 401) -> None:
        self.takes, self.refusal, self.seen = takes, refusal, list[str]()

    async def send(self, headers: Mapping[str, str]) -> tuple[int, str]:
        scheme = headers["scheme"]
        self.seen.append(scheme)
        status = 202 if scheme == self.takes else self.refusal
        return status, f"{scheme}:{status}"


def signed(scheme: knocking.Scheme) -> dict[str, str]:
    return {"scheme": scheme}


async def test_knock_falls_back_remembers_and_survives_a_new_store(tmp_path: Path) -> None:
    store = await Store(tmp_path / "node.sqlite3").open()
    try:
        old = Peer(CAVAGE)
        assert await knock(Knocks(store), "https://old.example", signed, old.send) == "cavage:202"
        assert old.seen == [RFC9421, CAVAGE]
        assert await knock(Knocks(store), "https://old.example", signed, old.send) == "cavage:202"
        assert old.seen == [RFC9421, CAVAGE, CAVAGE]  # straight to cavage the second time
        new = Peer(RFC9421)
        assert await knock(Knocks(store), "https://new.example", signed, new.send) == "rfc9421:202"
        assert new.seen == [RFC9421]
        assert await Knocks(store).recall("https://new.example") is None
    finally:
        await store.close()
    # Another process (a restart) reads the same choice.
    store = await Store(tmp_path / "node.sqlite3").open()
    try:
        recalled = await Knocks(store).recall("https://old.example")
        assert recalled is not None and recalled[0] == CAVAGE
    finally:
        await store.close()


async def test_a_server_crashing_on_rfc9421_gets_cavage(tmp_path: Path) -> None:
    store = await Store(tmp_path / "node.sqlite3").open()
    try:
        crashing = Peer(CAVAGE, refusal=500)
        assert (
            await knock(Knocks(store), "https://b.example", signed, crashing.send) == "cavage:202"
        )
        down = Peer("nothing", refusal=503)
        assert await knock(Knocks(store), "https://d.example", signed, down.send) == "rfc9421:503"
        assert down.seen == [RFC9421]  # down is not a signature problem: one request
    finally:
        await store.close()


async def test_an_expired_choice_is_tried_again_and_refreshed(tmp_path: Path) -> None:
    store = await Store(tmp_path / "node.sqlite3").open()
    try:
        knocks = Knocks(store)
        await knocks.remember("https://up.example", CAVAGE, now=NOW - REMEMBER - 10)
        upgraded = Peer(RFC9421)
        assert await knock(knocks, "https://up.example", signed, upgraded.send) == "rfc9421:202"
        recalled = await knocks.recall("https://up.example")
        assert recalled is not None and recalled[0] == RFC9421
    finally:
        await store.close()


def test_signing_per_scheme() -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    url = "https://peer.example/inbox"
    modern = knocking.sign(RFC9421, "POST", url, "k", key, b"{}", {"content-type": "a/b"})
    assert {"signature-input", "signature", "content-digest", "date"} <= modern.keys()
    assert "digest" not in modern
    legacy = knocking.sign(CAVAGE, "POST", url, "k", key, b"{}", {"content-type": "a/b"})
    assert {"signature", "digest", "date"} <= legacy.keys() and "signature-input" not in legacy


async def test_what_was_recalled_is_kept_in_memory_for_a_while(tmp_path: Path) -> None:
    """A fan-out asks once per server, not once per delivery; another process's choice is
    seen once the kept answer is older than `keep`."""
    store = await Store(tmp_path / "node.sqlite3").open()
    try:
        kept, fresh = Knocks(store), Knocks(store, keep=0.0)
        assert await kept.recall("https://a.example") is None
        await Knocks(store).remember("https://a.example", CAVAGE, now=NOW)  # another process
        assert await kept.recall("https://a.example") is None  # still the kept answer
        recalled = await fresh.recall("https://a.example")
        assert recalled == (CAVAGE, NOW)
        await kept.remember("https://b.example", RFC9421, now=NOW)  # its own: kept at once
        async with store.write() as db:
            await db.execute("DELETE FROM signature_schemes")
        assert await kept.recall("https://b.example") == (RFC9421, NOW)
        assert await fresh.recall("https://b.example") is None
    finally:
        await store.close()
