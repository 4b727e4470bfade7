"""`/moi/projets`: the member submits a project to their place (title, description, link) and
follows each one's state: waiting for the team, published (a `tl:Project` of theirs, on their
profile), or refused with the team's reason. See `directory.projects`."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...actors.routes import node_of
from ...directory import interests, projects
from ...errors import InterlieuxError
from ...people import accounts
from .. import gate, i18n
from ..gate import member_form, refused, requires
from ..render import language, local_time, render

STATES = {"pending": "en attente", "published": "publié", "refused": "refusé"}
# What an interest form did, said after the redirect (`?fait=`).
DONE = {
    "interet": "C'est noté : le lieu du projet le saura.",
    "retire": "Vous ne suivez plus ce projet.",
}

i18n.english(
    {
        "Mes projets": "My projects",
        "Proposer un projet": "Submit a project",
        "L'équipe du lieu examine chaque projet avant qu'il soit publié sur votre profil et "
        "dans le réseau.": (
            "The place's team looks at each project before it is published on your profile "
            "and in the network."
        ),
        "Titre": "Title",
        "Description": "Description",
        "Lien (facultatif)": "Link (optional)",
        "Le site du projet, par exemple https://mon-projet.fr": (
            "The project's site, for example https://my-project.org"
        ),
        "Envoyer à l'équipe du lieu": "Send to the place's team",
        "Projet envoyé : l'équipe du lieu va l'examiner.": (
            "Project sent: the place's team will look at it."
        ),
        "Le formulaire contient une erreur": "The form has an error",
        "Mes projets proposés": "My submitted projects",
        "Aucun projet proposé pour l'instant.": "No project submitted yet.",
        "en attente": "waiting",
        "publié": "published",
        "refusé": "refused",
        "Proposé le": "Submitted on",
        "Motif de l'équipe :": "The team's reason:",
        "Voir la publication": "See the publication",
        "État :": "State:",
        "C'est noté : le lieu du projet le saura.": "Noted: the project's place will know.",
        "Vous ne suivez plus ce projet.": "You no longer follow this project.",
        "Projets qui m'intéressent": "Projects I am interested in",
        "Aucun projet pour l'instant : dites votre intérêt depuis la page d'un projet, ou "
        "parmi les projets du lieu ci-dessous.": (
            "No project yet: say your interest from a project's page, or among the place's "
            "projects below."
        ),
        "Vous acceptez d'être présenté·e aux autres personnes intéressées.": (
            "You agree to be introduced to the other interested people."
        ),
        "Vous n'avez pas demandé à être présenté·e.": "You did not ask to be introduced.",
        "Les autres personnes intéressées qui acceptent aussi d'être présentées :": (
            "The other interested people who also agree to be introduced:"
        ),
        "Personne d'autre pour l'instant.": "Nobody else yet.",
        "Enregistrer": "Save",
        "Ne plus suivre": "Stop following",
        "Projets du lieu": "The place's projects",
        "Ça m'intéresse": "I am interested",
        "Aucun autre projet publié au lieu pour l'instant.": (
            "No other project published at the place yet."
        ),
    }
)


@requires(accounts.MEMBER)
async def page(request: Request) -> Response:
    """GET: the form and the member's projects; POST: submit one (then 303 back here)."""
    node = node_of(request)
    typed = {"title": "", "description": "", "link": ""}
    error = ""
    if request.method == "GET":
        member = await gate.member(request)
    else:
        try:
            member, form = await member_form(request)
        except InterlieuxError as refusal:
            return await refused(request, refusal)
        typed = {k: form.get(k, "") for k in typed}
        try:
            await projects.submit(node.store, member.handle, **typed)
            return RedirectResponse("/moi/projets?envoye=1", 303)
        except InterlieuxError as problem:
            error = problem.message(language(request))
    tz = node.config.timezone
    actor = node.config.actor_id(member.handle)
    followed = await interests.mine(node.store, actor)
    known = {i.project for i in followed}
    others = [(p, who) for p, who in await interests.offered(node.store, member.handle)
              if p.id not in known]  # fmt: skip
    mine = [
        {"project": p, "state": STATES[p.state],
         "submitted": local_time(datetime.fromtimestamp(p.created_at, UTC), tz)}
        for p in await projects.of_member(node.store, member.handle)
    ]  # fmt: skip
    return await render(
        request, "member/projects.html", status=400 if error else 200,
        projects=mine, typed=typed, error=error, sent=request.query_params.get("envoye") == "1",
        max_title=projects.MAX_TITLE, max_description=projects.MAX_DESCRIPTION,
        max_link=projects.MAX_LINK, interests=followed, offered=others,
        done=DONE.get(request.query_params.get("fait", "")),
    )  # fmt: skip
