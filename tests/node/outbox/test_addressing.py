"""Addressing: recipients to inboxes, shared inboxes coalesced, blind copies hidden."""

from __future__ import annotations

from node.actors.remote import RemoteActor
from node.outbox.addressing import delivery_targets, remote_refs
from node.outbox.delivery import public_copy

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
ME = "https://place.example/actors/coroutine"
FOLLOWERS = f"{ME}/followers"


def remote(actor_id: str, shared: str | None) -> RemoteActor:
    return RemoteActor(actor_id, f"{actor_id}/inbox", shared, None, f"{actor_id}#k", "")


def is_local(ref: str) -> bool:
    return ref.startswith("https://place.example/")


ANA = remote("https://masto.example/users/ana", "https://masto.example/inbox")
BEN = remote("https://masto.example/users/ben", "https://masto.example/inbox")
CAM = remote("https://solo.example/cam", None)


def test_followers_on_one_server_share_one_delivery() -> None:
    targets = delivery_targets(
        [PUBLIC, FOLLOWERS], ME, FOLLOWERS, [ANA.id, BEN.id, CAM.id],
        {a.id: a.delivery_inbox for a in (ANA, BEN, CAM)}, is_local,
    )  # fmt: skip
    assert targets.inboxes == ("https://masto.example/inbox", "https://solo.example/cam/inbox")
    assert targets.local == ()


def test_local_recipients_are_not_delivered_over_http_and_the_sender_is_skipped() -> None:
    member = "https://place.example/actors/alice"
    targets = delivery_targets([member, ME], ME, FOLLOWERS, [], {}, is_local)
    assert targets == type(targets)((), (member,))


def test_public_alone_goes_nowhere_and_unknown_refs_are_skipped() -> None:
    targets = delivery_targets(
        [PUBLIC, "as:Public", "https://other.example/users/x/followers"], ME, FOLLOWERS, [], {},
        is_local,
    )  # fmt: skip
    assert targets.inboxes == ()


def test_remote_refs_lists_what_must_be_fetched_once() -> None:
    refs = remote_refs(
        [PUBLIC, FOLLOWERS, ANA.id, "https://place.example/actors/alice"], FOLLOWERS,
        [ANA.id, BEN.id], is_local,
    )  # fmt: skip
    assert refs == [ANA.id, BEN.id]
    assert remote_refs([PUBLIC, ANA.id], FOLLOWERS, [BEN.id], is_local) == [ANA.id]


def test_blind_recipients_are_never_sent() -> None:
    sent = public_copy({"id": "x", "to": [ANA.id], "bto": [BEN.id], "bcc": [CAM.id]})
    assert sent == {"id": "x", "to": [ANA.id]}
