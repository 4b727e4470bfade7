"""`/adhesion`: asking to join the place, for someone who has no account and no invitation
yet. The team reads the request on `/equipe/validation` and accepts it (a one-time link) or
refuses it (`node/people/signups.py`).

Nobody is signed in: the form carries a double-submit token as the sign-in form does; a
honeypot field that people never see catches the simplest robots (answered as if sent, and
kept nowhere); each client address may send `limits.Limits.signup_per_address`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..actors.routes import node_of
from ..errors import InterlieuxError, InvalidParameter
from ..people import signups
from . import i18n
from .gate import checked_form, refused
from .headers import no_store
from .render import language
from .signin import form_cookie, form_page

PATH = "/adhesion"
HONEYPOT = "website"
FIELDS = ("name", "handle", "contact", "message")

i18n.english(
    {
        "Demander à rejoindre le lieu": "Ask to join the place",
        "Demande envoyée. L'équipe du lieu la lira et vous remettra un lien pour choisir votre "
        "mot de passe.": (
            "Request sent. The place's team will read it and give you a link to choose your "
            "password."
        ),
        "L'équipe du lieu lit chaque demande. Si elle l'accepte, elle vous remet un lien pour "
        "choisir votre mot de passe.": (
            "The place's team reads every request. If it accepts it, it gives you a link to "
            "choose your password."
        ),
        "Votre nom": "Your name",
        "Identifiant souhaité": "Wished username",
        "Lettres minuscules, chiffres, tirets ; votre adresse sera": (
            "Lower-case letters, digits, dashes; your address will be"
        ),
        "Comment vous joindre (courriel ou téléphone, facultatif)": (
            "How to reach you (e-mail or phone, optional)"
        ),
        "Votre message à l'équipe": "Your message to the team",
        "Ne remplissez pas ce champ": "Do not fill in this field",
        "Envoyer ma demande": "Send my request",
        "Déjà membre ? Se connecter": "Already a member? Sign in",
        "Pas encore de compte ?": "No account yet?",
        "Demandez à rejoindre le lieu": "Ask to join the place",
    }
)


def _context(request: Request, typed: dict[str, str]) -> dict[str, Any]:
    return {"typed": typed, "host": node_of(request).config.host, "sent": False,
            "max_name": signups.MAX_NAME, "max_contact": signups.MAX_CONTACT,
            "max_message": signups.MAX_MESSAGE}  # fmt: skip


async def page(request: Request) -> Response:
    """GET /adhesion: the form (or, after `?envoyee`, the confirmation)."""
    context = _context(request, dict.fromkeys(FIELDS, ""))
    context["sent"] = "envoyee" in request.query_params
    return await form_page(request, "signup.html", PATH, **context)


async def ask(request: Request) -> Response:
    """POST /adhesion: the request kept for the team; back to the page, which says so."""
    node = node_of(request)
    try:
        form = await checked_form(request, request.cookies.get(form_cookie(request)))
    except InterlieuxError as error:
        return no_store(await refused(request, error))
    typed = {key: form.get(key, "")[:5000] for key in FIELDS}
    address = request.client.host if request.client else "unknown"
    try:
        if form.get(HONEYPOT):
            node.throttles.signup(address)  # a robot: charged, answered as if sent, kept nowhere
        else:
            signups.checked(*typed.values())
            node.throttles.signup(address)
            await signups.ask(node.store, *typed.values())
    except InvalidParameter as error:
        return await form_page(request, "signup.html", PATH, status=400,
                                error=error.message(language(request)),
                                **_context(request, typed))  # fmt: skip
    except InterlieuxError as error:
        return no_store(await refused(request, error))
    response = RedirectResponse(f"{PATH}?envoyee", status_code=303)
    response.delete_cookie(form_cookie(request), path=PATH)
    return response


ROUTES = [Route(PATH, page), Route(PATH, ask, methods=["POST"])]
