"""The Badge Inter-Lieux between real nodes, through `interlieux checkin` (a door without a
reader: a phone scanning the member's QR code). The reader daemon's tests are in test_door.py.
"""

from __future__ import annotations

import json

from node.access import grant as grants

from .badges import CARD, OTHER_CARD, checkin, issue
from .network import Places, wait_for


def test_a_peers_grant_is_accepted_with_its_card_only(peers_and_stranger: Places) -> None:
    coroutine, popcafe = peers_and_stranger["coroutine"], peers_and_stranger["popcafe"]
    text = issue(coroutine, "alice", CARD)
    assert text.startswith("BIL1:")
    assert len(grants.from_text(text)) < 500  # fits an NTAG215

    code, result = checkin(popcafe, text, CARD)
    assert (code, result["decision"], result["reason"]) == (0, "accept", "ok")
    assert result["member"] == coroutine.actor_id("alice")
    assert result["card_checked"] is True

    code, result = checkin(popcafe, text, OTHER_CARD)
    assert (code, result["decision"], result["reason"]) == (1, "refuse", "wrong_card")
    assert "autre carte" in result["message"]


def test_a_tampered_grant_is_refused(peers_and_stranger: Places) -> None:
    coroutine, popcafe = peers_and_stranger["coroutine"], peers_and_stranger["popcafe"]
    data = bytearray(grants.from_text(issue(coroutine, "alice", CARD)))
    # Make the grant name another member: same length, so only the signature can tell.
    at = bytes(data).index(b"/actors/alice")
    data[at + len("/actors/") : at + len("/actors/alice")] = b"bobby"
    code, result = checkin(popcafe, grants.to_text(bytes(data)), CARD)
    assert (code, result["reason"]) == (1, "bad_signature")
    code, result = checkin(popcafe, "BIL1:pas un badge", CARD)
    assert (code, result["reason"]) == (1, "malformed")


def test_grants_of_unknown_places_and_expired_grants_are_refused(
    peers_and_stranger: Places,
) -> None:
    coroutine, popcafe, stranger = (
        peers_and_stranger["coroutine"],
        peers_and_stranger["popcafe"],
        peers_and_stranger["inconnu"],
    )
    code, result = checkin(popcafe, issue(stranger, "zoe", CARD), CARD)
    assert (code, result["reason"]) == (1, "unknown_issuer")
    code, result = checkin(popcafe, issue(coroutine, "alice", CARD, "--days", "0"), CARD)
    assert (code, result["reason"]) == (1, "expired")


def test_each_accepted_tap_is_a_visit_sent_to_the_home_place_and_the_member(
    peers_and_stranger: Places,
) -> None:
    coroutine, popcafe = peers_and_stranger["coroutine"], peers_and_stranger["popcafe"]
    text = issue(coroutine, "alice", CARD)
    visits = [checkin(popcafe, text, CARD)[1]["visit"] for _ in range(2)]
    assert len(set(visits)) == 2
    for owner in ("coroutine", "alice"):
        received = wait_for(
            lambda o=owner: {a["object"]["id"] for a in coroutine.inbox(o)
                             if a["type"] == "Create"} >= set(visits),
            what=f"both visits in {owner}'s inbox",
        )  # fmt: skip
        assert received
    rows = coroutine.query("SELECT place, member, door FROM visits WHERE local = 0")
    assert {(r["place"], r["member"], r["door"]) for r in rows} == {
        (popcafe.actor_id(), coroutine.actor_id("alice"), "porte-rue")
    }
    # The visit went to the home place and the member alone: not to anyone else.
    sent = popcafe.query("SELECT document FROM activities WHERE object_id = ?", (visits[0],))
    assert json.loads(sent[0][0])["to"] == [coroutine.actor_id(), coroutine.actor_id("alice")]


def test_a_revoked_grant_is_refused_at_the_peer_within_a_minute(
    peers_and_stranger: Places,
) -> None:
    coroutine, popcafe = peers_and_stranger["coroutine"], peers_and_stranger["popcafe"]
    text = issue(coroutine, "alice", CARD)
    grant_id = grants.read(grants.from_text(text))[0].grant_id
    assert checkin(popcafe, text, CARD)[0] == 0
    coroutine.cli("badge", "revoke", "--data", str(coroutine.data), "--grant", grant_id)
    _, result = wait_for(
        lambda: (r := checkin(popcafe, text, CARD))[0] == 1 and r,
        timeout=60, what="the revocation to reach popcafe",
    )  # fmt: skip
    assert result["reason"] == "revoked"


def test_the_peer_still_decides_when_the_home_place_is_down(
    peers_and_stranger: Places,
) -> None:
    coroutine, popcafe = peers_and_stranger["coroutine"], peers_and_stranger["popcafe"]
    text = issue(coroutine, "alice", CARD)
    coroutine.stop()
    try:
        code, result = checkin(popcafe, text, CARD)
        assert (code, result["decision"]) == (0, "accept")
        code, result = checkin(popcafe, text, OTHER_CARD)
        assert (code, result["reason"]) == (1, "wrong_card")
    finally:
        coroutine.start()


def test_after_a_key_rotation_old_and_new_grants_are_accepted(
    peers_and_stranger: Places,
) -> None:
    coroutine, popcafe = peers_and_stranger["coroutine"], peers_and_stranger["popcafe"]
    old = issue(coroutine, "alice", CARD)
    coroutine.cli("keys", "rotate", "--data", str(coroutine.data))
    new = issue(coroutine, "alice", CARD)
    assert grants.read(grants.from_text(old))[0].kid != grants.read(grants.from_text(new))[0].kid
    # The Update reaches popcafe (signed with the new RSA key: popcafe refetches it), and
    # popcafe's bundle then holds both badge keys.
    _, result = wait_for(
        lambda: (r := checkin(popcafe, new, CARD))[0] == 0 and r,
        timeout=30, what="the new key known at popcafe",
    )  # fmt: skip
    assert result["decision"] == "accept"
    assert checkin(popcafe, old, CARD)[1]["decision"] == "accept"
    # And federation still works with the new key: a note from coroutine reaches popcafe.
    created = coroutine.post_outbox(
        {"type": "Note", "content": "Nouvelles clés", "to": [popcafe.actor_id()]}
    )
    wait_for(lambda: any(a["id"] == created["id"] for a in popcafe.inbox()),
             what="a note signed with the new key")  # fmt: skip
