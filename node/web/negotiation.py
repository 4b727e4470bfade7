"""One URL, two readers: the fediverse reads an actor's or an object's id as JSON, a person's
browser as a page (pure choice, and the endpoint that applies it).

A browser asks for `text/html` first; Mastodon asks `application/activity+json, …,
text/html;q=0.1`; a program that says nothing (`*/*`, or no Accept) gets JSON, as before pages
existed. Both answers say `Vary: Accept`, so that a cache never hands one to the other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

Endpoint = Callable[[Request], Awaitable[Response]]

_JSON = ("application/activity+json", "application/ld+json", "application/json")


def _quality(part: str) -> tuple[str, float]:
    media, *params = (p.strip() for p in part.split(";"))
    q = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
    return media.lower(), q


def wants_html(accept: str) -> bool:
    """Whether an Accept header prefers a page to an ActivityStreams document (pure)."""
    html = json = 0.0
    for part in accept.split(","):
        if not part.strip():
            continue
        media, q = _quality(part)
        if media in ("text/html", "application/xhtml+xml"):
            html = max(html, q)
        elif media in _JSON:
            json = max(json, q)
    return html > 0 and html > json


def negotiate(document: Endpoint, page: Endpoint) -> Endpoint:
    """An endpoint that answers with `page` when the caller wants HTML, else `document`."""

    async def endpoint(request: Request) -> Response:
        chosen = page if wants_html(request.headers.get("accept", "")) else document
        response = await chosen(request)
        vary = response.headers.get("vary")
        response.headers["vary"] = f"{vary}, Accept" if vary else "Accept"
        return response

    return endpoint
