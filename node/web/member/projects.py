"""`/moi/projets`: the member submits a project to their place (title, description, link) and
follows each one's state: waiting for the team, published (a `tl:Project` of theirs, on their
profile), or refused with the team's reason. See `directory.projects`."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...actors.routes import node_of
from ...directory import projects
from ...errors import InterlieuxError
from ...people import accounts
from .. import gate, i18n
from ..gate import member_form, refused, requires
from ..render import language, local_time, render

STATES = {"pending": "en attente", "published": "publié", "refused": "refusé"}

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
    mine = [
        {"project": p, "state": STATES[p.state],
         "submitted": local_time(datetime.fromtimestamp(p.created_at, UTC), tz)}
        for p in await projects.of_member(node.store, member.handle)
    ]  # fmt: skip
    return await render(
        request, "member/projects.html", status=400 if error else 200,
        projects=mine, typed=typed, error=error, sent=request.query_params.get("envoye") == "1",
        max_title=projects.MAX_TITLE, max_description=projects.MAX_DESCRIPTION,
        max_link=projects.MAX_LINK,
    )  # fmt: skip
