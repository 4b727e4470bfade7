"""The JSON documents that describe local actors and their collections (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vocab.context import DOCUMENT_CONTEXT

from .local import LocalActor

PAGE_SIZE = 20


def actor_document(
    actor: LocalActor, base_url: str, retired_keys: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    """`retired_keys`: (key id, multibase) of Ed25519 keys replaced by a rotation."""
    return {
        "@context": DOCUMENT_CONTEXT,
        "id": actor.id,
        "type": actor.type,
        "preferredUsername": actor.handle,
        "name": actor.name,
        "summary": actor.summary,
        "url": actor.id,
        "inbox": actor.inbox,
        "outbox": actor.outbox,
        "followers": actor.followers,
        "following": actor.following,
        "endpoints": {"sharedInbox": f"{base_url}/inbox"},
        "manuallyApprovesFollowers": actor.manually_approves,
        "discoverable": True,
        # One key object whose id is the keyId our signatures carry: Mastodon looks the key
        # up by that id and refuses a signature whose keyId is not the actor's publicKey.id.
        "publicKey": {
            "id": actor.key_id,
            "owner": actor.id,
            "publicKeyPem": actor.keys.rsa_public_pem,
        },
        # FEP-521a: the Ed25519 key that signs objects (grants, claims, votes).
        "assertionMethod": [
            {
                "id": actor.ed25519_key_id,
                "type": "Multikey",
                "controller": actor.id,
                "publicKeyMultibase": actor.keys.ed25519_multibase,
            },
            *(
                {
                    "id": key_id,
                    "type": "Multikey",
                    "controller": actor.id,
                    "publicKeyMultibase": multibase,
                }
                for key_id, multibase in retired_keys
            ),
        ],
    }


def collection(collection_id: str, total: int) -> dict[str, Any]:
    """An OrderedCollection whose items are in pages (`first`, then `next`)."""
    document: dict[str, Any] = {
        "@context": DOCUMENT_CONTEXT[0],
        "id": collection_id,
        "type": "OrderedCollection",
        "totalItems": total,
    }
    if total:
        document["first"] = f"{collection_id}?page=1"
    return document


def collection_page(
    collection_id: str, page: int, items: list[Any], has_next: bool
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": DOCUMENT_CONTEXT[0],
        "id": f"{collection_id}?page={page}",
        "type": "OrderedCollectionPage",
        "partOf": collection_id,
        "orderedItems": items,
    }
    if has_next:
        document["next"] = f"{collection_id}?page={page + 1}"
    if page > 1:
        document["prev"] = f"{collection_id}?page={page - 1}"
    return document


def with_context(document: Any) -> Any:
    """A top-level document with `@context` (first, as JSON-LD readers expect it); one that
    has its own is left as it is. Stored objects are kept without it (they are embedded in
    activities and collections, where the outer document's context applies), so it is added
    when a document is served on its own."""
    if not isinstance(document, dict) or "@context" in document:
        return document
    return {"@context": DOCUMENT_CONTEXT, **document}
