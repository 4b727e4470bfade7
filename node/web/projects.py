"""A member's project at its id: what it is, who carries it, and « Ça m'intéresse ».

A member of this place says their interest on the page itself (the form of
`/moi/projets/interet`, with the opt-in « Me présenter aux autres personnes intéressées »). A
member of another place signed in here through their home (IndieAuth) is sent to their home,
which reads the project here and sends their `Follow` from their own outbox
(`directory.interests`); anyone else is asked to sign in, at this place or with their own.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from ..activity import id_of
from ..actors.names import names_of
from ..actors.routes import node_of
from ..directory import interests
from ..origin import origin_of
from . import i18n
from .agenda import paragraphs
from .render import render
from .visitor import Member, RemoteVisitor, visiting

i18n.english(
    {
        "Projet": "Project",
        "Porté par": "Carried by",
        "Ce projet vous intéresse ?": "Interested in this project?",
        "C'est votre projet.": "This is your project.",
        "Vous suivez ce projet.": "You follow this project.",
        "Vous acceptez d'être présenté·e aux autres personnes intéressées.": (
            "You agree to be introduced to the other interested people."
        ),
        "Vous n'avez pas demandé à être présenté·e.": "You did not ask to be introduced.",
        "Voir mes projets": "See my projects",
        "Ça m'intéresse (depuis mon lieu)": "I am interested (from my place)",
        "Votre lieu vous demandera de confirmer, et si vous voulez être présenté·e aux autres "
        "personnes intéressées.": (
            "Your place will ask you to confirm, and whether you want to be introduced to the "
            "other interested people."
        ),
        "Connectez-vous pour dire votre intérêt : membre de ce lieu, ou d'un autre lieu du "
        "réseau avec le compte de votre lieu.": (
            "Sign in to say your interest: as a member of this place, or of another place of "
            "the network with your place's account."
        ),
        "Se connecter pour dire mon intérêt": "Sign in to say my interest",
    }
)


def interest_url(actor: str, project_id: str) -> str:
    """Where a member of another place says their interest: their node's
    `/moi/projets/interet` (pure)."""
    return f"{origin_of(actor)}/moi/projets/interet?{urlencode({'projet': project_id})}"


def _web_link(value: Any) -> str | None:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


async def project_page(request: Request, document: dict[str, Any]) -> Response:
    """A project's page (`objects.KINDS`): this node's public tl:Project."""
    node = node_of(request)
    carrier = str(id_of(document.get("attributedTo")) or node.config.place_id)
    names = await names_of(node.store.reads, [carrier])
    who = await visiting(request)
    own, current, home = False, None, None
    if isinstance(who, Member):
        me = node.config.actor_id(who.handle)
        own = me == carrier
        current = await interests.interest_of(node.store, document["id"], me)
    elif isinstance(who, RemoteVisitor):
        home = interest_url(who.actor, document["id"])
    text = paragraphs(document.get("content"))
    return await render(
        request, "project.html", project=document, name=str(document.get("name", "")),
        carrier=carrier, carrier_name=names[carrier], paragraphs=text,
        link=_web_link(document.get("url")), who=who, own=own, current=current, home=home,
        preview=" ".join(" ".join(text).split())[:200],
    )  # fmt: skip
