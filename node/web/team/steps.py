"""`/equipe/etapes`: improvement steps and their co-financing from the team's side, what
`interlieux step create`, `pledge` and `fund create` do: publish a step with its budget lines,
pledge to a step (the place's signed pledge), and, for a place or partner that funds, publish
a matching rule for the steps it chooses. Each is posted to the place's outbox as the
commands do (`outbox.publish`), so the checks, the signature and the deliveries are the same.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...actors.routes import node_of
from ...commons import cofinancing, evaluation
from ...commons import steps as steps_domain
from ...commons.cli import budget_lines
from ...errors import InterlieuxError, InvalidParameter
from ...ledger.money import check_currency, display, from_cents, to_cents
from ...outbox.publish import publish
from ...people import accounts
from ...tables import steps
from ...timestamps import posix_to_wire, wire_to_posix
from .. import i18n
from ..gate import member_form, refused, requires
from ..render import language, render
from ..steps import STATES, page_of
from .actions import confirmation, done, place_actor
from .publishing import wire_time

PUBLIC = steps_domain.PUBLIC
STEP_FIELD = "etape-"  # a checkbox per step of a matching rule: etape-1, etape-2…

DONE = {
    "etape": "Étape publiée ; les lieux abonnés la reçoivent.",
    "engagement": "Engagement signé et envoyé au lieu de l'étape et aux abonnés.",
    "regle": "Règle d'abondement signée et envoyée aux lieux des étapes et aux abonnés.",
}

i18n.english(
    {
        "Étapes et financements": "Steps and funding",
        "Étape publiée ; les lieux abonnés la reçoivent.": (
            "Step published; the subscribed places receive it."
        ),
        "Engagement signé et envoyé au lieu de l'étape et aux abonnés.": (
            "Pledge signed and sent to the step's place and to the subscribers."
        ),
        "Règle d'abondement signée et envoyée aux lieux des étapes et aux abonnés.": (
            "Matching rule signed and sent to the steps' places and to the subscribers."
        ),
        "Les étapes connues": "The known steps",
        "Aucune étape connue : publiez-en une, ou suivez un lieu qui en publie.": (
            "No known step: publish one, or follow a place that publishes some."
        ),
        "Étape": "Step",
        "Budget": "Budget",
        "Promis": "Pledged",
        "Abondé": "Matched",
        "État": "State",
        "S'engager pour une étape": "Pledge to a step",
        "Adresse de l'étape": "Address of the step",
        "Une étape de la liste, ou l'adresse (https://…) d'une étape d'un autre lieu.": (
            "A step of the list, or the address (https://…) of another place's step."
        ),
        "Montant": "Amount",
        "Par exemple 600,00 ; dans la devise de l'étape.": (
            "For example 600.00; in the step's currency."
        ),
        "Signer et envoyer l'engagement": "Sign and send the pledge",
        "Abonder des étapes (financeurs)": "Match steps (funders)",
        "Un financeur ajoute tant d'euros par euro promis, plafonné par lieu : « 1 € pour 1 €, "
        "jusqu'à 500 € par lieu ».": (
            "A funder adds so many euros per euro pledged, capped per place: '1 € per 1 €, up "
            "to 500 € per place'."
        ),
        "Ratio : euros ajoutés par euro promis": "Ratio: euros added per euro pledged",
        "Plafond par lieu (facultatif)": "Cap per place (optional)",
        "Devise": "Currency",
        "Fin de la règle (facultatif)": "End of the rule (optional)",
        "Étapes abondées": "Steps matched",
        "Signer et publier la règle": "Sign and publish the rule",
        "Publier une étape": "Publish a step",
        "Nom de l'étape": "Name of the step",
        "Lignes de budget": "Budget lines",
        "Une ligne par poste : libellé = montant, par exemple « Serveur = 1200,00 ».": (
            "One line per item: label = amount, for example 'Server = 1200.00'."
        ),
        "Clôture des engagements (facultatif)": "Pledges close (optional)",
        "Réalisée par (facultatif)": "Carried out by (optional)",
        "Une adresse ou un nom par ligne.": "One address or name per line.",
        "Description": "Description",
        "Critères d'évaluation": "Evaluation criteria",
        "Un critère par ligne, sur lesquels les autres lieux évalueront l'étape de 1 à 5. Sans "
        "rien : {defaults}.": (
            "One criterion per line, on which the other places will evaluate the step from 1 "
            "to 5. Left empty: {defaults}."
        ),
        "Publier l'étape": "Publish the step",
        "Choisissez au moins une étape.": "Choose at least one step.",
        "Indiquez l'adresse de l'étape.": "Give the step's address.",
    }
)


async def _page(request: Request, status: int = 200, **more: Any) -> Response:
    node = node_of(request)
    lang = language(request)
    known = []
    for row in await steps.every(node.store.reads):
        found = await steps_domain.totals(node.store, row["id"])
        currency = row["currency"]
        known.append({
            "id": row["id"], "name": row["name"], "state": STATES.get(found["state"], ""),
            "page": page_of(node.config.base_url, row["id"]),
            "budget": display(to_cents(found["budget"]), currency, lang),
            "pledged": display(to_cents(found["pledged"]), currency, lang),
            "matched": display(to_cents(found["matched"]), currency, lang),
        })  # fmt: skip
    return await render(
        request, "team/steps.html", status=status, steps=known,
        default_criteria=" ; ".join(evaluation.DEFAULT_CRITERIA),
        chosen=request.query_params.get("etape", ""), done=confirmation(request, DONE),
        step_field=STEP_FIELD, **more,
    )  # fmt: skip


@requires(accounts.TEAM)
async def page(request: Request) -> Response:
    return await _page(request)


def on_wire(text: str, timezone: str) -> str:
    """A `datetime-local` value in the place's zone, as the wire writes times (UTC; pure)."""
    return posix_to_wire(wire_to_posix(wire_time(text, timezone)))


def step_body(form: dict[str, str], timezone: str) -> dict[str, Any]:
    """The step `step create` publishes, from the form (pure). Raises ConfigError."""
    given = [line for line in form.get("lines", "").splitlines() if line.strip()]
    if not given:
        raise InvalidParameter("no budget line", fr="Indiquez au moins une ligne de budget.",
                               en="Give at least one budget line.")  # fmt: skip
    body: dict[str, Any] = {
        "type": cofinancing.STEP, "name": form.get("title", "").strip(),
        "currency": check_currency(form.get("currency") or "EUR"),
        "budget": budget_lines(given), "to": [PUBLIC],
    }  # fmt: skip
    if form.get("closes", "").strip():
        body["endTime"] = on_wire(form["closes"], timezone)
    contributors = [c.strip() for c in form.get("contributors", "").splitlines() if c.strip()]
    if contributors:
        body["contributor"] = contributors
    if form.get("text", "").strip():
        body["summary"] = form["text"].strip()
    typed = [c for c in form.get("criteria", "").splitlines() if c.strip()]
    body["criteria"] = list(evaluation.checked_criteria(typed or evaluation.DEFAULT_CRITERIA))
    return body


@requires(accounts.TEAM)
async def create(request: Request) -> Response:
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    try:
        await publish(node, await place_actor(request), step_body(form, node.config.timezone))
    except InterlieuxError as error:
        return await _page(request, 400, error=error.message(language(request)), typed=form)
    return done("/equipe/etapes", "etape")


@requires(accounts.TEAM)
async def pledge(request: Request) -> Response:
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    step_id = form.get("step", "").strip()
    try:
        if not step_id:
            raise InvalidParameter("no step", fr="Indiquez l'adresse de l'étape.",
                                   en="Give the step's address.")  # fmt: skip
        cents = to_cents(form.get("amount", ""))
        row = await steps_domain.known_step(node, step_id)
        await publish(node, await place_actor(request), {
            "type": steps_domain.PLEDGE, "name": f"Engagement pour « {row['name']} »",
            "funds": step_id, "amount": from_cents(cents), "currency": row["currency"],
            "to": [PUBLIC],
        })  # fmt: skip
    except InterlieuxError as error:
        return await _page(request, 400, error=error.message(language(request)), typed=form)
    return done("/equipe/etapes", "engagement")


@requires(accounts.TEAM)
async def rule(request: Request) -> Response:
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    node = node_of(request)
    chosen = sorted({v for k, v in form.items() if k.startswith(STEP_FIELD) and v})
    ratio = form.get("ratio", "").strip().replace(",", ".")
    cap = form.get("cap", "").strip() or None
    currency = form.get("currency", "").strip() or "EUR"
    try:
        if not chosen:
            raise InvalidParameter("no step", fr="Choisissez au moins une étape.",
                                   en="Choose at least one step.")  # fmt: skip
        until = (on_wire(form["until"], node.config.timezone)
                 if form.get("until", "").strip() else None)  # fmt: skip
        place = await place_actor(request)
        # The team's typing checked first, with the core's French messages (as `fund create`).
        cofinancing.matching_rule("check", place.id, ratio, currency, chosen, time.time(), cap,
                                  wire_to_posix(until) if until else None)  # fmt: skip
        for step_id in chosen:
            await steps_domain.known_step(node, step_id)
        body: dict[str, Any] = {"type": cofinancing.MATCHING_RULE, "matchRatio": ratio,
                                "currency": check_currency(currency), "funds": chosen,
                                "to": [PUBLIC]}  # fmt: skip
        if cap:
            body["capPerPlace"] = from_cents(to_cents(cap))
        if until:
            body["endTime"] = until
        await publish(node, place, body)
    except InterlieuxError as error:
        return await _page(request, 400, error=error.message(language(request)), typed=form)
    return done("/equipe/etapes", "regle")


ROUTES = [
    Route("/equipe/etapes", page),
    Route("/equipe/etapes/publier", create, methods=["POST"]),
    Route("/equipe/etapes/engager", pledge, methods=["POST"]),
    Route("/equipe/etapes/abonder", rule, methods=["POST"]),
]
