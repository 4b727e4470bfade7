"""A browser signed in here by a member of another place, whose home node vouched for them
(IndieAuth, node/people/indieauth.py): a random 256-bit token in its own cookie, only its hash
kept, as for members' sessions, but in a table of its own — a visitor has no account here and
holds no role, so no page gated by a role can ever take one for a member.

Shorter than a member's session: the home node's word is taken again at least every
`ABSOLUTE`, so an account closed at home stops working here within that time.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from ..store import Store
from ..tables import visitor_sessions
from ..tokens import token_hash
from . import cookies

IDLE = 86400  # seconds without a visit before a visitor's session ends
ABSOLUTE = 7 * 86400  # seconds after sign-in it ends, used or not
SEEN_EVERY = 3600  # a visit moves `seen_at` only when it is this old (a write an hour at most)


@dataclass(frozen=True)
class VisitorSession:
    id: int
    actor: str  # the actor id the home node vouched for
    address: str  # @alice@a.example
    token: str
    created_at: float
    seen_at: float


def cookie_name(base_url: str) -> str:
    """`__Host-visitor` on an https node; on a plain-http (loopback, development) one, with the
    port, as members' sessions do: browsers share cookies across ports (pure)."""
    return cookies.cookie_name("visitor", base_url, whole_site=True)


def expired(created_at: float, seen_at: float, now: float) -> bool:
    """Past the idle or the absolute limit (pure)."""
    return now - seen_at >= IDLE or now - created_at >= ABSOLUTE


async def open_visit(store: Store, actor: str, address: str) -> VisitorSession:
    """A new session for a vouched-for visitor (a new token each time: no fixation)."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    async with store.write() as db:
        session_id = await visitor_sessions.add(db, token_hash(token), actor, address, now)
    return VisitorSession(session_id, actor, address, token, now, now)


async def resolve(
    store: Store, token: str | None, now: float | None = None
) -> VisitorSession | None:
    """The open session a cookie's token names; None when unknown, closed or expired."""
    if not token or len(token) > 100:
        return None
    now = time.time() if now is None else now
    row = await visitor_sessions.open_by_hash(store.reads, token_hash(token))
    if row is None:
        return None
    created, seen = float(row["created_at"]), float(row["seen_at"])
    if expired(created, seen, now):
        async with store.write() as db:
            await visitor_sessions.close(db, int(row["id"]), now)
        return None
    if now - seen >= SEEN_EVERY:
        async with store.write() as db:
            await visitor_sessions.seen(db, int(row["id"]), now)
        seen = now
    return VisitorSession(int(row["id"]), str(row["actor"]), str(row["address"]), token,
                          created, seen)  # fmt: skip


async def close(store: Store, session: VisitorSession) -> None:
    async with store.write() as db:
        await visitor_sessions.close(db, session.id, time.time())
