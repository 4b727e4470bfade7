"""A volunteer call's page at its id, and « Répondre depuis mon lieu ».

A member of this place answers from the page itself (the form of `/moi/appels`). A member of
another place answers from their own place, whose outbox sends the `Offer` (signed by it, as
`volunteering.calls` says): signed in here through their home (IndieAuth), the page links
to their home's `/moi/appels?appel=<the call>`; otherwise they type their address, whose
WebFinger (read as `interaction` reads it: the same address checks, the same guard) names
their actor, and `/appels/repondre` sends them to its node. There they see the call, read
from its place, and confirm.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import httpx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..actors.names import names_of
from ..actors.routes import node_of
from ..agenda import event as events
from ..audience import is_public
from ..errors import FetchError
from ..origin import origin_of
from ..tables import objects, volunteer_offers
from ..timestamps import wire_to_posix
from ..volunteering import calls
from . import i18n
from .agenda import span
from .interaction import parse_handle, self_actor, webfinger
from .render import language, local_time, render
from .visitor import Member, RemoteVisitor, visiting

i18n.english(
    {
        "Appel à bénévoles": "Volunteer call",
        "Quand": "When",
        "Lieu": "Place",
        "Personnes recherchées": "People wanted",
        "Compétences": "Skills",
        "Répondre à l'appel": "Answer the call",
        "Répondre depuis mon lieu": "Answer from my place",
        "Membre d'un lieu du réseau ? Votre lieu vous montre l'appel et envoie votre offre "
        "d'aide en votre nom.": (
            "A member of a place of the network? Your place shows you the call and sends your "
            "offer of help in your name."
        ),
        "Votre adresse dans votre lieu": "Your address at your place",
        "Par exemple @alice@monlieu.fr": "For example @alice@myplace.org",
        "Cet appel est terminé.": "This call is over.",
        "Vous avez déjà proposé votre aide pour cet appel : le lieu vous répondra.": (
            "You already offered your help for this call: the place will answer."
        ),
        "Écrivez votre adresse complète, par exemple @alice@monlieu.fr.": (
            "Write your full address, for example @alice@myplace.org."
        ),
        "Votre lieu n'a pas répondu, ou ne connaît pas cette adresse : vérifiez-la, ou "
        "cherchez cet appel depuis « Appels à bénévoles » dans votre espace.": (
            "Your place did not answer, or does not know this address: check it, or look for "
            "this call from \u201cVolunteer calls\u201d in your space."
        ),
        "Membre de ce lieu ?": "A member of this place?",
        "Se connecter pour répondre": "Sign in to answer",
    }
)


def answer_url(actor: str, call_id: str) -> str:
    """Where a member of another place answers: their node's `/moi/appels` with the call
    (pure)."""
    return f"{origin_of(actor)}/moi/appels?{urlencode({'appel': call_id})}#repondre"


def _over(document: dict[str, Any]) -> bool:
    end = document.get("endTime")
    try:
        return isinstance(end, str) and wire_to_posix(end) <= time.time()
    except ValueError:
        return False


async def call_page(
    request: Request, document: dict[str, Any], status: int = 200, **extra: Any
) -> Response:
    """A call's page (`objects.KINDS`): what, when, who is wanted, and how to answer."""
    node = node_of(request)
    lang = language(request)
    place = str(document.get("attributedTo") or node.config.place_id)
    names = await names_of(node.store.reads, [place])
    tz = node.config.timezone
    start = local_time(events.parse_time(document.get("startTime")), tz)
    end = local_time(events.parse_time(document.get("endTime")), tz)
    found = document.get("skill") or []
    who = await visiting(request)
    offered = False
    if isinstance(who, Member):
        mine = await volunteer_offers.of_volunteer(node.store.reads,
                                                   node.config.actor_id(who.handle))  # fmt: skip
        offered = any(o["call"] == document["id"] for o in mine)
    summary = document.get("summary")
    found = found if isinstance(found, list) else []
    extra.setdefault("error", None)
    extra.setdefault("address", "")
    return await render(
        request, "call.html", status=status, call=document, name=str(document.get("name", "")),
        place=place, place_name=names[place], when=span(start, end, lang),
        needed=document.get("volunteersNeeded"),
        skills=[calls.skill_label(str(s), lang) for s in found],
        summary=summary if isinstance(summary, str) else "", over=_over(document), who=who,
        offered=offered,
        home=answer_url(who.actor, document["id"]) if isinstance(who, RemoteVisitor) else None,
        **extra,
    )  # fmt: skip


async def answer_from_home(request: Request) -> Response:
    """`/appels/repondre?appel=…&adresse=…`: to the visitor's home `/moi/appels`, with the
    call; or the call's page again, saying what to change."""
    node = node_of(request)
    lang = language(request)
    call_id = request.query_params.get("appel", "")
    document = await objects.document(node.store.reads, call_id) if node.config.is_local(
        call_id) else None  # fmt: skip
    if document is None or not is_public(document) or not _is_call(document):
        return await render(request, "missing.html", status=404)
    who = await visiting(request)
    if isinstance(who, RemoteVisitor):
        return RedirectResponse(answer_url(who.actor, call_id), 303)
    address = request.query_params.get("adresse", "").strip()
    parsed = parse_handle(address)
    if parsed is None:
        error = "Écrivez votre adresse complète, par exemple @alice@monlieu.fr."
    else:
        try:
            found = await webfinger(node, *parsed)
        except (FetchError, httpx.HTTPError, ValueError):
            found = None
        actor = self_actor(found) if found is not None else None
        if actor is not None:
            return RedirectResponse(answer_url(actor, call_id), 303)
        error = (
            "Votre lieu n'a pas répondu, ou ne connaît pas cette adresse : vérifiez-la, ou "
            "cherchez cet appel depuis « Appels à bénévoles » dans votre espace."
        )
    return await call_page(request, document, status=400, error=i18n.say(error, lang),
                           address=address)  # fmt: skip


def _is_call(document: dict[str, Any]) -> bool:
    kinds = document.get("type")
    return any(k in (calls.CALL, f"tl:{calls.CALL}")
               for k in (kinds if isinstance(kinds, list) else [kinds]))  # fmt: skip
