"""What a sender may say about whom (pure): received objects and a member's own."""

from __future__ import annotations

from typing import Any

import pytest

from node.audience import shown
from node.errors import ForbiddenError
from node.inbox.relevance import related
from node.ownership import check_published, check_received
from node.query.convert import Source, foreign_statement, read

BOB = "https://social.example/users/bob"
PLACE = "https://place.example/actors/coroutine"
ALICE = "https://place.example/actors/alice"


def local(ref: str) -> bool:
    return ref.startswith("https://place.example/")


def create(**obj: Any) -> dict[str, Any]:
    return {"id": f"{BOB}/a/1", "type": "Create", "actor": BOB,
            "object": {"id": f"{BOB}/n/1", "type": "Note", "attributedTo": BOB, **obj}}  # fmt: skip


def test_nodes_of_the_senders_origin_and_plain_references_pass() -> None:
    check_received(create(replies={"id": f"{BOB}/n/1/replies", "type": "Collection"},
                          inReplyTo={"id": "https://other.example/n/9"}), BOB)  # fmt: skip


@pytest.mark.parametrize("keyword", ["@included", "@reverse", "@graph", "@nest"])
def test_subject_keywords_are_refused_at_any_depth(keyword: str) -> None:
    with pytest.raises(ForbiddenError, match=keyword):
        check_received(create(tag=[{"type": "Note", keyword: {}}]), BOB)


def test_a_nested_node_attributed_to_another_origin_is_refused() -> None:
    """A node without an id of its own still names an author: it must be the sender's."""
    located = {"type": "Place", "name": "Halle", "attributedTo": "https://other.example/u/x"}
    with pytest.raises(ForbiddenError, match=r"attributed to https://other\.example/u/x"):
        check_received(create(location=located), BOB)
    check_received(create(location={**located, "attributedTo": BOB}), BOB)


def test_a_context_typing_its_terms_as_ids_passes() -> None:
    """Mastodon's and our own contexts say `"@type": "@id"` inside term definitions."""
    activity = create(tag=[{"type": "Hashtag", "name": "#a"}])
    activity["@context"] = ["https://www.w3.org/ns/activitystreams",
                            {"featured": {"@id": "toot:featured", "@type": "@id"},
                             "id": "@id", "attributedTo": {"@id": "as:attributedTo",
                                                           "@type": "@id"}}]  # fmt: skip
    check_received(activity, BOB)


def test_a_reverse_term_in_a_nested_context_is_refused() -> None:
    activity = create(tag=[{"@context": {"x": {"@reverse": "as:tag"}}, "x": PLACE}])
    with pytest.raises(ForbiddenError, match="@reverse"):
        check_received(activity, BOB)


def test_statements_are_read_as_json_ld_makes_them() -> None:
    own = create(content="x", tag=[{"type": "Hashtag", "name": "#a"}])["object"]
    own["@context"] = "https://www.w3.org/ns/activitystreams"
    assert foreign_statement(quads(own), own["id"]) is None
    aliased = {**own, "@context": ["https://www.w3.org/ns/activitystreams", {"ident": "@id"}],
               "location": {"ident": f"{PLACE}/p", "name": "faux"}}  # fmt: skip
    assert foreign_statement(quads(aliased), own["id"]) == f"a statement about {PLACE}/p"
    # The inbox refuses that alias already; the public graph checks what it converts again.
    with pytest.raises(ForbiddenError, match="@id"):
        check_received(create(**{k: v for k, v in aliased.items() if k != "id"}), BOB)
    received = read([Source(own["id"], aliased, False, BOB)])[own["id"]]
    assert received.refused == f"a statement about {PLACE}/p" and received.quads == []
    # Our own documents are not checked against themselves.
    assert "faux" in str(read([Source(own["id"], aliased, True, BOB)])[own["id"]].quads)


def quads(document: dict[str, Any]) -> list[Any]:
    return read([Source(document["id"], document, True, BOB)])[document["id"]].quads


def test_a_member_cannot_embed_the_places_objects_or_name() -> None:
    assert check_published(
        {"type": "Announce", "object": {"id": f"{PLACE}/objects/1", "type": "Note"}}, ALICE, local
    ) == f"{PLACE}/objects/1"  # the caller checks it is alice's own  # fmt: skip
    with pytest.raises(ForbiddenError):
        check_published({"type": "Like", "object": {"id": "https://x.example/1",
                         "attributedTo": [BOB, PLACE]}}, ALICE, local)  # fmt: skip
    assert (
        check_published({"type": "Announce", "object": f"{PLACE}/objects/1"}, ALICE, local) is None
    )


def test_related_activities() -> None:
    note = create(to=["https://www.w3.org/ns/activitystreams#Public"])
    facts = {"is_local": local, "local_addressees": set(), "followed": False, "held": False}
    assert not related(note, **facts)
    assert related(note, **{**facts, "followed": True})
    assert related(note, **{**facts, "local_addressees": {PLACE}})
    assert related(create(inReplyTo=f"{PLACE}/objects/1"), **facts)
    # A change to an object we hold from that sender, even once we stopped following it.
    update = {"type": "Update", "actor": BOB, "object": {"id": f"{BOB}/n/1", "type": "Note"}}
    assert not related(update, **facts)
    assert related(update, **{**facts, "held": True})
    assert related({"type": "Follow", "actor": BOB, "object": PLACE}, **facts)
    assert related({"type": "Update", "actor": BOB, "object": {"id": BOB}}, **facts)


def test_blind_recipients_are_never_shown() -> None:
    activity = {"bto": [BOB], "object": {"bcc": [BOB], "tag": [{"bto": BOB}]}, "to": [PLACE]}
    assert shown(activity) == {"object": {"tag": [{}]}, "to": [PLACE]}
