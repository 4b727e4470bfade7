"""`/equipe/reclamations`: the claims this place sent (for its members' visits at other places
there: its doors' visits of other places' members) and those it received, each line with its
state; and "claim now", what `interlieux claims send` does.

Received claims are answered by the node's checks on arrival (`ledger.claim.check`: the visit
was reported to us in time, our badge, the agreed rate), unless the place answers them by hand
(`ledger.review`, the rule an administrator sets here or with `claims rules --manual`): the
lines that pass the checks then wait here, and the team confirms or disputes them, one by one
or all at once (`claims confirm` / `claims dispute`), a dispute with a reason the claiming
place reads.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ... import tables
from ...actors.names import names_of
from ...actors.routes import node_of
from ...errors import InterlieuxError
from ...ledger import claim, exchange, review
from ...ledger.money import display
from ...people import accounts
from .. import i18n
from ..gate import member_form, refused, requires
from ..render import language, render
from .actions import done
from .operations import at

SHOWN = 100  # claims on the page, the latest first
COUNT_DIGITS = 9  # a count in a confirmation link: more digits than any real count
# The counts a confirmation link carries back to the page (`done(..., envoyees=3)`).
COUNTS = ("envoyees", "ignores", "attente", "confirmes", "contestes", "deja", "regle")

i18n.english(
    {
        "Réclamations": "Claims",
        "Chaque mois, le lieu visité réclame au lieu d'origine les passages de ses membres, au "
        "tarif convenu. Le lieu d'origine vérifie chaque ligne dès qu'elle arrive et répond "
        "aussitôt : acceptée, ou refusée avec sa raison.": (
            "Each month, the visited place claims from the home place the visits of its "
            "members, at the agreed rate. The home place checks each line as soon as it "
            "arrives and answers at once: accepted, or refused with its reason."
        ),
        "Réclamer maintenant": "Claim now",
        "Mois des passages": "Month of the visits",
        "Le mois dernier par défaut ; le nœud le fait aussi seul, chaque mois.": (
            "Last month by default; the node also does it by itself, every month."
        ),
        "Envoyer les réclamations": "Send the claims",
        "Réclamations reçues": "Claims received",
        "Réclamations envoyées": "Claims sent",
        "Aucune réclamation reçue.": "No claim received.",
        "Aucune réclamation envoyée.": "No claim sent.",
        "Période": "Period",
        "De": "From",
        "À": "To",
        "Passages acceptés": "Visits accepted",
        "Total": "Total",
        "État": "State",
        "Voir les lignes": "See the lines",
        "Passage": "Visit",
        "Raison": "Reason",
        "en attente de réponse": "waiting for an answer",
        "réponse partielle": "partly answered",
        "acceptée": "accepted",
        "refusée": "refused",
        "acceptée en partie": "partly accepted",
        "en attente": "waiting",
        "réclamation(s) envoyée(s).": "claim(s) sent.",
        "passage(s) de membres d'un lieu qui n'est pas un pair : non réclamé(s) (ajoutez-le "
        "aux lieux pairs).": (
            "visit(s) of members of a place that is not a peer: not claimed (add it to the "
            "peer places)."
        ),
        "passage(s) pas encore signalé(s) à leur lieu d'origine : réclamé(s) plus tard.": (
            "visit(s) not yet reported to their home place: claimed later."
        ),
        "Rien de nouveau à réclamer pour ce mois.": "Nothing new to claim for this month.",
        "Vérifiées et répondues par ce nœud à leur arrivée.": (
            "Checked and answered by this node when they arrived."
        ),
        "Vérifiées par ce nœud à leur arrivée ; les passages qui passent les vérifications "
        "attendent la validation de l'équipe.": (
            "Checked by this node when they arrived; the visits that pass the checks wait for "
            "the team's validation."
        ),
        "À valider": "To validate",
        "Aucun passage réclamé n'attend votre validation.": (
            "No claimed visit waits for your validation."
        ),
        "Ces passages ont passé les vérifications du nœud (signalés à temps, notre badge, le "
        "tarif convenu). Confirmez ceux que vous reconnaissez ; contestez les autres en disant "
        "pourquoi : le lieu qui réclame lira votre raison.": (
            "These visits passed the node's checks (reported in time, our badge, the agreed "
            "rate). Confirm those you recognise; dispute the others saying why: the claiming "
            "place will read your reason."
        ),
        "Réclamation de": "Claim from",
        "Passages à valider": "Visits to validate",
        "Raison de la contestation (envoyée au lieu)": "Reason for the dispute (sent to the place)",
        "Par exemple : ce membre n'est pas venu ce jour-là.": (
            "For example: this member did not come that day."
        ),
        "Confirmer la sélection": "Confirm the selection",
        "Contester la sélection": "Dispute the selection",
        "Tout confirmer": "Confirm all",
        "Tout contester": "Dispute all",
        "passage(s) confirmé(s).": "visit(s) confirmed.",
        "passage(s) contesté(s).": "visit(s) disputed.",
        "passage(s) refusé(s) : déjà payé(s) dans une autre réclamation.": (
            "visit(s) refused: already paid in another claim."
        ),
        "Le lieu qui réclame en est prévenu.": "The claiming place is told.",
        "Ces passages avaient déjà été décidés.": "These visits had already been decided.",
        "confirmée par": "confirmed by",
        "contestée par": "disputed by",
        "à valider": "to validate",
        "en partie à valider": "partly to validate",
        "Validation des réclamations reçues": "Validation of the claims received",
        "Valider les réclamations reçues à la main": "Validate the claims received by hand",
        "Non coché : le nœud accepte aussitôt les passages qui passent ses vérifications. "
        "Coché : ils attendent la confirmation de l'équipe ; les autres sont refusés aussitôt "
        "avec leur raison.": (
            "Unticked: the node accepts at once the visits that pass its checks. Ticked: they "
            "wait for the team's confirmation; the others are refused at once with their "
            "reason."
        ),
        "Pour chaque lieu pair": "For each peer place",
        "comme le lieu": "as the place",
        "à la main": "by hand",
        "automatiquement": "automatically",
        "Enregistrer": "Save",
        "Règle enregistrée : elle s'applique aux réclamations qui arrivent désormais.": (
            "Rule saved: it applies to the claims that arrive from now on."
        ),
        "Réclamations reçues : validées à la main par l'équipe.": (
            "Claims received: validated by hand by the team."
        ),
        "Réclamations reçues : répondues par les vérifications du nœud.": (
            "Claims received: answered by the node's checks."
        ),
    }
)

STATES = {
    "waiting": "en attente de réponse", "partial_waiting": "réponse partielle",
    "accepted": "acceptée", "rejected": "refusée", "partial": "acceptée en partie",
}  # fmt: skip
LINE_STATES = {"pending": "en attente", "accepted": "acceptée", "rejected": "refusée"}
# A received claim waiting is waiting for us: the team's work, not the peer's answer.
RECEIVED_STATES = {"waiting": "à valider", "partial_waiting": "en partie à valider"}
RULE_CHOICES = {"lieu": None, "main": True, "auto": False}  # a peer's rule on the form


async def _claims(request: Request) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    node = node_of(request)
    lang = language(request)
    reasons = claim.REASONS_EN if lang == "en" else claim.REASONS_FR
    received: list[dict[str, Any]] = []
    sent: list[dict[str, Any]] = []
    claims = [(c, await tables.claims.lines_in_full(node.store.reads, c["id"]))
              for c in await tables.claims.latest(node.store.reads, SHOWN)]  # fmt: skip
    names = await names_of(
        node.store.reads,
        [c["peer"] for c, _ in claims]
        + [ln["member"] for _, lines in claims for ln in lines if ln["member"]],
    )
    for c, lines in claims:
        reviews = await tables.claim_reviews.of_claim(node.store.reads, c["id"])
        state = exchange.claim_state([ln["state"] for ln in lines])
        states = {**STATES, **RECEIVED_STATES} if c["direction"] == "received" else STATES
        shown = {
            "id": c["id"], "period": c["period"], "peer": c["peer"],
            "peer_name": names[c["peer"]],
            "total": display(int(c["total_cents"]), c["currency"], lang),
            "count": len(lines), "state": state, "state_text": states.get(state, state),
            "accepted": sum(1 for ln in lines if ln["state"] == "accepted"),
            "lines": [
                {"visit": ln["visit_id"], "when": at(request, ln["visited_at"]),
                 "amount": display(int(ln["amount_cents"]), c["currency"], lang),
                 "visitor": names[ln["member"]] if ln["member"] else "",
                 "door": ln["door"] or "",
                 "state": ln["state"], "state_text": LINE_STATES.get(ln["state"], ln["state"]),
                 "reason": reasons.get(ln["reason"], ln["reason"]) if ln["reason"] else "",
                 "review": reviews.get(ln["visit_id"])}
                for ln in lines
            ],
        }  # fmt: skip
        shown["held"] = [ln for ln in shown["lines"] if ln["state"] == "pending"]
        (sent if c["direction"] == "sent" else received).append(shown)
    return received, sent


async def _rules(request: Request) -> dict[str, Any]:
    """The rule for answering by hand, the place's and each peer's, as the form shows it."""
    node = node_of(request)
    rules = await review.rules(node)
    peers = []
    listed = await tables.peers.listing(node.store.reads)
    names = await names_of(node.store.reads, [peer.actor_id for peer in listed])
    for peer in listed:
        own = rules.peers.get(peer.actor_id)
        peers.append({
            "id": peer.actor_id, "name": names[peer.actor_id],
            "choice": "lieu" if own is None else "main" if own else "auto",
        })  # fmt: skip
    return {"manual": rules.manual, "peers": peers}


def count(text: str | None) -> int | None:
    """A count from a confirmation link, or None for anything else: the page shows numbers
    it gave itself, never the text of a link someone else wrote (pure)."""
    if text is None or not (text.isascii() and text.isdigit()) or len(text) > COUNT_DIGITS:
        return None
    return int(text)


async def _page(request: Request, status: int = 200, **context: Any) -> Response:
    received, sent = await _claims(request)
    flags = {k: count(request.query_params.get(k)) for k in COUNTS}
    return await render(request, "team/claims.html", status=status, received=received,
                        sent=sent, flags=flags, period=claim.previous_period(time.time()),
                        to_review=[c for c in received if c["held"]],
                        rules=await _rules(request), error=context.pop("error", None),
                        decide_error=context.pop("decide_error", None),
                        decided=context.pop("decided", None), **context)  # fmt: skip


@requires(accounts.TEAM)
async def page(request: Request) -> Response:
    return await _page(request)


@requires(accounts.TEAM)
async def send(request: Request) -> Response:
    """POST: claim a month's visits now (`claims send --period`)."""
    node = node_of(request)
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    period = form.get("period", "").strip()[:7] or claim.previous_period(time.time())
    try:
        claim.period_bounds(period)
        sent, skipped = await exchange.send_claims(node, period)
        waiting = await exchange.waiting_visits(node, period)
    except InterlieuxError as error:
        return await _page(request, 400, error=error.message(language(request)))
    return done("/equipe/reclamations", envoyees=len(sent),
                ignores=sum(s.visits for s in skipped), attente=waiting)  # fmt: skip


@requires(accounts.TEAM)
async def decide(request: Request) -> Response:
    """POST: confirm or dispute held lines of a received claim (`claims confirm` /
    `claims dispute`): the ticked ones, or all of them."""
    node = node_of(request)
    try:
        member, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    action = form.get("decision", "")
    # The ticked visits, one field each (`visit-1`, `visit-2` …: the form reader keeps one
    # value a name).
    visits = None if action.endswith("_all") else [
        v for k, v in form.items() if k.startswith("visit-") and v
    ]  # fmt: skip
    claim_id = form.get("claim", "")
    try:
        if action not in ("confirm", "dispute", "confirm_all", "dispute_all"):
            raise review.no_line_chosen()
        decision = await review.decide(node, claim_id, visits, action.startswith("confirm"),
                                       form.get("reason", ""), member.handle)  # fmt: skip
    except InterlieuxError as error:
        return await _page(request, error.status, decide_error=error.message(language(request)),
                           decided={"claim": claim_id, "reason": form.get("reason", ""),
                                    "visits": visits or []})  # fmt: skip
    return done("/equipe/reclamations", confirmes=decision.accepted,
                contestes=decision.disputed, deja=decision.already_claimed)  # fmt: skip


@requires(accounts.ADMIN)
async def rules(request: Request) -> Response:
    """POST: the rule for answering by hand (`claims rules --manual`), the place's and each
    peer's own. An administrator's: it decides what the place pays without a look."""
    node = node_of(request)
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    try:
        await review.set_rule(node, form.get("manual") == "oui")
        for peer in (await _rules(request))["peers"]:
            choice = form.get(f"peer:{peer['id']}")
            if choice in RULE_CHOICES:
                await review.set_rule(node, RULE_CHOICES[choice], peer["id"])
    except InterlieuxError as error:
        return await _page(request, error.status, error=error.message(language(request)))
    return done("/equipe/reclamations", regle=1)
