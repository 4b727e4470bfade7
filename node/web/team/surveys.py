"""`/equipe/enquetes`: the team's surveys — publish one (as the place or as a network hosted
here), answer those received (prefilled with the place's previous answers), read the results
of those published here (the aggregate, each place's answer, the CSV). The same domain
functions as `interlieux survey create|answer|results`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...actors.names import names_of
from ...actors.routes import node_of
from ...commons import surveys, surveys_cli, surveys_network
from ...errors import ConfigError, InterlieuxError, InvalidParameter
from ...people import accounts
from ...tables import networks
from ...tables import surveys as surveys_table
from .. import i18n
from ..gate import member_form, refused, requires
from ..render import language, local_time, render
from .actions import confirmation

DONE = {
    "publiee": "Enquête publiée : les lieux concernés la voient dans leurs enquêtes.",
    "repondu": "Réponse envoyée à l'auteur de l'enquête ; vous pouvez la modifier jusqu'à la "
    "clôture.",
    "communs": "Communs ajoutés au recensement : les lieux les voient dans leur formulaire.",
}

i18n.english(
    {
        "Enquêtes": "Surveys",
        "Enquêtes reçues": "Surveys received",
        "Enquêtes publiées ici": "Surveys published here",
        "Aucune enquête reçue.": "No survey received.",
        "Aucune enquête publiée ici.": "No survey published here.",
        "Répondre": "Answer",
        "Modifier la réponse": "Edit the answer",
        "Résultats": "Results",
        "Clôture": "Closes",
        "permanente": "standing",
        "recensement": "census",
        "besoins": "needs",
        "Publier une enquête": "Publish a survey",
        "Titre": "Title",
        "Présentation (facultatif)": "Introduction (optional)",
        "Au nom de": "On behalf of",
        "du lieu": "the place",
        "du réseau": "the network",
        "Type": "Kind",
        "Enquête de besoins (avec clôture)": "Needs survey (with a close)",
        "Recensement des communs (permanent)": "Commons census (standing)",
        "Clôture (heure du lieu ; pas pour un recensement)": (
            "Close (place's time; not for a census)"
        ),
        "Questions, une par ligne : clé | type | intitulé | choix ; choix": (
            "Questions, one per line: key | kind | wording | option ; option"
        ),
        "Types : single (un choix), multiple (plusieurs choix), number (nombre), text (texte). "
        "Pour un recensement : clé | catégorie | nom (equipment, software, data, plans, "
        "infrastructure).": (
            "Kinds: single (one option), multiple (several), number, text. For a census: "
            "key | category | name (equipment, software, data, plans, infrastructure)."
        ),
        "Publier": "Publish",
        "Envoyer la réponse": "Send the answer",
        "Préremplie avec les réponses précédentes du lieu.": (
            "Prefilled with the place's previous answers."
        ),
        "on l'utilise": "we use it",
        "ça nous intéresse": "we are interested",
        "Lieux qui ont répondu": "Places that answered",
        "Réponses par lieu (visibles de l'auteur et du lieu seulement)": (
            "Answers per place (seen by the author and the place only)"
        ),
        "Télécharger les résultats (CSV)": "Download the results (CSV)",
        "Question": "Question",
        "Réponse": "Answer",
        "Nombre": "Count",
        "réponses": "answers",
        "somme": "sum",
        "moyenne": "average",
        "Lieu": "Place",
        "Il y a un problème": "There is a problem",
        "Enquête publiée : les lieux concernés la voient dans leurs enquêtes.": (
            "Survey published: the places asked see it in their surveys."
        ),
        "Réponse envoyée à l'auteur de l'enquête ; vous pouvez la modifier jusqu'à la "
        "clôture.": "Answer sent to the survey's author; you can edit it until the close.",
        "Retour aux enquêtes": "Back to the surveys",
        "Ajouter des communs au recensement": "Add items to the census",
        "Un par ligne : clé | catégorie | nom (equipment, software, data, plans, infrastructure)": (
            "One per line: key | category | name (equipment, software, data, plans, infrastructure)"
        ),
        "Ajouter": "Add",
        "Communs ajoutés au recensement : les lieux les voient dans leur formulaire.": (
            "Items added to the census: places see them in their form."
        ),
    }
)


def _when(node_tz: str, moment: float | None) -> datetime | None:
    return local_time(datetime.fromtimestamp(moment, UTC), node_tz) if moment else None


def _closes(text: str, timezone: str) -> float | None:
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidParameter("closes", fr="La clôture doit être une date et une heure.",
                               en="The close must be a date and a time.") from exc  # fmt: skip
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.timestamp()


def _questions(kind: str, text: str) -> list[surveys.Question]:
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if kind == "census":
            out.append(surveys_cli.parse_item("|".join(parts)))
        else:
            if len(parts) == 4:
                parts[3] = ";".join(o.strip() for o in parts[3].split(";"))
            out.append(surveys_cli.parse_question("|".join(parts)))
    return out


async def _listed(request: Request) -> dict[str, Any]:
    node = node_of(request)
    reads = node.store.reads
    hosted: list[dict[str, Any]] = []
    received: list[dict[str, Any]] = []
    listed = await surveys_table.listing(reads)
    names = await names_of(reads, [row["author"] for row in listed])
    for row in listed:
        document = json.loads(row["document"])
        item = {
            "id": row["id"],
            "title": document.get("name", ""),
            "kind": row["kind"],
            "closes": _when(node.config.timezone, row["closes"]),
            "author": names[row["author"]],
            "answered": await surveys_network.own_answer(node, row["id"]) is not None,
        }
        (hosted if row["hosted"] else received).append(item)
    authors = [("", "du lieu")]
    for row in await networks.every_network(reads):
        if row["handle"] is not None:
            authors.append((str(row["handle"]), "du réseau"))
    return {"hosted": hosted, "received": received, "authors": authors}


async def _page(request: Request, status: int = 200, error: str = "",
                form: dict[str, str] | None = None) -> Response:  # fmt: skip
    return await render(
        request, "team/surveys.html", status=status, error=error, form=form or {},
        done=confirmation(request, DONE), **await _listed(request),
        timezone=node_of(request).config.timezone,
    )  # fmt: skip


@requires(accounts.TEAM)
async def page(request: Request) -> Response:
    """GET: the lists and the form; POST: publish a survey."""
    if request.method == "GET":
        return await _page(request)
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    try:
        kind = form.get("kind", "needs")
        network = form.get("author", "") or None
        author = await surveys_network.author_actor(node, network)
        await surveys_network.create(
            node, author, kind, form.get("title", ""), form.get("text", ""),
            "members" if network else "followers", _questions(kind, form.get("questions", "")),
            _closes(form.get("closes", ""), node.config.timezone),
        )  # fmt: skip
    except InterlieuxError as error:
        return await _page(request, 400, error.message(language(request)), form)
    return RedirectResponse("/equipe/enquetes?fait=publiee", 303)


def _values(survey: surveys.Survey, form: dict[str, str]) -> dict[str, Any]:
    """The form's fields (`q-<key>`, and `q-<key>-<n>` per checkbox) by question key."""
    values: dict[str, Any] = {}
    for q in survey.questions:
        if q.kind in ("multiple", "usage"):
            values[q.key] = [c for n, c in enumerate(q.choices) if form.get(f"q-{q.key}-{n}")]
        elif q.kind == "single":
            chosen = form.get(f"q-{q.key}", "")
            values[q.key] = [chosen] if chosen else []
        else:
            values[q.key] = form.get(f"q-{q.key}", "")
    return values


async def _answer_page(request: Request, survey_id: str, status: int = 200, error: str = "",
                       typed: dict[str, Any] | None = None) -> Response:  # fmt: skip
    node = node_of(request)
    survey, _ = await surveys_network.survey_of(node.store.reads, survey_id)
    values = typed if typed is not None else await surveys_network.prefilled(node, survey)
    shown = {k: (list(v) if isinstance(v, (list, tuple)) else str(v)) for k, v in values.items()}
    return await render(
        request, "team/survey_answer.html", status=status, survey=survey, values=shown,
        error=error, answered=await surveys_network.own_answer(node, survey.id) is not None,
        usage_fr=surveys.USAGE_FR, closes=_when(node.config.timezone, survey.closes),
    )  # fmt: skip


@requires(accounts.TEAM)
async def answer(request: Request) -> Response:
    """GET: the answer form, prefilled; POST: send the answer (or its edit)."""
    node = node_of(request)
    survey_id = request.query_params.get("enquete", "")
    form: dict[str, str] = {}
    if request.method == "POST":  # the token first: a forged post learns nothing
        try:
            _, form = await member_form(request)
        except InterlieuxError as error:
            return await refused(request, error)
    try:
        survey, _ = await surveys_network.survey_of(node.store.reads, survey_id)
    except InterlieuxError as error:
        return await refused(request, error)
    if request.method == "GET":
        return await _answer_page(request, survey_id)
    values = _values(survey, form)
    try:
        await surveys_network.answer(node, survey_id, values)
    except InterlieuxError as error:
        return await _answer_page(request, survey_id, 400, error.message(language(request)),
                                  values)  # fmt: skip
    return RedirectResponse("/equipe/enquetes?fait=repondu", 303)


@requires(accounts.TEAM)
async def results(request: Request) -> Response:
    """The aggregate and each place's answer, of a survey published here."""
    node = node_of(request)
    reads = node.store.reads
    survey_id = request.query_params.get("enquete", "")
    try:
        survey, hosted = await surveys_network.survey_of(reads, survey_id)
        if not hosted:
            raise ConfigError("not hosted", fr="Les résultats sont chez l'auteur de l'enquête.",
                              en="The results are at the survey's author.")  # fmt: skip
    except InterlieuxError as error:
        return await refused(request, error)
    return await _results_page(request, survey)


async def _results_page(request: Request, survey: surveys.Survey, status: int = 200,
                        error: str = "", items: str = "") -> Response:  # fmt: skip
    reads = node_of(request).store.reads
    answers = await surveys_network.taken_answers(reads, survey)
    found = surveys.aggregate(survey, answers)
    names = await names_of(reads, answers)
    places = [(names[p], t) for p, t in answers.items()]
    return await render(
        request, "team/survey_results.html", status=status, survey=survey, results=found,
        places=places, csv_url=surveys_network.results_id(survey.id) + ".csv",
        usage_fr=surveys.USAGE_FR, error=error, items=items,
        done=confirmation(request, DONE),
    )  # fmt: skip


@requires(accounts.TEAM)
async def add_items(request: Request) -> Response:
    """POST: new items for a census published here (`interlieux survey items`)."""
    node = node_of(request)
    survey_id = request.query_params.get("enquete", "")
    try:
        _, form = await member_form(request)
        survey, _ = await surveys_network.survey_of(node.store.reads, survey_id)
    except InterlieuxError as error:
        return await refused(request, error)
    try:
        await surveys_network.add_items(
            node, survey_id, _questions("census", form.get("items", ""))
        )
    except InterlieuxError as error:
        return await _results_page(request, survey, 400, error.message(language(request)),
                                   form.get("items", ""))  # fmt: skip
    return RedirectResponse(
        f"/equipe/enquetes/resultats?enquete={quote(survey_id, safe='')}&fait=communs", 303
    )
