"""Public faces of surveys: the aggregate of a survey published here (`/surveys/<id>/results`,
JSON-LD, and `.csv`), and the commons directory built from the census (`/communs`): which
place uses which equipment, software, data, plans or shared infrastructure, as a matrix.

Public by design: the aggregate names no place; a census answer is public (surveys.py says
why). Individual answers of a needs survey are only on the team's page.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..actors.names import display_name
from ..actors.routes import as_response, node_of
from ..commons import surveys, surveys_network
from ..tables import surveys as surveys_table
from . import i18n
from .render import render

i18n.english(
    {
        "Communs des lieux": "The places' commons",
        "Qui utilise quoi : matériel, logiciels, données, plans et infrastructures partagées, "
        "d'après le recensement auquel répondent les lieux.": (
            "Who uses what: equipment, software, data, plans and shared infrastructure, from "
            "the census the places answer."
        ),
        "Aucun recensement publié ici pour l'instant.": "No census published here yet.",
        "Aucune réponse pour l'instant.": "No answer yet.",
        "Commun": "Commons item",
        "Catégorie": "Category",
        "on l'utilise": "we use it",
        "ça nous intéresse": "we are interested",
        "Lieux qui l'utilisent": "Places using it",
        "Lieux intéressés": "Places interested",
        "Matériel": "Equipment",
        "Logiciel": "Software",
        "Données": "Data",
        "Plans": "Plans",
        "Infrastructure partagée": "Shared infrastructure",
        "Les mêmes données en SPARQL": "The same data in SPARQL",
        "Lieux": "Places",
        "Lieux ayant répondu": "Places that answered",
    }
)

# Who uses what, in SPARQL, shown under the matrix: the answers are in the graph.
SPARQL = """PREFIX tl: <https://w3id.org/interlieux/ns#>
PREFIX as: <https://www.w3.org/ns/activitystreams#>
SELECT ?place ?item ?usage WHERE {
  ?answer a tl:Answer ; as:attributedTo ?place ; tl:responses ?r .
  ?r tl:question ?item ; tl:selected ?usage .
}"""


async def _hosted(request: Request) -> surveys.Survey | None:
    node = node_of(request)
    survey_id = f"{node.config.base_url}/objects/{request.path_params['sid']}"
    row = await surveys_table.find(node.store.reads, survey_id)
    if row is None or not row["hosted"]:
        return None
    survey, _ = await surveys_network.survey_of(node.store.reads, survey_id)
    return survey


async def results(request: Request) -> Response:
    """The public aggregate (`SurveyResults`)."""
    survey = await _hosted(request)
    if survey is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    found = await surveys_network.results(node_of(request).store.reads, survey)
    document = surveys.results_json(found, surveys_network.results_id(survey.id), survey.published)
    return as_response(request, document)


async def results_csv(request: Request) -> Response:
    survey = await _hosted(request)
    if survey is None:
        return Response("not found", status_code=404, media_type="text/plain")
    found = await surveys_network.results(node_of(request).store.reads, survey)
    return Response(
        surveys.results_csv(found), media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="resultats.csv"'},
    )  # fmt: skip


@dataclass(frozen=True)
class Item:
    question: surveys.Question
    category: str
    users: list[str]
    interested: list[str]


@dataclass(frozen=True)
class Census:
    survey: surveys.Survey
    places: list[tuple[str, str]]  # (actor id, name)
    items: list[Item]
    cells: dict[tuple[str, str], tuple[str, ...]]  # (item key, place) -> usage


async def censuses(request: Request) -> list[Census]:
    node = node_of(request)
    reads = node.store.reads
    out = []
    for row in await surveys_table.listing(reads, hosted=True, kind="census"):
        survey, _ = await surveys_network.survey_of(reads, str(row["id"]))
        answers = await surveys_network.taken_answers(reads, survey)
        names = {place: await display_name(reads, place) for place in answers}
        items, cells = [], {}
        for q, usage in surveys.matrix(survey, answers):
            for place, chosen in usage.items():
                cells[(q.key, place)] = chosen
            items.append(Item(
                q, surveys.CATEGORY_FR.get(q.category, ""),
                sorted(names[p] for p, u in usage.items() if "uses" in u),
                sorted(names[p] for p, u in usage.items() if "interested" in u),
            ))  # fmt: skip
        places = sorted(names.items(), key=lambda pair: pair[1].casefold())
        out.append(Census(survey, places, items, cells))
    return out


async def commons_page(request: Request) -> Response:
    """`/communs`: the commons directory, from the census answers taken here."""
    return await render(request, "commons/census.html", censuses=await censuses(request),
                        sparql=SPARQL, usage_fr=surveys.USAGE_FR)  # fmt: skip
