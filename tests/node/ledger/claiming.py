"""A peer place claims visits of the in-process place's members: the stand-in reports each
visit at tap time (a signed Create of the tl:Visit, its tap report signed by the peer's badge
key, as at a desk) and then sends its claim (an Offer of a signed tl:Claim), the way a visited
place's node does. The place under test is the home place that checks and answers."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from node.access import door
from node.access import grant as grants
from node.access.tap import TapReport
from node.ledger import claim, proof
from node.timestamps import posix_to_wire
from tests.node.conftest import InProcessNode
from tests.node.web.session import run
from tests.node.web.team.peering import Peer, signed

RATE = 500  # cents a visit: what `peering.add_peer` agrees by default


def period() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


def badge(place: InProcessNode, card: str, member: str = "alice") -> tuple[str, bytes]:
    """`badge issue` at the home place: (grant id, grant)."""
    out = run("badge", "issue", "--data", str(place.config.data_dir), "--member", member,
              "--card-uid", card)  # fmt: skip
    data = grants.from_text(out.strip().splitlines()[-1])
    return grants.read(data)[0].grant_id, data


def report(place: InProcessNode, peer: Peer, grant: bytes, member: str = "alice") -> claim.Line:
    """The peer reports a visit of `member` with `grant` a minute ago; the claim line for it
    once the home place has kept the visit."""
    visited_at = time.time() - 60
    grant_id = grants.read(grant)[0].grant_id
    member_id = place.actor_id(member)
    tap = door.sign_report(TapReport(str(uuid.uuid4()), grant, None, "accueil", visited_at,
                                     True, "ok"), peer.badge_key)  # fmt: skip
    visit = f"{peer.actor}/visits/{uuid.uuid4()}"
    when = posix_to_wire(visited_at)
    signed(place, peer, {"type": "Create", "to": [place.actor_id(), member_id], "object": {
        "id": visit, "type": "tl:Visit", "attributedTo": peer.actor, "tl:visitor": member_id,
        "tl:homePlace": place.actor_id(), "tl:place": peer.actor, "tl:door": "accueil",
        "tl:grant": grant_id, "startTime": when, "published": when,
        "tl:tapReport": tap.to_json(), "to": [place.actor_id(), member_id],
    }})  # fmt: skip
    place.wait("SELECT 1 FROM visit_reports r JOIN visits v ON v.id = r.visit_id"
               " WHERE v.id = ?", (visit,))  # fmt: skip
    return claim.Line(visit, visited_at, grant_id, member_id, RATE)


def send_claim(place: InProcessNode, peer: Peer, lines: list[claim.Line]) -> dict[str, Any]:
    """The peer's claim of `lines` (signed with its badge key), offered to the place; the
    Offer, once the place has applied it."""
    claim_id = f"{peer.actor}/claims/{uuid.uuid4()}"
    document = claim.build(claim_id, peer.actor, place.actor_id(), period(), RATE, "EUR", lines,
                           time.time())  # fmt: skip
    signature = proof.sign(document, peer.badge_key, f"{peer.actor}#ed25519-key")
    offer = {"id": f"{peer.actor}/activities/{uuid.uuid4()}", "type": "Offer", "object": signature}
    signed(place, peer, offer)
    place.wait("SELECT 1 FROM claims WHERE id = ?", (claim_id,))
    return offer


def answers(peer: Peer, claim_id: str, kind: str) -> list[dict[str, Any]]:
    """The place's answers of type `kind` (Accept, Reject) about the claim, as the peer got
    them so far."""
    return [body for _, body in list(peer.stand_in.received)
            if body.get("type") == kind and body.get("tl:claim") == claim_id]  # fmt: skip


def lines_of(place: InProcessNode, claim_id: str) -> dict[str, tuple[str, str | None]]:
    rows = place.query("SELECT visit_id, state, reason FROM claim_lines WHERE claim_id = ?",
                       (claim_id,))  # fmt: skip
    return {r[0]: (r[1], r[2]) for r in rows}


def entries(place: InProcessNode, source: str) -> list[tuple[str, str, str, int, str, str]]:
    """(kind, memo, account, amount, currency, reference) of the transactions whose source
    starts with `source`, in booking order."""
    return [tuple(r) for r in place.query(
        "SELECT t.kind, t.memo, e.account, e.amount_cents, e.currency, e.reference"
        " FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id"
        " WHERE t.source LIKE ? ORDER BY e.id", (source + "%",))]  # fmt: skip
