"""The Badge Inter-Lieux between real nodes, through `interlieux checkin` (a door without a
reader: a phone scanning the member's QR code). The reader daemon's tests are in test_door.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from node.access import grant as grants

from .network import LocalPlace, wait_for

CARD = "04A224B2C31580"
OTHER_CARD = "04FFEEDDCCBB80"


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LocalPlace]]:
    root: Path = tmp_path_factory.mktemp("badge")
    coroutine = LocalPlace(root, "coroutine", "La Coroutine").init()
    popcafe = LocalPlace(root, "popcafe", "PopCafé").init()
    stranger = LocalPlace(root, "inconnu", "Lieu Inconnu").init()
    coroutine.add_member("alice", "Alice Martin")
    stranger.add_member("zoe", "Zoé")
    places = {"coroutine": coroutine, "popcafe": popcafe, "inconnu": stranger}
    for place in places.values():
        place.start()
    data = str(coroutine.data)
    coroutine.cli("peer", "add", "--data", data, "--actor", popcafe.actor_id())
    popcafe.cli("peer", "add", "--data", str(popcafe.data), "--actor", coroutine.actor_id())
    wait_for(lambda: popcafe.actor_id() in coroutine.followers(), what="popcafe following")
    wait_for(lambda: coroutine.actor_id() in popcafe.followers(), what="coroutine following")
    yield places
    for place in places.values():
        place.stop()


def issue(place: LocalPlace, member: str, card: str, *extra: str) -> str:
    out = place.cli("badge", "issue", "--data", str(place.data), "--member", member,
                    "--card-uid", card, *extra).stdout  # fmt: skip
    return out.strip().splitlines()[-1]


def checkin(place: LocalPlace, text: str, card: str | None = None) -> tuple[int, dict[str, Any]]:
    args = ["checkin", "--data", str(place.data), "--grant", text, "--door", "porte-rue"]
    if card:
        args += ["--card-uid", card]
    result = place.cli(*args, check=False)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def test_a_peers_grant_is_accepted_with_its_card_only(places: dict[str, LocalPlace]) -> None:
    coroutine, popcafe = places["coroutine"], places["popcafe"]
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


def test_a_tampered_grant_is_refused(places: dict[str, LocalPlace]) -> None:
    coroutine, popcafe = places["coroutine"], places["popcafe"]
    data = bytearray(grants.from_text(issue(coroutine, "alice", CARD)))
    # Make the grant name another member: same length, so only the signature can tell.
    at = bytes(data).index(b"/actors/alice")
    data[at + len("/actors/") : at + len("/actors/alice")] = b"bobby"
    code, result = checkin(popcafe, grants.to_text(bytes(data)), CARD)
    assert (code, result["reason"]) == (1, "bad_signature")
    code, result = checkin(popcafe, "BIL1:pas un badge", CARD)
    assert (code, result["reason"]) == (1, "malformed")


def test_grants_of_unknown_places_and_expired_grants_are_refused(
    places: dict[str, LocalPlace],
) -> None:
    coroutine, popcafe, stranger = places["coroutine"], places["popcafe"], places["inconnu"]
    code, result = checkin(popcafe, issue(stranger, "zoe", CARD), CARD)
    assert (code, result["reason"]) == (1, "unknown_issuer")
    code, result = checkin(popcafe, issue(coroutine, "alice", CARD, "--days", "0"), CARD)
    assert (code, result["reason"]) == (1, "expired")


def test_each_accepted_tap_is_a_visit_sent_to_the_home_place_and_the_member(
    places: dict[str, LocalPlace],
) -> None:
    coroutine, popcafe = places["coroutine"], places["popcafe"]
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
    places: dict[str, LocalPlace],
) -> None:
    coroutine, popcafe = places["coroutine"], places["popcafe"]
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
    places: dict[str, LocalPlace],
) -> None:
    coroutine, popcafe = places["coroutine"], places["popcafe"]
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
    places: dict[str, LocalPlace],
) -> None:
    coroutine, popcafe = places["coroutine"], places["popcafe"]
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
