"""Signing in at any place with one's home account (IndieAuth; the protocol's pure rules are
in node/people/indieauth.py): this module is its I/O, on both sides.

At the member's home node (the server):
    GET  /.well-known/oauth-authorization-server   the metadata
    GET  /auth      the consent page ("Le lieu … veut savoir que vous êtes @alice@a"), after
                    /connexion when not signed in
    POST /auth      the member's answer (CSRF-checked): a code, back to the place; or, with a
                    `code`, its redemption by the place's server: `{"me": <actor id>}`
    POST /auth/token  the same redemption (the metadata's token endpoint; no token issued)

At the visited place (the client):
    POST /connexion/lieu         "Se connecter avec mon lieu": WebFinger, discovery, off to the
                                 home node with `state` and PKCE
    GET  /connexion/lieu/retour  back: state, iss, the code redeemed, `me` checked, a visitor's
                                 session opened
    POST /deconnexion/lieu       the visitor's sign-out

A flow in progress (state, verifier, where the server is) is kept in the node's memory for
`FLOW_LIFETIME`, bound to the browser by a cookie holding its state; a restart forgets it (the
visitor starts again), as passkeys' challenges.
"""

from __future__ import annotations

import logging
import time
import weakref
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..actors import local
from ..actors.routes import AS_JSON, node_of
from ..config import is_loopback_host
from ..context import Node
from ..errors import FetchError, InterlieuxError, InvalidActivity
from ..fetch import check_url, fetch_document
from ..incoming import parse_json
from ..people import cookies, csrf, visitors
from ..people import indieauth as protocol
from ..store import Store
from ..tables import indieauth_codes
from ..tokens import token_hash
from . import i18n
from .gate import csrf_refused, local_path, read_form, refused
from .headers import no_store
from .interaction import parse_handle
from .negotiation import Endpoint
from .render import language, render
from .signin import form_page
from .visitor import remote_visitor, secure, signed_in

log = logging.getLogger(__name__)
STATE_COOKIE = "indieauth_state"  # the name's stem: see state_cookie
MAX_FLOWS = 10_000  # flows a node keeps at once (the oldest go first)
ADDRESS_CHARS = 300
_AS = (AS_JSON, 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"')

i18n.english(
    {
        "Se connecter à un autre lieu": "Sign in at another place",
        "Le lieu": "The place",
        "veut savoir que vous êtes": "wants to know that you are",
        "Il apprendra seulement votre adresse dans le réseau : il ne pourra rien publier ni "
        "rien lire en votre nom.": (
            "It will only learn your address in the network: it cannot publish or read "
            "anything on your behalf."
        ),
        "Accepter": "Accept",
        "Refuser": "Refuse",
        "Demande non valable": "Request not valid",
        "Se connecter avec mon lieu": "Sign in with my place",
        "Membre d'un autre lieu du réseau ? Votre lieu confirme qui vous êtes, sans que ce "
        "lieu-ci connaisse votre mot de passe.": (
            "Member of another place of the network? Your place confirms who you are, without "
            "this place knowing your password."
        ),
        "Votre adresse dans votre lieu": "Your address at your place",
        "Par exemple @alice@monlieu.fr": "For example @alice@myplace.example",
        "Continuer vers mon lieu": "Continue to my place",
        "Connexion non aboutie": "Sign-in did not work",
    }
)


# --- the server ----------------------------------------------------------------------------


async def metadata_document(request: Request) -> Response:
    """GET /.well-known/oauth-authorization-server."""
    document = protocol.metadata(node_of(request).config.base_url)
    return JSONResponse(document, headers={"access-control-allow-origin": "*"})


async def issue_code(
    store: Store, handle: str, asked: protocol.Authorization, now: float | None = None
) -> str:
    """A new single-use code for `handle`, bound to the request; only its hash kept."""
    code = protocol.new_code()
    now = time.time() if now is None else now
    async with store.write() as db:
        await indieauth_codes.add(db, token_hash(code), handle, asked.client_id,
                                  asked.redirect_uri, asked.code_challenge, now,
                                  now + protocol.CODE_LIFETIME)  # fmt: skip
    return code


async def redeem(store: Store, form: dict[str, str], now: float | None = None) -> str:
    """The handle a code was issued to, once (IndieAuth §5.3.3); AuthError invalid_grant for
    anything else. A failed check spends the code too: a stolen one gets a single guess."""
    now = time.time() if now is None else now
    code = form.get("code", "")
    if not code or len(code) > 100 or form.get("grant_type", "authorization_code") != (
            "authorization_code"):  # fmt: skip
        raise protocol.invalid_grant()
    async with store.write() as db:
        row = await indieauth_codes.by_hash(db, token_hash(code))
        if row is None:
            raise protocol.invalid_grant()
        try:
            protocol.check_redemption(row, form.get("client_id", ""),
                                      form.get("redirect_uri", ""),
                                      form.get("code_verifier", ""), now)  # fmt: skip
            redeemed = await indieauth_codes.use(db, int(row["id"]), now)
        except InterlieuxError:
            # Spent all the same, and committed: the error is raised after the transaction.
            await indieauth_codes.expire(db, int(row["id"]), now)
            redeemed = False
    if not redeemed:
        raise protocol.invalid_grant()
    return str(row["handle"])


async def _redemption(request: Request, form: dict[str, str]) -> Response:
    node = node_of(request)
    try:
        handle = await redeem(node.store, form)
    except InterlieuxError as error:
        body = {"error": "invalid_grant", "error_description": error.message("en")}
        return no_store(JSONResponse(body, status_code=400))
    return no_store(JSONResponse({"me": node.config.actor_id(handle)}))


async def token_endpoint(request: Request) -> Response:
    """POST /auth/token: the redemption, as at the authorization endpoint."""
    return await _redemption(request, await read_form(request))


async def authorize(request: Request) -> Response:
    """GET /auth: the consent page; POST /auth: the member's answer, or a code's redemption."""
    node = node_of(request)
    if request.method == "POST":
        form = await read_form(request)
        if "code" in form:
            return await _redemption(request, form)
        params = form
    else:
        params = dict(request.query_params)
    try:
        asked = protocol.authorization(params)
    except InterlieuxError as error:
        return no_store(await render(request, "refused.html", status=400,
                                      title="Demande non valable",
                                      message=error.message(language(request))))  # fmt: skip
    member = await signed_in(request)
    if member is None:
        here = f"{request.url.path}?{request.url.query}"
        if request.method == "POST":
            return await refused(request, csrf_refused())
        return RedirectResponse(f"/connexion?next={quote(here, safe='')}", 303)
    issuer = protocol.issuer_of(node.config.base_url)
    if request.method == "GET":
        return no_store(await render(request, "indieauth_consent.html", asked=asked,
                                      address=member_address(member.handle, node),
                                      fields=asked.fields()))  # fmt: skip
    origin_ok = csrf.same_origin(request.headers.get("origin"), node.config.base_url)
    if not origin_ok or not csrf.matches(member.csrf, params.get(csrf.FIELD)):
        return no_store(await refused(request, csrf_refused()))
    if params.get("decision") != "accept":
        back = protocol.with_query(asked.redirect_uri, error="access_denied", state=asked.state,
                                   iss=issuer)  # fmt: skip
        return RedirectResponse(back, 303)
    code = await issue_code(node.store, member.handle, asked)
    back = protocol.with_query(asked.redirect_uri, code=code, state=asked.state, iss=issuer)
    return RedirectResponse(back, 303)


def member_address(handle: str, node: Node) -> str:
    return f"@{handle}@{node.config.host}"


# --- the client ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    """A visitor on their way to their home node and back."""

    actor: str
    address: str
    server: protocol.Server
    verifier: str
    next: str
    expires_at: float


class Flows:
    """The flows a node started and not yet seen back, by state."""

    def __init__(self) -> None:
        self._pending: dict[str, Flow] = {}

    def start(self, state: str, flow: Flow) -> None:
        while len(self._pending) >= MAX_FLOWS:
            del self._pending[next(iter(self._pending))]
        self._pending[state] = flow

    def take(self, state: str, now: float) -> Flow | None:
        """The flow, once: the same answer twice finds nothing."""
        flow = self._pending.pop(state, None)
        return flow if flow is not None and flow.expires_at > now else None


_BY_NODE: weakref.WeakKeyDictionary[object, Flows] = weakref.WeakKeyDictionary()


def flows_of(node: object) -> Flows:
    if node not in _BY_NODE:
        _BY_NODE[node] = Flows()
    return _BY_NODE[node]


def state_cookie(base_url: str) -> str:
    """The cookie binding a flow to its browser, with the port on a plain-http node (pure)."""
    return cookies.cookie_name(STATE_COOKIE, base_url, whole_site=False)


def _scheme_for(host: str) -> str:
    return "http" if is_loopback_host(urlsplit(f"//{host}").hostname or "") else "https"


async def _get(node: Node, url: str, accept: str) -> httpx.Response:
    check_url(url)
    try:
        return await node.http.get(url, headers={"accept": accept})
    except httpx.HTTPError as exc:
        raise FetchError(f"GET {url} failed: {exc}") from exc


async def _webfinger(node: Node, user: str, host: str) -> str:
    """The actor id `@user@host` names, from its server's WebFinger."""
    url = f"{_scheme_for(host)}://{host}/.well-known/webfinger?resource=acct:{quote(user)}@{host}"
    response = await _get(node, url, "application/jrd+json")
    if response.status_code != 200:
        raise FetchError(f"WebFinger {url} answered {response.status_code}")
    try:
        links = parse_json(response.content).get("links", [])
    except (InvalidActivity, AttributeError) as exc:
        raise FetchError(f"WebFinger {url} is not JSON") from exc
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("rel") == "self" and link.get("type") in _AS:
            href = link.get("href")
            if isinstance(href, str):
                return href
    raise FetchError(f"WebFinger {url} names no actor")


async def discover(node: Node, profile: str) -> protocol.Server:
    """The profile's authorization server: its `indieauth-metadata` link (the `Link` header,
    else the page's head), then the metadata it points to."""
    response = await _get(node, profile, "text/html")
    if response.status_code != 200:
        raise protocol.server_unusable(profile)
    found = protocol.link_from_header(response.headers.get("link", ""), profile)
    if found is None and "html" in response.headers.get("content-type", ""):
        found = protocol.link_from_html(response.text, profile)
    if found is None:
        raise protocol.server_unusable(profile)
    answer = await _get(node, found, "application/json")
    try:
        document = parse_json(answer.content) if answer.status_code == 200 else None
    except InvalidActivity:
        document = None
    return protocol.server_from(document, found, profile)


async def _place_signer(node: Node) -> tuple[str, Any]:
    place = await local.by_handle(node.store, node.config.handle)
    return place.key_id, place.keys.rsa_private


async def find_actor(node: Node, typed: str) -> tuple[str, str]:
    """The actor id and address (`@alice@a.example`) a visitor typed, as their place serves
    them: an address through WebFinger, or the actor's URL itself."""
    parsed = parse_handle(typed)
    if parsed is not None:
        actor_id = await _webfinger(node, *parsed)
    else:
        canonical = protocol.canonical_profile(typed)
        if canonical is None:
            raise protocol.server_unusable(typed)
        actor_id = canonical
    document = await fetch_document(node.http, actor_id, await _place_signer(node))
    name = document.get("preferredUsername")
    if document.get("type") != "Person" or not isinstance(name, str) or not name:
        raise protocol.server_unusable(actor_id)
    return actor_id, f"@{name}@{urlsplit(actor_id).netloc}"


def _this_place() -> InterlieuxError:
    return protocol.refused(
        "a local account",
        fr="C'est un compte de ce lieu : connectez-vous avec votre mot de passe ou votre clé "
        "d'accès, plus haut.",
        en="This is an account of this place: sign in with your password or passkey, above.",
    )


async def start(request: Request) -> Response:
    """POST /connexion/lieu: from the typed address to the visitor's home node."""
    node = node_of(request)
    form = await read_form(request)
    origin_ok = csrf.same_origin(request.headers.get("origin"), node.config.base_url)
    expected = request.cookies.get(csrf.form_cookie(node.config.base_url))
    if not origin_ok or not csrf.matches(expected, form.get(csrf.FIELD)):
        return no_store(await refused(request, csrf_refused()))
    typed = form.get("address", "").strip()[:ADDRESS_CHARS]
    next_ = local_path(form.get("next"), "/")
    if next_.startswith(("/moi", "/equipe")):
        next_ = "/"  # a member's own pages, which a visitor from elsewhere cannot open
    # Each try makes this node fetch from the server typed: failures are throttled as
    # sign-ins are, per address typed and per client address.
    client = request.client.host if request.client else "unknown"
    charged = f"home:{typed.lower()}"
    try:
        node.throttles.signin(charged, client)
        node.throttles.home_signin_start(client)  # each start keeps a flow until it returns
    except InterlieuxError as error:
        return no_store(await refused(request, error))
    try:
        actor_id, address = await find_actor(node, typed)
        if node.config.is_local(actor_id):
            raise _this_place()
        server = await discover(node, actor_id)
    except (FetchError, httpx.HTTPError, ValueError) as error:
        node.throttles.signin_failed(charged, client)
        return await _start_failed(request, protocol.server_unusable(typed), typed, next_, error)
    except InterlieuxError as error:
        node.throttles.signin_failed(charged, client)
        return await _start_failed(request, error, typed, next_, error)
    state, verifier = protocol.new_state(), protocol.new_verifier()
    flows_of(node).start(state, Flow(actor_id, address, server, verifier, next_,
                                     time.time() + protocol.FLOW_LIFETIME))  # fmt: skip
    base = node.config.base_url
    to = protocol.authorization_url(
        server, protocol.client_id_of(base), protocol.callback_of(base), state, verifier, actor_id
    )
    response = RedirectResponse(to, 303)
    # Lax, not Strict: it must come back with the home node's redirect, a top-level GET.
    response.set_cookie(state_cookie(node.config.base_url), state, max_age=protocol.FLOW_LIFETIME,
                        path=protocol.CALLBACK_PATH, secure=secure(request), httponly=True,
                        samesite="lax")  # fmt: skip
    return no_store(response)


async def _start_failed(
    request: Request, error: InterlieuxError, typed: str, next_: str, cause: Exception
) -> Response:
    log.info("signing in with the home of %r failed: %s", typed, cause)
    return await form_page(request, "signin.html", "/connexion", 400, next=next_,
                           host=node_of(request).config.host, username="",
                           home_error=error.message(language(request)),
                           home_address=typed)  # fmt: skip


async def redeem_at_home(node: Node, flow: Flow, code: str) -> Any:
    """POST the code to the home node's authorization endpoint (profile only: no token)."""
    base = node.config.base_url
    url = flow.server.authorization_endpoint
    check_url(url)
    data = {"grant_type": "authorization_code", "code": code,
            "client_id": protocol.client_id_of(base), "redirect_uri": protocol.callback_of(base),
            "code_verifier": flow.verifier}  # fmt: skip
    try:
        response = await node.http.post(url, data=data, headers={"accept": "application/json"})
    except httpx.HTTPError as exc:
        raise protocol.back_refused(f"POST {url} failed: {exc}") from exc
    if response.status_code != 200:
        raise protocol.back_refused(f"POST {url} answered {response.status_code}")
    try:
        return parse_json(response.content)
    except InvalidActivity as exc:
        raise protocol.back_refused(f"POST {url} is not JSON") from exc


async def back(request: Request) -> Response:
    """GET /connexion/lieu/retour: the home node's answer, checked; signed in as its member."""
    node = node_of(request)
    params = request.query_params
    try:
        given = params.get("state")
        protocol.check_state(given, request.cookies.get(state_cookie(node.config.base_url)))
        assert given is not None
        flow = flows_of(node).take(given, time.time())
        if flow is None:
            raise protocol.back_refused("no such flow")
        protocol.check_issuer(params.get("iss"), flow.server)
        code = params.get("code")
        if params.get("error") or not code:
            raise protocol.back_refused(f"home answered {params.get('error')!r}")
        me = protocol.check_me(await redeem_at_home(node, flow, code), flow.actor)
    except InterlieuxError as error:
        response = await render(request, "refused.html", status=error.status,
                                title="Connexion non aboutie",
                                message=error.message(language(request)))  # fmt: skip
        response.delete_cookie(state_cookie(node.config.base_url), path=protocol.CALLBACK_PATH)
        return no_store(response)
    session = await visitors.open_visit(node.store, me, flow.address)
    try:
        # Kept among the actors this node knows, so that their home's Delete of the actor
        # (an erased account) is heard here and signs the visitor out (node/objects.py).
        await node.directory.get(me)
    except InterlieuxError as error:
        log.info("visitor %s signed in, their actor not cached: %s", me, error.log)
    response = RedirectResponse(flow.next, 303)
    response.delete_cookie(state_cookie(node.config.base_url), path=protocol.CALLBACK_PATH)
    response.set_cookie(visitors.cookie_name(node.config.base_url), session.token,
                        max_age=visitors.ABSOLUTE, path="/", secure=secure(request),
                        httponly=True, samesite="lax")  # fmt: skip
    return no_store(response)


async def signout(request: Request) -> Response:
    """POST /deconnexion/lieu: the remote visitor's session closed (its CSRF token needed)."""
    who = await remote_visitor(request)
    if who is not None:
        form = await read_form(request)
        origin_ok = csrf.same_origin(request.headers.get("origin"),
                                     node_of(request).config.base_url)  # fmt: skip
        if not origin_ok or not csrf.matches(who.csrf, form.get(csrf.FIELD)):
            return await refused(request, csrf_refused())
        await visitors.close(node_of(request).store, who.session)
    response = RedirectResponse("/", 303)
    name = visitors.cookie_name(node_of(request).config.base_url)
    response.delete_cookie(name, path="/",
                           secure=secure(request), httponly=True, samesite="lax")  # fmt: skip
    return response


def with_metadata_link(page: Endpoint) -> Endpoint:
    """An actor's page answering with the `Link` to the node's IndieAuth metadata too."""

    async def linked(request: Request) -> Response:
        response = await page(request)
        response.headers.append("link", protocol.link_header(node_of(request).config.base_url))
        return response

    return linked
