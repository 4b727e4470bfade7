"""`/equipe/reclamations`: the claims this place sent (for its members' visits at other places
there: its doors' visits of other places' members) and those it received, each line with its
state; and "claim now", what `interlieux claims send` does.

Received claims have no answer to give by hand: the node checks each line when the claim
arrives (`ledger.claim.check`: the visit was reported to us in time, our badge, the agreed
rate) and answers at once, Accept for the lines that hold and Reject with a reason for the
others. The page shows those verdicts and why.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ... import tables
from ...actors.names import display_name
from ...actors.routes import node_of
from ...errors import InterlieuxError
from ...ledger import claim, exchange
from ...people import accounts
from .. import i18n
from ..gate import refused, requires
from ..render import language, render
from .operations import amount, at, done, posted

SHOWN = 100  # claims on the page, the latest first

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
    }
)

STATES = {
    "waiting": "en attente de réponse", "partial_waiting": "réponse partielle",
    "accepted": "acceptée", "rejected": "refusée", "partial": "acceptée en partie",
}  # fmt: skip
LINE_STATES = {"pending": "en attente", "accepted": "acceptée", "rejected": "refusée"}


async def _claims(request: Request) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    node = node_of(request)
    lang = language(request)
    reasons = claim.REASONS_EN if lang == "en" else claim.REASONS_FR
    received: list[dict[str, Any]] = []
    sent: list[dict[str, Any]] = []
    for c in await tables.claims.latest(node.store.reads, SHOWN):
        lines = await tables.claims.lines_in_full(node.store.reads, c["id"])
        state = exchange.claim_state([ln["state"] for ln in lines])
        shown = {
            "id": c["id"], "period": c["period"], "peer": c["peer"],
            "peer_name": await display_name(node.store.reads, c["peer"]),
            "total": amount(int(c["total_cents"]), c["currency"], lang),
            "count": len(lines), "state": state, "state_text": STATES.get(state, state),
            "accepted": sum(1 for ln in lines if ln["state"] == "accepted"),
            "lines": [
                {"visit": ln["visit_id"], "when": at(request, ln["visited_at"]),
                 "amount": amount(int(ln["amount_cents"]), c["currency"], lang),
                 "state": ln["state"], "state_text": LINE_STATES.get(ln["state"], ln["state"]),
                 "reason": reasons.get(ln["reason"], ln["reason"]) if ln["reason"] else ""}
                for ln in lines
            ],
        }  # fmt: skip
        (sent if c["direction"] == "sent" else received).append(shown)
    return received, sent


async def _page(request: Request, status: int = 200, **context: Any) -> Response:
    received, sent = await _claims(request)
    flags = {k: request.query_params.get(k) for k in ("envoyees", "ignores", "attente")}
    return await render(request, "team/claims.html", status=status, received=received,
                        sent=sent, flags=flags, period=claim.previous_period(time.time()),
                        error=context.pop("error", None), **context)  # fmt: skip


@requires(accounts.TEAM)
async def page(request: Request) -> Response:
    return await _page(request)


@requires(accounts.TEAM)
async def send(request: Request) -> Response:
    """POST: claim a month's visits now (`claims send --period`)."""
    node = node_of(request)
    try:
        form = await posted(request)
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
