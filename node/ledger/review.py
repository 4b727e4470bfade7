"""Claims received answered by hand (issue 14): the place's team confirms or disputes each line
that passed the node's checks, instead of the node accepting it on arrival.

The rule is the place's, and may differ for one peer (`claims rules --manual`, the claims
page); off by default, so a place that sets nothing answers as before.

What the protocol carries, now and later. On arrival, the lines that fail the checks are
refused at once with their reason (the same Reject as in automatic mode); the lines that pass
are held `pending` and nothing is said of them: the claim's delivery (the inbox's 202) is its
receipt, and the claimant shows it "waiting for an answer". Each decision of the team is then
answered at once, for the lines it decided: an Accept of the confirmed lines, a Reject of the
disputed ones (reason `disputed`, the team's words in the line's `content`). So a claim may be
answered in several parts; the claimant already books each Accept once by its id and moves
each line once ("partly answered" in between), and no new activity type is needed: a peer
running older code reads these answers as it reads the automatic ones.

The books: a confirmed line books what the automatic path books for it (the visit to its
credit account or to our expenses, our debt to the claimant), in one transaction per decision
keyed by its Accept; a line moves from pending once, in the transaction that books and answers
it, so a form sent twice decides nothing the second time.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import tables
from ..actors import local
from ..errors import ConfigError, NotFoundError
from ..outbox.publish import emit
from . import claim as claims
from .exchange import (
    Accepted,
    accept_answer,
    book_accepted,
    claim_reference,
    refused_line,
    reject_answer,
)

if TYPE_CHECKING:
    from ..context import Node


# --- the rule ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    manual: bool  # the place's rule
    peers: dict[str, bool]  # peers whose rule differs from the place's default, by actor id


async def rules(node: Node) -> Rules:
    written = await tables.claim_reviews.rules(node.store.reads)
    manual = written.pop(tables.claim_reviews.PLACE, False)
    return Rules(manual, written)


async def set_rule(node: Node, manual: bool | None, peer: str | None = None) -> None:
    """The place's rule (no `peer`), or a peer's own (`manual` None: the peer follows the
    place's rule again)."""
    if peer is None:
        if manual is None:
            raise ConfigError("the place's rule needs yes or no",
                              fr="Pour le lieu, répondez oui ou non.",
                              en="For the place, answer yes or no.")  # fmt: skip
        async with node.store.write() as db:
            await tables.claim_reviews.set_rule(db, tables.claim_reviews.PLACE, manual)
        return
    async with node.store.write() as db:
        if manual is not None and not await tables.peers.is_peer(db, peer):
            raise ConfigError(
                f"{peer} is not a peer",
                fr=f"{peer} n'est pas un lieu pair : vérifiez l'adresse (« interlieux peer "
                "list »).",
                en=f"{peer} is not a peer place: check the address ('interlieux peer list').",
            )
        await tables.claim_reviews.set_rule(db, peer, manual)


# --- the team's decisions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    accepted: int  # lines confirmed and booked now
    disputed: int  # lines refused now with the team's reason
    already_claimed: int  # lines confirmed but accepted meanwhile in another claim: refused
    left: int  # lines of the claim still waiting


def no_line_chosen() -> ConfigError:
    return ConfigError("no line chosen",
                       fr="Cochez au moins un passage, ou choisissez « Tout confirmer ».",
                       en="Tick at least one visit, or choose 'Confirm all'.")  # fmt: skip


def reason_needed() -> ConfigError:
    return ConfigError(
        "a dispute needs a reason",
        fr="Dites pourquoi vous contestez : le lieu qui réclame lira votre raison.",
        en="Say why you dispute it: the claiming place will read your reason.",
    )


def reason_too_long() -> ConfigError:
    return ConfigError(
        "reason too long",
        fr=f"La raison tient en {claims.MAX_NOTE} caractères au plus.",
        en=f"The reason must be at most {claims.MAX_NOTE} characters long.",
    )


async def decide(
    node: Node,
    claim_id: str,
    visits: Sequence[str] | None,
    confirm: bool,
    reason: str = "",
    by: str | None = None,
) -> Decision:
    """The team confirms (`confirm`) or disputes, with `reason`, the held lines `visits` of a
    claim received (None: every line still held). Lines no longer held (decided already, by
    another member or a form sent twice) are left as they are."""
    reason = reason.strip()
    if not confirm and not reason:
        raise reason_needed()
    if len(reason) > claims.MAX_NOTE:
        raise reason_too_long()
    if visits is not None and not visits:
        raise no_line_chosen()
    place = await local.by_handle(node.store, node.config.handle)
    now = time.time()
    async with node.store.write() as db:
        row = await tables.claims.received(db, claim_id)
        if row is None:
            raise NotFoundError(
                f"no claim {claim_id} received",
                fr=f"Aucune réclamation reçue « {claim_id} » (« interlieux claims list » les "
                "montre).",
                en=f"No claim '{claim_id}' received ('interlieux claims list' shows them).",
            )
        sender, period, currency = str(row["peer"]), str(row["period"]), str(row["currency"])
        held = {
            str(r["visit_id"]): Accepted(str(r["visit_id"]), int(r["amount_cents"]),
                                         r["credit_account"])
            for r in await tables.claims.held_lines(db, claim_id)
        }  # fmt: skip
        chosen = [held[v] for v in dict.fromkeys(held if visits is None else visits) if v in held]
        accepted: list[Accepted] = []
        refused: list[dict[str, object]] = []
        again = 0
        if confirm:
            # A visit held in two claims (claimed twice before either was decided) is paid
            # once: the line confirmed second is refused as the automatic check would.
            paid = await tables.claims.accepted_visits(db, [ln.visit for ln in chosen])
            for line in chosen:
                if line.visit in paid:
                    again += 1
                    await tables.claims.decide_held_line(
                        db, claim_id, line.visit, "rejected", "already_claimed")  # fmt: skip
                    refused.append(refused_line(line.visit, "already_claimed"))
                else:
                    await tables.claims.decide_held_line(db, claim_id, line.visit, "accepted",
                                                         None)  # fmt: skip
                    accepted.append(line)
            decisions = [(ln.visit, "accepted", "") for ln in accepted]
        else:
            for line in chosen:
                await tables.claims.decide_held_line(db, claim_id, line.visit, "rejected",
                                                     claims.DISPUTED)  # fmt: skip
                refused.append({**refused_line(line.visit, claims.DISPUTED), "content": reason})
            decisions = [(ln.visit, "rejected", reason) for ln in chosen]
        await tables.claim_reviews.record(db, claim_id, decisions, by, now)
        reference = claim_reference(str(row["offer_id"]), sender, claim_id)
        if accepted:
            answer = await emit(db, node, place, accept_answer(
                place.id, reference, claim_id, period, currency, accepted))  # fmt: skip
            await book_accepted(db, node, f"claim:{claim_id}:{answer['id']}", sender, claim_id,
                                period, currency, accepted)  # fmt: skip
        if refused:
            await emit(db, node, place, reject_answer(place.id, reference, claim_id, period,
                                                      refused))  # fmt: skip
        left = len(held) - len(chosen)
        if chosen and not left:
            await tables.claims.mark_answered(db, claim_id, now)
    return Decision(len(accepted), len(chosen) - len(accepted) - again, again, left)
