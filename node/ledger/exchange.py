"""Claims between places as activities: the visited place sends an `Offer` of a `tl:Claim`; the
home place checks it and answers `Accept` (the lines that hold) and `Reject` (the others, each
with its reason); each side books what was accepted, in the transaction that learns it.

Idempotence: a claim id is taken once on the home place (`claims` primary key), a line moves
from pending once on the visited place, and every booking is keyed by the activity that caused
it; so a claim or an answer delivered twice, or re-applied after a crash, counts once. A claim
id received again with other lines is not the same claim: it is answered with a `Reject` whose
reason is `conflict`, and nothing of it is kept.

The home place records when it first hears of each visit of its members (`_visit_reported`,
the visited place's report at tap time): what `claim.check` measures the report window to.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import tables
from ..access.badge import VISIT
from ..activity import id_of, type_of
from ..actors import local
from ..actors.proof_keys import proof_keys
from ..config import NodeConfig
from ..errors import ConfigError, InvalidActivity, SignatureError
from ..fetch import same_origin
from ..outbox.publish import emit
from ..routing import Route
from ..sqlite import Connection
from . import claim as claims
from . import credit, proof
from .books import CREDIT, EXPENSE, INCOME, PEER, Entry, book
from .money import from_cents, to_cents

if TYPE_CHECKING:
    from ..context import Node

log = logging.getLogger(__name__)


def _fault(name: str) -> None:
    """Fault injection for the federation tests: die like kill -9 at a named point.

    Only `INTERLIEUX_FAULT` set by a test triggers it; it is how a test kills a node in the
    middle of applying a claim, which no timing from outside can hit reliably."""
    if os.environ.get("INTERLIEUX_FAULT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


# --- sending (the visited place) -----------------------------------------------------------


@dataclass(frozen=True)
class SentClaim:
    claim_id: str
    peer: str
    lines: int
    total_cents: int
    currency: str


@dataclass(frozen=True)
class Skipped:
    peer: str
    visits: int
    why: str  # "not_peer"


async def send_claims(
    node: Node, period: str, now: float | None = None
) -> tuple[list[SentClaim], list[Skipped]]:
    """One claim per home place whose members visited in `period` and that has no claim yet
    for those visits. Stored and queued in one transaction: the delivery queue does the rest."""
    start, end = claims.period_bounds(period)
    now = time.time() if now is None else now
    place = await local.by_handle(node.store, node.config.handle)
    key = place.keys.ed25519_private
    sent: list[SentClaim] = []
    skipped: list[Skipped] = []
    async with node.store.write() as db:
        rows = await tables.claims.unclaimed_visits(db, start, end, place.id)
        by_issuer: dict[str, list[Any]] = defaultdict(list)
        for row in rows:
            by_issuer[row["issuer"]].append(row)
        for issuer, visits in by_issuer.items():
            peer = await tables.peers.agreed_terms(db, issuer)
            if peer is None:
                skipped.append(Skipped(issuer, len(visits), "not_peer"))
                continue
            rate = to_cents(peer[0])
            currency = peer[1]
            lines = [
                claims.Line(v["id"], v["visited_at"], v["grant_id"], v["member"], rate)
                for v in visits
            ]
            claim_id = f"{node.config.base_url}/claims/{uuid.uuid4()}"
            document = claims.build(claim_id, place.id, issuer, period, rate, currency, lines, now)
            signed = proof.sign(document, key, place.ed25519_key_id)
            offer = await emit(db, node, place, {
                "type": "Offer", "actor": place.id, "object": signed, "to": [issuer],
                "summary": f"Réclamation {period} : {len(lines)} passage(s), "
                f"{from_cents(rate * len(lines))} {currency}",
            })  # fmt: skip
            total = rate * len(lines)
            await tables.claims.add_sent(
                db, claim_id, offer["id"], issuer, period, rate, currency, total,
                json.dumps(signed), now,
                [(ln.visit, ln.grant, ln.visited_at, ln.amount_cents) for ln in lines],
            )  # fmt: skip
            sent.append(SentClaim(claim_id, issuer, len(lines), total, currency))
    return sent, skipped


async def waiting_visits(node: Node, period: str) -> int:
    """Visits of the period not claimable yet: their report is still on its way."""
    start, end = claims.period_bounds(period)
    return await tables.claims.count_unreported_visits(node.store.reads, start, end)


# --- checking and answering (the home place) -----------------------------------------------


def rules(config: NodeConfig) -> claims.Rules:
    return claims.Rules(
        report_window=config.claim_report_window_hours * 3600,
        visit_spacing=config.claim_visit_spacing_hours * 3600,
    )


async def _facts(
    db: Connection, place_id: str, sender: str, claim: dict[str, Any], terms: claims.Rules
) -> claims.Facts:
    lines = claim.get("tl:lines") or []
    visit_ids = [str(line.get("tl:visit")) for line in lines if isinstance(line, dict)]
    heard = await tables.visit_reports.received_at(db, visit_ids)
    visits_known = {
        r[0]: claims.KnownVisit(*r, reported_at=heard.get(r[0]))
        for r in await tables.visits.reported_to_us(db, visit_ids)
    }
    grant_ids = list({v.grant for v in visits_known.values()})
    # The sender's other reports of these grants that may start the stay a claimed visit
    # continues: from one spacing before the period (a stay may cross midnight of the 1st).
    start, end = claims.period_bounds(str(claim.get("tl:period")))
    neighbours = tuple(
        claims.KnownVisit(*r)
        for r in await tables.visit_reports.around(
            db, sender, grant_ids, start - terms.visit_spacing, end
        )
    )
    grants_known = {r[0]: claims.KnownGrant(*r) for r in await tables.grants.terms(db, grant_ids)}
    claimed = await tables.claims.accepted_visits(db, visit_ids)
    peer = await tables.peers.agreed_terms(db, sender)
    return claims.Facts(
        place=place_id,
        visits=visits_known,
        grants=grants_known,
        claimed=claimed,
        agreed_rate_cents=to_cents(peer[0]) if peer else None,
        agreed_currency=peer[1] if peer else None,
        rules=terms,
        neighbours=neighbours,
    )


async def _signature_ok(node: Node, sender: str, claim: dict[str, Any]) -> bool:
    try:
        # The sender's key as its signed request left it cached: no fetch in the transaction.
        method = proof.verify(claim, await proof_keys(node, claim, fetch=False))
    except SignatureError as exc:
        log.warning("claim %s refused: %s", claim.get("id"), exc.log)
        return False
    return method.split("#")[0] == sender


def _offer_reference(activity: dict[str, Any], object_type: str) -> dict[str, Any]:
    return claim_reference(activity["id"], str(id_of(activity["actor"])),
                           str(id_of(activity["object"])), object_type)  # fmt: skip


def claim_reference(
    offer_id: str, sender: str, claim_id: str, object_type: str = claims.CLAIM
) -> dict[str, Any]:
    """The Offer an answer is about, as the answer names it."""
    return {"id": offer_id, "type": "Offer", "actor": sender,
            "object": {"id": claim_id, "type": object_type}}  # fmt: skip


@dataclass(frozen=True)
class Accepted:
    """A line of a received claim accepted: what it books."""

    visit: str
    amount_cents: int
    credit_account: str | None  # the credit account it debits; None: the place's own budget


async def book_accepted(
    db: Connection, node: Node, source: str, sender: str, claim_id: str, period: str,
    currency: str, lines: list[Accepted],
) -> None:  # fmt: skip
    """The home place's books for accepted lines (one transaction, once per `source`): each
    visit's cost to the credit account that paid it or to our expenses, our debt to the
    sender; and the credit accounts' new balances to the peers. The same whether the node
    accepted the lines on arrival or the team confirmed them later."""
    entries = [
        Entry(CREDIT + ln.credit_account if ln.credit_account else EXPENSE, ln.amount_cents,
              currency, ln.visit)
        for ln in lines
    ]  # fmt: skip
    entries.append(Entry(PEER + sender, -sum(ln.amount_cents for ln in lines), currency, claim_id))
    await book(db, source, "claim", f"Réclamation {period}", entries)
    spent = [ln.credit_account for ln in lines if ln.credit_account]
    if spent:
        await credit.announce(db, node, spent)


def accept_answer(
    place: str, reference: dict[str, Any], claim_id: str, period: str, currency: str,
    lines: list[Accepted],
) -> dict[str, Any]:  # fmt: skip
    """The Accept of some lines of a claim (all of them, or those decided now)."""
    return {
        "type": "Accept", "actor": place, "object": reference, "to": [reference["actor"]],
        "tl:claim": claim_id, "tl:lines": [ln.visit for ln in lines],
        "tl:total": from_cents(sum(ln.amount_cents for ln in lines)), "tl:currency": currency,
        "summary": f"{len(lines)} passage(s) accepté(s) pour {period}",
    }  # fmt: skip


def reject_answer(
    place: str, reference: dict[str, Any], claim_id: str, period: str,
    refused: list[dict[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    """The Reject of some lines of a claim, each `{"tl:visit", "tl:reason", "summary"}`."""
    return {
        "type": "Reject", "actor": place, "object": reference, "to": [reference["actor"]],
        "tl:claim": claim_id, "tl:lines": refused,
        "summary": f"{len(refused)} passage(s) refusé(s) pour {period}",
    }  # fmt: skip


def refused_line(visit: str, reason: str) -> dict[str, Any]:
    return {"tl:visit": visit, "tl:reason": reason,
            "summary": claims.REASONS_FR.get(reason, reason)}  # fmt: skip


async def _claim_received(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    claim = activity["object"]
    sender = str(id_of(activity["actor"]))
    claim_id = id_of(claim)
    if claim_id is None or id_of(claim.get("attributedTo")) != sender:
        raise InvalidActivity(f"claim {claim_id} is not attributed to its sender {sender}")
    if not same_origin(claim_id, sender):
        raise InvalidActivity(f"claim {claim_id} is not on {sender}'s origin")
    place = await local.by_handle(node.store, node.config.handle)
    known = await tables.claims.document(db, claim_id)
    if known is not None:
        # A claim is applied once; a corrected claim has a new id. The same id with other
        # lines is not a re-sending: answered, so the sender cannot believe them accepted.
        if not claims.same_claim(json.loads(known), claim):
            log.warning("claim %s received again from %s with other lines: conflict",
                        claim_id, sender)  # fmt: skip
            await emit(db, node, place, {
                "type": "Reject", "actor": place.id, "to": [sender],
                "object": _offer_reference(activity, claims.CLAIM),
                "tl:claim": claim_id, "tl:reason": "conflict",
                "summary": claims.REASONS_FR["conflict"],
            })  # fmt: skip
        return
    try:
        facts = await _facts(db, place.id, sender, claim, rules(node.config))
        checked = claims.check(claim, facts, await _signature_ok(node, sender, claim))
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidActivity(f"malformed claim {claim_id}: {exc!r}") from exc
    except ConfigError as exc:
        raise InvalidActivity(f"malformed claim {claim_id}: {exc.log}") from exc
    # A place that answers by hand holds the lines that pass the checks for its team
    # (`review.decide`); those that fail are refused at once all the same.
    manual = await tables.claim_reviews.manual_for(db, sender)
    held = "pending" if manual else "accepted"
    now = time.time()
    await tables.claims.add_received(
        db, claim_id, activity["id"], sender, checked.period, checked.rate_cents,
        checked.currency, sum(v.line.amount_cents for v in checked.verdicts), json.dumps(claim),
        now,
        [
            (v.line.visit, v.line.grant, v.line.visited_at, v.line.amount_cents,
             v.credit_account, held if v.accepted else "rejected",
             None if v.accepted else v.reason)
            for v in checked.verdicts
            if v.reason != "duplicate_line"  # the first copy of the line holds its row
        ],
    )  # fmt: skip
    accepted = [] if manual else [
        Accepted(v.line.visit, v.line.amount_cents, v.credit_account) for v in checked.accepted
    ]  # fmt: skip
    if accepted:
        await book_accepted(db, node, f"claim:{claim_id}", sender, claim_id, checked.period,
                            checked.currency, accepted)  # fmt: skip
    _fault("kill-while-applying-claim")
    reference = _offer_reference(activity, claims.CLAIM)
    if accepted:
        await emit(db, node, place, accept_answer(
            place.id, reference, claim_id, checked.period, checked.currency, accepted))  # fmt: skip
    if checked.refused:
        await emit(db, node, place, reject_answer(
            place.id, reference, claim_id, checked.period,
            [refused_line(v.line.visit, v.reason) for v in checked.refused]))  # fmt: skip


# --- answers (the visited place) -----------------------------------------------------------


async def _sent_claim(db: Connection, activity: dict[str, Any]) -> tuple[str, str, str] | None:
    """(claim id, currency, peer) of the claim this answer is about, if we sent it to them."""
    offer_id = id_of(activity.get("object"))
    row = await tables.claims.sent_by_offer(db, offer_id)
    if row is None or row[2] != id_of(activity["actor"]):
        return None  # not ours, or answered by a place it was not sent to
    return row[0], row[1], row[2]


async def _claim_accepted(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    found = await _sent_claim(db, activity)
    if found is None:
        return
    claim_id, currency, peer = found
    visits = [str(v) for v in activity.get("tl:lines") or [] if isinstance(v, str)]
    total = 0
    entries = []
    for visit in visits:
        amount = await tables.claims.accept_line(db, claim_id, visit)
        if amount is not None:  # a line moves once: a second Accept of it books nothing
            total += amount
            entries.append(Entry(INCOME, -amount, currency, visit))
    entries.append(Entry(PEER + peer, total, currency, claim_id))
    await book(db, f"accept:{activity['id']}", "claim", "Réclamation acceptée", entries)
    await tables.claims.mark_answered(db, claim_id, time.time())
    _fault("kill-while-applying-answer")


async def _claim_rejected(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    found = await _sent_claim(db, activity)
    if found is None:
        return
    claim_id = found[0]
    if activity.get("tl:reason") == "conflict":
        log.warning("%s answers that claim %s conflicts with one it had", found[2], claim_id)
    now = time.time()
    for line in activity.get("tl:lines") or []:
        if not isinstance(line, dict):
            continue
        visit, reason = str(line.get("tl:visit")), str(line.get("tl:reason", ""))
        moved = await tables.claims.reject_line(db, claim_id, visit, reason)
        words = line.get("content")
        if moved and reason == claims.DISPUTED and isinstance(words, str):
            # The peer's team disputed the line by hand: its words are what ours reads.
            note = words.strip()[: claims.MAX_NOTE]
            await tables.claim_reviews.record(db, claim_id, [(visit, "rejected", note)], None,
                                              now)  # fmt: skip
    await tables.claims.mark_answered(db, claim_id, now)


async def _visit_reported(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    """A peer reports a visit of one of our members (at tap time): remember when we first heard
    of it, which is what a claim's report window is measured to. The badges domain, earlier in
    the routing table, kept the visit or not; only a kept one is recorded.

    Hook for the door's signature on the tap report (issue 10, `access-trust`): a report whose
    door signature fails is not kept as a visit by the badges domain, so it is not recorded
    here either and a claim line for it is refused (`unknown_visit`)."""
    visit_id = id_of(activity.get("object"))
    if visit_id is not None:
        await tables.visit_reports.record(db, visit_id, str(id_of(activity["actor"])), time.time())


def claim_state(lines: list[str]) -> str:
    """A claim's state from its lines' states: waiting, accepted, partial, rejected."""
    if not lines or "pending" in lines:
        return "waiting" if all(s == "pending" for s in lines) else "partial_waiting"
    if all(s == "accepted" for s in lines):
        return "accepted"
    if all(s == "rejected" for s in lines):
        return "rejected"
    return "partial"


def is_claim(document: Any) -> bool:
    return type_of(document) == claims.CLAIM


ACTIVITY_ROUTES = [
    Route("Create", VISIT, on_receive=_visit_reported),
    Route("Offer", claims.CLAIM, on_receive=_claim_received),
    Route("Accept", "Offer", on_receive=_claim_accepted),
    Route("Reject", "Offer", on_receive=_claim_rejected),
]
