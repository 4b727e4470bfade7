"""Bearer tokens for client-to-server use, stored hashed."""

from __future__ import annotations

import hashlib
import secrets
import time

from . import tables
from .errors import AuthError, ForbiddenError, NotFoundError
from .store import Store
from .tables.tokens import TokenInfo


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def fingerprint(authorization: str) -> str:
    """What names a request's token in memory (the rate limits' key), never the token."""
    return _hash(authorization[7:].strip())


async def issue(store: Store, handle: str, label: str = "") -> str:
    token = "il_" + secrets.token_urlsafe(32)
    async with store.write() as db:
        await tables.tokens.add(db, handle, _hash(token), label, time.time())
    return token


async def handle_for(store: Store, authorization: str | None) -> str:
    """The handle a request's `Authorization: Bearer` token belongs to."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise AuthError(
            "missing bearer token",
            fr="Jeton manquant : ajoutez l'en-tête « Authorization: Bearer <jeton> » "
            "(« interlieux token » en crée un).",
            en="Missing token: send 'Authorization: Bearer <token>' "
            "('interlieux token' creates one).",
        )
    holder = await tables.tokens.holder(store.reads, _hash(authorization[7:].strip()))
    if holder is None:
        raise AuthError(
            "unknown or revoked token",
            fr="Jeton inconnu ou révoqué : créez-en un nouveau avec « interlieux token ».",
            en="Unknown or revoked token: create a new one with 'interlieux token'.",
        )
    return holder


async def require(
    store: Store,
    authorization: str | None,
    handle: str | None,
    *,
    fr: str | None = None,
    en: str | None = None,
) -> None:
    """The request's bearer token must be `handle`'s (None: an owner that does not exist,
    whose token no one holds). Without a valid token, AuthError (401); with another account's,
    ForbiddenError (403), saying `fr`/`en` where the route knows better words for who may."""
    holder = await handle_for(store, authorization)
    if handle is None or holder != handle:
        raise ForbiddenError(
            f"token of {holder} is not {handle}'s",
            fr=fr
            or f"Ce jeton n'est pas celui de {handle} : utilisez le sien "
            f"(« interlieux token --actor {handle} » en crée un).",
            en=en
            or f"This token is not {handle}'s: use theirs "
            f"('interlieux token --actor {handle}' creates one).",
        )


async def listing(store: Store) -> list[TokenInfo]:
    return await tables.tokens.listing(store.reads)


async def revoke(store: Store, token_id: int) -> None:
    async with store.write() as db:
        if not await tables.tokens.revoke(db, token_id, time.time()):
            raise NotFoundError(
                f"no active token {token_id}",
                fr=f"Aucun jeton actif numéro {token_id} : « interlieux token --list » les montre.",
                en=f"No active token number {token_id}: 'interlieux token --list' shows them.",
            )
