"""Tokens against cross-site request forgery, for every POST form of the pages.

A signed-in form carries a synchronizer token bound to the session: an HMAC of the session's
own token, so nothing more is stored and it dies with the session. The sign-in and invitation
forms have no session yet: they carry a random token that the same answer also sets in a
cookie scoped to their path (double submit; scoped, so it does not make every other page
private to shared caches). A POST whose `Origin` names another site is refused too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from . import cookies

FIELD = "csrf"  # the form field that carries the token
FORM_COOKIE = "form_csrf"  # the name's stem: see form_cookie
FORM_COOKIE_AGE = 3600  # seconds a sign-in form stays usable


def form_cookie(base_url: str) -> str:
    """The double-submit cookie's name, with the port on a plain-http node (several
    development nodes on one loopback host share cookies across ports) (pure)."""
    return cookies.cookie_name(FORM_COOKIE, base_url, whole_site=False)


def for_session(session_token: str) -> str:
    """The session's form token (pure)."""
    return hmac.new(session_token.encode(), b"interlieux csrf", hashlib.sha256).hexdigest()


def new_form_token() -> str:
    return secrets.token_urlsafe(32)


def matches(expected: str | None, given: str | None) -> bool:
    """Both present and equal, compared in constant time (pure)."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def same_origin(origin: str | None, base_url: str) -> bool:
    """No `Origin` (an old browser, a same-origin GET turned POST by a proxy), or the node's
    own; `null` and any other site are refused (pure)."""
    if origin is None:
        return True
    mine = urlsplit(base_url)
    theirs = urlsplit(origin.strip())
    return (theirs.scheme, theirs.netloc.lower()) == (mine.scheme, mine.netloc.lower())
