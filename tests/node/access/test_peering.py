"""The peers a network makes (pure): every other member place, on the network's terms; a
place two networks share on the first network's by id, the same at both places."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from node.access.peering import Network, Terms, network_terms, networks_of, reconcile
from node.store import Store
from node.tables import networks, peers

A = "https://a.example/actors/a"
B = "https://b.example/actors/b"
C = "https://c.example/actors/c"
BIL = "https://a.example/actors/bil"
SUD = "https://sud.example/actors/sud"
RULES = {"visitRate": "5.00", "overdraft": "0.00", "admission": "majority"}


def test_every_other_member_is_a_peer_at_the_networks_rate() -> None:
    terms = network_terms(A, [Network(BIL, (A, B, C), RULES)])
    assert terms == {B: Terms(BIL, "5.00", "EUR"), C: Terms(BIL, "5.00", "EUR")}


def test_a_place_two_networks_share_takes_the_first_networks_terms_at_both_places() -> None:
    bil = Network(BIL, (A, B, C), {**RULES, "visitRate": "6"})
    sud = Network(SUD, (A, B), {**RULES, "visitRate": "3.50", "currency": "chf"})
    at_a = network_terms(A, [sud, bil])
    at_b = network_terms(B, [bil, sud])
    assert at_a[B] == at_b[A] == Terms(BIL, "6.00", "EUR")  # BIL sorts before SUD
    only_sud = network_terms(A, [sud])
    assert only_sud == {B: Terms(SUD, "3.50", "CHF")}


def test_a_network_whose_rules_say_no_readable_rate_makes_no_peer() -> None:
    assert network_terms(A, [Network(BIL, (A, B), {})]) == {}
    assert network_terms(A, [Network(BIL, (A, B), {**RULES, "visitRate": "cinq"})]) == {}
    assert network_terms(A, [Network(BIL, (A, B), {**RULES, "visitRate": "-1"})]) == {}
    assert network_terms(A, [Network(BIL, (A, B), {**RULES, "currency": "euro"})]) == {}


def test_only_the_networks_our_place_is_a_member_of_count() -> None:
    rows = [
        {"id": BIL, "place_state": "member", "members": json.dumps([A, B]),
         "rules": json.dumps(RULES)},
        {"id": SUD, "place_state": "asked", "members": json.dumps([B, C]),
         "rules": json.dumps(RULES)},
        {"id": "https://x.example/actors/x", "place_state": None, "members": "[]",
         "rules": "{}"},
    ]  # fmt: skip
    assert networks_of(rows) == [Network(BIL, (A, B), RULES)]


def test_reconcile_follows_the_networks_and_never_touches_a_bilateral_agreement(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        store = await Store(tmp_path / "db.sqlite3").open()
        try:
            async with store.write() as db:
                await networks.asked(db, BIL, "https://a.example/activities/1", 1.0)
                await networks.set_place_state(db, BIL, "member", 1.0)
                await networks.set_members(db, BIL, [A, B, C], 1.0)
                await networks.set_rules(db, BIL, RULES, 1.0)
                await peers.add(db, C, "4.00", "EUR", 1.0)  # agreed bilaterally
                changes = await reconcile(db, A)
            assert changes.added == [B] and changes.removed == []
            listed = {p.actor_id: p for p in await peers.listing(store.reads)}
            assert (listed[B].visit_rate, listed[B].terms_from) == ("5.00", BIL)
            assert (listed[C].visit_rate, listed[C].terms_from) == ("4.00", None)

            async with store.write() as db:
                assert (await reconcile(db, A)).added == []  # nothing new: nothing written
                await networks.set_rules(db, BIL, {**RULES, "visitRate": "6.00"}, 2.0)
                assert (await reconcile(db, A)).added == [B]
                await networks.set_members(db, BIL, [A, C], 3.0)
                assert (await reconcile(db, A)).removed == [B]
            assert [(p.actor_id, p.visit_rate, p.terms_from)
                    for p in await peers.listing(store.reads)] == [(C, "4.00", None)]  # fmt: skip

            async with store.write() as db:
                await peers.remove(db, C)  # the agreement ends: the network's terms apply
                await reconcile(db, A)
                await networks.set_place_state(db, BIL, None, 4.0)  # our place left
                assert (await reconcile(db, A)).removed == [C]
            assert await peers.listing(store.reads) == []
        finally:
            await store.close()

    asyncio.run(scenario())
