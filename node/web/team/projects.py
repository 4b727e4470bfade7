"""`/equipe/projets`: the place's published projects and the interest in them — how many people
follow each, and by name only those who agreed to be introduced (`directory.interests`): the
others are a number, here as everywhere."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ...actors.routes import node_of
from ...directory import interests
from ...people import accounts
from .. import i18n
from ..gate import requires
from ..headers import no_store
from ..render import render

i18n.english(
    {
        "Projets": "Projects",
        "Les projets publiés du lieu et combien de personnes s'y intéressent. Seules celles qui "
        "ont accepté d'être présentées sont nommées ; les autres restent un nombre.": (
            "The place's published projects and how many people are interested in them. Only "
            "those who agreed to be introduced are named; the others stay a number."
        ),
        "Aucun projet publié pour l'instant : les projets proposés par les membres attendent "
        "sur la page « À valider ».": (
            "No project published yet: the projects members submit wait on the \u201cTo "
            "validate\u201d page."
        ),
        "personne(s) intéressée(s)": "interested person(s)",
        "Acceptent d'être présentées :": "Agree to be introduced:",
        "Personne n'a encore accepté d'être présenté·e.": "Nobody agreed to be introduced yet.",
    }
)


@requires(accounts.TEAM)
async def page(request: Request) -> Response:
    node = node_of(request)
    return no_store(await render(request, "team/projects.html",
                                 projects=await interests.for_team(node)))  # fmt: skip
