"""Actors that live on this node, with their keys."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from .. import keys, tables
from ..config import NodeConfig, check_handle
from ..errors import ConfigError, NotFoundError
from ..sqlite import Connection
from ..store import Store
from ..tables import local_actors


def followers_collection(actor_id: str) -> str:
    """The followers collection of an actor of this node (served at that address by the
    actors' routes): known from the id alone, without reading the actor."""
    return f"{actor_id}/followers"


@dataclass(frozen=True)
class LocalActor:
    handle: str
    id: str
    type: str  # Organization | Person
    name: str
    summary: str
    manually_approves: bool
    keys: keys.KeyPair

    @property
    def key_id(self) -> str:
        return f"{self.id}#main-key"

    @property
    def ed25519_key_id(self) -> str:
        return f"{self.id}#ed25519-key"

    @property
    def inbox(self) -> str:
        return f"{self.id}/inbox"

    @property
    def outbox(self) -> str:
        return f"{self.id}/outbox"

    @property
    def followers(self) -> str:
        return followers_collection(self.id)

    @property
    def following(self) -> str:
        return f"{self.id}/following"


def _from_row(row: sqlite3.Row) -> LocalActor:
    return LocalActor(
        handle=row["handle"],
        id=row["id"],
        type=row["type"],
        name=row["name"],
        summary=row["summary"],
        manually_approves=bool(row["manually_approves"]),
        keys=keys.KeyPair(row["rsa_private_pem"], row["ed25519_private_pem"]),
    )


async def by_handle(store: Store, handle: str) -> LocalActor:
    row = await local_actors.by_handle(store.reads, handle)
    if row is None:
        raise NotFoundError(
            f"no local actor {handle!r}",
            fr=f"Aucun compte « {handle} » sur ce nœud : vérifiez l'identifiant "
            "(« interlieux member add » crée un membre).",
            en=f"No account '{handle}' on this node: check the handle "
            "('interlieux member add' creates a member).",
        )
    return _from_row(row)


async def by_id(store: Store, actor_id: str) -> LocalActor | None:
    row = await local_actors.by_id(store.reads, actor_id)
    return _from_row(row) if row else None


async def all_actors(store: Store) -> list[LocalActor]:
    return [_from_row(r) for r in await local_actors.listing(store.reads)]


async def create(
    db: Connection,
    config: NodeConfig,
    handle: str,
    name: str,
    type_: str,
    summary: str = "",
    manually_approves: bool = False,
) -> LocalActor:
    check_handle(handle)
    if await local_actors.exists(db, handle):
        raise ConfigError(
            f"actor {handle!r} already exists",
            fr=f"Le compte « {handle} » existe déjà sur ce nœud : choisissez un autre identifiant.",
            en=f"The account '{handle}' already exists on this node: choose another handle.",
        )
    pair = keys.generate()
    actor = LocalActor(
        handle=handle,
        id=config.actor_id(handle),
        type=type_,
        name=name,
        summary=summary,
        manually_approves=manually_approves,
        keys=pair,
    )
    await local_actors.add(
        db,
        handle=handle,
        actor_id=actor.id,
        type_=type_,
        name=name,
        summary=summary,
        manually_approves=manually_approves,
        rsa_private_pem=pair.rsa_private_pem,
        ed25519_private_pem=pair.ed25519_private_pem,
        created_at=time.time(),
    )
    return actor


async def retired_keys(store: Store, handle: str) -> list[tuple[str, str]]:
    """(key id, multibase) of the actor's Ed25519 keys replaced by rotations, newest first."""
    return await tables.retired_keys.of_handle(store.reads, handle)


async def rotate_keys(db: Connection, actor: LocalActor) -> None:
    """New RSA and Ed25519 keys; the old Ed25519 key stays published (grants signed with it
    remain valid), the old RSA key is dropped (peers refetch on the first failed check)."""
    now = time.time()
    await tables.retired_keys.add(
        db, f"{actor.ed25519_key_id}-{int(now * 1000)}", actor.handle,
        actor.keys.ed25519_multibase, now,
    )  # fmt: skip
    pair = keys.generate()
    await local_actors.replace_keys(
        db, actor.handle, pair.rsa_private_pem, pair.ed25519_private_pem
    )
