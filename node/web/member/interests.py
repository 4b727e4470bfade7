"""`/moi/projets/interet`: a member says they are interested in a project — of their place, or
of another place of the network — with or without « Me présenter aux autres personnes
intéressées » (off unless ticked), changes that choice, or withdraws. Each is a `Follow` (or
its `Undo`) from the member's own outbox (`directory.interests`).

A member of another place comes here from the project's page there (signed in on it through
their home, `web.projects`): `?projet=<the project's address>`; the project is read at its
place, never taken from the link, and the member confirms.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...actors import local
from ...actors.routes import node_of
from ...directory import interests
from ...errors import InterlieuxError
from ...people import accounts
from .. import gate, i18n
from ..gate import member_form, refused, requires
from ..headers import no_store
from ..render import render

FIELD = "presenter"  # the opt-in's checkbox: ticked, its value is "oui"

i18n.english(
    {
        "Ce projet m'intéresse": "I am interested in this project",
        "Projet": "Project",
        "Porté par": "Carried by",
        "Chez": "At",
        "Me présenter aux autres personnes intéressées": (
            "Introduce me to the other interested people"
        ),
        "Votre nom et le lien vers votre profil public seront montrés aux autres personnes "
        "intéressées par ce projet qui l'acceptent aussi, et à l'équipe du lieu du projet. "
        "Sans cette case, l'équipe du lieu sait seulement combien de personnes sont "
        "intéressées.": (
            "Your name and the link to your public profile will be shown to the other people "
            "interested in this project who accept it too, and to the team of the project's "
            "place. Without this box, the place's team only knows how many people are "
            "interested."
        ),
        "Votre lieu enverra votre intérêt au lieu du projet, en votre nom.": (
            "Your place will send your interest to the project's place, in your name."
        ),
        "Confirmer mon intérêt": "Confirm my interest",
        "Vous suivez déjà ce projet : vous pouvez changer votre choix ici.": (
            "You already follow this project: you can change your choice here."
        ),
        "Annuler": "Cancel",
    }
)


def _introduce(form: dict[str, str]) -> bool:
    return form.get(FIELD) == "oui"


@requires(accounts.MEMBER)
async def page(request: Request) -> Response:
    """GET `?projet=`: the project and the choice; POST (CSRF-checked): the interest said."""
    node = node_of(request)
    if request.method == "POST":
        try:
            member, form = await member_form(request)
            actor = await local.by_handle(node.store, member.handle)
            project = await interests.project_at(node, form.get("projet", ""))
            node.throttles.outbox(f"session:{member.session.id}", actor.handle)
            await interests.say(node, actor, project, _introduce(form))
        except InterlieuxError as error:
            return await refused(request, error)
        return RedirectResponse("/moi/projets?fait=interet#interets", 303)
    member = await gate.member(request)
    try:
        project = await interests.project_at(node, request.query_params.get("projet", ""))
    except InterlieuxError as error:
        return await refused(request, error)
    me = node.config.actor_id(member.handle)
    if project.carrier == me:
        return await refused(request, interests.own_project())
    current = await interests.interest_of(node.store, project.id, me)
    return no_store(await render(
        request, "member/interest.html", project=project, current=current, field=FIELD,
        host=urlsplit(project.id).netloc,
    ))  # fmt: skip


@requires(accounts.MEMBER)
async def withdraw(request: Request) -> Response:
    """POST: the member no longer follows the project (an Undo of their Follow)."""
    node = node_of(request)
    try:
        member, form = await member_form(request)
        actor = await local.by_handle(node.store, member.handle)
        node.throttles.outbox(f"session:{member.session.id}", actor.handle)
        await interests.withdraw(node, actor, form.get("projet", ""))
    except InterlieuxError as error:
        return await refused(request, error)
    return RedirectResponse("/moi/projets?fait=retire#interets", 303)
