"""An improvement step's page, at its id: its budget line by line, what places pledged and
funders matched (the totals every node computes alike, `commons.steps.totals`), per place,
its state, and a progress bar drawn on the server (readable without JavaScript); the places
that support it, its peer evaluation on its published criteria (`step_evaluation`,
alike at every node) and its comments, oldest first.

Any node shows a step it holds at `/etape?id=<the step's id>`, from its own rows: the same
totals, supporters and averages as the step's home. Signed in, the place's team finds there
the forms to support the step, evaluate it (peers only: not the step's own place) and comment
in the place's name; a member comments in their own name (`team/step_actions.py`,
`member/step_comments.py`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..actors.names import display_name, names_of
from ..actors.routes import node_of
from ..agenda.event import plain_text
from ..commons import comments, evaluation, step_evaluation, step_support
from ..commons import steps as steps_domain
from ..errors import InterlieuxError, NotFoundError
from ..ledger.money import display, to_cents
from ..tables import matching_rules, objects, step_documents
from . import chart, i18n
from .gate import refused
from .render import language, local_time, render

STATES = {"open": "Ouverte", "funded": "Financée", "overfunded": "Plus que financée",
          "closed": "Close"}  # fmt: skip

i18n.english(
    {
        "Étape d'amélioration": "Improvement step",
        "Ouverte": "Open",
        "Financée": "Funded",
        "Plus que financée": "More than funded",
        "Close": "Closed",
        "Budget": "Budget",
        "Ligne": "Line",
        "Montant": "Amount",
        "Total du budget": "Budget total",
        "Financement": "Funding",
        "Promis": "Pledged",
        "Abondé": "Matched",
        "Reste à trouver": "Still to find",
        "État": "State",
        "{pledged} promis et {matched} abondés sur un budget de {budget}.": (
            "{pledged} pledged and {matched} matched of a budget of {budget}."
        ),
        "promis": "pledged",
        "abondé": "matched",
        "Par lieu": "By place",
        "Lieu": "Place",
        "Aucun engagement pour l'instant.": "No pledge yet.",
        "Règles d'abondement": "Matching rules",
        "Financeur": "Funder",
        "Ratio": "Ratio",
        "Plafond par lieu": "Cap per place",
        "Jusqu'au": "Until",
        "aucun": "none",
        "Clôture des engagements": "Pledges close",
        "Réalisée par": "Carried out by",
        "Proposée par": "Proposed by",
        "S'engager ou abonder (équipe du lieu)": "Pledge or match (place team)",
        "Chaque nœud calcule ces totaux de la même façon, au centime près, à partir des "
        "engagements et des règles signés.": (
            "Every node computes these totals the same way, to the cent, from the signed pledges "
            "and rules."
        ),
        "L'observatoire des financements": "The funding observatory",
        "Soutiens": "Supporters",
        "Aucun lieu ne soutient cette étape pour l'instant.": "No place supports this step yet.",
        "Chaque soutien est signé par le lieu qui le donne.": (
            "Each support is signed by the place that gives it."
        ),
        "Soutenir cette étape au nom du lieu": "Support this step in the place's name",
        "Retirer le soutien du lieu": "Take back the place's support",
        "Évaluation par les pairs": "Peer evaluation",
        "Critère": "Criterion",
        "Moyenne": "Average",
        "Évaluations": "Evaluations",
        "{count} évaluation(s) par des lieux, une par lieu (la plus récente), sur les critères "
        "publiés avec l'étape.": (
            "{count} evaluation(s) by places, one per place (the latest), on the criteria "
            "published with the step."
        ),
        "Aucune évaluation pour l'instant.": "No evaluation yet.",
        "Évaluer l'étape au nom du lieu": "Evaluate the step in the place's name",
        "Une note de 1 (faible) à 5 (excellent) par critère ; une nouvelle évaluation remplace "
        "celle du lieu.": (
            "A score from 1 (poor) to 5 (excellent) per criterion; a new evaluation replaces "
            "the place's."
        ),
        "Commentaire (facultatif)": "Comment (optional)",
        "Signer et envoyer l'évaluation": "Sign and send the evaluation",
        "L'étape est close : elle ne reçoit plus d'évaluation.": (
            "The step is closed: it takes no more evaluations."
        ),
        "Les autres lieux évaluent cette étape : le lieu qui la propose ne l'évalue pas.": (
            "Other places evaluate this step: the place that proposes it does not."
        ),
        "Commentaires": "Comments",
        "Aucun commentaire pour l'instant.": "No comment yet.",
        "Commenter": "Comment",
        "Votre commentaire": "Your comment",
        "Publier au nom du lieu": "Publish in the place's name",
        "Publier en mon nom": "Publish in my name",
        "Les commentaires que ce nœud a reçus ; le lieu de l'étape les a tous.": (
            "The comments this node received; the step's place has them all."
        ),
        "La page de l'étape chez son lieu": "The step's page at its place",
        "Soutien signé et envoyé au lieu de l'étape.": (
            "Support signed and sent to the step's place."
        ),
        "Soutien retiré.": "Support taken back.",
        "Évaluation signée et envoyée au lieu de l'étape.": (
            "Evaluation signed and sent to the step's place."
        ),
        "Commentaire envoyé au lieu de l'étape.": "Comment sent to the step's place.",
    }
)

DONE = {
    "soutien": "Soutien signé et envoyé au lieu de l'étape.",
    "retrait": "Soutien retiré.",
    "evaluation": "Évaluation signée et envoyée au lieu de l'étape.",
    "commentaire": "Commentaire envoyé au lieu de l'étape.",
}
SCORES = range(evaluation.WORST, evaluation.BEST + 1)


def said(cents: int, currency: str, lang: str) -> str:
    return display(cents, currency, lang)


def page_of(base_url: str, step_id: str, done: str | None = None) -> str:
    """Where this node shows a step (pure): at its id for one of ours, else `/etape?id=`."""
    flag = {"fait": done} if done else {}
    if step_id.startswith(f"{base_url}/"):
        path = step_id.removeprefix(base_url)
        return f"{path}?{urlencode(flag)}" if flag else path
    return f"/etape?{urlencode({'id': step_id, **flag})}"


async def held_page(request: Request) -> Response:
    """`/etape?id=…`: a step this node holds, whoever published it, from its own rows."""
    step_id = request.query_params.get("id", "")
    return await step_page_of(request, step_id)


async def step_page_of(request: Request, step_id: str, status: int = 200, **more: Any) -> Response:
    """The page of a step this node holds (the "not found" page when it holds none)."""
    reads = node_of(request).store.reads
    document = await step_documents.get(reads, step_id) if step_id else None
    if document is None and step_id:
        document = await objects.document(reads, step_id)  # ours, kept before step_documents
    if document is None or document.get("type") == "Tombstone":
        return await render(request, "missing.html", status=404)
    return await step_page(request, document, status, **more)


async def again(
    request: Request, step_id: str, error: InterlieuxError, typed: dict[str, str]
) -> Response:
    """The step's page with the reason it refused, what was typed kept; the refusal page when
    the step itself is what could not be read."""
    if error.status == 429 or error.status >= 500 or error.status == 404:
        return await refused(request, error)
    return await step_page_of(request, step_id, status=error.status,
                              error=error.message(language(request)), typed=typed)  # fmt: skip


def back(request: Request, step_id: str, done: str) -> Response:
    return RedirectResponse(page_of(node_of(request).config.base_url, step_id, done), 303)


async def step_page(
    request: Request, document: dict[str, Any], status: int = 200, **more: Any
) -> Response:
    node = node_of(request)
    reads = node.store.reads
    lang = language(request)
    step_id = str(document["id"])
    try:
        found = await steps_domain.totals(node.store, step_id)
    except NotFoundError:
        return await render(request, "missing.html", status=404)
    currency = str(document.get("currency", ""))
    lines = [
        {"name": str(line.get("name", "")), "amount": said(to_cents(str(line["amount"])),
                                                           currency, lang)}
        for line in document.get("budget") or []
        if isinstance(line, dict) and "amount" in line
    ]  # fmt: skip
    budget, pledged, matched = (to_cents(found[k]) for k in ("budget", "pledged", "matched"))
    words = (
        i18n.say("{pledged} promis et {matched} abondés sur un budget de {budget}.", lang)
        .replace("{pledged}", said(pledged, currency, lang))
        .replace("{matched}", said(matched, currency, lang))
        .replace("{budget}", said(budget, currency, lang))
    )
    by_place = [
        {"place": row["place"], "name": await display_name(reads, row["place"]),
         "pledged": said(to_cents(row["pledged"]), currency, lang),
         "matched": said(to_cents(row["matched"]), currency, lang)}
        for row in found["by_place"]
    ]  # fmt: skip
    rules = []
    for rule in steps_domain.rules_from_rows(await matching_rules.for_step(reads, step_id)):
        if step_id not in rule.steps:
            continue
        rules.append({
            "funder": rule.funder, "name": await display_name(reads, rule.funder),
            "ratio": str(rule.ratio).replace(".", ",") if lang == "fr" else str(rule.ratio),
            "cap": said(rule.cap_per_place_cents, rule.currency, lang)
            if rule.cap_per_place_cents is not None else None,
            "until": _posix_local(request, rule.until),
        })  # fmt: skip
    contributors = [str(c) for c in _as_list(document.get("contributor"))]
    author = str(document.get("attributedTo"))
    social = await _social(request, step_id, author, found["state"] == "closed")
    return await render(
        request, "step.html", status=status, **social, **more, step=document, lines=lines,
        found=found, home_page=step_id if not node.config.is_local(step_id) else None,
        done=DONE.get(request.query_params.get("fait", "")),
        state=STATES.get(found["state"], found["state"]),
        budget=said(budget, currency, lang), pledged=said(pledged, currency, lang),
        matched=said(matched, currency, lang),
        rest=said(max(budget - pledged - matched, 0), currency, lang),
        progress=chart.progress_svg(pledged, matched, budget, words), words=words,
        by_place=by_place, rules=rules, contributors=contributors,
        author=author, author_name=await display_name(reads, author),
        closes=local_time(document.get("endTime"), node.config.timezone),
        colours={"pledged": chart.PLEDGED, "matched": chart.MATCHED},
    )  # fmt: skip


async def _social(request: Request, step_id: str, author: str, closed: bool) -> dict[str, Any]:
    """The step's supporters, evaluation and comments as this node holds them, and what the
    signed-in team or member may do there."""
    node = node_of(request)
    reads = node.store.reads
    lang = language(request)
    supporters = await step_support.supporters(reads, step_id)
    summary = await step_evaluation.evaluations(node.store, step_id)
    notes = await comments.of_step(reads, step_id)
    evaluators = [e["place"] for e in summary["evaluations"]]
    names = await names_of(reads, [*supporters, *evaluators, *(by for _, by in notes)])
    place = node.config.place_id
    own = next((e for e in summary["evaluations"] if e["place"] == place), None)
    criteria = [c["criterion"] for c in summary["criteria"]]
    return {
        "supporters": sorted(
            ({"place": p, "name": names[p]} for p in supporters),
            key=lambda s: (s["name"].casefold(), s["place"]),
        ),
        "supported": place in supporters,
        "averages": [
            {"criterion": c["criterion"], "score": evaluation.score_text(c["average"], lang)}
            for c in summary["criteria"]
        ],
        "evaluated": summary["count"],
        "evaluations": [
            {
                "place": e["place"],
                "name": names[e["place"]],
                "when": local_time(e["published"], node.config.timezone),
                "ratings": e["ratings"],
                "comment": e["comment"],
            }
            for e in summary["evaluations"]
        ],
        "criteria": criteria,
        "own_scores": {r["criterion"]: r["score"] for r in own["ratings"]} if own else {},
        "scores": SCORES,
        "may_evaluate": place != author and not closed,
        "closed": closed,
        "comments": [
            {
                "author": by,
                "name": names[by],
                "when": local_time(note.get("published"), node.config.timezone),
                "paragraphs": _paragraphs(note.get("content")),
            }
            for note, by in notes
        ],
    }


def _paragraphs(content: Any) -> list[str]:
    """A comment's text, paragraph by paragraph, for the page to escape (pure): never the
    markup of a peer's HTML."""
    return [p.strip() for p in plain_text(content).split("\n") if p.strip()]


def _posix_local(request: Request, posix: float | None) -> datetime | None:
    if posix is None:
        return None
    return local_time(datetime.fromtimestamp(posix, UTC), node_of(request).config.timezone)


def _as_list(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]
