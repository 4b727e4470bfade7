"""Bearer tokens for client-to-server use, stored hashed, each with a scope.

Scopes (`interlieux token --scope`):

    all    everything the account may do (a member's client, the team's scripts); the default,
           and what every token made before scopes keeps
    door   a door reader's: fetch the trust bundle, enrol the door, report its taps; nothing
           else, so a token copied off a door cannot post, follow or read the inbox
"""

from __future__ import annotations

import hashlib
import secrets
import time

from . import tables
from .errors import AuthError, ConfigError, ForbiddenError, NotFoundError
from .store import Store
from .tables.tokens import Holder, TokenInfo

ALL = "all"
DOOR = "door"
SCOPES = (ALL, DOOR)


def token_hash(token: str) -> str:
    """What the node keeps of a secret token (bearer, session, invitation): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def fingerprint(authorization: str) -> str:
    """What names a request's token in memory (the rate limits' key), never the token."""
    return token_hash(authorization[7:].strip())


async def issue(store: Store, handle: str, label: str = "", scope: str = ALL) -> str:
    if scope not in SCOPES:
        raise ConfigError(
            f"unknown token scope {scope!r}",
            fr=f"Portée de jeton inconnue « {scope} » : {' ou '.join(SCOPES)}.",
            en=f"Unknown token scope '{scope}': {' or '.join(SCOPES)}.",
        )
    token = "il_" + secrets.token_urlsafe(32)
    async with store.write() as db:
        await tables.tokens.add(db, handle, token_hash(token), label, time.time(), scope)
    return token


async def holder_of(store: Store, authorization: str | None) -> Holder:
    """Who holds a request's `Authorization: Bearer` token, and what it may do."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise AuthError(
            "missing bearer token",
            fr="Jeton manquant : ajoutez l'en-tête « Authorization: Bearer <jeton> » "
            "(« interlieux token » en crée un).",
            en="Missing token: send 'Authorization: Bearer <token>' "
            "('interlieux token' creates one).",
        )
    holder = await tables.tokens.holder(store.reads, token_hash(authorization[7:].strip()))
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
    use: str = ALL,
    fr: str | None = None,
    en: str | None = None,
) -> Holder:
    """The request's bearer token must be `handle`'s (None: an owner that does not exist,
    whose token no one holds), and its scope must allow `use` (a route a door uses says
    `use=DOOR`; every other route needs a token of scope `all`). Without a valid token,
    AuthError (401); with another account's or a narrower one, ForbiddenError (403), saying
    `fr`/`en` where the route knows better words for who may."""
    holder = await holder_of(store, authorization)
    if holder.scope != ALL and holder.scope != use:
        raise ForbiddenError(
            f"token {holder.token_id} has scope {holder.scope}, not {use}",
            fr="Ce jeton est celui d'une porte : il ne sert qu'à lire le paquet de confiance et "
            "à signaler les passages. Utilisez un jeton du compte (« interlieux token --actor "
            f"{holder.handle} »).",
            en="This is a door's token: it only reads the trust bundle and reports taps. Use "
            f"an account token ('interlieux token --actor {holder.handle}').",
        )
    if handle is None or holder.handle != handle:
        raise ForbiddenError(
            f"token of {holder.handle} is not {handle}'s",
            fr=fr
            or f"Ce jeton n'est pas celui de {handle} : utilisez le sien "
            f"(« interlieux token --actor {handle} » en crée un).",
            en=en
            or f"This token is not {handle}'s: use theirs "
            f"('interlieux token --actor {handle}' creates one).",
        )
    return holder


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
