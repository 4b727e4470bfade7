"""What every page says to browsers and caches about itself: who may frame it, and how long a
copy of it stays good (pure rules, and `finish`, which applies them to a rendered page).

Framing: a page of the place is framed by the place's own pages only (`frame-ancestors
'self'`: no clickjacking of the follow box or of a form); the widgets (`/embed/…`) by any site,
since they show only public data, or by the sites the place's team lists (`interlieux place
--embed-sites`), and the place itself for the preview on `/embed`.

Caching: a page's ETag is the hash of its body, so it changes exactly when what the visitor
sees changes (data, language, place); a request that names it in `If-None-Match` gets `304`
with no body. A page for an anonymous visitor may be kept by shared caches for `MAX_AGE`
seconds (`Vary` already keys it on Accept, Accept-Language and Cookie); a page for someone with
credentials, or one that sets a cookie, only by their own browser, checked each time.
`If-Modified-Since` is not honoured: a list's newest date does not change when an item is
withdrawn from it, its hash does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from ..errors import ConfigError

MAX_AGE = 60  # seconds a shared cache may serve a public page without asking again
FRAME_SELF = "frame-ancestors 'self'"
# Cookies that say nothing about who the visitor is: a page with only these is anonymous.
ANONYMOUS_COOKIES = frozenset({"lang"})
# Headers of the full answer that a 304 repeats (RFC 9110 15.4.5: those it would have sent).
_NOT_IN_304 = frozenset({b"content-length", b"content-type"})


def check_site(text: str) -> str:
    """A site allowed to frame the widgets, as the origin a browser compares (`https://a.example`,
    lower case, no path): anything else would widen or break the policy (pure)."""
    parts = urlsplit(text.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    host = parts.hostname or ""
    if (parts.scheme not in ("https", "http") or not host or port == -1
            or parts.path not in ("", "/") or parts.query or parts.fragment or parts.username
            or any(c in host for c in "*'\";, ")):  # fmt: skip
        raise ConfigError(
            f"embed site {text!r} is not an origin",
            fr=f"« {text} » n'est pas l'adresse d'un site : écrivez-la comme "
            "https://mon-site.fr (sans chemin), une par site.",
            en=f"'{text}' is not a site's address: write it as https://my-site.example "
            "(no path), one per site.",
        )
    netloc = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{netloc}" + (f":{port}" if port is not None else "")


def widget_framing(sites: Sequence[str]) -> str:
    """The CSP of a widget: any site when the place lists none, else the place and its sites."""
    return "frame-ancestors " + (" ".join(("'self'", *sites)) if sites else "*")


def entity_tag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an `If-None-Match` names this ETag (weak comparison, as RFC 9110 asks)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    tags = (tag.strip().removeprefix("W/") for tag in if_none_match.split(","))
    return etag in tags


def anonymous(request: Request) -> bool:
    """No credentials in the request: neither a bearer token nor a cookie saying who it is."""
    return "authorization" not in request.headers and set(request.cookies) <= ANONYMOUS_COOKIES


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def finish(request: Request, response: Response, modified: datetime | None = None) -> Response:
    """The page with its framing and cache headers, or its `304` when the visitor already has
    it. A widget sets its own framing afterwards (it replaces `FRAME_SELF`)."""
    response.headers["content-security-policy"] = FRAME_SELF
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    etag = entity_tag(bytes(response.body))
    response.headers["etag"] = etag
    shared = anonymous(request) and "set-cookie" not in response.headers
    response.headers["cache-control"] = (
        f"public, max-age={MAX_AGE}" if shared else "private, no-cache"
    )
    if modified is not None and modified.tzinfo is not None:
        response.headers["last-modified"] = http_date(modified)
    if not matches(request.headers.get("if-none-match"), etag):
        return response
    unchanged = Response(status_code=304)
    unchanged.raw_headers = [(k, v) for k, v in response.raw_headers if k not in _NOT_IN_304]
    return unchanged


def no_store(response: Response) -> Response:
    """Pages with a secret (a form token, an invitation link, a code): kept by no cache, and
    the link sent to no other site as a referrer (`same-origin`, not `no-referrer`: with that
    one, the browser's POST says `Origin: null`, which the CSRF check refuses)."""
    response.headers["cache-control"] = "no-store"
    response.headers["referrer-policy"] = "same-origin"
    return response
