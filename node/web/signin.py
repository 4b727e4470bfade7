"""Signing in and out: `/connexion` (a member's handle and password), `/deconnexion`,
`/invitation/<token>` (choose a password from the team's link), and `/moi`, where a member
lands once signed in.

A wrong password, an unknown account and an account with no password yet get the same
answer after the same Argon2 work; failures are throttled per account and per client address
(`limits.Throttles.signin`, 429 with Retry-After).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..actors.routes import node_of
from ..errors import InterlieuxError, InvalidParameter
from ..people import accounts, csrf, invitations, sessions
from . import i18n
from .gate import checked_form, local_path, refused, requires
from .render import language, render
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
    }
)


def _no_store(response: Response) -> Response:
    """Pages with a secret (a form token, an invitation link): kept by no cache, and the link
    sent to no other site as a referrer (`same-origin`, not `no-referrer`: with that one, the
    browser's POST says `Origin: null`, which the CSRF check refuses)."""
    response.headers["cache-control"] = "no-store"
    response.headers["referrer-policy"] = "same-origin"
    return response


async def _form_page(
    request: Request, template: str, cookie_path: str, status: int = 200, **context: Any
) -> Response:
    """A form with a fresh double-submit token, set in a cookie scoped to `cookie_path`."""
    token = csrf.new_form_token()
    response = await render(request, template, status=status, form_csrf=token, **context)
    response.set_cookie(csrf.FORM_COOKIE, token, max_age=csrf.FORM_COOKIE_AGE, path=cookie_path,
                        secure=secure(request), httponly=True, samesite="strict")  # fmt: skip
    return _no_store(response)


def _signed_in_at(request: Request, handle: str, token: str, to: str) -> Response:
    response = RedirectResponse(to, status_code=303)
    response.set_cookie(
        sessions.cookie_name(secure(request)), token, max_age=sessions.ABSOLUTE, path="/",
        secure=secure(request), httponly=True, samesite="lax",
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
        return await _form_page(request, "signin.html", "/connexion", **context)
    try:
        form = await checked_form(request, request.cookies.get(csrf.FORM_COOKIE))
    except InterlieuxError as error:
        return _no_store(await refused(request, error))
    typed = form.get("username", "")[:200]
    context["username"] = typed
    next_ = context["next"] = local_path(form.get("next"))
    handle = handle_of(typed, node.config.host) or ""
    address = request.client.host if request.client else "unknown"
    try:
        node.throttles.signin(handle or typed, address)
    except InterlieuxError as error:
        return _no_store(await refused(request, error))
    account = await accounts.verify(node.store, handle, form.get("password", ""))
    if account is None:
        node.throttles.signin_failed(handle or typed, address)
        wrong = i18n.say(
            "Identifiant ou mot de passe incorrect. Vérifiez-les, ou demandez un nouveau lien à "
            "l'équipe du lieu.",
            language(request),
        )
        return await _form_page(request, "signin.html", "/connexion", status=400, error=wrong,
                                **context)  # fmt: skip
    session = await sessions.open_session(
        node.store, account.handle, request.headers.get("user-agent", "")
    )
    response = _signed_in_at(request, account.handle, session.token, next_)
    response.delete_cookie(csrf.FORM_COOKIE, path="/connexion")
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
        response.delete_cookie(sessions.cookie_name(secure(request)), path="/",
                               secure=secure(request), httponly=True, samesite="lax")  # fmt: skip
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
        return _no_store(response)
    context: dict[str, Any] = {
        "invitation": invitation,
        "address": f"@{invitation.handle}@{node.config.host}",
    }
    if request.method == "GET":
        return await _form_page(request, "invitation.html", path, **context)
    try:
        form = await checked_form(request, request.cookies.get(csrf.FORM_COOKIE))
    except InterlieuxError as error:
        return _no_store(await refused(request, error))
    try:
        handle = await invitations.accept(
            node.store, token, form.get("password", ""), form.get("confirmation", "")
        )
    except InvalidParameter as error:
        return await _form_page(request, "invitation.html", path, status=400,
                                error=error.message(language(request)), **context)  # fmt: skip
    except InterlieuxError as error:
        return _no_store(await refused(request, error))
    session = await sessions.open_session(node.store, handle, request.headers.get("user-agent", ""))
    response = _signed_in_at(request, handle, session.token, "/moi")
    response.delete_cookie(csrf.FORM_COOKIE, path=path)
    return response


@requires(accounts.MEMBER)
async def my_page(request: Request) -> Response:
    """GET /moi: who is signed in, with which roles."""
    member = await signed_in(request)
    assert member is not None
    roles = [accounts.ROLE_NAMES[r] for r in accounts.ROLES if r in member.roles]
    return await render(request, "me.html", roles=roles,
                        actor=node_of(request).config.actor_id(member.handle))  # fmt: skip
