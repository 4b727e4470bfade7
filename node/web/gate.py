"""What a page asks of its visitor: `requires(role)` lets through a signed-in member who holds
the role, sends anyone not signed in to `/connexion?next=…`, and answers any other member 403;
`checked_form` reads a POST form and refuses it (403) without its CSRF token; `member` and
`member_form` are the prologue of a page behind `requires`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from urllib.parse import parse_qs, quote, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..actors.routes import node_of
from ..errors import ForbiddenError, InterlieuxError
from ..incoming import read_bounded
from ..people import accounts, csrf
from . import i18n
from .render import language, render
from .visitor import Member, signed_in

Page = Callable[[Request], Awaitable[Response]]
MAX_FORM = 16_000  # bytes of a form these pages post (a few fields)

i18n.english(
    {
        "Accès refusé": "Access denied",
        "Trop d'essais": "Too many attempts",
        "Retour à l'accueil": "Back to the home page",
    }
)


def local_path(next_: str | None, default: str = "/moi") -> str:
    """Where to go after signing in: a path of this site only, never another site (pure).

    Read as a browser reads it (passkey sign-in hands it to `location.assign`): browsers drop
    tabs and newlines, so "/<tab>/evil.example" is "//evil.example"; any control character is
    refused outright, and so is whatever then parses with a scheme or a host."""
    if not next_ or any(ord(c) < 0x20 or ord(c) == 0x7F for c in next_):
        return default
    if not next_.startswith("/") or next_.startswith(("//", "/\\")) or "\\" in next_:
        return default
    parts = urlsplit(next_)
    if parts.scheme or parts.netloc:
        return default
    return next_


async def refused(request: Request, error: InterlieuxError) -> Response:
    """An error as a page, in the visitor's language, with its status and headers."""
    title = "Trop d'essais" if error.status == 429 else "Accès refusé"
    response = await render(request, "refused.html", status=error.status, title=title,
                            message=error.message(language(request)))  # fmt: skip
    response.headers.update(error.headers)
    return response


def forbidden_role(role: str) -> ForbiddenError:
    return ForbiddenError(
        f"needs role {role}",
        fr="Cette page est réservée à l'équipe du lieu (rôle « "
        f"{accounts.ROLE_NAMES.get(role, role)} ») : si vous devez y accéder, demandez ce rôle "
        "à un·e administrateur·rice du lieu.",
        en=f"This page is for the place's team (role '{role}'): if you need it, ask an "
        "administrator for that role.",
    )


def requires(role: str) -> Callable[[Page], Page]:
    """A page for members holding `role` (or a role that includes it)."""

    def gate(page: Page) -> Page:
        @wraps(page)
        async def gated(request: Request) -> Response:
            member = await signed_in(request)
            if member is None:
                here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/connexion?next={quote(here, safe='')}", 303)
            if not member.holds(role):
                return await refused(request, forbidden_role(role))
            return await page(request)

        return gated

    return gate


def csrf_refused() -> ForbiddenError:
    return ForbiddenError(
        "CSRF token missing or wrong",
        fr="Ce formulaire a expiré ou ne vient pas de ce site : rechargez la page, puis "
        "envoyez-le de nouveau.",
        en="This form has expired or does not come from this site: reload the page, then send "
        "it again.",
    )


async def read_form(request: Request) -> dict[str, str]:
    """An `application/x-www-form-urlencoded` body, each field's first value."""
    body = await read_bounded(request, MAX_FORM)
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


async def checked_form(request: Request, expected: str | None) -> dict[str, str]:
    """The form, when its `csrf` field is `expected` and it comes from this site; else
    ForbiddenError (403)."""
    form = await read_form(request)
    origin_ok = csrf.same_origin(request.headers.get("origin"), node_of(request).config.base_url)
    if not origin_ok or not csrf.matches(expected, form.get(csrf.FIELD)):
        raise csrf_refused()
    return form


async def member(request: Request) -> Member:
    """The signed-in member of a page behind `requires` (there is one)."""
    who = await signed_in(request)
    assert who is not None, "page not behind gate.requires"
    return who


async def member_form(request: Request) -> tuple[Member, dict[str, str]]:
    """The signed-in member and their posted form, once its CSRF token is checked (before
    anything else is looked up); ForbiddenError (403) on a missing or wrong token."""
    who = await member(request)
    return who, await checked_form(request, who.csrf)
