"""Signing in and out: `/connexion` (a member's handle and password), `/deconnexion`,
`/invitation/<token>` (choose a password from the team's link), and `/moi`, where a member
lands once signed in; beside each password form, a passkey (WebAuthn) through
static/passkeys.js and the JSON endpoints at the end of this module.

A wrong password, an unknown account and an account with no password yet get the same
answer after the same Argon2 work; failures are throttled per account and per client address
(`limits.Throttles.signin`, 429 with Retry-After).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..actors.routes import node_of
from ..errors import InterlieuxError, InvalidParameter
from ..incoming import read_bounded
from ..people import accounts, csrf, invitations, passkeys, sessions
from ..tokens import token_hash
from . import gate, i18n
from .gate import checked_form, csrf_refused, local_path, member_form, refused, requires
from .headers import no_store
from .member import sessions as my_sessions
from .render import language, local_time, render
from .visitor import secure, session_token, signed_in

i18n.english(
    {
        "Se connecter": "Sign in",
        "Se déconnecter": "Sign out",
        "Connexion": "Sign in",
        "Identifiant": "Username",
        "Votre identifiant à ce lieu, par exemple alice ou @alice@": (
            "Your username at this place, for example alice or @alice@"
        ),
        "Mot de passe": "Password",
        "Pas encore de compte ? L'équipe du lieu vous donne un lien d'invitation.": (
            "No account yet? The place's team gives you an invitation link."
        ),
        "Mot de passe oublié ? Demandez un nouveau lien à l'équipe du lieu.": (
            "Forgot your password? Ask the place's team for a new link."
        ),
        "Identifiant ou mot de passe incorrect. Vérifiez-les, ou demandez un nouveau lien à "
        "l'équipe du lieu.": (
            "Wrong username or password. Check them, or ask the place's team for a new link."
        ),
        "Bienvenue": "Welcome",
        "Choisissez votre mot de passe": "Choose your password",
        "Choisissez un nouveau mot de passe": "Choose a new password",
        "Votre adresse dans le réseau :": "Your address in the network:",
        "Nouveau mot de passe": "New password",
        "12 caractères au moins ; une phrase de quelques mots se retient facilement.": (
            "At least 12 characters; a phrase of a few words is easy to remember."
        ),
        "Le même, une seconde fois": "The same, once more",
        "Enregistrer et me connecter": "Save and sign in",
        "Vos autres sessions seront fermées.": "Your other sessions will be closed.",
        "Lien non valable": "Link not valid",
        "Mon espace": "My space",
        "Connecté·e en tant que": "Signed in as",
        "Mes rôles": "My roles",
        "Ma page publique": "My public page",
        "membre": "member",
        "accueil à la porte": "door welcome",
        "équipe": "team",
        "administration": "administration",
        "Avec une clé d'accès": "With a passkey",
        "Se connecter avec une clé d'accès": "Sign in with a passkey",
        "Ou bien, sans mot de passe : une clé d'accès": "Or, without a password: a passkey",
        "Votre téléphone ou votre ordinateur garde la clé et la déverrouille avec votre "
        "empreinte, votre visage ou votre code.": (
            "Your phone or computer keeps the key and unlocks it with your fingerprint, face "
            "or PIN."
        ),
        "Créer une clé d'accès et me connecter": "Create a passkey and sign in",
        "Mes clés d'accès": "My passkeys",
        "Aucune clé d'accès pour l'instant.": "No passkey yet.",
        "Ajoutée le": "Added on",
        "utilisée le": "used on",
        "Supprimer": "Remove",
        "Nom de la clé (facultatif)": "Name of the key (optional)",
        "Ajouter une clé d'accès (passkey)": "Add a passkey",
        "Clé d'accès": "Passkey",
        "Suivez les indications de votre appareil…": "Follow your device's instructions…",
        "La clé d'accès n'a pas abouti :": "The passkey did not work:",
        "C'est fait.": "Done.",
    }
)


async def form_page(
    request: Request, template: str, cookie_path: str, status: int = 200, **context: Any
) -> Response:
    """A form with a fresh double-submit token, set in a cookie scoped to `cookie_path`."""
    token = csrf.new_form_token()
    response = await render(request, template, status=status, form_csrf=token, **context)
    response.set_cookie(form_cookie(request), token, max_age=csrf.FORM_COOKIE_AGE,
                        path=cookie_path, secure=secure(request), httponly=True,
                        samesite="strict")  # fmt: skip
    return no_store(response)


def form_cookie(request: Request) -> str:
    return csrf.form_cookie(node_of(request).config.base_url)


def _signed_in_at(request: Request, handle: str, token: str, to: str) -> Response:
    return _with_session(request, RedirectResponse(to, status_code=303), token)


def _with_session(request: Request, response: Response, token: str) -> Response:
    response.set_cookie(
        sessions.cookie_name(node_of(request).config.base_url), token, path="/",
        max_age=sessions.ABSOLUTE, secure=secure(request), httponly=True, samesite="lax",
    )  # fmt: skip
    return response


def handle_of(typed: str, host: str) -> str | None:
    """`alice`, `@alice` or `@alice@<this host>` → `alice`; None for another place's (pure)."""
    text = typed.strip().lower().removeprefix("@")
    name, at, where = text.partition("@")
    if at and where != host.lower():
        return None
    return name


async def signin_page(request: Request) -> Response:
    """GET /connexion: the form; POST: check, then to `next` (or /moi) signed in."""
    node = node_of(request)
    next_ = local_path(request.query_params.get("next"))
    context: dict[str, Any] = {"next": next_, "host": node.config.host, "username": ""}
    if request.method == "GET":
        return await form_page(request, "signin.html", "/connexion", **context)
    try:
        form = await checked_form(request, request.cookies.get(form_cookie(request)))
    except InterlieuxError as error:
        return no_store(await refused(request, error))
    typed = form.get("username", "")[:200]
    context["username"] = typed
    next_ = context["next"] = local_path(form.get("next"))
    handle = handle_of(typed, node.config.host) or ""
    address = request.client.host if request.client else "unknown"
    try:
        node.throttles.signin(handle or typed, address)
    except InterlieuxError as error:
        return no_store(await refused(request, error))
    account = await accounts.verify(node.store, handle, form.get("password", ""))
    if account is None:
        node.throttles.signin_failed(handle or typed, address)
        wrong = i18n.say(
            "Identifiant ou mot de passe incorrect. Vérifiez-les, ou demandez un nouveau lien à "
            "l'équipe du lieu.",
            language(request),
        )
        return await form_page(request, "signin.html", "/connexion", status=400, error=wrong,
                                **context)  # fmt: skip
    session = await sessions.open_session(
        node.store, account.handle, request.headers.get("user-agent", "")
    )
    response = _signed_in_at(request, account.handle, session.token, next_)
    response.delete_cookie(form_cookie(request), path="/connexion")
    return response


async def signout(request: Request) -> Response:
    """POST /deconnexion: close the session (its CSRF token required), to the home page."""
    member = await signed_in(request)
    if member is not None:
        try:
            await checked_form(request, member.csrf)
        except InterlieuxError as error:
            return await refused(request, error)
        await sessions.close(node_of(request).store, member.session)
    response = RedirectResponse("/", status_code=303)
    if session_token(request) is not None:
        name = sessions.cookie_name(node_of(request).config.base_url)
        response.delete_cookie(name, path="/", secure=secure(request), httponly=True,
                               samesite="lax")  # fmt: skip
    return response


async def invitation_page(request: Request) -> Response:
    """GET /invitation/<token>: choose a password; POST: save it, signed in, to /moi."""
    node = node_of(request)
    token = request.path_params["token"]
    path = f"/invitation/{token}"
    invitation = await invitations.find(node.store, token)
    if invitation is None:
        gone = invitations.gone()
        response = await render(request, "refused.html", status=410, title="Lien non valable",
                                message=gone.message(language(request)))  # fmt: skip
        return no_store(response)
    context: dict[str, Any] = {
        "invitation": invitation,
        "address": f"@{invitation.handle}@{node.config.host}",
        "invitation_path": path,
    }
    if request.method == "GET":
        return await form_page(request, "invitation.html", path, **context)
    try:
        form = await checked_form(request, request.cookies.get(form_cookie(request)))
    except InterlieuxError as error:
        return no_store(await refused(request, error))
    try:
        handle = await invitations.accept(
            node.store, token, form.get("password", ""), form.get("confirmation", "")
        )
    except InvalidParameter as error:
        return await form_page(request, "invitation.html", path, status=400,
                                error=error.message(language(request)), **context)  # fmt: skip
    except InterlieuxError as error:
        return no_store(await refused(request, error))
    session = await sessions.open_session(node.store, handle, request.headers.get("user-agent", ""))
    response = _signed_in_at(request, handle, session.token, "/moi")
    response.delete_cookie(form_cookie(request), path=path)
    return response


def _when(timestamp: float | None, timezone: str) -> datetime | None:
    if timestamp is None:
        return None
    return local_time(datetime.fromtimestamp(timestamp, UTC), timezone)


@requires(accounts.MEMBER)
async def my_page(request: Request) -> Response:
    """GET /moi: who is signed in, with which roles."""
    member = await gate.member(request)
    roles = [accounts.ROLE_NAMES[r] for r in accounts.ROLES if r in member.roles]
    node = node_of(request)
    keys = [
        {"id": key.id, "label": key.label, "added": _when(key.created_at, node.config.timezone),
         "used": _when(key.last_used_at, node.config.timezone)}
        for key in await passkeys.of_member(node.store, member.handle)
    ]  # fmt: skip
    return await render(request, "me.html", roles=roles, passkeys=keys,
                        actor=node_of(request).config.actor_id(member.handle),
                        sessions=await my_sessions.listed(request, member),
                        sessions_done=my_sessions.done(request))  # fmt: skip


# --- passkeys ------------------------------------------------------------------------------
# node/web/static/passkeys.js posts JSON here: {"csrf": …, "credential": …, "label": …}. A
# cross-site page cannot send `application/json` without a preflight this node never grants,
# and the token and Origin are checked besides, as for every form.

MAX_JSON = 20_000  # bytes of a passkey ceremony's JSON (a credential is about 1 kB)


async def _checked_json(request: Request, expected: str | None) -> dict[str, Any]:
    body = await read_bounded(request, MAX_JSON)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    origin_ok = csrf.same_origin(request.headers.get("origin"), node_of(request).config.base_url)
    try:
        data = json.loads(body) if kind == "application/json" else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or not origin_ok:
        raise csrf_refused()
    given = data.get(csrf.FIELD)
    if not csrf.matches(expected, given if isinstance(given, str) else None):
        raise csrf_refused()
    return data


def _json_error(request: Request, error: InterlieuxError) -> Response:
    response = JSONResponse({"error": error.message(language(request))}, status_code=error.status,
                            headers=error.headers)  # fmt: skip
    return no_store(response)


def _json(content: Any, request: Request, token: str | None = None) -> Response:
    """An answer to passkeys.js: options (JSON text already) or where to go next."""
    response: Response
    if isinstance(content, str):
        response = Response(content, media_type="application/json")
    else:
        response = JSONResponse(content)
    if token is not None:
        _with_session(request, response, token)
    return no_store(response)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def my_passkey_options(request: Request) -> Response:
    """POST /moi/cles/options: the options to create a passkey for the signed-in member."""
    node, member = node_of(request), await signed_in(request)
    try:
        if member is None:
            raise passkeys.refused()
        await _checked_json(request, member.csrf)
        node.throttles.passkey_options(_address(request))
    except InterlieuxError as error:
        return _json_error(request, error)
    options = await passkeys.registration_options(
        node.store, node.config, passkeys.challenges_of(node), member.handle,
        token_hash(member.session.token),
    )  # fmt: skip
    return _json(options, request)


async def my_passkey_add(request: Request) -> Response:
    """POST /moi/cles: the browser's new credential, kept; back to /moi."""
    node, member = node_of(request), await signed_in(request)
    try:
        if member is None:
            raise passkeys.refused()
        data = await _checked_json(request, member.csrf)
        await passkeys.register(node.store, node.config, passkeys.challenges_of(node),
                                token_hash(member.session.token),
                                data.get("credential"), str(data.get("label") or ""))  # fmt: skip
    except InterlieuxError as error:
        return _json_error(request, error)
    return _json({"to": "/moi"}, request)


@requires(accounts.MEMBER)
async def my_passkey_remove(request: Request) -> Response:
    """POST /moi/cles/<id>/supprimer: one of the member's keys removed; back to /moi."""
    try:
        member, _ = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    try:
        key = int(request.path_params["id"])
    except ValueError:
        key = 0
    await passkeys.remove(node_of(request).store, member.handle, key)
    return RedirectResponse("/moi", status_code=303)


async def invitation_passkey_options(request: Request) -> Response:
    """POST /invitation/<token>/cle/options: the options to create the member's first key."""
    node, token = node_of(request), request.path_params["token"]
    bound_to = request.cookies.get(form_cookie(request))
    try:
        await _checked_json(request, bound_to)
        node.throttles.passkey_options(_address(request))
        invitation = await invitations.find(node.store, token)
        if invitation is None:
            raise invitations.gone()
    except InterlieuxError as error:
        return _json_error(request, error)
    assert bound_to is not None
    options = await passkeys.registration_options(
        node.store, node.config, passkeys.challenges_of(node), invitation.handle, bound_to
    )
    return _json(options, request)


async def invitation_passkey(request: Request) -> Response:
    """POST /invitation/<token>/cle: the key kept, the link used, signed in, to /moi."""
    node, token = node_of(request), request.path_params["token"]
    bound_to = request.cookies.get(form_cookie(request))
    try:
        data = await _checked_json(request, bound_to)
        assert bound_to is not None
        handle = await passkeys.join(node.store, node.config, passkeys.challenges_of(node), token,
                                     bound_to, data.get("credential"),
                                     str(data.get("label") or ""))  # fmt: skip
    except InterlieuxError as error:
        return _json_error(request, error)
    session = await sessions.open_session(node.store, handle, request.headers.get("user-agent", ""))
    response = _json({"to": "/moi"}, request, session.token)
    response.delete_cookie(form_cookie(request), path=f"/invitation/{token}")
    return response


async def signin_passkey_options(request: Request) -> Response:
    """POST /connexion/cle/options: a challenge for any key this site's members hold."""
    node = node_of(request)
    bound_to = request.cookies.get(form_cookie(request))
    try:
        await _checked_json(request, bound_to)
        node.throttles.passkey_options(_address(request))
    except InterlieuxError as error:
        return _json_error(request, error)
    assert bound_to is not None
    return _json(passkeys.authentication_options(node.config, passkeys.challenges_of(node),
                                                 bound_to), request)  # fmt: skip


async def signin_passkey(request: Request) -> Response:
    """POST /connexion/cle: the signed challenge checked, the same session as a password's,
    failures throttled with the password's (per account, per address)."""
    node = node_of(request)
    bound_to = request.cookies.get(form_cookie(request))
    address = request.client.host if request.client else "unknown"
    try:
        data = await _checked_json(request, bound_to)
        assert bound_to is not None
        credential = data.get("credential")
        charged = await passkeys.owner(node.store, credential) or passkeys.credential_key(
            credential)  # fmt: skip
        node.throttles.signin(charged, address)
        try:
            handle = await passkeys.sign_in(node.store, node.config, passkeys.challenges_of(node),
                                            bound_to, credential)  # fmt: skip
        except InterlieuxError:
            node.throttles.signin_failed(charged, address)
            raise
    except InterlieuxError as error:
        return _json_error(request, error)
    session = await sessions.open_session(node.store, handle, request.headers.get("user-agent", ""))
    next_ = local_path(str(data.get("next") or ""))
    response = _json({"to": next_}, request, session.token)
    response.delete_cookie(form_cookie(request), path="/connexion")
    return response
