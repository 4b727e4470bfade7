"""Everything the node holds about a member, as one JSON-LD document they download (/moi/donnees).

Their actor, profile fields with their visibility, the activities they made and the objects
they wrote, their visits, the movements of the credit accounts they may spend, their badges,
sessions, passkeys' labels, follows and participations. Never a card UID (the node has none:
a badge binds its card by a salted hash, shown here as a short fingerprint), never a token's
hash, a password's hash, a passkey's key nor the actor's private keys (a stolen download must
not let anyone act as them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from vocab.context import DOCUMENT_CONTEXT, TL

from .. import tables
from ..actors import local
from ..actors.document import actor_document
from ..ledger import credit
from ..ledger.money import from_cents

if TYPE_CHECKING:
    from ..context import Node

# The export's own terms (members' data, not the network's vocabulary): under the tl:
# namespace, so that a JSON-LD processor reads every key as an IRI.
EXPORT_TERMS = {"@vocab": f"{TL}export/"}
CONTEXT = [*DOCUMENT_CONTEXT, EXPORT_TERMS]


def iso(posix: float | None) -> str | None:
    """A POSIX time as ISO 8601 UTC (pure)."""
    if posix is None:
        return None
    return datetime.fromtimestamp(float(posix), UTC).isoformat().replace("+00:00", "Z")


def card_fingerprint(card_hash: str | None) -> str | None:
    """A badge's card, shown without its UID: the first 8 hex digits of the salted hash that
    binds it (per badge, so two badges of one card do not look alike) (pure)."""
    if not card_hash:
        return None
    short = card_hash[:8].upper()
    return f"{short[:4]}-{short[4:]}"


@dataclass(frozen=True)
class BadgeState:
    grant_id: str
    not_before: float
    expires: float
    card: str | None  # fingerprint
    revoked_at: float | None

    def state(self, now: float) -> str:
        """`revoked`, `expired`, `not_yet` or `valid` (pure)."""
        if self.revoked_at is not None:
            return "revoked"
        if now >= self.expires:
            return "expired"
        if now < self.not_before:
            return "not_yet"
        return "valid"


def badge_state(grant: tables.grants.IssuedGrant) -> BadgeState:
    return BadgeState(grant.grant_id, float(grant.not_before), float(grant.expires),
                      card_fingerprint(grant.card_hash), grant.revoked_at)  # fmt: skip


def _loads(text: Any) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


async def gather(node: Node, handle: str, now: float) -> dict[str, Any]:
    """The member's data, read from the owner tables (a JSON-LD document)."""
    reads = node.store.reads
    actor = await local.by_handle(node.store, handle)
    me = actor.id
    document = actor_document(actor, node.config.base_url,
                              await local.retired_keys(node.store, handle))  # fmt: skip
    document.pop("@context", None)
    account = await tables.accounts.by_handle(reads, handle)
    statements = []
    for name in await tables.credit_accounts.of_member(reads, me):
        currency, uses = await credit.statement(node, name)
        statements.append({
            "account": name, "currency": currency,
            "movements": [{"at": iso(u.when), "kind": u.kind, "amount": from_cents(u.cents),
                           "place": u.place, "reference": u.reference,
                           "remaining": from_cents(u.remaining)} for u in uses],
        })  # fmt: skip
    visits = await tables.visits.of_member(reads, me)
    claimed = await tables.claims.line_states(reads, [v.id for v in visits])
    return {
        "@context": CONTEXT,
        "id": f"{node.config.base_url}/moi/donnees#{handle}",
        "type": "PersonalData",
        "subject": me,
        "generatedAt": iso(now),
        "place": node.config.place_id,
        "actor": document,
        "account": {
            "roles": str(account["roles"]) if account else "",
            "createdAt": iso(account["created_at"]) if account else None,
            "passwordSetAt": iso(account["password_set_at"]) if account else None,
        },
        "profileFields": [
            {"field": r["field"], "value": _loads(r["value"]), "visibility": r["visibility"]}
            for r in await tables.profile_fields.of(reads, handle)
        ],
        "projects": [
            {
                "title": r["title"],
                "description": r["description"],
                "link": r["link"],
                "state": r["state"],
                "reason": r["reason"],
                "published": r["object_id"],
                "submittedAt": iso(r["created_at"]),
            }
            for r in await tables.projects.of_member(reads, handle)
        ],
        "projectInterests": [
            {
                "project": r["project"],
                "name": r["name"],
                "introduce": bool(r["introduce"]),
                "since": iso(r["said_at"]),
            }
            for r in await tables.project_interests.of_actor(reads, me)
        ],
        "activities": await tables.activities.by_actor(reads, me),
        "objects": [_loads(r["document"]) for r in await tables.objects.of_author(reads, me)],
        "followers": await tables.follows.accepted_followers(reads, me),
        "following": await tables.follows.accepted_followees(reads, me),
        "events": [
            {"event": r["event_id"], "since": iso(r["created_at"])}
            for r in await tables.event_participants.of_actor(reads, me)
        ],
        "visits": [
            {
                "id": v.id,
                "place": v.place,
                "door": v.door,
                "at": iso(v.visited_at),
                "badge": v.grant_id,
                "claim": claimed.get(v.id),
            }
            for v in visits
        ],
        "credit": statements,
        "badges": [
            {
                "badge": b.grant_id,
                "validFrom": iso(b.not_before),
                "validUntil": iso(b.expires),
                "card": b.card,
                "state": b.state(now),
            }
            for b in map(badge_state, await tables.grants.of_member(reads, me))
        ],
        "sessions": [
            {
                "openedAt": iso(r["created_at"]),
                "lastSeen": iso(r["seen_at"]),
                "closedAt": iso(r["closed_at"]),
                "browser": r["user_agent"],
            }
            for r in await tables.sessions.of_handle(reads, handle)
        ],
        "passkeys": [
            {
                "label": r["label"],
                "addedAt": iso(r["created_at"]),
                "lastUsed": iso(r["last_used_at"]),
            }
            for r in await tables.passkeys.of_handle(reads, handle)
        ],
    }
