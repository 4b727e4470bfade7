"""Settlements: a payment made outside the network (a bank transfer), declared by one side as an
`Offer` of a `tl:Settlement` and confirmed by the other's `Accept`. Both sides book it only once
it is confirmed, so the two books never disagree on a payment one side has not seen."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import tables
from ..activity import id_of
from ..actors import local
from ..errors import ConfigError, InvalidActivity, NotFoundError
from ..fetch import same_origin
from ..outbox.publish import emit
from ..routing import Route
from ..sqlite import Connection
from .books import BANK, PEER, Entry, book
from .money import from_cents, to_cents

if TYPE_CHECKING:
    from ..context import Node

SETTLEMENT = "tl:Settlement"


@dataclass(frozen=True)
class Declared:
    settlement_id: str
    payer: str
    payee: str
    cents: int
    currency: str


def _entries(us: str, payer: str, payee: str, cents: int, currency: str, ref: str) -> list[Entry]:
    """A payment from payer to payee, as our books see it: the peer's debt moves, cash too."""
    if us == payer:  # we paid: the peer owes us more (or we owe it less)
        return [Entry(PEER + payee, cents, currency, ref), Entry(BANK, -cents, currency, ref)]
    return [Entry(BANK, cents, currency, ref), Entry(PEER + payer, -cents, currency, ref)]


async def declare(
    node: Node, peer: str, amount: str, reference: str, received: bool = False
) -> Declared:
    place = await local.by_handle(node.store, node.config.handle)
    cents = to_cents(amount)
    if cents <= 0:
        raise ConfigError(
            "settlement amount must be positive",
            fr="Le montant d'un règlement doit être positif (par exemple 10.00).",
            en="A settlement's amount must be positive (for example 10.00).",
        )
    terms = await tables.peers.agreed_terms(node.store.reads, peer)
    if terms is None:
        raise ConfigError(
            f"{peer} is not a peer",
            fr=f"{peer} n'est pas un lieu pair : vérifiez l'adresse (« interlieux peer list »).",
            en=f"{peer} is not a peer place: check the address ('interlieux peer list').",
        )
    currency = terms[1]
    payer, payee = (peer, place.id) if received else (place.id, peer)
    sid = f"{node.config.base_url}/settlements/{uuid.uuid4()}"
    document = {
        "id": sid, "type": SETTLEMENT, "attributedTo": place.id,
        "tl:payer": payer, "tl:payee": payee, "tl:amount": from_cents(cents),
        "tl:currency": currency, "tl:reference": reference, "to": [peer],
        "summary": f"Règlement de {from_cents(cents)} {currency} ({reference})",
    }  # fmt: skip
    async with node.store.write() as db:
        offer = await emit(db, node, place, {
            "type": "Offer", "actor": place.id, "object": document, "to": [peer],
        })  # fmt: skip
        await tables.settlements.add(
            db, sid, "sent", offer["id"], peer, payer, payee, cents, currency, reference,
            "pending", time.time(),
        )  # fmt: skip
    return Declared(sid, payer, payee, cents, currency)


async def _settlement_received(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    document = activity["object"]
    sender = str(id_of(activity["actor"]))
    sid = id_of(document)
    if sid is None or not same_origin(sid, sender):
        raise InvalidActivity(f"settlement {sid} is not on {sender}'s origin")
    if await tables.settlements.exists(db, sid):
        return  # applied once
    place = await local.by_handle(node.store, node.config.handle)
    peer = await tables.peers.agreed_terms(db, sender)
    payer, payee = str(document.get("tl:payer")), str(document.get("tl:payee"))
    try:
        cents = to_cents(str(document.get("tl:amount")))
    except ConfigError:
        cents = 0
    currency = str(document.get("tl:currency"))
    reason = None
    if peer is None:
        reason = "not_peer"
    elif {payer, payee} != {sender, place.id} or cents <= 0 or currency != peer[1]:
        reason = "malformed"
    # A valid declaration waits for the team, who checks its bank account: a peer cannot
    # erase its debt by declaring a transfer it never made.
    await tables.settlements.add(
        db, str(sid), "received", activity["id"], sender, payer, payee, cents, currency,
        str(document.get("tl:reference", "")), "refused" if reason else "to_confirm",
        time.time(),
    )  # fmt: skip
    if reason is not None:
        await emit(db, node, place, {"type": "Reject", "actor": place.id,
                                     "object": _reference(activity["id"], sender, sid),
                                     "to": [sender], "tl:reason": reason})  # fmt: skip


def _reference(offer_id: str, sender: str, sid: str) -> dict[str, Any]:
    return {"id": offer_id, "type": "Offer", "actor": sender,
            "object": {"id": sid, "type": SETTLEMENT}}  # fmt: skip


async def answer(node: Node, sid: str, confirm: bool, reason: str = "") -> dict[str, Any]:
    """The team confirms (the money arrived) or refuses a payment a peer declared; a refusal
    may say why in the team's words (`reason`, the Reject's summary)."""
    place = await local.by_handle(node.store, node.config.handle)
    async with node.store.write() as db:
        row = await tables.settlements.to_confirm(db, sid)
        if row is None:
            raise NotFoundError(
                f"no settlement {sid} waiting",
                fr=f"Aucun règlement « {sid} » en attente de confirmation "
                "(« interlieux settle --list » les montre).",
                en=f"No settlement '{sid}' waiting for confirmation ('interlieux settle --list').",
            )
        reference = _reference(row["offer_id"], row["peer"], sid)
        if confirm:
            await book(db, f"settlement:{sid}", "settlement", f"Règlement {row['reference']}",
                       _entries(place.id, row["payer"], row["payee"], row["amount_cents"],
                                row["currency"], sid))  # fmt: skip
            await emit(db, node, place, {"type": "Accept", "actor": place.id,
                                         "object": reference, "to": [row["peer"]],
                                         "tl:settlement": sid})  # fmt: skip
        else:
            await emit(db, node, place, {"type": "Reject", "actor": place.id,
                                         "object": reference, "to": [row["peer"]],
                                         "tl:reason": "not_received",
                                         **({"summary": reason} if reason else {})})  # fmt: skip
        await tables.settlements.set_state(db, sid, "confirmed" if confirm else "refused")
    return dict(row)


async def _sent(db: Connection, activity: dict[str, Any]) -> Any:
    return await tables.settlements.sent_pending(
        db, id_of(activity.get("object")), id_of(activity["actor"])
    )


async def _settlement_confirmed(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    row = await _sent(db, activity)
    if row is None:
        return
    await tables.settlements.set_state(db, row["id"], "confirmed")
    await book(db, f"settlement:{row['id']}", "settlement", f"Règlement {row['reference']}",
               _entries(node.config.place_id, row["payer"], row["payee"], row["amount_cents"],
                        row["currency"], row["id"]))  # fmt: skip


async def _settlement_refused(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    row = await _sent(db, activity)
    if row is not None:
        await tables.settlements.set_state(db, row["id"], "refused")


ACTIVITY_ROUTES = [
    Route("Offer", SETTLEMENT, on_receive=_settlement_received),
    Route("Accept", "Offer", on_receive=_settlement_confirmed),
    Route("Reject", "Offer", on_receive=_settlement_refused),
]
