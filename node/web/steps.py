"""An improvement step's page, at its id: its budget line by line, what places pledged and
funders matched (the totals every node computes alike, `commons.steps.totals`), per place,
its state, and a progress bar drawn on the server (readable without JavaScript)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..actors.names import display_name
from ..actors.routes import node_of
from ..commons import steps as steps_domain
from ..errors import NotFoundError
from ..ledger.money import display, to_cents
from ..tables import matching_rules
from . import chart, i18n
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
    }
)


def said(cents: int, currency: str, lang: str) -> str:
    return display(cents, currency, lang)


async def step_page(request: Request, document: dict[str, Any]) -> Response:
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
    return await render(
        request, "step.html", step=document, lines=lines, found=found,
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


def _posix_local(request: Request, posix: float | None) -> datetime | None:
    if posix is None:
        return None
    return local_time(datetime.fromtimestamp(posix, UTC), node_of(request).config.timezone)


def _as_list(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]
