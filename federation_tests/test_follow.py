"""Three places on loopback: discovery, follow/accept/undo, a note to followers on two nodes."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from node.activity import id_of

from .network import AS_JSON, Member, Network, Places, event, note, wait_for


@pytest.fixture(scope="module")
def places(network: Network) -> Places:
    return network(
        {
            "coroutine": [],
            "popcafe": ["alice"],
            "fabrik": ["bob", Member("chloe", manual_approval=True)],
        }
    )


def test_webfinger_finds_the_place_and_its_actor(places: Places) -> None:
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
    places: Places,
) -> None:
    coroutine, popcafe, fabrik = places["coroutine"], places["popcafe"], places["fabrik"]
    popcafe.follow(coroutine.actor_id(), "alice")
    fabrik.follow(coroutine.actor_id(), "bob")
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


def test_undo_follow_removes_the_follower(places: Places) -> None:
    coroutine, popcafe = places["coroutine"], places["popcafe"]
    follow = popcafe.follow(coroutine.actor_id(), "alice")
    popcafe.post_outbox({"type": "Undo", "object": follow["id"]}, "alice")
    wait_for(
        lambda: popcafe.actor_id("alice") not in coroutine.followers(), what="follower removed"
    )
    assert coroutine.actor_id() not in popcafe.following("alice")


def test_member_with_manual_approval_accepts_a_follow_request(
    places: Places,
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
    places: Places,
) -> None:
    fabrik = places["fabrik"]
    fabrik.follow(fabrik.actor_id(), "bob")
    created = fabrik.post_outbox(note(fabrik, "Portes ouvertes samedi"))
    wait_for(
        lambda: any(a["id"] == created["id"] for a in fabrik.inbox("bob")),
        what="the place's note in its member's inbox",
    )


def test_an_event_addressed_to_public_alone_reaches_the_following_place(
    places: Places, tmp_path: Path
) -> None:
    """What a team does: write the event, address it to Public, `interlieux publish` it."""
    coroutine, fabrik = places["coroutine"], places["fabrik"]
    fabrik.follow(coroutine.actor_id())
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event(coroutine, to_followers=False)))
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
