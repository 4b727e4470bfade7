"""Who is looking at a page: a signed-in member (their session cookie), a member of another
place signed in here through their home node (`RemoteVisitor`, IndieAuth), or nobody we know.

Read once per request and kept on it; pages and `render` ask `signed_in(request)` for a local
member (the only kind `gate.requires` lets through: a remote visitor holds no role here), and
`visiting(request)` for whoever is signed in, local or remote.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from ..actors.routes import node_of
from ..people import accounts, csrf, sessions, visitors


@dataclass(frozen=True)
class Member:
    handle: str
    address: str  # @alice@place.example
    roles: frozenset[str]  # every role held, included ones too
    session: sessions.Session

    @property
    def csrf(self) -> str:
        """The token this member's forms carry."""
        return csrf.for_session(self.session.token)

    def holds(self, role: str) -> bool:
        return role in self.roles


_UNKNOWN = object()


def secure(request: Request) -> bool:
    return node_of(request).config.base_url.startswith("https://")


def session_token(request: Request) -> str | None:
    return request.cookies.get(sessions.cookie_name(node_of(request).config.base_url))


async def signed_in(request: Request) -> Member | None:
    cached = getattr(request.state, "member", _UNKNOWN)
    if cached is not _UNKNOWN:
        assert cached is None or isinstance(cached, Member)
        return cached
    member = None
    token = session_token(request)
    if token:
        node = node_of(request)
        session = await sessions.resolve(node.store, token)
        account = await accounts.find(node.store.reads, session.handle) if session else None
        if session and account:
            member = Member(account.handle, f"@{account.handle}@{node.config.host}",
                            accounts.held(account.roles), session)  # fmt: skip
    request.state.member = member
    return member


@dataclass(frozen=True)
class RemoteVisitor:
    """A member of another place, their actor id vouched for by their home node."""

    actor: str
    address: str  # @alice@a.example
    session: visitors.VisitorSession

    @property
    def csrf(self) -> str:
        return csrf.for_session(self.session.token)

    def holds(self, role: str) -> bool:
        return False  # no role here, whatever they hold at home


Visitor = Member | RemoteVisitor


def visitor_token(request: Request) -> str | None:
    return request.cookies.get(visitors.cookie_name(node_of(request).config.base_url))


async def remote_visitor(request: Request) -> RemoteVisitor | None:
    """The remote visitor signed in on this browser, if any (read once per request)."""
    cached = getattr(request.state, "remote_visitor", _UNKNOWN)
    if cached is not _UNKNOWN:
        assert cached is None or isinstance(cached, RemoteVisitor)
        return cached
    found = None
    token = visitor_token(request)
    if token:
        session = await visitors.resolve(node_of(request).store, token)
        if session is not None:
            found = RemoteVisitor(session.actor, session.address, session)
    request.state.remote_visitor = found
    return found


async def visiting(request: Request) -> Visitor | None:
    """Whoever is signed in: a member of this place first, else a remote visitor."""
    return await signed_in(request) or await remote_visitor(request)
