"""`/equipe/reglements`: payments made outside the network (bank transfers) between this place
and its peers, as `interlieux settle` handles them: declare one, confirm or refuse (with a
reason) one a peer declared, and the netting proposal (`ledger.netting`: the fewest
transfers that settle the balances this node knows), each transfer this place owes one click
from its declaration."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ... import tables
from ...actors.names import names_of
from ...actors.routes import node_of
from ...errors import ConfigError, InterlieuxError
from ...ledger import books, netting, settlement
from ...ledger.money import display, from_cents
from ...people import accounts
from .. import i18n
from ..gate import member_form, refused, requires
from ..render import language, render
from .actions import done
from .operations import at
from .peers import peer_key

REASON_MAX = 300  # characters of a refusal's reason, sent to the peer

i18n.english(
    {
        "Règlements": "Settlements",
        "Un paiement fait hors du réseau (un virement) est déclaré par un lieu et confirmé par "
        "l'autre, qui a vérifié son compte : les soldes ne bougent qu'à la confirmation.": (
            "A payment made outside the network (a bank transfer) is declared by one place and "
            "confirmed by the other, once it has checked its account: balances move only on "
            "confirmation."
        ),
        "À confirmer": "To confirm",
        "Aucun paiement à confirmer.": "No payment to confirm.",
        "Tous les règlements": "All settlements",
        "Aucun règlement pour l'instant.": "No settlement yet.",
        "Payeur": "Payer",
        "Bénéficiaire": "Payee",
        "Confirmer : l'argent est arrivé": "Confirm: the money arrived",
        "Refuser": "Refuse",
        "Raison du refus (envoyée au lieu)": "Reason for refusing (sent to the place)",
        "Par exemple : aucun virement de ce montant reçu à cette date.": (
            "For example: no transfer of this amount received on that date."
        ),
        "Déclarer un paiement": "Declare a payment",
        "Lieu pair": "Peer place",
        "Sens": "Direction",
        "Nous avons payé ce lieu": "We paid this place",
        "Ce lieu nous a payés": "This place paid us",
        "Référence du virement": "Transfer reference",
        "Déclarer le paiement": "Declare the payment",
        "Virements proposés": "Proposed transfers",
        "Les virements les moins nombreux qui soldent les comptes connus de ce nœud.": (
            "The fewest transfers that settle the balances this node knows."
        ),
        "Rien à régler : tous les soldes sont nuls.": "Nothing to settle: every balance is zero.",
        "Préparer la déclaration": "Prepare the declaration",
        "À payer par ce lieu": "To be paid by this place",
        "attendez sa déclaration": "wait for its declaration",
        "Paiement déclaré : les soldes bougeront dès que l'autre lieu l'aura confirmé.": (
            "Payment declared: balances move once the other place confirms it."
        ),
        "Paiement confirmé : les deux soldes bougent.": "Payment confirmed: both balances move.",
        "Paiement refusé : le lieu en est prévenu.": "Payment refused: the place is told.",
        "en attente du pair": "waiting for the peer",
        "à confirmer (vérifiez le compte)": "to confirm (check the account)",
        "confirmé": "confirmed",
        "refusé": "refused",
        "envoyé": "sent",
        "reçu": "received",
        "ce lieu": "this place",
        "Ajoutez d'abord un lieu pair.": "Add a peer place first.",
        "Ce paiement attend votre confirmation :": "This payment waits for your confirmation:",
    }
)

STATES = {
    "pending": "en attente du pair", "to_confirm": "à confirmer (vérifiez le compte)",
    "confirmed": "confirmé", "refused": "refusé",
}  # fmt: skip


async def _page(request: Request, status: int = 200, **context: Any) -> Response:
    node = node_of(request)
    lang = language(request)
    reads = node.store.reads
    us = node.config.place_id
    settled = await tables.settlements.every_settlement(reads)
    listed = await tables.peers.listing(reads)
    owed = netting.settle_all(us, await books.peer_balances(node.store))
    names = await names_of(reads, [a for r in settled for a in (r["payer"], r["payee"], r["peer"])]
                           + [p.actor_id for p in listed]
                           + [a for t in owed for a in (t.payer, t.payee)])  # fmt: skip
    names[us] = "ce lieu"

    def name(actor: str) -> str:
        return names[actor]

    rows = []
    for r in reversed(settled):
        rows.append({
            "id": r["id"], "state": r["state"], "state_text": STATES.get(r["state"], r["state"]),
            "payer": name(r["payer"]), "payee": name(r["payee"]),
            "peer": name(r["peer"]),
            "amount": display(int(r["amount_cents"]), r["currency"], lang),
            "reference": r["reference"], "when": at(request, r["created_at"]),
        })  # fmt: skip
    peers = [(p.actor_id, name(p.actor_id)) for p in listed]
    transfers = [
        {"payer": name(t.payer), "payee": name(t.payee), "ours": t.payer == us,
         "amount": display(t.cents, t.currency, lang), "key": peer_key(t.payee),
         "plain": from_cents(t.cents)}
        for t in owed
    ]  # fmt: skip
    chosen = request.query_params.get("pair")
    values = {
        "peer": next((a for a, _ in peers if peer_key(a) == chosen), ""),
        "amount": request.query_params.get("montant", "")[:20], "reference": "", "way": "paid",
    }  # fmt: skip
    context.setdefault("values", values)
    return await render(
        request, "team/settlements.html", status=status, settlements=rows,
        to_confirm=[r for r in rows if r["state"] == "to_confirm"], peers=peers,
        transfers=transfers, flag=request.query_params.get("fait"),
        error=context.pop("error", None), answer_error=context.pop("answer_error", None),
        **context,
    )  # fmt: skip


@requires(accounts.TEAM)
async def page(request: Request) -> Response:
    return await _page(request)


@requires(accounts.TEAM)
async def declare(request: Request) -> Response:
    """POST: declare a payment to (or from) a peer (`settle --peer --amount --reference`)."""
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    values = {k: form.get(k, "").strip()[:200] for k in ("peer", "amount", "reference", "way")}
    try:
        if not values["reference"]:
            raise ConfigError(
                "settlement without a reference",
                fr="Indiquez la référence du virement : l'autre lieu la cherche sur son "
                "relevé de compte.",
                en="Give the transfer's reference: the other place looks for it on its bank "
                "statement.",
            )
        received = values["way"] == "received"
        await settlement.declare(node_of(request), values["peer"], values["amount"],
                                 values["reference"], received)  # fmt: skip
    except InterlieuxError as error:
        return await _page(request, 400, values=values, error=error.message(language(request)))
    return done("/equipe/reglements", "declare")


@requires(accounts.TEAM)
async def answer(request: Request) -> Response:
    """POST: confirm (the money arrived) or refuse, with a reason, a payment a peer declared
    (`settle --confirm ID` / `--refuse ID`)."""
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    confirm = form.get("decision") == "confirmer"
    reason = " ".join(form.get("reason", "").split())[:REASON_MAX]
    try:
        await settlement.answer(node_of(request), form.get("id", ""), confirm, reason)
    except InterlieuxError as error:
        return await _page(request, 400, answer_error=error.message(language(request)))
    return done("/equipe/reglements", "confirme" if confirm else "refuse")
