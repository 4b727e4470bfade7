"""Crédit Inter-Lieux: credit a place sells to a person or an organisation, spent at any peer.

A sale is cash in and a debt of service to the holder (`credit:<name>`, negative while credit
remains). A visit paid by credit at another place is claimed from the selling place like any
visit; accepting it moves the debt from the holder's account to that place (`exchange`).

An account's overdraft (how far below zero the doors still let its holder in) is the team's
(`--overdraft`) or, for an account opened without one, the `overdraft` rule of the place's
network, which it then follows when the network changes it (`overdraft_from`).
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import tables
from ..access import peering
from ..access.badge import is_peer
from ..access.peering import Network
from ..activity import id_of
from ..actors import local
from ..errors import NotFoundError
from ..governance import rules
from ..outbox.publish import emit
from ..routing import Route
from ..sqlite import Connection
from .books import BANK, CREDIT, Entry, book
from .money import check_currency, from_cents, to_cents

if TYPE_CHECKING:
    from ..context import Node


@dataclass(frozen=True)
class Use:
    when: float
    kind: str  # credit_sale | claim
    cents: int  # > 0 credit added, < 0 credit spent
    place: str | None  # where it was spent
    reference: str | None
    remaining: int


def new_account_name() -> str:
    """A credit account's name that says nothing of who holds it: it travels to the peers'
    doors in every balance and stays in the books after a holder's erasure."""
    return "c-" + secrets.token_hex(4)


def network_overdraft(member_of: Iterable[Network], currency: str) -> tuple[str, int] | None:
    """(network, overdraft in cents) an account in `currency` opens with when the team sets
    none (pure): of the networks the place belongs to whose money it is, the smallest
    overdraft, the first network by id among equals; None when no network says one."""
    found = []
    for network in member_of:
        terms = rules.overdraft(network.rules)
        if terms is not None and terms[1] == currency:
            found.append((terms[0], network.id))
    if not found:
        return None
    cents, network_id = min(found)
    return network_id, cents


async def default_overdraft(db: Connection, currency: str) -> tuple[str, int] | None:
    """(network, cents) a new account in `currency` opens with when the team sets none."""
    rows = await tables.networks.every_network(db)
    return network_overdraft(peering.networks_of(rows), currency)


async def sell(
    node: Node,
    account: str,
    members: list[str],
    amount: str,
    currency: str = "EUR",
    overdraft: str | None = None,
) -> int:
    """Record a sale of credit (cash received); returns what the account now holds, in cents.
    The memo names no one: the books outlive a holder's erasure (the account is on the entry).

    Without `overdraft`, an account keeps its own; a new one opens on the network's (the
    place's network's `overdraft` rule), and follows that rule when the network changes it."""
    cents = to_cents(amount)
    currency = check_currency(currency)
    member_ids = [(await local.by_handle(node.store, m)).id for m in members]
    chosen: tuple[int, str | None] | None = (
        None if overdraft is None else (to_cents(overdraft), None)
    )
    async with node.store.write() as db:
        if chosen is None and not await tables.credit_accounts.exists(db, account):
            default = await default_overdraft(db, currency)
            chosen = (default[1], default[0]) if default else (0, None)
        await tables.credit_accounts.sell(
            db, account, json.dumps(member_ids), currency, chosen, time.time()
        )
        await book(
            db, f"credit_sale:{uuid.uuid4()}", "credit_sale", "Vente de crédit",
            [Entry(BANK, cents, currency, account), Entry(CREDIT + account, -cents, currency)],
        )  # fmt: skip
        await announce(db, node, [account])
    return await remaining(node, account)


async def follow_network(db: Connection, node: Node, network: str, rules_now: Any) -> list[str]:
    """A network's rules changed: the accounts opened on its overdraft take the new one, and
    their balances go to the peers again (their doors read the overdraft from them)."""
    terms = rules.overdraft(rules_now) if isinstance(rules_now, dict) else None
    if terms is None:
        return []
    changed = await tables.credit_accounts.follow_network(db, network, terms[0])
    await announce(db, node, changed)
    return changed


async def network_left(db: Connection, network: str) -> None:
    """Our place left `network`: accounts opened on its overdraft keep it, as their own."""
    await tables.credit_accounts.stop_following(db, network)


BALANCE = "tl:CreditBalance"


async def announce(db: Connection, node: Node, accounts: Iterable[str]) -> None:
    """Tell the peers what credit accounts hold, so that their doors can refuse a holder whose
    credit is spent. Sent to peers only: a balance is nobody else's business."""
    peers = await tables.peers.every_peer(db)
    if not peers:
        return
    place = await local.by_handle(node.store, node.config.handle)
    for account in dict.fromkeys(accounts):
        held = await tables.credit_accounts.holding(db, account)
        if held is None:
            continue
        currency, overdraft, left = held
        now = time.time()
        await emit(db, node, place, {
            "type": "Create",
            "actor": place.id,
            "to": peers,
            "object": {
                "id": f"{place.id}/credit/{uuid.uuid4()}",
                "type": BALANCE,
                "attributedTo": place.id,
                "tl:account": account,
                "tl:remaining": from_cents(left),
                "tl:overdraft": from_cents(overdraft),
                "tl:currency": currency,
                "tl:asOf": now,
                "to": peers,
            },
        })  # fmt: skip


async def _peer_balance(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """A peer's account balance, kept only if newer than what we have (deliveries may cross)."""
    issuer = id_of(activity["actor"])
    if not await is_peer(db, issuer):
        return
    balance = activity["object"]
    await tables.peer_credit.update(
        db, str(issuer), str(balance["tl:account"]), to_cents(str(balance["tl:remaining"])),
        to_cents(str(balance["tl:overdraft"])), str(balance["tl:currency"]),
        float(balance["tl:asOf"]),
    )  # fmt: skip


async def remaining(node: Node, account: str) -> int:
    return -await tables.ledger.balance(node.store.reads, CREDIT + account)


async def statement(node: Node, account: str) -> tuple[str, list[Use]]:
    """Every sale and every use of the account, oldest first, with what remained after it."""
    currency = await tables.credit_accounts.currency_of(node.store.reads, account)
    if currency is None:
        raise NotFoundError(
            f"no credit account {account!r}",
            fr=f"Aucun compte de crédit « {account} » : « interlieux credit sell --account "
            f"{account} … » le crée.",
            en=f"No credit account '{account}': 'interlieux credit sell --account {account} …'"
            " creates it.",
        )
    rows = await tables.ledger.account_statement(node.store.reads, CREDIT + account)
    uses: list[Use] = []
    left = 0
    for r in rows:
        left -= r["amount_cents"]
        uses.append(Use(r["booked_at"], r["kind"], -r["amount_cents"], r["peer"],
                        r["reference"], left))  # fmt: skip
    return currency, uses


ACTIVITY_ROUTES = [Route("Create", BALANCE, on_receive=_peer_balance)]
