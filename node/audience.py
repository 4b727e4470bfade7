"""Who may read a document (pure): the one rule for "public".

ActivityPub addresses a document with five properties, `to`, `bto`, `cc`, `bcc` and `audience`
(AP §7), and a document addressed to the Public collection is readable by anyone, without
authentication (AP §5.6). Public comes under three spellings: the full IRI, the compacted
`as:Public`, and the bare `Public` that some servers send (`vocab.context.PUBLIC_FORMS`).

So `is_public` looks in all five properties, for all three spellings: the node serves such a
document, lists it in its collections, keeps it in the public graph and its agenda, and sends it
to the sender's followers. `tables.public.PUBLIC_SQL` is the same rule over a stored `document`
column, for the collections paged in SQL; the tests hold the two to the same answers. An
activity and the object it carries each have their own addressing: a caller that needs either
to be public asks for each.
"""

from __future__ import annotations

from typing import Any

from vocab.context import PUBLIC_FORMS

from .activity import recipients


def is_public_address(ref: str) -> bool:
    """This one reference is the Public collection, under any of its spellings."""
    return ref in PUBLIC_FORMS


def is_public(document: dict[str, Any]) -> bool:
    """The document is addressed to Public in any of its five addressing properties."""
    return any(is_public_address(ref) for ref in recipients(document))


BLIND = ("bto", "bcc")


def shown(document: Any) -> Any:
    """The document as anyone but its author sees it: `bto` and `bcc` taken out at every
    level (an activity's and its object's). They are read to address deliveries and kept in
    the store for that; AP §6.2: a server removes them before delivering, and they are never
    served."""
    if isinstance(document, dict):
        return {k: shown(v) for k, v in document.items() if k not in BLIND}
    if isinstance(document, list):
        return [shown(v) for v in document]
    return document
