"""IndieAuth (https://indieauth.spec.indieweb.org/), the pure part: a member of one place signs
in at another with their home account, and no place registers with another beforehand.

Why IndieAuth rather than OpenID Connect with dynamic registration: the client is named by its
own URL (the visited place's base URL), so nothing is registered or stored per client; and the
identity is a URL, the member's actor id, which the rest of the network already uses.

The home node is the authorization server: its metadata at `METADATA_PATH`, linked from each
actor (`rel="indieauth-metadata"`, in a `Link` header and the page's head); `/auth` asks the
signed-in member's consent and hands back a code bound to the client, its redirect URI and its
PKCE challenge (S256 only), once, for `CODE_LIFETIME`; the visited place redeems it with the
verifier and learns `{"me": <actor id>}`. No access token is ever issued: a place only learns
who the visitor is, never acts for them (participating goes back to the home node's consent).

The visited place is the client: from the typed address it finds the actor (WebFinger), the
metadata (the actor's `Link`), sends the browser with `state` and a PKCE challenge, and on the
way back checks the state, the `iss`, and that `me` is the very actor it started from, on the
issuer's own origin: a server vouches only for its own members.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from ..config import is_loopback_host
from ..errors import AuthError, InvalidParameter
from ..origin import origin_of, same_origin

METADATA_PATH = "/.well-known/oauth-authorization-server"
AUTHORIZATION_PATH = "/auth"
TOKEN_PATH = "/auth/token"
CALLBACK_PATH = "/connexion/lieu/retour"
REL = "indieauth-metadata"
CODE_LIFETIME = 600  # seconds a code may wait for its redemption (the spec's 10 minutes at most)
FLOW_LIFETIME = 900  # seconds a visitor may take at their home place before coming back
MAX_STATE = 512  # characters of a client's `state` kept and sent back
MAX_URL = 2000  # characters of a client_id or redirect_uri
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # base64url of a SHA-256, unpadded
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")  # RFC 7636 §4.1


def refused(log: str, fr: str, en: str) -> InvalidParameter:
    return InvalidParameter(log, fr=fr, en=en)


# --- the server (the member's home node) ------------------------------------------------------


def metadata(base_url: str) -> dict[str, Any]:
    """The authorization server's metadata (IndieAuth §4.1.1, RFC 8414) (pure)."""
    return {
        "issuer": issuer_of(base_url),
        "authorization_endpoint": f"{base_url}{AUTHORIZATION_PATH}",
        "token_endpoint": f"{base_url}{TOKEN_PATH}",
        "code_challenge_methods_supported": ["S256"],
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "scopes_supported": [],
        "authorization_response_iss_parameter_supported": True,
        "service_documentation": "https://indieauth.spec.indieweb.org/",
    }


def issuer_of(base_url: str) -> str:
    """The issuer identifier: the node's base URL with its path `/` (pure)."""
    return f"{base_url}/"


def link_header(base_url: str) -> str:
    """The `Link` an actor's URL answers with, for discovery (pure)."""
    return f'<{base_url}{METADATA_PATH}>; rel="{REL}"'


def _url_refused(what: str, value: str) -> InvalidParameter:
    return refused(
        f"bad {what} {value[:100]!r}",
        fr=f"Le lieu qui vous a envoyé ici a donné une adresse de retour non valable ({what}) : "
        "revenez à sa page et réessayez ; si cela recommence, prévenez son équipe.",
        en=f"The place that sent you here gave an invalid return address ({what}): go back "
        "to its page and try again; if it happens again, tell its team.",
    )


def check_client_id(client_id: str) -> str:
    """A client identifier (IndieAuth §3.2): http(s), a path, no fragment, no user or password,
    no dot segments, a domain name or loopback; https unless on a loopback host (pure)."""
    parts = urlsplit(client_id)
    host = parts.hostname or ""
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        raise _url_refused("client_id", client_id) from None
    segments = parts.path.split("/")
    if (
        len(client_id) > MAX_URL
        or parts.scheme not in ("https", "http")
        or (parts.scheme == "http" and not is_loopback_host(host))
        or not host
        or not parts.path
        or "." in segments
        or ".." in segments
        or parts.fragment
        or parts.username is not None
        or parts.password is not None
        or (_is_ip(host) and not is_loopback_host(host))
    ):
        raise _url_refused("client_id", client_id)
    return client_id


def _is_ip(host: str) -> bool:
    return bool(re.fullmatch(r"[0-9.]+", host)) or ":" in host


def check_redirect_uri(client_id: str, redirect_uri: str) -> str:
    """The redirect URI: on the client's own origin (scheme, host, port), no fragment (pure).

    The spec lets a client list other redirect URIs in its published metadata; no place needs
    it, and reading them would mean a fetch on a stranger's word before the member said yes."""
    parts = urlsplit(redirect_uri)
    if (
        len(redirect_uri) > MAX_URL
        or not same_origin(client_id, redirect_uri)
        or parts.fragment
        or parts.username is not None
    ):
        raise _url_refused("redirect_uri", redirect_uri)
    return redirect_uri


@dataclass(frozen=True)
class Authorization:
    """What a client asks the home node for: who the member is, for `client_id`."""

    client_id: str
    redirect_uri: str
    state: str
    code_challenge: str

    def fields(self) -> dict[str, str]:
        """The request again, as the consent form carries it."""
        return {
            "response_type": "code", "client_id": self.client_id,
            "redirect_uri": self.redirect_uri, "state": self.state,
            "code_challenge": self.code_challenge, "code_challenge_method": "S256",
        }  # fmt: skip

    @property
    def client_host(self) -> str:
        return urlsplit(self.client_id).netloc


def authorization(params: dict[str, str]) -> Authorization:
    """The authorization request (IndieAuth §5.2), or InvalidParameter saying what is wrong
    (pure). PKCE is required, S256 only: `plain` would hand the verifier to whoever reads the
    URL."""
    client_id = check_client_id(params.get("client_id", ""))
    redirect_uri = check_redirect_uri(client_id, params.get("redirect_uri", ""))
    state = params.get("state", "")
    if params.get("response_type", "code") != "code":
        raise refused("response_type not code", fr="Type de réponse non pris en charge.",
                      en="Unsupported response type.")  # fmt: skip
    if not state or len(state) > MAX_STATE:
        raise refused("missing or long state", fr="Paramètre « state » manquant ou trop long.",
                      en="Missing or too long 'state' parameter.")  # fmt: skip
    challenge = params.get("code_challenge", "")
    if params.get("code_challenge_method") != "S256" or not _CHALLENGE.match(challenge):
        raise refused(
            "PKCE S256 required",
            fr="Ce lieu demande une connexion sans la protection PKCE (S256) : elle est "
            "obligatoire. Prévenez l'équipe du lieu qui vous a envoyé ici.",
            en="This place asks for a sign-in without PKCE (S256) protection, which is "
            "required. Tell the team of the place that sent you here.",
        )
    return Authorization(client_id, redirect_uri, state, challenge)


def with_query(url: str, **params: str) -> str:
    """`url` with `params` added to its query, the ones it had kept (pure)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def challenge_of(verifier: str) -> str:
    """S256: the unpadded base64url of the verifier's SHA-256 (RFC 7636 §4.2) (pure)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_code() -> str:
    return secrets.token_urlsafe(32)


def invalid_grant() -> AuthError:
    return AuthError(
        "invalid_grant",
        fr="Code inconnu, déjà utilisé, expiré, ou qui ne correspond pas à cette demande.",
        en="Unknown, used or expired code, or one that does not match this request.",
    )


def check_redemption(
    stored: Any, client_id: str, redirect_uri: str, verifier: str, now: float
) -> None:
    """A code's redemption (IndieAuth §5.3.3): the same client and redirect URI as the
    request, a verifier whose S256 is the challenge, before the code expires; else
    AuthError `invalid_grant` (pure). Single use is the caller's, in the same transaction."""
    if (
        stored["used_at"] is not None
        or now >= float(stored["expires_at"])
        or stored["client_id"] != client_id
        or stored["redirect_uri"] != redirect_uri
        or not _VERIFIER.match(verifier)
        or not hmac.compare_digest(challenge_of(verifier), str(stored["code_challenge"]))
    ):
        raise invalid_grant()


# --- the client (the place the member visits) -------------------------------------------------


def client_id_of(base_url: str) -> str:
    return f"{base_url}/"


def callback_of(base_url: str) -> str:
    return f"{base_url}{CALLBACK_PATH}"


def canonical_profile(typed: str) -> str | None:
    """A typed profile URL as IndieAuth §3.4 canonicalizes it: a scheme (https when none),
    lower-case host, `/` when no path; None when it is no http(s) URL (pure)."""
    text = typed.strip()
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    try:
        parts.port  # noqa: B018 (raises on `javascript:alert(1)` read as a host and port)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("https", "http") or not parts.hostname or parts.fragment:
        return None
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       parts.query, ""))  # fmt: skip


def new_verifier() -> str:
    return secrets.token_urlsafe(48)  # 64 characters of RFC 7636's alphabet


def new_state() -> str:
    return secrets.token_urlsafe(32)


def link_from_header(value: str, base: str, rel: str = REL) -> str | None:
    """The target of the first link of relation `rel` in a `Link` header (RFC 8288) (pure)."""
    for part in re.finditer(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)", value):
        target, params = str(part.group(1)), str(part.group(2))
        for param in params.split(";"):
            name, _, text = param.strip().partition("=")
            if name.strip().lower() == "rel" and rel in text.strip().strip('"').split():
                return urljoin(base, target.strip())
    return None


class _LinkFinder(HTMLParser):
    def __init__(self, rel: str) -> None:
        super().__init__()
        self.rel = rel
        self.found: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Only `<link>`: an `<a rel=…>` can be a member's own text on a profile page.
        if self.found is None and tag == "link":
            given = dict(attrs)
            href = given.get("href")
            if self.rel in (given.get("rel") or "").split() and href:
                self.found = href


def link_from_html(html: str, base: str, rel: str = REL) -> str | None:
    """The `href` of the first `<link>` of relation `rel` in a page (pure)."""
    finder = _LinkFinder(rel)
    finder.feed(html)
    return urljoin(base, finder.found) if finder.found else None


@dataclass(frozen=True)
class Server:
    """The visitor's home node as an authorization server, from its metadata."""

    issuer: str
    authorization_endpoint: str


def server_unusable(where: str) -> InvalidParameter:
    return refused(
        f"no usable IndieAuth server at {where}",
        fr="Votre lieu ne permet pas encore de se connecter ailleurs avec son compte (ou n'a "
        "pas répondu) : vérifiez l'adresse, ou connectez-vous avec un compte de ce lieu.",
        en="Your place does not allow signing in elsewhere with its account yet (or did not "
        "answer): check the address, or sign in with an account of this place.",
    )


def issuer_covers(issuer: str, metadata_url: str) -> bool:
    """Whether `issuer` may describe the metadata at `metadata_url` (pure): same origin (not a
    string prefix, which `https://a.example.evil.example` would pass), and the issuer's path
    either empty or a directory (ending in `/`) that the metadata's path lies under."""
    if not same_origin(issuer, metadata_url):
        return False
    path, under = urlsplit(issuer).path, urlsplit(metadata_url).path
    if path == "":
        return issuer.lower() == origin_of(metadata_url)
    return path.endswith("/") and under.startswith(path)


def server_from(metadata_doc: Any, metadata_url: str, profile: str) -> Server:
    """The server a profile's metadata describes (pure): the issuer on the metadata's origin
    with the metadata under its path, on the profile's own origin (a server vouches for its own
    members only), an authorization endpoint, and S256 among its PKCE methods when it lists
    them."""
    if not isinstance(metadata_doc, dict):
        raise server_unusable(metadata_url)
    issuer = metadata_doc.get("issuer")
    endpoint = metadata_doc.get("authorization_endpoint")
    methods = metadata_doc.get("code_challenge_methods_supported", ["S256"])
    if (
        not isinstance(issuer, str)
        or not issuer_covers(issuer, metadata_url)
        or not same_origin(issuer, profile)
        or not isinstance(endpoint, str)
        or urlsplit(endpoint).scheme not in ("https", "http")
        or urlsplit(issuer).query
        or urlsplit(issuer).fragment
        or not isinstance(methods, list)
        or "S256" not in methods
    ):
        raise server_unusable(metadata_url)
    return Server(issuer, endpoint)


def authorization_url(
    server: Server, client_id: str, redirect_uri: str, state: str, verifier: str, me: str
) -> str:
    """Where the visitor's browser goes to sign in at home (pure)."""
    return with_query(
        server.authorization_endpoint, response_type="code", client_id=client_id,
        redirect_uri=redirect_uri, state=state, code_challenge=challenge_of(verifier),
        code_challenge_method="S256", me=me,
    )  # fmt: skip


def back_refused(log: str) -> AuthError:
    return AuthError(
        log,
        fr="La connexion avec votre lieu n'a pas abouti (demande expirée, déjà utilisée ou "
        "venue d'ailleurs) : recommencez depuis la page de connexion.",
        en="Signing in with your place did not work (the request expired, was already used "
        "or came from elsewhere): start again from the sign-in page.",
    )


def check_state(given: str | None, expected: str | None) -> None:
    """The `state` the browser came back with is the one this browser left with (its
    cookie): else someone is signing this browser in with their own code (pure)."""
    if not given or not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise back_refused("state mismatch")


def check_issuer(given: str | None, server: Server) -> None:
    """RFC 9207: the answer comes from the server the browser was sent to (pure)."""
    if given != server.issuer:
        raise back_refused(f"iss {given!r} is not {server.issuer!r}")


def check_me(answer: Any, actor_id: str) -> str:
    """The profile URL the server vouches for: the very actor the visitor said they are (pure).
    That actor is on the server's own origin already: the server was discovered from it, and
    `server_from` refuses an issuer on another origin than the profile's."""
    me = answer.get("me") if isinstance(answer, dict) else None
    if not isinstance(me, str) or me != actor_id:
        raise back_refused(f"me {me!r} is not {actor_id!r}")
    return me
