"""Three places on loopback: discovery, follow/accept/undo, a note to followers on two nodes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from node.activity import id_of

from .network import AS_JSON, LocalPlace, note, wait_for


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LocalPlace]]:
    root: Path = tmp_path_factory.mktemp("follow")
    coroutine = LocalPlace(root, "coroutine", "La Coroutine").init()
    popcafe = LocalPlace(root, "popcafe", "PopCafé").init()
    fabrik = LocalPlace(root, "fabrik", "La Fabrik").init()
    popcafe.add_member("alice", "Alice Martin")
    fabrik.add_member("bob", "Bob Durand")
    fabrik.add_member("chloe", "Chloé Petit", "--manual-approval")
    all_places = {"coroutine": coroutine, "popcafe": popcafe, "fabrik": fabrik}
    for place in all_places.values():
        place.start()
    yield all_places
    for place in all_places.values():
        place.stop()


def test_webfinger_finds_the_place_and_its_actor(places: dict[str, LocalPlace]) -> None:
    coroutine = places["coroutine"]
    host = coroutine.base_url.removeprefix("http://")
    jrd = httpx.get(
        f"{coroutine.base_url}/.well-known/webfinger",
        params={"resource": f"acct:coroutine@{host}"},
    ).json()
    self_link = next(link for link in jrd["links"] if link["rel"] == "self")
    assert self_link["type"] == AS_JSON
    actor = httpx.get(self_link["href"], headers={"accept": AS_JSON}).json()
    assert actor["type"] == "Organization"
    assert actor["preferredUsername"] == "coroutine"
    assert actor["publicKey"]["id"] == f"{actor['id']}#main-key"
    assert actor["publicKey"]["owner"] == actor["id"]
    assert actor["assertionMethod"][0]["type"] == "Multikey"
    assert actor["assertionMethod"][0]["publicKeyMultibase"].startswith("z6Mk")
    nodeinfo_link = httpx.get(f"{coroutine.base_url}/.well-known/nodeinfo").json()
    info = httpx.get(nodeinfo_link["links"][0]["href"]).json()
    assert info["software"]["name"] == "interlieux"


def test_follow_is_accepted_and_a_public_note_reaches_followers_on_two_nodes(
    places: dict[str, LocalPlace],
) -> None:
    coroutine, popcafe, fabrik = places["coroutine"], places["popcafe"], places["fabrik"]
    popcafe.post_outbox({"type": "Follow", "object": coroutine.actor_id()}, "alice")
    fabrik.post_outbox({"type": "Follow", "object": coroutine.actor_id()}, "bob")
    wait_for(
        lambda: {popcafe.actor_id("alice"), fabrik.actor_id("bob")} <= set(coroutine.followers()),
        what="both follows accepted at coroutine",
    )
    wait_for(lambda: coroutine.actor_id() in popcafe.following("alice"), what="alice's Accept")
    wait_for(lambda: coroutine.actor_id() in fabrik.following("bob"), what="bob's Accept")

    created = coroutine.post_outbox(note(coroutine, "Atelier soudure jeudi à 18 h"))
    for place, member in ((popcafe, "alice"), (fabrik, "bob")):
        received = wait_for(
            lambda p=place, m=member: [a for a in p.inbox(m) if a["id"] == created["id"]],
            what=f"the note in {member}'s inbox",
        )
        assert received[0]["object"]["content"] == "Atelier soudure jeudi à 18 h"
    # Served at its id, for anyone who follows a link to it.
    served = httpx.get(created["object"]["id"], headers={"accept": AS_JSON}).json()
    assert served["content"] == "Atelier soudure jeudi à 18 h"


def test_undo_follow_removes_the_follower(places: dict[str, LocalPlace]) -> None:
    coroutine, popcafe = places["coroutine"], places["popcafe"]
    follow = popcafe.post_outbox({"type": "Follow", "object": coroutine.actor_id()}, "alice")
    wait_for(lambda: popcafe.actor_id("alice") in coroutine.followers(), what="follow accepted")
    popcafe.post_outbox({"type": "Undo", "object": follow["id"]}, "alice")
    wait_for(
        lambda: popcafe.actor_id("alice") not in coroutine.followers(), what="follower removed"
    )
    assert coroutine.actor_id() not in popcafe.following("alice")


def test_member_with_manual_approval_accepts_a_follow_request(
    places: dict[str, LocalPlace],
) -> None:
    popcafe, fabrik = places["popcafe"], places["fabrik"]
    follow = popcafe.post_outbox({"type": "Follow", "object": fabrik.actor_id("chloe")}, "alice")
    request = wait_for(
        lambda: [a for a in fabrik.inbox("chloe") if a["id"] == follow["id"]],
        what="the follow request in chloé's inbox",
    )
    assert request[0]["type"] == "Follow"
    assert fabrik.followers("chloe") == []  # pending until chloé decides
    fabrik.post_outbox({"type": "Accept", "object": follow["id"]}, "chloe")
    wait_for(lambda: fabrik.actor_id("chloe") in popcafe.following("alice"), what="accepted")
    assert popcafe.actor_id("alice") in fabrik.followers("chloe")


def test_a_member_follows_their_own_place_on_the_same_node(
    places: dict[str, LocalPlace],
) -> None:
    fabrik = places["fabrik"]
    fabrik.post_outbox({"type": "Follow", "object": fabrik.actor_id()}, "bob")
    wait_for(lambda: fabrik.actor_id("bob") in fabrik.followers(), what="local follow accepted")
    created = fabrik.post_outbox(note(fabrik, "Portes ouvertes samedi"))
    wait_for(
        lambda: any(a["id"] == created["id"] for a in fabrik.inbox("bob")),
        what="the place's note in its member's inbox",
    )


def test_an_event_addressed_to_public_alone_reaches_the_following_place(
    places: dict[str, LocalPlace], tmp_path: Path
) -> None:
    """What a team does: write the event, address it to Public, `interlieux publish` it."""
    coroutine, fabrik = places["coroutine"], places["fabrik"]
    fabrik.post_outbox({"type": "Follow", "object": coroutine.actor_id()})
    wait_for(lambda: fabrik.actor_id() in coroutine.followers(), what="fabrik following")
    event = {
        "type": "Event", "name": "Repair café", "startTime": "2030-04-05T14:00:00+02:00",
        "location": {"type": "Place", "name": "La Coroutine",
                     "address": {"type": "PostalAddress", "addressLocality": "Lille"}},
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    }  # fmt: skip
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    printed = coroutine.cli("publish", "--data", str(coroutine.data), str(path)).stdout
    event_id = printed.strip().splitlines()[-1]
    # Every follower's server gets it (alice's, bob's and fabrik's follows may all be there).
    servers = len({f.split("/actors/")[0] for f in coroutine.followers()})
    assert f"en file d'envoi vers {servers} boîte" in printed
    received = wait_for(
        lambda: [a for a in fabrik.inbox() if id_of(a.get("object")) == event_id],
        what="the event in fabrik's inbox",
    )
    assert f"{coroutine.actor_id()}/followers" in received[0]["cc"]
