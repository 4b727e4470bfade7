"""`/observatoire`: who financed what and when, from the pledges and matching rules this node
holds (`commons.observatory`): totals per funder, per commons (step), per place and per year,
a bar chart drawn on the server (SVG, no JavaScript) with the tables beside it, and the same
figures as CSV (`/observatoire.csv`) and JSON-LD (`/observatoire.jsonld`, schema.org's
`MonetaryGrant`, with its context inline: a reader fetches nothing to read it)."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from vocab.context import TL

from .. import spreadsheet
from ..actors.names import names_of
from ..actors.routes import node_of
from ..commons import observatory
from ..commons import steps as steps_domain
from ..commons.cofinancing import Pledge, Step
from ..ledger.money import display, from_cents
from ..tables import matching_rules, step_pledges, steps
from . import chart, i18n
from .render import language, render

KINDS = {observatory.PLEDGE: "engagement", observatory.MATCH: "abondement"}
CHART_BARS = 12  # bars per chart (the latest years, the largest commons): the tables list all

i18n.english(
    {
        "Observatoire": "Observatory",
        "Observatoire des financements": "Funding observatory",
        "Qui a financé quoi, et quand : les engagements des lieux et les abondements des "
        "financeurs que ce nœud connaît, pour chaque étape des communs.": (
            "Who financed what, and when: the places' pledges and the funders' matches this "
            "node knows of, for every step of the commons."
        ),
        "Aucun financement connu pour l'instant.": "No funding known yet.",
        "Par année": "By year",
        "Par commun (étape)": "By commons (step)",
        "Par financeur": "By funder",
        "Par lieu": "By place",
        "Année": "Year",
        "Commun (étape)": "Commons (step)",
        "Financeur": "Funder",
        "Lieu": "Place",
        "Promis": "Pledged",
        "Abondé": "Matched",
        "Total": "Total",
        "promis": "pledged",
        "abondé": "matched",
        "Les financements par année": "Funding by year",
        "Les financements par commun": "Funding by commons",
        "Télécharger": "Download",
        "Tableau (CSV)": "Table (CSV)",
        "Données liées (JSON-LD)": "Linked data (JSON-LD)",
        "Le graphique et le tableau disent la même chose.": "The chart and the table say the same.",
        "Un financeur est un lieu qui s'engage, ou un financeur qui abonde ; le lieu d'un "
        "abondement est celui dont l'engagement est abondé.": (
            "A funder is a place that pledges, or a funder that matches; the place of a match "
            "is the one whose pledge is matched."
        ),
    }
)


async def gathered(request: Request) -> list[observatory.Contribution]:
    """The contributions from every step, pledge and rule this node holds."""
    node = node_of(request)
    reads = node.store.reads
    held = [Step(r["id"], int(r["budget_cents"]), r["currency"], r["closes"])
            for r in await steps.every(reads)]  # fmt: skip
    pledges = [Pledge(*row) for row in await step_pledges.every(reads)]
    rules = steps_domain.rules_from_rows(await matching_rules.every(reads))
    return observatory.contributions(
        held, pledges, rules, observatory.year_in(node.config.timezone)
    )


async def _names(request: Request, found: list[observatory.Contribution]) -> dict[Any, str]:
    """A name for each actor and step of `found` (an unknown step keeps its address)."""
    reads = node_of(request).store.reads
    step_names = {str(r["id"]): str(r["name"]) for r in await steps.every(reads)}
    refs = {ref for c in found for ref in (c.funder, c.step, c.place)}
    names: dict[Any, str] = await names_of(reads, refs - step_names.keys())
    return {**names, **{ref: step_names[ref] for ref in refs & step_names.keys()}}


def _rows(totals: list[observatory.Total], names: dict[Any, str], lang: str) -> list[Any]:
    return [
        {"key": t.key, "name": names.get(t.key, str(t.key)),
         "pledged": display(t.pledged, t.currency, lang, symbol=True),
         "matched": display(t.matched, t.currency, lang, symbol=True),
         "total": display(t.total, t.currency, lang, symbol=True), "link": isinstance(t.key, str)}
        for t in totals
    ]  # fmt: skip


def _bars(rows: list[Any], totals: list[observatory.Total], lang: str) -> list[chart.Bar]:
    promised, matched = i18n.say("promis", lang), i18n.say("abondé", lang)
    return [
        chart.Bar(f"{row['name']} ({t.currency})", t.pledged, t.matched,
                  f"{row['name']} : {row['pledged']} {promised}, {row['matched']} {matched}")
        for row, t in zip(rows, totals, strict=True)
    ]  # fmt: skip


async def page(request: Request) -> Response:
    lang = language(request)
    found = await gathered(request)
    names = await _names(request, found)
    tables = {}
    for title, key in (
        ("Par année", lambda c: c.year), ("Par commun (étape)", lambda c: c.step),
        ("Par financeur", lambda c: c.funder), ("Par lieu", lambda c: c.place),
    ):  # fmt: skip
        totals = (observatory.by_year(found) if title == "Par année"
                  else observatory.totals_by(found, key))  # fmt: skip
        tables[title] = (totals, _rows(totals, names, lang))
    charts = []
    for title, label in (("Par année", "Les financements par année"),
                         ("Par commun (étape)", "Les financements par commun")):  # fmt: skip
        totals, rows = tables[title]
        bars = _bars(rows, totals, lang)
        # The latest years, in their order; the largest commons.
        bars = bars[-CHART_BARS:] if title == "Par année" else bars[:CHART_BARS]
        if bars:
            words = " ; ".join(b.said for b in bars)
            charts.append((label, chart.bars_svg(bars, i18n.say(label, lang), words)))
    return await render(
        request, "observatory.html", empty=not found, charts=charts,
        tables=[(title, rows) for title, (_, rows) in tables.items()],
        colours={"pledged": chart.PLEDGED, "matched": chart.MATCHED},
    )  # fmt: skip


# --- exports ----------------------------------------------------------------------------------

CSV_HEADER = ["année", "financeur", "type", "commun (étape)", "lieu", "montant", "devise"]


def csv_text(found: list[observatory.Contribution], names: dict[str, str]) -> str:
    """One line per contribution, as a spreadsheet opened in France reads it (pure)."""
    rows = [
        [c.year, names.get(c.funder, c.funder), KINDS[c.kind], names.get(c.step, c.step),
         names.get(c.place, c.place), from_cents(c.cents).replace(".", ","), c.currency]
        for c in sorted(found, key=lambda c: (c.year, c.step, c.funder, c.kind, c.place))
    ]  # fmt: skip
    return spreadsheet.csv_text(CSV_HEADER, rows, bom=False)


async def table_csv(request: Request) -> Response:
    found = await gathered(request)
    names = await _names(request, found)
    return Response(
        spreadsheet.BOM + csv_text(found, names),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="observatoire.csv"'},
    )


CONTEXT: dict[str, Any] = {
    "schema": "https://schema.org/",
    "tl": TL,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "name": "schema:name",
    "funder": {"@id": "schema:funder", "@type": "@id"},
    "fundedItem": {"@id": "schema:fundedItem", "@type": "@id"},
    "amount": "schema:amount",
    "value": {"@id": "schema:value", "@type": "xsd:decimal"},
    "currency": "schema:currency",
    "place": {"@id": "tl:place", "@type": "@id"},
    "year": {"@id": "tl:year", "@type": "xsd:gYear"},
    "financing": "tl:financing",
}


def jsonld(base_url: str, found: list[observatory.Contribution]) -> dict[str, Any]:
    """The contributions as schema.org `MonetaryGrant`s (pure)."""
    grants = [
        {"@type": "schema:MonetaryGrant", "funder": c.funder, "fundedItem": c.step,
         "place": c.place, "year": str(c.year), "financing": c.kind,
         "amount": {"@type": "schema:MonetaryAmount", "value": from_cents(c.cents),
                    "currency": c.currency}}
        for c in sorted(found, key=lambda c: (c.year, c.step, c.funder, c.kind, c.place))
    ]  # fmt: skip
    return {
        "@context": CONTEXT,
        "@id": f"{base_url}/observatoire",
        "@type": "schema:Dataset",
        "name": "Observatoire des financements",
        "schema:hasPart": grants,
    }


async def table_jsonld(request: Request) -> Response:
    document = jsonld(node_of(request).config.base_url, await gathered(request))
    return Response(json.dumps(document, ensure_ascii=False, indent=1),
                    media_type="application/ld+json")  # fmt: skip
