"""The key that checks an object's own proof (`eddsa-jcs-2022`: a vote, a pledge, a claim).

One way for every domain: the proof names its `verificationMethod`; a local actor's key
(current or retired: an object signed before a `keys rotate` still holds) is read from the
store, another's through the directory's key lookup (`Directory.key_lookup`: fetched once,
throttled, fetched again when an actor's new key is not yet known), or, without `fetch`
(inside a transaction, where the network must not be awaited), from what it holds already
(`Directory.cached_key`). Whether the key's owner may sign the object is the caller's check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from ..errors import FederationError
from ..multibase import ed25519_from_multibase
from ..tables import local_actors, retired_keys
from . import local

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..context import Node

    KeyFinder = Callable[[str], ed25519.Ed25519PublicKey | None]


async def proof_key(
    node: Node, obj: Any, fetch: bool
) -> tuple[str, ed25519.Ed25519PublicKey] | None:
    """The verification method `obj`'s proof names and its Ed25519 key; None when unknown
    (the proof then does not verify)."""
    proof = obj.get("proof") if isinstance(obj, dict) else None
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    if not isinstance(method, str) or not method:
        return None
    owner = method.split("#", 1)[0]
    if node.config.is_local(owner):
        key = (await local_keys(node, owner)).get(method)
        return None if key is None else (method, key)
    try:
        if fetch:
            _, found = await node.directory.key_lookup(method, refresh=False)
        else:
            known = await node.directory.cached_key(method)
            if known is None:
                return None
            _, found = known
    except FederationError:  # unreachable, or not a key of its actor: no key
        return None
    return (method, found) if isinstance(found, ed25519.Ed25519PublicKey) else None


async def proof_keys(node: Node, obj: Any, fetch: bool) -> KeyFinder:
    """`proof_key` as the finder `ledger.proof.verify` takes: the one key, by its method."""
    found = await proof_key(node, obj, fetch)
    if found is None:
        return lambda method: None
    return {found[0]: found[1]}.get


async def local_keys(node: Node, actor_id: str) -> dict[str, ed25519.Ed25519PublicKey]:
    """A local actor's Ed25519 keys, current and retired, by verification method."""
    row = await local_actors.by_id(node.store.reads, actor_id)
    if row is None:
        return {}
    actor = local._from_row(row)
    found = {actor.ed25519_key_id: actor.keys.ed25519_private.public_key()}
    for key_id, multibase in await retired_keys.of_handle(node.store.reads, actor.handle):
        key = ed25519_from_multibase(multibase)
        if key is not None:
            found[key_id] = key
    return found
