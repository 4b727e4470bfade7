"""A signed-in browser: a random 256-bit token in a cookie, only its hash kept server-side.

The cookie is `HttpOnly` (no script reads it), `SameSite=Lax` (not sent with another site's
POST), `Path=/`, and `Secure` with the `__Host-` prefix when the node's base URL is https (no
plain-HTTP leak, no subdomain may set it). A session ends when it is closed (sign-out, a new
password, the team), after `IDLE` without a visit, or `ABSOLUTE` after sign-in, whatever
happens; the account's roles are read on every request, never kept in the session.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from ..store import Store
from ..tables import sessions
from ..tokens import token_hash
from . import cookies

IDLE = 30 * 86400  # seconds without a visit before a session ends
ABSOLUTE = 180 * 86400  # seconds after sign-in a session ends, used or not
# A visit moves `seen_at` only when it is this old: the idle limit is that much fuzzy, and a
# browsing member costs a write an hour, not one per page.
SEEN_EVERY = 3600
USER_AGENT_CHARS = 200


@dataclass(frozen=True)
class Session:
    id: int
    handle: str
    token: str  # what the cookie holds (the CSRF token derives from it)
    created_at: float
    seen_at: float


def cookie_name(base_url: str) -> str:
    """`__Host-session` on an https node. A plain-http node is a development one on a loopback
    host, where several nodes differ only by port, and browsers share cookies across ports: the
    port goes into the name, so signing in at one does not sign out of another (pure)."""
    return cookies.cookie_name("session", base_url, whole_site=True)


def expired(created_at: float, seen_at: float, now: float) -> bool:
    """Past the idle or the absolute limit (pure)."""
    return now - seen_at >= IDLE or now - created_at >= ABSOLUTE


async def open_session(store: Store, handle: str, user_agent: str = "") -> Session:
    """A new session (a new token every sign-in: no session fixation)."""
    token = secrets.token_urlsafe(32)  # 256 bits
    now = time.time()
    async with store.write() as db:
        session_id = await sessions.add(
            db, token_hash(token), handle, now, user_agent[:USER_AGENT_CHARS]
        )
    return Session(session_id, handle, token, now, now)


async def resolve(store: Store, token: str | None, now: float | None = None) -> Session | None:
    """The open session a cookie's token names; None when unknown, closed or expired."""
    if not token or len(token) > 100:
        return None
    now = time.time() if now is None else now
    row = await sessions.open_by_hash(store.reads, token_hash(token))
    if row is None:
        return None
    created, seen = float(row["created_at"]), float(row["seen_at"])
    if expired(created, seen, now):
        async with store.write() as db:
            await sessions.close(db, int(row["id"]), now)
        return None
    if now - seen >= SEEN_EVERY:
        async with store.write() as db:
            await sessions.seen(db, int(row["id"]), now)
        seen = now
    return Session(int(row["id"]), str(row["handle"]), token, created, seen)


async def close(store: Store, session: Session) -> None:
    async with store.write() as db:
        await sessions.close(db, session.id, time.time())


async def close_all(store: Store, handle: str) -> int:
    """Sign an account out everywhere; how many sessions were open."""
    async with store.write() as db:
        return await sessions.close_all(db, handle, time.time())


# --- "my sessions" (/moi): the member's open sessions, and closing the others ---------------


@dataclass(frozen=True)
class OpenSession:
    """A session as its member sees it: never its token, nor its hash."""

    id: int
    created_at: float
    seen_at: float
    user_agent: str
    device: str  # what the user agent says, in a few words


# (what the user agent contains, what a person calls it), first match wins: Edge and Opera
# say "Chrome" too, Chrome says "Safari", Android says "Linux".
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("FxiOS/", "Firefox"), ("CriOS/", "Chrome"), ("Chromium/", "Chromium"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"))  # fmt: skip
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
            ("Linux", "Linux"))  # fmt: skip


def device(user_agent: str) -> str:
    """`Chrome · Android` from a browser's user agent; '' when it says nothing we know (pure).
    A hint for the member to tell their sessions apart, not a proof: a client says what it
    likes."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    return " · ".join(part for part in (browser, system) if part)


async def open_sessions(store: Store, handle: str, now: float | None = None) -> list[OpenSession]:
    """The account's sessions still open (the expired ones left out), last seen first."""
    now = time.time() if now is None else now
    found = []
    for row in await sessions.open_of_handle(store.reads, handle):
        created, seen = float(row["created_at"]), float(row["seen_at"])
        agent = str(row["user_agent"])
        if not expired(created, seen, now):
            found.append(OpenSession(int(row["id"]), created, seen, agent, device(agent)))
    return found


async def close_one(store: Store, handle: str, session_id: int) -> bool:
    """Close one of the account's own sessions; False when it is not theirs or already closed."""
    async with store.write() as db:
        return await sessions.close_of_handle(db, session_id, handle, time.time())


async def close_others(store: Store, session: Session) -> int:
    """Sign the account out everywhere but this browser; how many sessions were closed."""
    async with store.write() as db:
        return await sessions.close_others(db, session.handle, session.id, time.time())
