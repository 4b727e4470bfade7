"""What the team's network and operations pages share (peers, claims, settlements, doors,
deliveries, work): amounts and times as a person reads them, and the posted form's round trip
(checked, acted on, answered with a redirect that says what was done)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...actors.routes import node_of
from ...ledger.money import from_cents
from ..gate import checked_form
from ..render import local_time
from ..visitor import Member, signed_in


def amount(cents: int, currency: str, lang: str) -> str:
    """`12,50 EUR` (French decimal comma) / `12.50 EUR` (pure)."""
    text = from_cents(cents)
    return f"{text.replace('.', ',') if lang == 'fr' else text} {currency}"


def at(request: Request, posix: float | None) -> datetime | None:
    """A stored time (POSIX seconds) in the place's time zone, for `moment`/`day`."""
    if posix is None:
        return None
    return local_time(datetime.fromtimestamp(float(posix), UTC), node_of(request).config.timezone)


async def member_of(request: Request) -> Member:
    """The signed-in member of a page behind `gate.requires` (there is one)."""
    member = await signed_in(request)
    assert member is not None, "page not behind gate.requires"
    return member


async def posted(request: Request) -> dict[str, str]:
    """The form of a POST, once its CSRF token is checked (ForbiddenError, 403, else)."""
    return await checked_form(request, (await member_of(request)).csrf)


def done(path: str, **flags: str | int) -> Response:
    """POST/redirect/GET: back to `path`, with what was done as short query flags."""
    query = urlencode({k: str(v) for k, v in flags.items()})
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)


def no_store(response: Response) -> Response:
    """A page that shows a secret once (a door's token): kept by no cache."""
    response.headers["cache-control"] = "no-store"
    return response
