"""Delivery that loses nothing: a peer down, the poster killed and restarted, the peer back."""

from __future__ import annotations

import pytest

from .network import LocalPlace, Network, Places, note, wait_for


@pytest.fixture(scope="module")
def places(network: Network) -> Places:
    return network({"coroutine": [], "popcafe": ["alice"], "fabrik": ["bob"]})


def posts_to(place: LocalPlace, inbox: str) -> int:
    """How many POSTs to `inbox` the place's log shows answered 202 (what went on the wire)."""
    return sum(
        1
        for line in place.log_path.read_text().splitlines()
        if f"POST {inbox} " in line and "202" in line
    )


def test_note_reaches_a_peer_that_was_down_after_the_poster_is_killed_and_restarted(
    places: Places,
) -> None:
    coroutine, popcafe, fabrik = places["coroutine"], places["popcafe"], places["fabrik"]
    popcafe.follow(coroutine.actor_id(), "alice")
    fabrik.follow(coroutine.actor_id(), "bob")
    assert len(coroutine.followers()) == 2
    popcafe_inbox = f"{popcafe.base_url}/inbox"
    wait_for(lambda: posts_to(coroutine, popcafe_inbox) == 1, what="the Accept to popcafe")

    popcafe.stop()
    created = coroutine.post_outbox(note(coroutine, "Fermeture exceptionnelle lundi"))

    # The peer that is up gets it while the other is down.
    wait_for(lambda: any(a["id"] == created["id"] for a in fabrik.inbox("bob")),
             what="the note at fabrik while popcafe is down")  # fmt: skip

    def pending_for_popcafe() -> list[dict[str, object]]:
        return [
            d for d in coroutine.deliveries()
            if d["activity_id"] == created["id"] and d["inbox"] == popcafe_inbox
            and d["state"] == "pending" and d["attempts"] >= 1
        ]  # fmt: skip

    pending = wait_for(pending_for_popcafe, what="a failed attempt recorded")
    assert pending[0]["last_error"]
    listing = coroutine.cli("deliveries", "--data", str(coroutine.data)).stdout
    assert "en attente" in listing and popcafe_inbox in listing

    coroutine.kill()  # kill -9, in the middle of retrying
    coroutine.start()
    popcafe.start()

    wait_for(lambda: any(a["id"] == created["id"] for a in popcafe.inbox("alice")),
             what="the note at popcafe after both came back", timeout=30)  # fmt: skip
    wait_for(lambda: posts_to(coroutine, popcafe_inbox) == 2, what="the delivery logged")
    rows = [d for d in coroutine.deliveries() if d["activity_id"] == created["id"]]
    assert sorted(d["state"] for d in rows) == ["delivered", "delivered"]
    # Exactly once: one accepted POST of it on the wire, one entry in alice's inbox.
    assert posts_to(coroutine, popcafe_inbox) == 2  # the Accept, then the note
    assert [a["id"] for a in popcafe.inbox("alice")].count(created["id"]) == 1
