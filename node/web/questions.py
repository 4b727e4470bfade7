"""The query page (`/questions`): the example questions of `examples/queries/` as forms that
anyone can fill — a skill from the nomenclature, a place or a city, a distance, dates — and
their answers as a table, as CSV (`/questions/<question>.csv`), with the SPARQL shown.

A visitor's text never reaches a query. Each question is a template (`templates/questions/`)
filled only with values this module wrote itself from checked input: a skill that is a concept
of the nomenclature, a number parsed as a float within bounds, a date parsed as an ISO date, a
place or a city picked from the list this node gives (its coordinates are the node's, not the
visitor's). Anything else is refused with a French message before the graph is asked. The
questions run through `/sparql`'s own checks and limits (`node.query.routes.ask`).

Geography as in the example of needs near Lille: a latitude/longitude rectangle around the
centre, then the squared flat-earth distance in km² against the radius; the page shows its
square root.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from vocab import skills

from ..actors.routes import node_of
from ..context import Node
from ..query import routes as sparql
from . import i18n
from .network import Place, followed_places, this_place
from .render import environment, language, local_time, moment, render

MAX_KM = 1000.0  # a radius past that is the whole country: ask the whole network instead
DEFAULT_KM = 30.0
ROWS = 200  # rows a question shows at most (the CSV too): past that, a narrower question
HERE = "ici"  # the option that names this place itself
CITY = "ville:"  # the options that name a city of the places, by name
EVERYWHERE = ""  # no centre: the whole network

i18n.english(
    {
        "Questions au réseau": "Questions to the network",
        "Des questions sur tout ce que publient les lieux que {name} suit : choisissez, "
        "la page interroge le graphe de connaissances du réseau.": (
            "Questions about everything the places {name} follows publish: choose, the page "
            "asks the network's knowledge graph."
        ),
        "Résidents avec une compétence": "Residents with a skill",
        "Les résident·es qui ont rendu publique cette compétence, et leur lieu.": (
            "Residents who made this skill public, and their place."
        ),
        "Besoins ouverts près d'un lieu": "Open needs near a place",
        "Les besoins encore ouverts qui demandent cette compétence, du plus proche au plus "
        "lointain.": "Needs still open that ask for this skill, nearest first.",
        "Événements du réseau": "The network's events",
        "Les événements des lieux, entre deux dates.": "The places' events, between two dates.",
        "Compétence": "Skill",
        "Autour de": "Around",
        "Tout le réseau": "The whole network",
        "{name} (ce lieu)": "{name} (this place)",
        "Villes": "Cities",
        "Distance maximale (km)": "Maximum distance (km)",
        "Utilisée quand un lieu ou une ville est choisi.": "Used when a place or a city is chosen.",
        "Du": "From",
        "Au (facultatif)": "To (optional)",
        "Chercher": "Search",
        "Résultats": "Results",
        "Aucun résultat.": "No result.",
        "{n} résultats": "{n} results",
        "1 résultat": "1 result",
        "Voir la requête SPARQL": "See the SPARQL query",
        "Télécharger en CSV": "Download as CSV",
        "La question n'a pas pu être posée :": "The question could not be asked:",
        "Le graphe n'a pas pu répondre :": "The graph could not answer:",
        "Il y a un problème": "There is a problem",
        "Choisissez une compétence de la liste.": "Choose a skill from the list.",
        "Choisissez un lieu ou une ville de la liste.": "Choose a place or a city from the list.",
        "Écrivez une distance en kilomètres, entre 1 et 1000, par exemple 30.": (
            "Write a distance in kilometres, between 1 and 1000, for example 30."
        ),
        "Écrivez une date comme 2026-12-05 (année-mois-jour).": (
            "Write a date like 2026-12-05 (year-month-day)."
        ),
        "La date de fin doit venir après la date de début.": (
            "The end date must come after the start date."
        ),
        "Cette question n'existe pas.": "This question does not exist.",
        "Résident·e": "Resident",
        "Lieu": "Place",
        "Ville": "City",
        "Distance (km)": "Distance (km)",
        "Besoin": "Need",
        "Quantité": "Quantity",
        "Échéance": "Due",
        "Événement": "Event",
        "Début": "Start",
        "Fin": "End",
        "Endroit": "Venue",
        "Publié par": "Published by",
        "Les {n} premières lignes seulement : précisez la question pour voir les autres.": (
            "The first {n} rows only: narrow the question to see the others."
        ),
    }
)


class Refused(Exception):
    """A form value that is not one of the expected ones: `field` and the French message."""

    def __init__(self, field_: str, fr: str) -> None:
        super().__init__(fr)
        self.field = field_
        self.fr = fr


@dataclass(frozen=True)
class Column:
    """A column of the results: its French header, the variable shown, and how."""

    header: str
    var: str
    link: str | None = None  # the variable whose IRI the cell links to
    kind: str = "text"  # text | km (from a squared distance) | moment | day


@dataclass(frozen=True)
class Question:
    name: str
    title: str
    summary: str
    fields: tuple[str, ...]  # of: competence, autour, km, du, au
    columns: tuple[Column, ...]
    centre_required: bool = False


QUESTIONS = {
    q.name: q
    for q in (
        Question(
            "residents", "Résidents avec une compétence",
            "Les résident·es qui ont rendu publique cette compétence, et leur lieu.",
            ("competence", "autour", "km"),
            (Column("Résident·e", "nom", "resident"), Column("Lieu", "nomLieu", "lieuDeResidence"),
             Column("Ville", "ville"), Column("Distance (km)", "distance2", kind="km")),
        ),
        Question(
            "besoins", "Besoins ouverts près d'un lieu",
            "Les besoins encore ouverts qui demandent cette compétence, du plus proche au plus "
            "lointain.",
            ("competence", "autour", "km"),
            (Column("Besoin", "titre", "besoin"), Column("Quantité", "quantite"),
             Column("Échéance", "echeance", kind="day"), Column("Lieu", "nomLieu", "lieu"),
             Column("Ville", "ville"), Column("Distance (km)", "distance2", kind="km")),
            centre_required=True,
        ),
        Question(
            "evenements", "Événements du réseau",
            "Les événements des lieux, entre deux dates.",
            ("du", "au", "autour", "km"),
            (Column("Événement", "titre", "evenement"), Column("Début", "debut", kind="moment"),
             Column("Fin", "fin", kind="moment"), Column("Endroit", "endroit"),
             Column("Ville", "ville"), Column("Publié par", "nomLieu", "lieu"),
             Column("Distance (km)", "distance2", kind="km")),
        ),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Centre:
    """A centre a visitor may choose: this place, or a city of the places."""

    key: str
    label: str
    latitude: float
    longitude: float


def centres(here: Place, places: list[Place]) -> list[Centre]:
    """This place, then the cities of the located places, each at the mean of its places'
    coordinates (pure). The visitor picks a key; the coordinates stay the node's."""
    found = []
    if here.located:
        assert here.latitude is not None and here.longitude is not None
        found.append(Centre(HERE, here.name, here.latitude, here.longitude))
    cities: dict[str, list[tuple[float, float]]] = {}
    for place in [here, *places]:
        if place.city and place.latitude is not None and place.longitude is not None:
            cities.setdefault(place.city, []).append((place.latitude, place.longitude))
    for city in sorted(cities):
        points = cities[city]
        found.append(Centre(CITY + city, city, sum(p[0] for p in points) / len(points),
                            sum(p[1] for p in points) / len(points)))  # fmt: skip
    return found


# Checking: each function takes the visitor's text and gives back a SPARQL term it wrote.

_LOCAL_NAME = re.compile(r"[A-Za-z0-9_-]+")
_IRI = re.compile(r"[^\s<>\"{}|\\^`]+")


def skill_term(value: str) -> str:
    """`sk:soudure` for a concept of the nomenclature, refused otherwise (pure)."""
    concept = skills.get(value) if value else None
    if concept is None:
        raise Refused("competence", "Choisissez une compétence de la liste.")
    local = concept.iri.removeprefix(skills.SKILLS)
    if concept.iri.startswith(skills.SKILLS) and _LOCAL_NAME.fullmatch(local):
        return f"sk:{local}"
    if not _IRI.fullmatch(concept.iri):  # a place's own concept with an unusable IRI
        raise Refused("competence", "Choisissez une compétence de la liste.")
    return f"<{concept.iri}>"


def kilometres(value: str) -> float:
    try:
        km = float(value.replace(",", ".").strip())
    except ValueError:
        km = math.nan
    if not (math.isfinite(km) and 1 <= km <= MAX_KM):
        raise Refused("km", "Écrivez une distance en kilomètres, entre 1 et 1000, par exemple 30.")
    return km


def day_of(value: str, field_: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Refused(field_, "Écrivez une date comme 2026-12-05 (année-mois-jour).") from None


def centre_of(value: str, known: list[Centre], required: bool) -> Centre | None:
    if value == EVERYWHERE and not required:
        return None
    for centre in known:
        if centre.key == value:
            return centre
    raise Refused("autour", "Choisissez un lieu ou une ville de la liste.")


def number(value: float) -> str:
    """A SPARQL decimal, never an exponent (pure)."""
    return f"{value:.6f}".rstrip("0").rstrip(".") or "0"


def moment_term(day: date, timezone: str) -> str:
    """Midnight of `day` in the place's time zone, as an xsd:dateTime (pure)."""
    start = datetime.combine(day, time(0), ZoneInfo(timezone))
    return f'"{start.isoformat()}"^^xsd:dateTime'


@dataclass
class Asked:
    """A question as the visitor filled it: the form's values as typed (to show them again),
    and the terms written from them."""

    question: Question
    values: dict[str, str]
    terms: dict[str, Any] = field(default_factory=dict)


def check(question: Question, form: dict[str, str], known: list[Centre], timezone: str) -> Asked:
    """The form's values turned into query terms, or `Refused` at the first wrong one (pure)."""
    values = {name: form.get(name, "") for name in question.fields}
    asked = Asked(question, values)
    terms = asked.terms
    if "competence" in question.fields:
        terms["competence"] = skill_term(values["competence"])
    if "du" in question.fields:
        today = datetime.now(ZoneInfo(timezone)).date()
        start = day_of(values["du"], "du") if values["du"] else today
        terms["du"] = moment_term(start, timezone)
        if values["au"]:
            end = day_of(values["au"], "au")
            if end < start:
                raise Refused("au", "La date de fin doit venir après la date de début.")
            # The end day is included: the events starting before the next midnight.
            terms["au"] = moment_term(date.fromordinal(end.toordinal() + 1), timezone)
    centre = centre_of(values["autour"], known, question.centre_required)
    # Checked even when no centre uses it: a wrong value is said, never silently dropped.
    km = kilometres(values["km"]) if values["km"] else DEFAULT_KM
    if centre is not None:
        terms["centre"] = {
            "lat": number(centre.latitude),
            "lon": number(centre.longitude),
            "cos": number(math.cos(math.radians(centre.latitude))),
            "km": number(km),
        }
    return asked


def query_text(asked: Asked) -> str:
    """The question's SPARQL, its template filled with the checked terms only."""
    template = environment().get_template(f"questions/{asked.question.name}.rq")
    return template.render(rows=ROWS, **asked.terms).strip() + "\n"


def rows_of(
    body: bytes, columns: tuple[Column, ...], timezone: str, lang: str
) -> list[list[dict[str, Any]]]:
    """The SPARQL JSON results as table cells: text and, where the column says, a link (pure)."""
    results = json.loads(body)
    rows = []
    for binding in results.get("results", {}).get("bindings", []):
        row = []
        for column in columns:
            value = binding.get(column.var, {}).get("value")
            text = "" if value is None else str(value)
            if column.kind == "km" and value is not None:
                try:
                    text = f"{math.sqrt(max(0.0, float(value))):.1f}"
                except ValueError:
                    text = ""
                text = text.replace(".", ",") if lang == "fr" else text
            elif column.kind in ("moment", "day") and value is not None:
                shown = local_time(text, timezone)
                if shown is not None and column.kind == "moment":
                    text = moment(shown, lang)
                elif shown is not None:
                    text = shown.date().isoformat()
            link = binding.get(column.link, {}) if column.link else {}
            href = link.get("value") if link.get("type") == "uri" else None
            if href is not None and not str(href).lower().startswith(("https://", "http://")):
                href = None
            row.append({"text": text or (href or ""), "href": href})
        rows.append(row)
    return rows


async def _centres(node: Node) -> list[Centre]:
    return centres(await this_place(node), await followed_places(node))


def _form(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items()}


def _shown_columns(question: Question, asked: Asked | None) -> tuple[Column, ...]:
    with_centre = asked is not None and "centre" in asked.terms
    return tuple(c for c in question.columns if c.kind != "km" or with_centre)


async def page(request: Request) -> Response:
    node = node_of(request)
    lang = language(request)
    here = await this_place(node)
    known = centres(here, await followed_places(node))
    name = request.query_params.get("question")
    context: dict[str, Any] = {"asked": None, "refused": None, "failed": None, "rows": None}
    status = 200
    if name is not None:
        question = QUESTIONS.get(name)
        if question is None:
            context["refused"] = Refused("question", "Cette question n'existe pas.")
            status = 400
        else:
            try:
                asked = check(question, _form(request), known, node.config.timezone)
            except Refused as refused:
                context.update(refused=refused, current=question.name,
                               values=_form(request))  # fmt: skip
                status = 400
            else:
                text = query_text(asked)
                answer = await sparql.ask(request, text, "json", "turtle")
                columns = _shown_columns(question, asked)
                csv = f"/questions/{question.name}.csv?{request.url.query}"
                context.update(asked=asked, query=text, current=question.name,
                               values=asked.values, columns=columns, csv=csv)  # fmt: skip
                if answer.status_code == 200:
                    context["rows"] = rows_of(bytes(answer.body), columns,
                                              node.config.timezone, lang)  # fmt: skip
                else:
                    context["failed"] = json.loads(bytes(answer.body)).get("error", "")
                    status = answer.status_code
    skill_groups = _skill_groups(lang)
    return await render(
        request, "questions.html", status=status,
        questions=list(QUESTIONS.values()), here=here, centres=known, skill_groups=skill_groups,
        default_km=number(DEFAULT_KM), max_rows=ROWS, **context,
    )  # fmt: skip


def _skill_groups(lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The nomenclature for a select: each top concept as a group, itself first (pure)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    labels: dict[str, str] = {}
    for skill in skills.all_skills():
        top = skill.broader or skill.iri
        if skill.broader is None:
            labels[skill.iri] = skill.label(lang)
        groups.setdefault(top, []).append((skill.short, skill.label(lang)))
    return [(labels.get(top, top), options) for top, options in groups.items()]


async def table_csv(request: Request) -> Response:
    """The same question as CSV (SPARQL results in CSV, the variables as headers)."""
    node = node_of(request)
    lang = language(request)
    question = QUESTIONS.get(request.path_params["question"])
    if question is None:
        return PlainTextResponse(i18n.say("Cette question n'existe pas.", lang), status_code=404)
    try:
        asked = check(question, _form(request), await _centres(node), node.config.timezone)
    except Refused as refused:
        return PlainTextResponse(i18n.say(refused.fr, lang), status_code=400)
    answer = await sparql.ask(request, query_text(asked), "csv", "turtle")
    if answer.status_code == 200:
        answer.headers["content-disposition"] = f'attachment; filename="{question.name}.csv"'
    return answer
