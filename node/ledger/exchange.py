"""Claims between places as activities: the visited place sends an `Offer` of a `tl:Claim`; the
home place checks it and answers `Accept` (the lines that hold) and `Reject` (the others, each
with its reason); each side books what was accepted, in the transaction that learns it.

Idempotence: a claim id is taken once on the home place (`claims` primary key), a line moves
from pending once on the visited place, and every booking is keyed by the activity that caused
it; so a claim or an answer delivered twice, or re-applied after a crash, counts once.
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

from ..activity import id_of, type_of
from ..actors import local
from ..errors import ConfigError, InvalidActivity, SignatureError
from ..fetch import same_origin
from ..outbox.publish import emit
from ..queues import DeliveryState
from ..routing import Route
from ..sqlite import Connection
from ..tables import remote_actors
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

# A visit whose report (the Create of the tl:Visit) has not reached every recipient yet: the
# home place would refuse it as unknown, so it waits for a later claim.
_UNDELIVERED = (
    "SELECT 1 FROM activities a JOIN deliveries d ON d.activity_id = a.id"
    f" WHERE a.object_id = v.id AND a.type = 'Create' AND d.state = '{DeliveryState.PENDING}'"
)


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
        async with db.execute(
            "SELECT v.id, v.grant_id, v.issuer, v.member, v.visited_at FROM visits v"
            " WHERE v.local = 1 AND v.visited_at >= ? AND v.visited_at < ? AND v.issuer != ?"
            " AND NOT EXISTS (SELECT 1 FROM claim_lines l JOIN claims c ON c.id = l.claim_id"
            "   WHERE c.direction = 'sent' AND l.visit_id = v.id)"
            f" AND NOT EXISTS ({_UNDELIVERED})"
            " ORDER BY v.issuer, v.visited_at",
            (start, end, place.id),
        ) as cur:
            rows = await cur.fetchall()
        by_issuer: dict[str, list[Any]] = defaultdict(list)
        for row in rows:
            by_issuer[row["issuer"]].append(row)
        for issuer, visits in by_issuer.items():
            async with db.execute(
                "SELECT visit_rate, currency FROM peers WHERE actor_id = ?", (issuer,)
            ) as cur:
                peer = await cur.fetchone()
            if peer is None:
                skipped.append(Skipped(issuer, len(visits), "not_peer"))
                continue
            rate = to_cents(peer["visit_rate"])
            currency = peer["currency"]
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
            await db.execute(
                "INSERT INTO claims (id, direction, offer_id, peer, period, rate_cents, currency,"
                " total_cents, document, created_at) VALUES (?, 'sent', ?,?,?,?,?,?,?,?)",
                (claim_id, offer["id"], issuer, period, rate, currency, total,
                 json.dumps(signed), now),
            )  # fmt: skip
            await db.executemany(
                "INSERT INTO claim_lines (claim_id, visit_id, grant_id, visited_at,"
                " amount_cents) VALUES (?,?,?,?,?)",
                [(claim_id, ln.visit, ln.grant, ln.visited_at, ln.amount_cents) for ln in lines],
            )
            sent.append(SentClaim(claim_id, issuer, len(lines), total, currency))
    node.delivery.wake()
    return sent, skipped


async def waiting_visits(node: Node, period: str) -> int:
    """Visits of the period not claimable yet: their report is still on its way."""
    start, end = claims.period_bounds(period)
    row = await node.store.one(
        "SELECT COUNT(*) FROM visits v WHERE v.local = 1 AND v.visited_at >= ?"
        f" AND v.visited_at < ? AND EXISTS ({_UNDELIVERED})",
        (start, end),
    )
    return int(row[0]) if row else 0


# --- checking and answering (the home place) -----------------------------------------------


async def _facts(db: Connection, place_id: str, sender: str, claim: dict[str, Any]) -> claims.Facts:
    lines = claim.get("tl:lines") or []
    visit_ids = [str(line.get("tl:visit")) for line in lines if isinstance(line, dict)]
    marks = ",".join("?" * len(visit_ids)) or "NULL"
    async with db.execute(
        f"SELECT id, place, grant_id, visited_at FROM visits WHERE local = 0 AND id IN ({marks})",
        visit_ids,
    ) as cur:
        visits = {
            r[0]: claims.KnownVisit(r[0], r[1], r[2], float(r[3])) for r in await cur.fetchall()
        }
    grant_ids = list({v.grant for v in visits.values()})
    marks = ",".join("?" * len(grant_ids)) or "NULL"
    async with db.execute(
        "SELECT grant_id, not_before, expires, revoked_at, credit_account FROM grants"
        f" WHERE grant_id IN ({marks})",
        grant_ids,
    ) as cur:
        grants = {r[0]: claims.KnownGrant(*r) for r in await cur.fetchall()}
    marks = ",".join("?" * len(visit_ids)) or "NULL"
    async with db.execute(
        "SELECT l.visit_id FROM claim_lines l JOIN claims c ON c.id = l.claim_id"
        f" WHERE c.direction = 'received' AND l.state = 'accepted' AND l.visit_id IN ({marks})",
        visit_ids,
    ) as cur:
        claimed = frozenset(r[0] for r in await cur.fetchall())
    async with db.execute(
        "SELECT visit_rate, currency FROM peers WHERE actor_id = ?", (sender,)
    ) as cur:
        peer = await cur.fetchone()
    return claims.Facts(
        place=place_id,
        visits=visits,
        grants=grants,
        claimed=claimed,
        agreed_rate_cents=to_cents(peer[0]) if peer else None,
        agreed_currency=peer[1] if peer else None,
    )


async def _signature_ok(db: Connection, sender: str, claim: dict[str, Any]) -> bool:
    document = await remote_actors.document(db, sender)
    if document is None:
        return False
    try:
        method = proof.verify(claim, proof.assertion_key_finder(document))
    except SignatureError as exc:
        log.warning("claim %s refused: %s", claim.get("id"), exc.log)
        return False
    return method.split("#")[0] == sender


def _offer_reference(activity: dict[str, Any], object_type: str) -> dict[str, Any]:
    return {
        "id": activity["id"],
        "type": "Offer",
        "actor": id_of(activity["actor"]),
        "object": {"id": id_of(activity["object"]), "type": object_type},
    }


async def _claim_received(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    claim = activity["object"]
    sender = str(id_of(activity["actor"]))
    claim_id = id_of(claim)
    if claim_id is None or id_of(claim.get("attributedTo")) != sender:
        raise InvalidActivity(f"claim {claim_id} is not attributed to its sender {sender}")
    if not same_origin(claim_id, sender):
        raise InvalidActivity(f"claim {claim_id} is not on {sender}'s origin")
    async with db.execute("SELECT 1 FROM claims WHERE id = ?", (claim_id,)) as cur:
        if await cur.fetchone() is not None:
            return  # a claim is applied once; a corrected claim has a new id
    place = await local.by_handle(node.store, node.config.handle)
    try:
        facts = await _facts(db, place.id, sender, claim)
        checked = claims.check(claim, facts, await _signature_ok(db, sender, claim))
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidActivity(f"malformed claim {claim_id}: {exc!r}") from exc
    except ConfigError as exc:
        raise InvalidActivity(f"malformed claim {claim_id}: {exc.log}") from exc
    now = time.time()
    accepted_total = sum(v.line.amount_cents for v in checked.accepted)
    await db.execute(
        "INSERT INTO claims (id, direction, offer_id, peer, period, rate_cents, currency,"
        " total_cents, document, created_at, answered_at)"
        " VALUES (?, 'received', ?,?,?,?,?,?,?,?,?)",
        (claim_id, activity["id"], sender, checked.period, checked.rate_cents, checked.currency,
         sum(v.line.amount_cents for v in checked.verdicts), json.dumps(claim), now, now),
    )  # fmt: skip
    await db.executemany(
        # OR IGNORE: a line sent twice in one claim keeps its first row (the check refuses
        # the copy; its verdict must not break the whole claim on the primary key).
        "INSERT OR IGNORE INTO claim_lines (claim_id, visit_id, grant_id, visited_at,"
        " amount_cents, credit_account, state, reason) VALUES (?,?,?,?,?,?,?,?)",
        [
            (claim_id, v.line.visit, v.line.grant, v.line.visited_at, v.line.amount_cents,
             v.credit_account, "accepted" if v.accepted else "rejected",
             None if v.accepted else v.reason)
            for v in checked.verdicts
            if v.reason != "duplicate_line"  # the first copy of the line holds its row
        ],
    )  # fmt: skip
    if checked.accepted:
        entries = [
            Entry(
                CREDIT + v.credit_account if v.credit_account else EXPENSE,
                v.line.amount_cents, checked.currency, v.line.visit,
            )
            for v in checked.accepted
        ]  # fmt: skip
        entries.append(Entry(PEER + sender, -accepted_total, checked.currency, claim_id))
        await book(db, f"claim:{claim_id}", "claim", f"Réclamation {checked.period}", entries)
        spent = [v.credit_account for v in checked.accepted if v.credit_account]
        if spent:
            await credit.announce(db, node, spent)
    _fault("kill-while-applying-claim")
    reference = _offer_reference(activity, claims.CLAIM)
    if checked.accepted:
        await emit(db, node, place, {
            "type": "Accept", "actor": place.id, "object": reference, "to": [sender],
            "tl:claim": claim_id,
            "tl:lines": [v.line.visit for v in checked.accepted],
            "tl:total": from_cents(accepted_total), "tl:currency": checked.currency,
            "summary": f"{len(checked.accepted)} passage(s) accepté(s) pour {checked.period}",
        })  # fmt: skip
    if checked.refused:
        await emit(db, node, place, {
            "type": "Reject", "actor": place.id, "object": reference, "to": [sender],
            "tl:claim": claim_id,
            "tl:lines": [
                {"tl:visit": v.line.visit, "tl:reason": v.reason,
                 "summary": claims.REASONS_FR.get(v.reason, v.reason)}
                for v in checked.refused
            ],
            "summary": f"{len(checked.refused)} passage(s) refusé(s) pour {checked.period}",
        })  # fmt: skip


# --- answers (the visited place) -----------------------------------------------------------


async def _sent_claim(db: Connection, activity: dict[str, Any]) -> tuple[str, str, str] | None:
    """(claim id, currency, peer) of the claim this answer is about, if we sent it to them."""
    offer_id = id_of(activity.get("object"))
    async with db.execute(
        "SELECT id, currency, peer FROM claims WHERE direction = 'sent' AND offer_id = ?",
        (offer_id,),
    ) as cur:
        row = await cur.fetchone()
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
        async with db.execute(
            "UPDATE claim_lines SET state = 'accepted' WHERE claim_id = ? AND visit_id = ?"
            " AND state = 'pending' RETURNING amount_cents",
            (claim_id, visit),
        ) as cur:
            row = await cur.fetchone()
        if row is not None:  # a line moves once: a second Accept of it books nothing
            total += row[0]
            entries.append(Entry(INCOME, -row[0], currency, visit))
    entries.append(Entry(PEER + peer, total, currency, claim_id))
    await book(db, f"accept:{activity['id']}", "claim", "Réclamation acceptée", entries)
    await db.execute("UPDATE claims SET answered_at = ? WHERE id = ?", (time.time(), claim_id))
    _fault("kill-while-applying-answer")


async def _claim_rejected(db: Connection, node: Node, activity: dict[str, Any]) -> None:
    found = await _sent_claim(db, activity)
    if found is None:
        return
    claim_id = found[0]
    for line in activity.get("tl:lines") or []:
        if not isinstance(line, dict):
            continue
        await db.execute(
            "UPDATE claim_lines SET state = 'rejected', reason = ? WHERE claim_id = ?"
            " AND visit_id = ? AND state = 'pending'",
            (str(line.get("tl:reason", "")), claim_id, str(line.get("tl:visit"))),
        )
    await db.execute("UPDATE claims SET answered_at = ? WHERE id = ?", (time.time(), claim_id))


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
    Route("Offer", claims.CLAIM, on_receive=_claim_received),
    Route("Accept", "Offer", on_receive=_claim_accepted),
    Route("Reject", "Offer", on_receive=_claim_rejected),
]
