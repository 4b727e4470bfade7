"""A place and a third-party server (bovine-herd) following each other on loopback.

bovine signs every GET and POST with draft-cavage `rsa-sha256`, requires the keyId to be the
actor's `publicKey.id`, and refuses unsigned GETs (401): what a Mastodon in "authorized fetch"
mode does. See `thirdparty/README.md` for what was checked in its source.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .network import LocalPlace, Network, event, free_port, note, wait_for
from .thirdparty import BovineUser, ThirdPartyServer, http_get, object_id


@pytest.fixture(scope="module")
def world(network: Network) -> Iterator[tuple[LocalPlace, ThirdPartyServer, BovineUser]]:
    place = network({"coroutine": ["alice"]})["coroutine"]
    server = ThirdPartyServer(free_port(), network.root / "bovine").start()
    try:
        yield place, server, server.create_actor("milan")
    finally:
        server.stop()


def test_the_third_party_server_refuses_unsigned_gets(
    world: tuple[LocalPlace, ThirdPartyServer, BovineUser],
) -> None:
    _, _, user = world
    status, _ = http_get(user.actor_id, {"accept": "application/activity+json"})
    assert status == 401  # so every fetch our node makes of it below was signed


def test_a_third_party_user_follows_the_place_and_receives_its_notes(
    world: tuple[LocalPlace, ThirdPartyServer, BovineUser],
) -> None:
    place, _, user = world
    user.follow(place.actor_id())
    wait_for(lambda: user.actor_id in place.followers(), what="the place accepting bovine")
    user.wait_for_following(place.actor_id())
    created = place.post_outbox(note(place, "Repair café samedi 14 h"))
    received = user.wait_for_inbox(lambda a: a.get("id") == created["id"], timeout=30)
    assert object_id(received["object"]) == created["object"]["id"]

    # An event addressed to Public alone reaches the follower too (the node adds followers).
    created = place.post_outbox(event(place, to_followers=False, name="Portes ouvertes"))
    received = user.wait_for_inbox(lambda a: a.get("id") == created["id"], timeout=30)
    assert object_id(received["object"]) == created["object"]["id"]


def test_a_member_follows_a_third_party_user_and_receives_their_notes(
    world: tuple[LocalPlace, ThirdPartyServer, BovineUser],
) -> None:
    place, _, user = world
    place.post_outbox({"type": "Follow", "object": user.actor_id}, "alice")
    user.wait_for_follow_request(place.actor_id("alice"))
    user.accept_follows()
    wait_for(lambda: user.actor_id in place.following("alice"), what="bovine's Accept")
    posted = user.post_note("Bonjour depuis un autre serveur")
    received = wait_for(
        lambda: [
            a for a in place.inbox("alice")
            if a["type"] == "Create" and posted in (a["id"], object_id(a["object"]))
        ],
        what="bovine's note in alice's inbox", timeout=30,
    )  # fmt: skip
    assert received[0]["actor"] == user.actor_id
    assert received[0]["object"]["content"] == "Bonjour depuis un autre serveur"


def test_the_place_unfollow_reaches_the_third_party_server(
    world: tuple[LocalPlace, ThirdPartyServer, BovineUser],
) -> None:
    place, _, user = world
    follow = place.post_outbox({"type": "Follow", "object": user.actor_id})
    user.wait_for_follow_request(place.actor_id())
    user.accept_follows()
    wait_for(lambda: user.actor_id in place.following(), what="following bovine")
    user.wait_for_follower(place.actor_id())
    place.post_outbox({"type": "Undo", "object": follow["id"]})
    wait_for(lambda: place.actor_id() not in user.followers(), what="bovine dropping the place")
