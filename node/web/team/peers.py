"""`/equipe/pairs`: the places whose badges this place honours, the terms agreed with each
(price per visit, currency), added or changed as `interlieux peer add` does; and, per peer,
`/equipe/pairs/<clé>`: the ledger with that place (its entries and balance) and its CSV.
A peer a network made (node/access/peering.py) says so; it stays while both places are
members, and a rate saved for it here becomes a bilateral agreement."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ... import tables
from ...access import badge
from ...actors.names import display_name
from ...actors.routes import node_of
from ...errors import InterlieuxError, NotFoundError
from ...ledger import books
from ...ledger.money import check_currency, display, from_cents, to_cents
from ...people import accounts
from .. import i18n
from ..gate import member_form, refused, requires
from ..headers import no_store
from ..render import language, render
from .actions import done
from .operations import at

i18n.english(
    {
        "Lieux pairs": "Peer places",
        "Les lieux dont ce lieu honore les badges, et le prix convenu par passage de leurs "
        "membres : c'est ce tarif que portent les réclamations.": (
            "The places whose badges this place honours, and the agreed price per visit of "
            "their members: claims carry this rate."
        ),
        "Lieu": "Place",
        "Prix par passage": "Price per visit",
        "Solde": "Balance",
        "Actions": "Actions",
        "Comptes": "Ledger",
        "Modifier": "Edit",
        "Retirer": "Remove",
        "Aucun pair pour l'instant : ajoutez-en un ci-dessous.": "No peer yet: add one below.",
        "Ajouter un pair ou changer son tarif": "Add a peer or change its rate",
        "Adresse de l'acteur du lieu": "Address of the place's actor",
        "Par exemple https://lieu.exemple/actors/lieu ; son nœud doit être en marche.": (
            "For example https://place.example/actors/place; its node must be running."
        ),
        "Prix convenu par passage": "Agreed price per visit",
        "Par exemple 5,00 ; 0 si les passages ne sont pas facturés.": (
            "For example 5.00; 0 if visits are not charged."
        ),
        "Devise": "Currency",
        "Enregistrer le pair": "Save the peer",
        "Pair enregistré : ses badges sont honorés ici et un abonnement lui est envoyé.": (
            "Peer saved: its badges are honoured here and a follow was sent to it."
        ),
        "Pair retiré : ses badges ne sont plus honorés ici.": (
            "Peer removed: its badges are no longer honoured here."
        ),
        "Accord bilatéral retiré : ce lieu reste un pair par votre réseau commun, au tarif du "
        "réseau.": (
            "Bilateral agreement removed: this place stays a peer through your shared network, "
            "at the network's rate."
        ),
        "Conditions": "Terms",
        "Accord bilatéral": "Bilateral agreement",
        "Tarif du réseau": "The network's rate",
        "Pair par le réseau tant que vos deux lieux en sont membres ; un tarif enregistré ici "
        "devient un accord bilatéral, qui prime sur celui du réseau.": (
            "A peer through the network while both places are members; a rate saved here "
            "becomes a bilateral agreement, which takes precedence over the network's."
        ),
        "positif : le lieu vous doit ; négatif : vous lui devez": (
            "positive: the place owes you; negative: you owe it"
        ),
        "Comptes avec": "Ledger with",
        "Écritures": "Entries",
        "Date": "Date",
        "Nature": "Kind",
        "Libellé": "Description",
        "Montant": "Amount",
        "Référence": "Reference",
        "Aucune écriture avec ce lieu pour l'instant.": "No entry with this place yet.",
        "Télécharger les écritures (CSV)": "Download the entries (CSV)",
        "Retour aux lieux pairs": "Back to the peer places",
        "réclamation": "claim",
        "règlement": "settlement",
        "vente de crédit": "credit sale",
        "vous doit": "owes you",
        "vous lui devez": "you owe it",
        "soldé": "settled",
    }
)

KEY_LENGTH = 16  # hex digits of a peer's key in its page's URL (an actor id is a whole URL)
KINDS = {"claim": "réclamation", "settlement": "règlement", "credit_sale": "vente de crédit"}


def peer_key(actor_id: str) -> str:
    """The short, stable name of a peer in its page's URL (pure)."""
    return hashlib.sha256(actor_id.encode()).hexdigest()[:KEY_LENGTH]


@dataclass(frozen=True)
class PeerRow:
    actor_id: str
    key: str
    name: str
    rate: str  # as a person reads it: "5,00 EUR"
    rate_text: str  # as the form takes it back: "5.00"
    currency: str
    balances: list[str]
    network: str | None = None  # the network whose rules set the terms; None: bilateral
    network_name: str = ""


async def _rows(request: Request) -> list[PeerRow]:
    node = node_of(request)
    lang = language(request)
    owed: dict[str, list[str]] = {}
    for b in await books.peer_balances(node.store):
        owed.setdefault(b.peer, []).append(display(b.cents, b.currency, lang))
    rows = []
    for peer in await tables.peers.listing(node.store.reads):
        try:
            rate = display(to_cents(peer.visit_rate), peer.currency, lang)
        except InterlieuxError:
            rate = f"{peer.visit_rate} {peer.currency}"  # stored by an older CLI as typed
        network = peer.terms_from
        rows.append(PeerRow(
            peer.actor_id, peer_key(peer.actor_id),
            await display_name(node.store.reads, peer.actor_id), rate, peer.visit_rate,
            peer.currency, owed.get(peer.actor_id, []), network,
            await display_name(node.store.reads, network) if network else "",
        ))  # fmt: skip
    return rows


async def _page(request: Request, status: int = 200, **context: Any) -> Response:
    rows = await _rows(request)
    editing = request.query_params.get("modifier")
    values = next(
        ({"actor": r.actor_id, "rate": r.rate_text, "currency": r.currency}
         for r in rows if r.key == editing),
        {"actor": "", "rate": "", "currency": "EUR"},
    )  # fmt: skip
    context.setdefault("values", values)
    context.setdefault("error", None)
    return await render(request, "team/peers.html", status=status, peers=rows,
                        flag=request.query_params.get("fait"), **context)  # fmt: skip


@requires(accounts.TEAM)
async def page(request: Request) -> Response:
    """GET: the peers and the form; POST: add a peer or change its terms (`peer add`)."""
    if request.method == "GET":
        return await _page(request)
    try:
        _, form = await member_form(request)
    except InterlieuxError as error:
        return await refused(request, error)
    values = {k: form.get(k, "").strip()[:500] for k in ("actor", "rate", "currency")}
    try:
        rate = from_cents(to_cents(values["rate"] or "0"))
        currency = check_currency(values["currency"] or "EUR")
        await badge.add_peer(node_of(request), values["actor"], rate, currency)
    except InterlieuxError as error:
        return await _page(request, 400, values=values,
                           error=error.message(language(request)))  # fmt: skip
    return done("/equipe/pairs", "ajoute")


@requires(accounts.TEAM)
async def remove(request: Request) -> Response:
    """POST: stop honouring a place's badges (`peer remove`)."""
    try:
        _, form = await member_form(request)
        network = await badge.remove_peer(node_of(request), form.get("actor", ""))
    except InterlieuxError as error:
        return await refused(request, error)
    return done("/equipe/pairs", "retire" if network is None else "reseau")


async def _peer(request: Request) -> str:
    key = request.path_params["key"]
    for peer in await tables.peers.every_peer(node_of(request).store.reads):
        if peer_key(peer) == key:
            return peer
    raise NotFoundError(
        f"no peer {key}",
        fr="Ce lieu n'est pas (ou plus) un pair : retrouvez-le dans la liste des lieux pairs.",
        en="This place is not (or no longer) a peer: find it in the list of peer places.",
    )


@requires(accounts.TEAM)
async def ledger_page(request: Request) -> Response:
    """The ledger with one peer: every entry on its account, and the balance."""
    node = node_of(request)
    lang = language(request)
    try:
        actor = await _peer(request)
    except InterlieuxError as error:
        return await refused(request, error)
    entries = await tables.ledger.account_entries(node.store.reads, books.PEER + actor)
    totals: dict[str, int] = {}
    for e in entries:
        totals[e["currency"]] = totals.get(e["currency"], 0) + int(e["amount_cents"])
    balances = [
        (display(cents, currency, lang),
         "vous doit" if cents > 0 else "vous lui devez" if cents < 0 else "soldé")
        for currency, cents in sorted(totals.items())
    ]  # fmt: skip
    shown = [
        {"when": at(request, e["booked_at"]), "kind": KINDS.get(e["kind"], e["kind"]),
         "memo": e["memo"], "amount": display(int(e["amount_cents"]), e["currency"], lang),
         "reference": e["reference"] or ""}
        for e in entries
    ]  # fmt: skip
    return await render(request, "team/peer_ledger.html", actor=actor,
                        name=await display_name(node.store.reads, actor),
                        key=peer_key(actor), entries=shown, balances=balances)  # fmt: skip


@requires(accounts.TEAM)
async def ledger_csv(request: Request) -> Response:
    node = node_of(request)
    try:
        actor = await _peer(request)
    except InterlieuxError as error:
        return await refused(request, error)
    account = books.PEER + actor
    text = books.entries_csv(await tables.ledger.account_entries(node.store.reads, account),
                             account)  # fmt: skip
    name = f"ecritures-{request.path_params['key']}.csv"
    disposition = {"content-disposition": f'attachment; filename="{name}"'}
    return no_store(Response(text, media_type="text/csv; charset=utf-8",
                             headers=disposition))  # fmt: skip
