"""What a client's outbox POST stands for: ids minted by the node, bare objects wrapped."""

from __future__ import annotations

import pytest

from node.errors import InvalidActivity
from node.outbox.publish import normalize

ME = "https://place.example/actors/coroutine"
BASE = "https://place.example"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def test_a_bare_note_is_wrapped_in_a_create_with_minted_ids() -> None:
    activity = normalize(
        {"type": "Note", "content": "Bonjour", "to": [PUBLIC], "id": "https://evil/1",
         "attributedTo": "https://evil/actor"}, ME, BASE,
    )  # fmt: skip
    assert activity["type"] == "Create"
    assert activity["actor"] == ME
    assert activity["id"].startswith(f"{BASE}/activities/")
    note = activity["object"]
    assert note["id"].startswith(f"{BASE}/objects/")
    assert note["attributedTo"] == ME  # a client cannot post as someone else
    assert activity["to"] == note["to"] == [PUBLIC]


def test_create_and_object_share_their_audience() -> None:
    activity = normalize(
        {"type": "Create", "to": [PUBLIC],
         "object": {"type": "Note", "content": "x", "cc": [f"{ME}/followers"]}}, ME, BASE,
    )  # fmt: skip
    assert activity["to"] == activity["object"]["to"] == [PUBLIC]
    assert activity["cc"] == activity["object"]["cc"] == [f"{ME}/followers"]


def test_client_supplied_ids_and_actor_are_replaced() -> None:
    activity = normalize(
        {"type": "Like", "object": "https://x/1", "id": "https://evil/2", "actor": "https://e"},
        ME, BASE,
    )  # fmt: skip
    assert activity["actor"] == ME
    assert activity["id"].startswith(f"{BASE}/activities/")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ([], "not a JSON object"),
        ({"content": "sans type"}, "no type"),
        ({"type": "Follow"}, "needs an object"),
        ({"type": "Create", "object": "https://x/1"}, "embedded object"),
    ],
)
def test_malformed_posts_are_refused_with_a_reason(body: object, reason: str) -> None:
    with pytest.raises(InvalidActivity, match=reason) as caught:
        normalize(body, ME, BASE)
    assert caught.value.fr  # and a French message for the place's team


def test_a_post_to_public_alone_reaches_followers_too() -> None:
    activity = normalize({"type": "Note", "content": "Atelier", "to": [PUBLIC]}, ME, BASE)
    assert activity["to"] == activity["object"]["to"] == [PUBLIC]
    assert activity["cc"] == activity["object"]["cc"] == [f"{ME}/followers"]


def test_public_in_cc_or_as_short_form_reaches_followers_too() -> None:
    activity = normalize(
        {"type": "Note", "content": "x", "to": ["https://b.example/actors/bob"],
         "cc": "as:Public"}, ME, BASE,
    )  # fmt: skip
    assert activity["cc"] == ["as:Public", f"{ME}/followers"]
    assert activity["to"] == ["https://b.example/actors/bob"]


def test_followers_are_not_added_twice() -> None:
    activity = normalize(
        {"type": "Note", "content": "x", "to": [PUBLIC], "cc": [f"{ME}/followers"]}, ME, BASE
    )
    assert activity["cc"] == [f"{ME}/followers"]


def test_an_audience_without_public_stays_as_addressed() -> None:
    bob = "https://b.example/actors/bob"
    activity = normalize({"type": "Note", "content": "x", "to": [bob]}, ME, BASE)
    assert activity["to"] == [bob]
    assert "cc" not in activity and "cc" not in activity["object"]


def test_a_public_update_reaches_followers_too() -> None:
    activity = normalize({"type": "Update", "object": ME, "to": [PUBLIC]}, ME, BASE)
    assert activity["cc"] == [f"{ME}/followers"]
