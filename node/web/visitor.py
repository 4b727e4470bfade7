"""Who is looking at a page: a signed-in member (their session cookie), or nobody we know.

Read once per request and kept on it; pages and `render` ask `signed_in(request)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from ..actors.routes import node_of
from ..people import accounts, csrf, sessions


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
