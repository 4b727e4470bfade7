"""A member's account: created when the team invites them, a password they choose (Argon2id),
and the roles the team gives them.

Roles: every account is a `member`; the team adds `door` (welcomes visitors at the door),
`team` (runs the place) and `admin` (also manages the team). Each role includes those below
it — `admin` ⊇ `team` ⊇ `door` ⊇ `member` — so a page asks for the least role that may open it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..config import check_handle
from ..errors import ConfigError, InvalidParameter, NotFoundError
from ..sqlite import Connection
from ..store import Store
from ..tables import accounts, invitations, local_actors

MEMBER, DOOR, TEAM, ADMIN = "member", "door", "team", "admin"
ROLES = (ADMIN, TEAM, DOOR, MEMBER)  # most to least
_INCLUDES = {ADMIN: {ADMIN, TEAM, DOOR, MEMBER}, TEAM: {TEAM, DOOR, MEMBER},
             DOOR: {DOOR, MEMBER}, MEMBER: {MEMBER}}  # fmt: skip
ROLE_NAMES = {ADMIN: "administration", TEAM: "équipe", DOOR: "accueil à la porte",
              MEMBER: "membre"}  # fmt: skip
# NIST SP 800-63B asks for at least 8 characters and advises 15 for a password alone; ANSSI
# advises 12 with rate limiting, which sign-in has. Long passphrases are welcome, up to a bound
# that keeps hashing a request cheap.
MIN_PASSWORD = 12
MAX_PASSWORD = 256


@cache
def hasher() -> PasswordHasher:
    """Argon2id with argon2-cffi's defaults, RFC 9106's second recommendation (t=3, 64 MiB,
    p=4): about 160 ms a check on the 2-core test machine, run off the event loop."""
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """What an unknown account's password is checked against, so that it takes as long."""
    return hasher().hash("interlieux: no such account")


@dataclass(frozen=True)
class Account:
    handle: str
    roles: frozenset[str]  # as stored: admin, team, door (member is implicit)
    has_password: bool


def parse_roles(text: str) -> frozenset[str]:
    """`admin,team` (commas or spaces) → the roles; an unknown name is a ConfigError (pure)."""
    names = {part.strip().lower() for part in text.replace(" ", ",").split(",") if part.strip()}
    unknown = names - set(ROLES)
    if unknown:
        bad = ", ".join(sorted(unknown))
        raise ConfigError(
            f"unknown role(s) {bad}",
            fr=f"Rôle inconnu : {bad}. Les rôles sont {', '.join(ROLES)}.",
            en=f"Unknown role: {bad}. The roles are {', '.join(ROLES)}.",
        )
    return frozenset(names - {MEMBER})


def held(roles: frozenset[str]) -> frozenset[str]:
    """Every role an account with `roles` holds, the ones they include too (pure)."""
    return frozenset({MEMBER}.union(*(_INCLUDES[r] for r in roles if r in _INCLUDES)))


def holds(roles: frozenset[str], wanted: str) -> bool:
    return wanted in held(roles)


def _stored(roles: frozenset[str]) -> str:
    return ",".join(r for r in ROLES if r in roles and r != MEMBER)


def _from_row(row: sqlite3.Row) -> Account:
    return Account(
        handle=str(row["handle"]),
        roles=parse_roles(str(row["roles"])),
        has_password=row["password_hash"] is not None,
    )


async def find(db: Connection, handle: str) -> Account | None:
    row = await accounts.by_handle(db, handle)
    return _from_row(row) if row else None


async def ensure(db: Connection, handle: str, roles: frozenset[str] | None = None) -> Account:
    """The account of a local member, made when missing (inside `store.write()`); `roles`
    replace the stored ones when given. A change of roles withdraws the account's unused links:
    one made by the team for a member account must not open it once it holds admin."""
    check_handle(handle)
    actor = await local_actors.by_handle(db, handle)
    if actor is None or actor["type"] != "Person":
        raise NotFoundError(
            f"no local member {handle!r}",
            fr=f"Aucun membre « {handle} » sur ce nœud : « interlieux member invite --handle "
            f"{handle} --name 'Son nom' » le crée et l'invite.",
            en=f"No member '{handle}' on this node: 'interlieux member invite --handle "
            f"{handle} --name 'Their name'' creates and invites them.",
        )
    now = time.time()
    before = await find(db, handle)
    await accounts.add(db, handle, _stored(roles or frozenset()), now)
    if roles is not None:
        await accounts.set_roles(db, handle, _stored(roles))
        if before is not None and _stored(before.roles) != _stored(roles):
            await invitations.withdraw(db, handle, now)
    account = await find(db, handle)
    assert account is not None
    return account


async def set_roles(store: Store, handle: str, roles: frozenset[str]) -> Account:
    async with store.write() as db:
        return await ensure(db, handle, roles)


def check_password(password: str, confirmation: str | None = None) -> str:
    """A password a member may choose, or InvalidParameter saying what to change (pure)."""
    if confirmation is not None and password != confirmation:
        raise InvalidParameter(
            "passwords differ",
            fr="Les deux mots de passe ne sont pas les mêmes : tapez-le deux fois à l'identique.",
            en="The two passwords differ: type the same one twice.",
        )
    if len(password) < MIN_PASSWORD:
        raise InvalidParameter(
            "password too short",
            fr=f"Mot de passe trop court : {MIN_PASSWORD} caractères au moins. Une phrase de "
            "quatre ou cinq mots se retient facilement.",
            en=f"Password too short: at least {MIN_PASSWORD} characters. A phrase of four or "
            "five words is easy to remember.",
        )
    if len(password) > MAX_PASSWORD:
        raise InvalidParameter(
            "password too long",
            fr=f"Mot de passe trop long : {MAX_PASSWORD} caractères au plus.",
            en=f"Password too long: at most {MAX_PASSWORD} characters.",
        )
    return password


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hasher().hash, password)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return hasher().verify(stored or _dummy_hash(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify(store: Store, handle: str | None, password: str) -> Account | None:
    """The account when `password` is its own; None otherwise — an unknown handle, an account
    with no password yet and a wrong password alike, after the same Argon2 work."""
    row = await accounts.by_handle(store.reads, handle) if handle else None
    stored = str(row["password_hash"]) if row and row["password_hash"] else None
    if len(password) > MAX_PASSWORD:
        password = password[:MAX_PASSWORD]  # still hashed: the same time as any other answer
        stored = None
    if not await asyncio.to_thread(_verify, stored, password):
        return None
    assert row is not None and stored is not None
    if hasher().check_needs_rehash(stored):
        new = await hash_password(password)
        async with store.write() as db:
            await accounts.replace_hash(db, str(row["handle"]), stored, new)
    return _from_row(row)
